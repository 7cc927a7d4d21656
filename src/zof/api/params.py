"""Shared query parameters: pagination and RFC 3339 times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import BeforeValidator, WithJsonSchema

from zof.core.cursors import MAX_CURSOR_LENGTH, Position
from zof.core.errors import ZofError
from zof.core.timeutil import InvalidTimestamp, parse_timestamp


def _parse_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("the timestamp has no UTC offset")
        return value
    if not isinstance(value, str):
        raise ValueError("expected an RFC 3339 timestamp or a date")
    try:
        return parse_timestamp(value)
    except InvalidTimestamp as error:
        raise ValueError(str(error)) from None


Timestamp = Annotated[
    datetime,
    BeforeValidator(_parse_time),
    WithJsonSchema(
        {
            "type": "string",
            "description": "RFC 3339 with an offset or Z, or a date meaning midnight UTC.",
            "examples": ["2026-12-01T08:30:00Z", "2026-12-01"],
        }
    ),
]


@dataclass(frozen=True)
class PageParams:
    limit: int
    starting_after: str | None


def page_params(
    limit: Annotated[int, Query(ge=1, le=100, description="Items per page, 1 to 100.")] = 20,
    starting_after: Annotated[
        str | None,
        Query(
            max_length=MAX_CURSOR_LENGTH,
            description="The `next_cursor` of the previous page.",
        ),
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, starting_after=starting_after)


def check_range(
    lower: datetime | None, upper: datetime | None, lower_name: str, upper_name: str
) -> None:
    """Reject an empty or inverted half-open range, naming the later parameter."""
    if lower is not None and upper is not None and lower >= upper:
        raise ZofError(
            "invalid_time_range",
            f"{upper_name} must be after {lower_name}; ranges are half-open [{lower_name}, "
            f"{upper_name}).",
            upper_name,
        )


__all__ = ["PageParams", "Position", "Timestamp", "check_range", "page_params"]
