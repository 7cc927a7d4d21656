"""Property tests of the pure helpers: backoff bounds and time formatting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zof.client._params import format_time
from zof.client._retry import RetryPolicy

offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@given(
    random_value=st.floats(min_value=0.0, max_value=1.0, exclude_max=True),
    retries_done=st.integers(min_value=0, max_value=50),
)
def test_backoff_within_full_jitter_bounds(random_value: float, retries_done: int) -> None:
    policy = RetryPolicy(2, random=lambda: random_value, clock=lambda: 0.0)

    delay = policy.backoff(retries_done)

    assert 0.0 <= delay < min(8.0, 0.5 * 2**retries_done)


# One day of margin at both ends keeps every offset inside datetime's range in UTC.
@given(
    moment=st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=offsets
    )
)
def test_format_time_keeps_instant(moment: datetime) -> None:
    text = format_time(moment, "moment")

    assert text.endswith("Z")
    assert datetime.fromisoformat(text) == moment
    assert datetime.fromisoformat(text).utcoffset() == UTC.utcoffset(None)


def test_format_time_out_of_range() -> None:
    earliest = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))

    with pytest.raises(ValueError, match="started_at is out of range"):
        format_time(earliest, "started_at")
