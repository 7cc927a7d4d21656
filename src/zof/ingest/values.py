"""Parsing of the attribute values that test reports write in many spellings."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

# Surefire writes times with the JVM's locale: "1,234.5" in English, "0,5" in German.
_GROUPED_THOUSANDS = re.compile(r"[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]*)?")
_DECIMAL_COMMA = re.compile(r"[0-9]+,[0-9]+")
_ZONE_WORDS = (" UTC", " GMT", "UTC", "GMT")
_ISO_FRACTION = re.compile(r"(\.[0-9]{6})[0-9]+")
_DIGITS = re.compile(r"[0-9]+")


class InvalidValue(Exception):
    """A value that could not be read; the message says why, for a warning."""


def parse_seconds(value: str) -> int:
    """Parse a JUnit `time` attribute in seconds and return whole milliseconds.

    Accepts "1.5", "1,234.5" (comma as thousands separator) and "0,5" (comma as decimal
    separator). A comma followed by groups of exactly three digits, with a first group
    that does not start with 0, is a thousands separator, so "1,234" is 1234 seconds.
    Raises InvalidValue for empty, negative, non-finite or unreadable values.
    """
    text = value.strip()
    if not text:
        raise InvalidValue("the time is empty")

    if _GROUPED_THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    elif _DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")

    try:
        seconds = float(text)
    except ValueError:
        raise InvalidValue(f"the time {value!r} is not a number of seconds") from None
    if not math.isfinite(seconds):
        raise InvalidValue(f"the time {value!r} is not a finite number")
    if seconds < 0:
        raise InvalidValue(f"the time {value!r} is negative")
    if seconds > 10**9:
        raise InvalidValue(f"the time {value!r} is longer than 30 years")
    return round(seconds * 1000)


def parse_timestamp(value: str) -> tuple[datetime, bool]:
    """Parse an ISO 8601 timestamp and return it in UTC, with whether it named a zone.

    A timestamp without a zone is taken as UTC. TestNG's "2021-03-07T10:36:56 UTC" and a
    space in place of "T" are accepted. Raises InvalidValue when the value is unreadable.
    """
    text = value.strip()
    for word in _ZONE_WORDS:
        if text.endswith(word):
            text = text[: -len(word)] + "+00:00"
            break

    # Python 3.11 reads at most six fraction digits; .NET writes seven.
    text = _ISO_FRACTION.sub(r"\1", text, count=1)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidValue(f"the timestamp {value!r} is not an ISO 8601 date and time") from None

    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC), False
    return parsed.astimezone(UTC), True


def parse_line_number(value: str) -> int:
    """Parse a source line number (1 or more). Raises InvalidValue otherwise."""
    text = value.strip()
    if not _DIGITS.fullmatch(text) or len(text) > 9 or int(text) < 1:
        raise InvalidValue(f"the line number {value!r} is not a positive whole number")
    return int(text)


def parse_count(value: str | None) -> int | None:
    """Parse a suite counter such as `tests="12"`; None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if not _DIGITS.fullmatch(text) or len(text) > 12:
        return None
    return int(text)
