"""RFC 3339 parsing and formatting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zof.core.timeutil import InvalidTimestamp, format_timestamp, parse_timestamp


@given(
    st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9998, 12, 30), timezones=st.just(UTC)
    ),
    st.integers(min_value=-23 * 60, max_value=23 * 60),
)
def test_offset_spellings_parse_to_same_instant(moment: datetime, offset_minutes: int) -> None:
    zone = timezone(timedelta(minutes=offset_minutes))
    local = moment.astimezone(zone)

    assert parse_timestamp(local.isoformat()) == moment
    assert parse_timestamp(moment.isoformat().replace("+00:00", "Z")) == moment


@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9998, 12, 31)))
def test_naive_timestamps_are_rejected(moment: datetime) -> None:
    with pytest.raises(InvalidTimestamp):
        parse_timestamp(moment.isoformat())


@given(st.text(max_size=40))
def test_arbitrary_text_parses_or_raises_invalid(text: str) -> None:
    try:
        value = parse_timestamp(text)
    except InvalidTimestamp:
        return
    assert value.tzinfo is not None


@given(
    st.datetimes(
        timezones=st.just(UTC), min_value=datetime(1, 1, 1), max_value=datetime(9998, 1, 1)
    )
)
def test_format_round_trips_to_milliseconds(moment: datetime) -> None:
    text = format_timestamp(moment)

    assert text.endswith("Z")
    assert parse_timestamp(text) == moment.replace(microsecond=moment.microsecond // 1000 * 1000)
