"""Headline figures: run counts, result counts, pass rate and run duration percentiles."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from zof.reports.flaky import count_flaky_tests
from zof.reports.queries import count_where, pass_rate, scoped_results, scoped_runs
from zof.reports.scope import Period, Scope

RUN_STATUSES = ("passed", "failed", "error", "canceled")
RESULT_STATUSES = ("passed", "failed", "error", "skipped")
PERCENTILES = (50, 95)


async def compute_headline(
    conn: AsyncConnection,
    organization_id: str,
    scope: Scope,
    period: Period,
    *,
    flaky_count: int | None = None,
) -> dict[str, Any]:
    """Compute `runs`, `tests`, `pass_rate` and `duration_ms` for one scope and period.

    `flaky_count` skips counting the flaky tests when the caller already has the number.
    """
    run_counts = await _count_runs(conn, organization_id, scope, period)
    test_counts = await _count_results(conn, organization_id, scope, period)
    if flaky_count is None:
        flaky_count = await count_flaky_tests(conn, organization_id, scope, period)
    test_counts["flaky"] = flaky_count
    return {
        "runs": run_counts,
        "tests": test_counts,
        "pass_rate": pass_rate(test_counts["passed"], test_counts["failed"], test_counts["error"]),
        "duration_ms": await _run_durations(conn, organization_id, scope, period),
    }


async def _count_runs(
    conn: AsyncConnection, organization_id: str, scope: Scope, period: Period
) -> dict[str, int]:
    # Queued and running runs count toward the total only.
    scoped = scoped_runs(organization_id, scope, period)
    columns = [sa.func.count().label("total")]
    columns += [count_where(scoped.c.status == status).label(status) for status in RUN_STATUSES]
    row = (await conn.execute(sa.select(*columns).select_from(scoped))).mappings().one()
    return {key: int(value) for key, value in row.items()}


async def _count_results(
    conn: AsyncConnection, organization_id: str, scope: Scope, period: Period
) -> dict[str, int]:
    scoped = scoped_results(organization_id, scoped_runs(organization_id, scope, period))
    columns = [sa.func.count().label("total")]
    columns += [count_where(scoped.c.status == status).label(status) for status in RESULT_STATUSES]
    row = (await conn.execute(sa.select(*columns).select_from(scoped))).mappings().one()
    return {key: int(value) for key, value in row.items()}


async def _run_durations(
    conn: AsyncConnection, organization_id: str, scope: Scope, period: Period
) -> dict[str, int | None]:
    """Nearest-rank percentiles of run durations: the value at rank ceil(p/100 * n).

    Ranks come from ROW_NUMBER over the durations in order, and ceil(p * n / 100) is
    computed as the integer division (p * n + 99) / 100, which both databases truncate
    the same way for positive integers. Runs without a duration are left out; every
    figure is None when no run has one.
    """
    scoped = scoped_runs(organization_id, scope, period)
    ranked = (
        sa.select(
            scoped.c.duration_ms,
            sa.func.row_number().over(order_by=scoped.c.duration_ms).label("rank"),
            sa.func.count().over().label("n"),
        )
        .where(scoped.c.duration_ms.is_not(None))
        .subquery("ranked")
    )
    columns = [
        sa.func.max(
            sa.case((ranked.c.rank == (percentile * ranked.c.n + 99) // 100, ranked.c.duration_ms))
        ).label(f"p{percentile}")
        for percentile in PERCENTILES
    ]
    columns.append(sa.func.max(ranked.c.duration_ms).label("max"))
    row = (await conn.execute(sa.select(*columns))).mappings().one()
    return {key: None if value is None else int(value) for key, value in row.items()}
