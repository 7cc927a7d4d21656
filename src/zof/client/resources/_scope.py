"""Conversion of report scopes and periods into request bodies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._models import ReportPeriod, ReportScope
from .._params import TimeInput, format_time, without_none

ScopeInput = ReportScope | Mapping[str, Any]
PeriodInput = ReportPeriod | Mapping[str, TimeInput]


def scope_body(scope: ScopeInput) -> dict[str, Any]:
    """Return the JSON form of a scope such as `{"type": "project", "project_id": ...}`."""
    if isinstance(scope, ReportScope):
        return scope.model_dump(mode="json", exclude_none=True)
    if "type" not in scope:
        raise ValueError("scope needs a 'type': organization, project, environment or suite.")
    return without_none(dict(scope))


def period_body(period: PeriodInput) -> dict[str, str]:
    """Return the JSON form of a period, with both ends as RFC 3339 UTC strings."""
    if isinstance(period, ReportPeriod):
        start: TimeInput = period.start
        end: TimeInput = period.end
    else:
        missing = {"start", "end"} - period.keys()
        if missing:
            raise ValueError(f"period needs 'start' and 'end'; missing {sorted(missing)}.")
        start, end = period["start"], period["end"]
    return {
        "start": format_time(start, "period['start']"),
        "end": format_time(end, "period['end']"),
    }
