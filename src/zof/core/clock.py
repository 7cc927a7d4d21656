"""The service's clock, replaceable in tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime, truncated to whole milliseconds.

    The API prints timestamps with millisecond precision, so storing more would make a
    timestamp read from a response differ from the stored one in filters.
    """
    now = _now()
    return now.replace(microsecond=now.microsecond - now.microsecond % 1000)


def set_clock(now: Callable[[], datetime] | None) -> None:
    """Pin the clock (tests); `None` restores the system clock."""
    global _now
    _now = now if now is not None else (lambda: datetime.now(UTC))
