"""The daily series: runs and result counts per UTC day of the period."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from zof.reports.queries import count_where, pass_rate, scoped_results, scoped_runs, utc_day
from zof.reports.scope import Period, Scope

RESULT_STATUSES = ("passed", "failed", "error", "skipped")


def period_days(period: Period) -> list[date]:
    """List every UTC date that the half-open period touches, in order."""
    first = period.start.date()
    last = (period.end - timedelta(microseconds=1)).date()
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


async def daily_series(
    conn: AsyncConnection, organization_id: str, scope: Scope, period: Period
) -> list[dict[str, Any]]:
    """Count runs and results per UTC day of the run's `created_at`, one entry per day.

    Days without runs are filled with zeros and a null pass rate, so a chart gets one
    point per day of the period, including partial days at either end.

    NOTE: the series has one entry per day however long the period is, so a caller that
    accepts periods of many years should bound their length.
    """
    runs = scoped_runs(organization_id, scope, period)
    run_day = utc_day(runs.c.created_at).label("day")
    run_stmt = sa.select(run_day, sa.func.count().label("runs")).group_by(run_day)
    runs_by_day = {row.day: int(row.runs) for row in await conn.execute(run_stmt)}

    results = scoped_results(organization_id, scoped_runs(organization_id, scope, period))
    result_day = utc_day(results.c.run_created_at).label("day")
    result_stmt = sa.select(
        result_day,
        sa.func.count().label("tests"),
        *[count_where(results.c.status == status).label(status) for status in RESULT_STATUSES],
    ).group_by(result_day)
    results_by_day = {row.day: row for row in (await conn.execute(result_stmt)).mappings()}

    series = []
    for day in period_days(period):
        key = day.isoformat()
        counts = results_by_day.get(key)
        entry: dict[str, Any] = {"date": key, "runs": runs_by_day.get(key, 0), "tests": 0}
        for status in RESULT_STATUSES:
            entry[status] = 0 if counts is None else int(counts[status])
        if counts is not None:
            entry["tests"] = int(counts["tests"])
        entry["pass_rate"] = pass_rate(entry["passed"], entry["failed"], entry["error"])
        series.append(entry)
    return series
