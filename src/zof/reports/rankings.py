"""Per-test rankings: the most failing tests, the slowest tests and new failures."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from zof.core.timeutil import format_timestamp
from zof.reports.queries import count_where, failing, scoped_results, scoped_runs
from zof.reports.scope import Period, Scope, previous_period


def _identity(row: sa.RowMapping) -> dict[str, Any]:
    return {
        "test_key": row["test_key"],
        "suite": row["suite"],
        "classname": row["classname"],
        "name": row["name"],
        "project_id": row["project_id"],
    }


def _failing_results_ranked(scoped: sa.CTE, *, newest_first: bool) -> sa.CTE:
    """Number the failing results of `scoped` per test, from the newest or the oldest.

    MATERIALIZED keeps PostgreSQL from inlining the window query into a nested loop that
    runs it again for every test, which it chose on fresh tables with one-row estimates.
    """
    order = (
        (scoped.c.created_at.desc(), scoped.c.id.desc())
        if newest_first
        else (scoped.c.created_at, scoped.c.id)
    )
    return (
        sa.select(
            scoped.c.test_key,
            scoped.c.project_id,
            scoped.c.suite,
            scoped.c.classname,
            scoped.c.name,
            scoped.c.message,
            scoped.c.failure_type,
            scoped.c.created_at,
            sa.func.row_number()
            .over(partition_by=scoped.c.test_key, order_by=order)
            .label("position"),
        )
        .where(failing(scoped.c.status))
        .cte("failing_ranked")
        .prefix_with("MATERIALIZED")
    )


async def top_failures(
    conn: AsyncConnection, organization_id: str, scope: Scope, period: Period, limit: int
) -> list[dict[str, Any]]:
    """List up to `limit` tests with the most failed or error results in the period.

    `failures` counts failing results, `runs` the distinct runs with at least one of
    them, and `executions` every result of the test in the period. The last message and
    failure type come from the newest failing result (by `created_at`, then id). Ties
    go to the test that failed most recently, then to the lower key.
    """
    scoped = scoped_results(organization_id, scoped_runs(organization_id, scope, period))
    is_failing = failing(scoped.c.status)
    counts = (
        sa.select(
            scoped.c.test_key,
            count_where(is_failing).label("failures"),
            sa.func.count(sa.distinct(sa.case((is_failing, scoped.c.run_id)))).label("runs"),
            sa.func.count().label("executions"),
        )
        .group_by(scoped.c.test_key)
        .having(count_where(is_failing) > 0)
        .cte("failure_counts")
        .prefix_with("MATERIALIZED")
    )
    latest = _failing_results_ranked(scoped, newest_first=True)
    stmt = (
        sa.select(
            counts,
            latest.c.project_id,
            latest.c.suite,
            latest.c.classname,
            latest.c.name,
            latest.c.message,
            latest.c.failure_type,
            latest.c.created_at,
        )
        .select_from(counts.join(latest, latest.c.test_key == counts.c.test_key))
        .where(latest.c.position == 1)
        .order_by(counts.c.failures.desc(), latest.c.created_at.desc(), counts.c.test_key)
        .limit(limit)
    )
    rows = (await conn.execute(stmt)).mappings().all()
    return [
        {
            **_identity(row),
            "failures": int(row["failures"]),
            "runs": int(row["runs"]),
            "executions": int(row["executions"]),
            "last_failed_at": format_timestamp(row["created_at"]),
            "last_message": row["message"],
            "last_failure_type": row["failure_type"],
        }
        for row in rows
    ]


async def slowest_tests(
    conn: AsyncConnection, organization_id: str, scope: Scope, period: Period, limit: int
) -> list[dict[str, Any]]:
    """List up to `limit` tests by mean `duration_ms` over their results in the period.

    Results without a duration are left out of the mean and the maximum, but they count
    as executions. A test with no timed result is not ranked. `avg_duration_ms` is
    rounded to one decimal.
    """
    scoped = scoped_results(organization_id, scoped_runs(organization_id, scope, period))
    timed = sa.func.count(scoped.c.duration_ms)
    total = sa.func.sum(scoped.c.duration_ms)
    # Dividing two doubles gives the same order on both databases; AVG would return
    # NUMERIC on PostgreSQL and REAL on SQLite.
    mean = sa.cast(total, sa.Float) / timed
    stmt = (
        sa.select(
            scoped.c.test_key,
            # Every result of one key has the same identity, because the key hashes it.
            sa.func.max(scoped.c.project_id).label("project_id"),
            sa.func.max(scoped.c.suite).label("suite"),
            sa.func.max(scoped.c.classname).label("classname"),
            sa.func.max(scoped.c.name).label("name"),
            total.label("total_duration_ms"),
            timed.label("timed"),
            sa.func.max(scoped.c.duration_ms).label("max_duration_ms"),
            sa.func.count().label("executions"),
        )
        .group_by(scoped.c.test_key)
        .having(timed > 0)
        .order_by(mean.desc(), sa.func.max(scoped.c.duration_ms).desc(), scoped.c.test_key)
        .limit(limit)
    )
    rows = (await conn.execute(stmt)).mappings().all()
    return [
        {
            **_identity(row),
            "avg_duration_ms": round(int(row["total_duration_ms"]) / int(row["timed"]), 1),
            "max_duration_ms": int(row["max_duration_ms"]),
            "executions": int(row["executions"]),
        }
        for row in rows
    ]


async def new_failures(
    conn: AsyncConnection,
    organization_id: str,
    scope: Scope,
    period: Period,
    limit: int,
    baseline: tuple[Scope, Period] | None = None,
) -> list[dict[str, Any]]:
    """List up to `limit` tests that failed in the period but not in the previous one.

    By default the previous period has the same length and scope and ends where this
    one starts; `baseline` gives another scope and period to compare with.
    A test counts as new when it has no failed or error result there, whether it passed
    or did not run. `message` and `failure_type` come from its first failing result in
    this period. Oldest first, so the list reads in the order the failures appeared.
    """
    scoped = scoped_results(organization_id, scoped_runs(organization_id, scope, period))
    before_scope, before_period = baseline or (scope, previous_period(period))
    before = scoped_results(
        organization_id,
        scoped_runs(organization_id, before_scope, before_period, name="previous_runs"),
        name="previous_results",
    )
    first = _failing_results_ranked(scoped, newest_first=False)
    failed_before = sa.exists().where(
        before.c.test_key == first.c.test_key, failing(before.c.status)
    )
    stmt = (
        sa.select(first)
        .where(first.c.position == 1, ~failed_before)
        .order_by(first.c.created_at, first.c.test_key)
        .limit(limit)
    )
    rows = (await conn.execute(stmt)).mappings().all()
    return [
        {
            **_identity(row),
            "first_failed_at": format_timestamp(row["created_at"]),
            "message": row["message"],
            "failure_type": row["failure_type"],
        }
        for row in rows
    ]
