"""RFC 3339 parsing and formatting for query parameters and bodies."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

# RFC 3339 date-time with a mandatory offset, or a full date. `T` or a space separates
# the parts, as RFC 3339 section 5.6 allows; fractional seconds take up to 9 digits.
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?"
    r"(?P<offset>[Zz]|[+-]\d{2}:\d{2})?$"
)


class InvalidTimestamp(ValueError):
    """A string that is not an RFC 3339 timestamp or date; the message explains why."""


def _shown(text: str) -> str:
    """Quote a value for a message, cut so an error never echoes a huge input."""
    return repr(text if len(text) <= 40 else text[:40] + "...")


def parse_timestamp(text: str) -> datetime:
    """Parse RFC 3339 with an offset or `Z`, or a date meaning midnight UTC.

    Returns an aware datetime in UTC. Raises InvalidTimestamp for anything else,
    including a date-time without an offset, which would be ambiguous.
    """
    if _DATE.match(text):
        try:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        except ValueError:
            raise InvalidTimestamp(f"{_shown(text)} is not a valid date.") from None

    match = _DATETIME.match(text)
    if match is None:
        raise InvalidTimestamp(
            f"{_shown(text)} is not an RFC 3339 timestamp; "
            "use e.g. 2026-12-01T08:30:00Z or 2026-12-01."
        )
    if match.group("offset") is None:
        raise InvalidTimestamp(
            f"{_shown(text)} has no UTC offset; add Z or an offset such as +02:00."
        )

    # Python takes at most microseconds; RFC 3339 allows any precision, so cut to six digits.
    digits = (match.group(7) or ".")[1:7].ljust(6, "0")
    normalized = f"{text[:10]}T{text[11:19]}.{digits}"
    offset = match.group("offset")
    normalized += "+00:00" if offset in {"Z", "z"} else offset
    try:
        parsed = datetime.fromisoformat(normalized)
    except ValueError:
        raise InvalidTimestamp(f"{_shown(text)} is not a valid timestamp.") from None
    if parsed.year < 1 or parsed.year > 9998:
        raise InvalidTimestamp(f"{_shown(text)} is out of range.")
    return parsed.astimezone(UTC)


def format_timestamp(value: datetime) -> str:
    """Format as RFC 3339 in UTC with `Z` and milliseconds, e.g. 2026-12-01T08:30:00.123Z."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    # isoformat pads the year to four digits; strftime("%Y") does not on every platform.
    return value.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def as_utc(value: datetime) -> datetime:
    """Attach UTC to naive datetimes read back from SQLite; convert aware ones to UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
