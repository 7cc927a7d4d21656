"""Scopes, periods, range presets and previous periods."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zof.reports.daily import period_days
from zof.reports.scope import InvalidScope, Period, Scope, previous_period, resolve_range

moments = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(9980, 1, 1), timezones=st.just(UTC)
)
lengths = st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=4000))
RANGE_LENGTHS = {
    "last_24_hours": timedelta(hours=24),
    "last_7_days": timedelta(days=7),
    "last_30_days": timedelta(days=30),
}


def is_midnight(moment: datetime) -> bool:
    return moment.time() == datetime.min.time()


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (Scope("organization"), ("organization", None, None, None)),
        (Scope("project", "proj_1"), ("project", "proj_1", None, None)),
        (Scope("environment", "proj_1", "staging"), ("environment", "proj_1", "staging", None)),
        (Scope("suite", "proj_1", None, "api"), ("suite", "proj_1", None, "api")),
        (Scope("suite", "proj_1", "staging", "api"), ("suite", "proj_1", "staging", "api")),
    ],
)
def test_valid_scopes(scope: Scope, expected: tuple[str | None, ...]) -> None:
    assert (scope.type, scope.project_id, scope.environment, scope.suite) == expected


@pytest.mark.parametrize(
    ("arguments", "param"),
    [
        (("project",), "scope.project_id"),
        (("environment", "proj_1"), "scope.environment"),
        (("environment", None, "staging"), "scope.project_id"),
        (("suite", "proj_1", "staging"), "scope.suite"),
        (("suite", None, None, "api"), "scope.project_id"),
        (("organization", "proj_1"), "scope.project_id"),
        (("project", "proj_1", "staging"), "scope.environment"),
        (("environment", "proj_1", "staging", "api"), "scope.suite"),
        (("project", ""), "scope.project_id"),
        (("team",), "scope.type"),
    ],
)
def test_invalid_scope_names_field(arguments: tuple[str | None, ...], param: str) -> None:
    with pytest.raises(InvalidScope) as raised:
        Scope(*arguments)  # type: ignore[arg-type]

    assert raised.value.param == param


def test_scope_to_dict() -> None:
    assert Scope("suite", "proj_1", None, "api").to_dict() == {
        "type": "suite",
        "project_id": "proj_1",
        "environment": None,
        "suite": "api",
    }


def test_period_converts_to_utc() -> None:
    zone = timezone(timedelta(hours=2))

    period = Period(datetime(2026, 1, 1, 2, tzinfo=zone), datetime(2026, 1, 2, tzinfo=UTC))

    assert period.start == datetime(2026, 1, 1, tzinfo=UTC)
    assert period.start.tzinfo is UTC


def test_period_rejects_naive_bounds() -> None:
    with pytest.raises(InvalidScope) as raised:
        Period(datetime(2026, 1, 1), datetime(2026, 1, 2, tzinfo=UTC))

    assert raised.value.param == "period.start"


@pytest.mark.parametrize("days", [0, -1])
def test_period_rejects_empty_or_reversed(days: int) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)

    with pytest.raises(InvalidScope, match="before"):
        Period(start, start + timedelta(days=days))


def test_period_is_half_open() -> None:
    period = Period(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC))

    assert period.start in period
    assert period.end - timedelta(microseconds=1) in period
    assert period.end not in period


def test_unknown_preset_is_rejected() -> None:
    with pytest.raises(InvalidScope) as raised:
        resolve_range("last_year", datetime(2026, 1, 1, tzinfo=UTC))

    assert raised.value.param == "range"


def test_resolve_range_rejects_naive_now() -> None:
    with pytest.raises(ValueError, match="timezone"):
        resolve_range("last_7_days", datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("preset", "start", "end"),
    [
        ("last_24_hours", datetime(2026, 3, 9, 15, 30), datetime(2026, 3, 10, 15, 30)),
        ("last_7_days", datetime(2026, 3, 3, 15, 30), datetime(2026, 3, 10, 15, 30)),
        ("last_30_days", datetime(2026, 2, 8, 15, 30), datetime(2026, 3, 10, 15, 30)),
        ("previous_day", datetime(2026, 3, 9), datetime(2026, 3, 10)),
        # 2026-03-10 is a Tuesday; the week before began on Monday 2026-03-02.
        ("previous_week", datetime(2026, 3, 2), datetime(2026, 3, 9)),
        ("previous_month", datetime(2026, 2, 1), datetime(2026, 3, 1)),
    ],
)
def test_presets_on_a_known_date(preset: str, start: datetime, end: datetime) -> None:
    now = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)

    period = resolve_range(preset, now)

    assert period == Period(start.replace(tzinfo=UTC), end.replace(tzinfo=UTC))


def test_presets_read_now_in_utc() -> None:
    # 01:00 on 1 March at +02:00 is still 28 February in UTC.
    now = datetime(2026, 3, 1, 1, tzinfo=timezone(timedelta(hours=2)))

    assert resolve_range("previous_day", now).start == datetime(2026, 2, 27, tzinfo=UTC)
    assert resolve_range("previous_month", now).start == datetime(2026, 1, 1, tzinfo=UTC)


def test_previous_month_in_january() -> None:
    period = resolve_range("previous_month", datetime(2027, 1, 15, tzinfo=UTC))

    assert period.start == datetime(2026, 12, 1, tzinfo=UTC)
    assert period.end == datetime(2027, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(("year", "days"), [(2024, 29), (2100, 28), (2000, 29), (2026, 28)])
def test_previous_month_february_lengths(year: int, days: int) -> None:
    period = resolve_range("previous_month", datetime(year, 3, 1, tzinfo=UTC))

    assert period.length == timedelta(days=days)


@given(moments, st.sampled_from(sorted(RANGE_LENGTHS)))
def test_rolling_presets_end_now(now: datetime, preset: str) -> None:
    period = resolve_range(preset, now)

    assert period.end == now
    assert period.length == RANGE_LENGTHS[preset]


@given(moments)
def test_previous_day_is_yesterday(now: datetime) -> None:
    period = resolve_range("previous_day", now)

    assert period.length == timedelta(days=1)
    assert is_midnight(period.start)
    assert period.end.date() == now.date()
    assert now not in period


@given(moments)
def test_previous_week_is_an_iso_week(now: datetime) -> None:
    period = resolve_range("previous_week", now)

    assert period.length == timedelta(days=7)
    assert period.start.isoweekday() == 1
    assert is_midnight(period.start)
    assert period.end <= now < period.end + timedelta(days=7)
    iso_week = (now - timedelta(days=7)).isocalendar()
    assert period.start.isocalendar()[:2] == iso_week[:2]


@given(moments)
def test_previous_month_is_a_calendar_month(now: datetime) -> None:
    period = resolve_range("previous_month", now)

    assert period.start.day == 1
    assert period.end.day == 1
    assert is_midnight(period.start)
    assert is_midnight(period.end)
    assert (period.end.year, period.end.month) == (now.year, now.month)
    assert 28 <= period.length.days <= 31
    last_day = (period.end - timedelta(days=1)).date()
    assert (last_day.year, last_day.month) == (period.start.year, period.start.month)


@given(moments, lengths)
def test_previous_period_is_adjacent_and_equal(start: datetime, length: timedelta) -> None:
    period = Period(start, start + length)

    before = previous_period(period)

    assert before.end == period.start
    assert before.length == period.length
    assert before.end not in before
    assert before.start in before


@given(moments, lengths)
def test_period_days_cover_the_period(start: datetime, length: timedelta) -> None:
    period = Period(start, start + length)

    days = period_days(period)

    assert days[0] == period.start.date()
    assert days[-1] == (period.end - timedelta(microseconds=1)).date()
    assert all(later - earlier == timedelta(days=1) for earlier, later in pairwise(days))


def test_period_days_end_at_midnight_exclusive() -> None:
    period = Period(datetime(2024, 2, 28, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC))

    assert period_days(period) == [date(2024, 2, 28), date(2024, 2, 29)]
