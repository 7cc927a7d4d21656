"""Conversion of SDK arguments into query parameters and JSON bodies."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

TimeInput = datetime | date | str


def format_time(value: TimeInput, argument: str) -> str:
    """Return `value` as an RFC 3339 string in UTC with `Z`.

    A `date` becomes that day's midnight UTC on the server, and a string is sent as given.
    A naive datetime raises `ValueError` naming `argument`, because the SDK cannot know
    which timezone was meant.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"{argument} must be a timezone-aware datetime, got naive {value.isoformat()}; "
                "attach a timezone, for example with .replace(tzinfo=datetime.UTC)."
            )
        try:
            moment = value.astimezone(UTC)
        except OverflowError:
            raise ValueError(f"{argument} is out of range in UTC: {value.isoformat()}.") from None
        # isoformat() pads years below 1000 to four digits, which strftime("%Y") does not.
        timespec = "microseconds" if moment.microsecond else "seconds"
        return moment.replace(tzinfo=None).isoformat(timespec=timespec) + "Z"
    if isinstance(value, date):
        return value.isoformat()
    return value


def optional_time(value: TimeInput | None, argument: str) -> str | None:
    return None if value is None else format_time(value, argument)


def without_none(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy without the keys whose value is None, so the server applies defaults."""
    return {key: value for key, value in values.items() if value is not None}


def path_segment(value: str, argument: str) -> str:
    """Quote an id for use in a URL path, so that `/` or `..` cannot reach another route."""
    if not value:
        raise ValueError(f"{argument} must be a non-empty id.")
    return quote(value, safe="")


def new_idempotency_key() -> str:
    return f"zof-{uuid.uuid4()}"
