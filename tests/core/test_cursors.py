"""Cursor encoding: round trips, bindings and hostile input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zof.core.cursors import CursorCodec, Position
from zof.core.errors import ZofError


@settings(max_examples=100)
@given(
    micros=st.integers(min_value=0, max_value=253_402_300_799_999_999),
    item_id=st.text(max_size=40),
    org=st.text(min_size=1, max_size=30),
    filters=st.dictionaries(
        st.text(max_size=10), st.one_of(st.none(), st.text(max_size=10), st.integers())
    ),
)
def test_cursor_round_trips_and_rejects_other_bindings(
    micros: int, item_id: str, org: str, filters: dict[str, object]
) -> None:
    codec = CursorCodec("secret")
    created_at = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)
    position = Position(created_at=created_at, id=item_id)

    cursor = codec.encode(position, organization_id=org, scope="projects", filters=filters)

    assert codec.decode(cursor, organization_id=org, scope="projects", filters=filters) == position
    with pytest.raises(ZofError):
        codec.decode(cursor, organization_id=org + "x", scope="projects", filters=filters)
    with pytest.raises(ZofError):
        codec.decode(cursor, organization_id=org, scope="runs", filters=filters)
    with pytest.raises(ZofError):
        CursorCodec("other").decode(cursor, organization_id=org, scope="projects", filters=filters)


@settings(max_examples=200)
@given(st.text(max_size=600))
def test_arbitrary_cursor_text_never_crashes(text: str) -> None:
    codec = CursorCodec("secret")
    with pytest.raises(ZofError) as raised:
        codec.decode(text, organization_id="org", scope="projects", filters={})
    assert raised.value.code == "invalid_cursor"
