"""Report scopes and periods, and the range presets that resolve to a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, get_args

ScopeType = Literal["organization", "project", "environment", "suite"]
RangePreset = Literal[
    "last_24_hours",
    "last_7_days",
    "last_30_days",
    "previous_day",
    "previous_week",
    "previous_month",
]

SCOPE_TYPES: tuple[str, ...] = get_args(ScopeType)
RANGE_PRESETS: tuple[str, ...] = get_args(RangePreset)

# The fields among project_id, environment and suite that each scope type requires and
# allows. A suite scope may narrow to one environment or cover the suite in all of them.
_REQUIRED: dict[str, frozenset[str]] = {
    "organization": frozenset(),
    "project": frozenset({"project_id"}),
    "environment": frozenset({"project_id", "environment"}),
    "suite": frozenset({"project_id", "suite"}),
}
_ALLOWED: dict[str, frozenset[str]] = {
    "organization": frozenset(),
    "project": frozenset({"project_id"}),
    "environment": frozenset({"project_id", "environment"}),
    "suite": frozenset({"project_id", "environment", "suite"}),
}


class InvalidScope(ValueError):
    """A scope or period that breaks a rule; `param` names the offending field."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class Scope:
    """The part of an organization a report covers: all of it, a project, an environment or a suite.

    - `organization`: every run of the organization; no other field.
    - `project`: needs `project_id`.
    - `environment`: needs `project_id` and `environment`.
    - `suite`: needs `project_id` and `suite`; `environment` is optional and narrows it.

    A field the type does not allow raises InvalidScope rather than being ignored, so a
    caller never gets a wider report than the one it asked for. The filters apply to runs
    (`runs.project_id`, `runs.environment`, `runs.suite`), and a report counts the
    results of the runs it selects.
    """

    type: ScopeType
    project_id: str | None = None
    environment: str | None = None
    suite: str | None = None
    # Narrows any scope to one run; used by the report a run gets when it completes.
    run_id: str | None = None

    def __post_init__(self) -> None:
        if self.type not in _REQUIRED:
            expected = ", ".join(SCOPE_TYPES)
            raise InvalidScope(
                f"Unknown scope type {self.type!r}; expected one of {expected}.", "scope.type"
            )
        values = {
            "project_id": self.project_id,
            "environment": self.environment,
            "suite": self.suite,
        }
        for field, value in values.items():
            if value == "":
                raise InvalidScope(f"scope.{field} must not be empty.", f"scope.{field}")
            if value is None and field in _REQUIRED[self.type]:
                raise InvalidScope(f"A {self.type} scope needs scope.{field}.", f"scope.{field}")
            if value is not None and field not in _ALLOWED[self.type]:
                raise InvalidScope(
                    f"A {self.type} scope does not take scope.{field}; "
                    f"remove it or choose another scope type.",
                    f"scope.{field}",
                )

    def to_dict(self) -> dict[str, Any]:
        scope: dict[str, Any] = {
            "type": self.type,
            "project_id": self.project_id,
            "environment": self.environment,
            "suite": self.suite,
        }
        if self.run_id is not None:
            scope["run_id"] = self.run_id
        return scope

    def without_run(self) -> Scope:
        return Scope(self.type, self.project_id, self.environment, self.suite)


@dataclass(frozen=True)
class Period:
    """A half-open time range `[start, end)` in UTC.

    Both bounds must be timezone-aware; they are converted to UTC. `start` must come
    before `end`.
    """

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        for field in ("start", "end"):
            value: datetime = getattr(self, field)
            if value.tzinfo is None or value.utcoffset() is None:
                raise InvalidScope(
                    f"period.{field} has no timezone; attach UTC first.", f"period.{field}"
                )
            # The dataclass is frozen, so normalizing to UTC goes around its __setattr__.
            object.__setattr__(self, field, value.astimezone(UTC))
        if self.start >= self.end:
            raise InvalidScope("period.start must be before period.end.", "period.start")

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def resolve_range(preset: str, now: datetime) -> Period:
    """Resolve a range preset to the period it means at the aware time `now`, in UTC.

    The `last_*` presets end at `now`. The `previous_*` presets are whole calendar units
    before the one that contains `now`: the previous UTC day, the previous ISO week
    (Monday 00:00 to Monday 00:00) and the previous calendar month.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now has no timezone; attach UTC first.")
    now = now.astimezone(UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)

    if preset == "last_24_hours":
        return Period(now - timedelta(hours=24), now)
    if preset == "last_7_days":
        return Period(now - timedelta(days=7), now)
    if preset == "last_30_days":
        return Period(now - timedelta(days=30), now)
    if preset == "previous_day":
        return Period(midnight - timedelta(days=1), midnight)
    if preset == "previous_week":
        this_monday = midnight - timedelta(days=midnight.weekday())
        return Period(this_monday - timedelta(days=7), this_monday)
    if preset == "previous_month":
        first_of_month = midnight.replace(day=1)
        first_of_previous = (first_of_month - timedelta(days=1)).replace(day=1)
        return Period(first_of_previous, first_of_month)

    expected = ", ".join(RANGE_PRESETS)
    raise InvalidScope(f"Unknown range preset {preset!r}; expected one of {expected}.", "range")


def previous_period(period: Period) -> Period:
    """Return the period of equal length that ends where `period` starts."""
    return Period(period.start - period.length, period.start)
