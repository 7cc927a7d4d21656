"""Flaky tests: the three signals, the flake rate and the ranking, in SQL.

A test is flaky in a period when at least one of these signals marks it:

- `retry`: one of its results has `flaky = true`, so it failed and then passed on a
  retry inside one run.
- `same_commit`: it passed in one result and failed (status `failed` or `error`) in
  another, in runs with the same non-null `commit_sha`. Both results may be in one run.
- `status_flip`: its run outcomes, in run order (`runs.created_at`, then run id),
  changed between pass and fail at least twice, as in pass, fail, pass. A run's outcome
  for a test is `pass` when its results of the test include a pass and no failure, and
  `fail` when they include a failure and no pass. Runs with both or with only skipped
  results have no outcome and are left out of the order.

The flake rate is flaky executions divided by executions, where executions are the
test's results in the period and a result is a flaky execution when
- it has `flaky = true`, or
- it failed, and it is on a commit where the test also passed (the failing side of a
  same-commit pair), or
- it failed, and the test carries the `status_flip` signal.

Each result counts once even when several rules match. The third rule cannot tell a
test that broke and was fixed twice from one that fails at random, which is the price
of reading flakiness from status history alone.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from zof.core.timeutil import format_timestamp
from zof.reports.queries import count_where, failing, scoped_results, scoped_runs
from zof.reports.scope import Period, Scope

SIGNALS = ("retry", "same_commit", "status_flip")


def _flaky_tests(organization_id: str, scope: Scope, period: Period) -> sa.CTE:
    """Build a CTE with one row per flaky test: its signals, executions and flaky executions.

    Every join here is between sets already grouped by test (or by test and commit), so
    the cost grows with the number of results once, not with results times tests. Each
    grouped set is MATERIALIZED, so PostgreSQL computes it once instead of inlining it
    into a nested loop.
    """
    scoped = scoped_results(organization_id, scoped_runs(organization_id, scope, period))
    is_failing = failing(scoped.c.status)
    is_passed = scoped.c.status == "passed"

    # Same commit: per test and commit, the passes, the failures, and the failures not
    # already marked flaky, which count as flaky executions when the commit has both.
    per_commit = (
        sa.select(
            scoped.c.test_key,
            count_where(is_passed).label("passes"),
            count_where(is_failing).label("failures"),
            count_where(sa.and_(is_failing, sa.not_(scoped.c.flaky))).label("plain_failures"),
            sa.func.count().label("results"),
        )
        .where(scoped.c.run_commit_sha.is_not(None))
        .group_by(scoped.c.test_key, scoped.c.run_commit_sha)
        .subquery("per_commit")
    )
    same_commit = (
        sa.select(
            per_commit.c.test_key,
            # PostgreSQL sums integers as numeric; the cast keeps them integers.
            sa.cast(sa.func.sum(per_commit.c.results), sa.Integer).label("pair_results"),
            sa.cast(sa.func.sum(per_commit.c.plain_failures), sa.Integer).label("pair_failures"),
        )
        .where(per_commit.c.passes > 0, per_commit.c.failures > 0)
        .group_by(per_commit.c.test_key)
        .cte("same_commit")
        .prefix_with("MATERIALIZED")
    )

    passes = count_where(is_passed)
    failures = count_where(is_failing)
    outcomes = (
        sa.select(
            scoped.c.test_key,
            scoped.c.run_id,
            scoped.c.run_created_at,
            sa.case((failures > 0, "fail"), else_="pass").label("outcome"),
        )
        .group_by(scoped.c.test_key, scoped.c.run_id, scoped.c.run_created_at)
        .having(sa.or_(sa.and_(passes > 0, failures == 0), sa.and_(passes == 0, failures > 0)))
        .subquery("outcomes")
    )
    sequence = sa.select(
        outcomes.c.test_key,
        outcomes.c.outcome,
        sa.func.lag(outcomes.c.outcome)
        .over(
            partition_by=outcomes.c.test_key,
            order_by=(outcomes.c.run_created_at, outcomes.c.run_id),
        )
        .label("previous"),
    ).subquery("sequence")
    status_flip = (
        sa.select(sequence.c.test_key)
        .where(sequence.c.previous.is_not(None), sequence.c.previous != sequence.c.outcome)
        .group_by(sequence.c.test_key)
        .having(sa.func.count() >= 2)
        .cte("status_flip")
        .prefix_with("MATERIALIZED")
    )

    per_test = (
        sa.select(
            scoped.c.test_key,
            # Every result of one key has the same identity, because the key hashes it.
            sa.func.max(scoped.c.project_id).label("project_id"),
            sa.func.max(scoped.c.suite).label("suite"),
            sa.func.max(scoped.c.classname).label("classname"),
            sa.func.max(scoped.c.name).label("name"),
            sa.func.count().label("executions"),
            count_where(scoped.c.flaky).label("retry"),
            count_where(sa.or_(scoped.c.flaky, is_failing)).label("flaky_or_failing"),
            sa.func.max(scoped.c.created_at).label("last_seen_at"),
        )
        .group_by(scoped.c.test_key)
        .cte("per_test")
        .prefix_with("MATERIALIZED")
    )

    flipped = status_flip.c.test_key.is_not(None)
    # A result is a flaky execution when it is marked flaky, or it failed and either its
    # commit also saw a pass or the test flipped. For a flipped test that is every flaky
    # or failing result; otherwise the flaky ones plus the unmarked failures on pair commits.
    flaky_executions = sa.case(
        (flipped, per_test.c.flaky_or_failing),
        else_=per_test.c.retry + sa.func.coalesce(same_commit.c.pair_failures, 0),
    )
    return (
        sa.select(
            per_test.c.test_key,
            per_test.c.project_id,
            per_test.c.suite,
            per_test.c.classname,
            per_test.c.name,
            per_test.c.executions,
            flaky_executions.label("flaky_executions"),
            per_test.c.retry,
            sa.func.coalesce(same_commit.c.pair_results, 0).label("same_commit"),
            sa.case((flipped, per_test.c.executions), else_=0).label("status_flip"),
            per_test.c.last_seen_at,
        )
        .select_from(
            per_test.outerjoin(
                same_commit, same_commit.c.test_key == per_test.c.test_key
            ).outerjoin(status_flip, status_flip.c.test_key == per_test.c.test_key)
        )
        .where(sa.or_(per_test.c.retry > 0, same_commit.c.test_key.is_not(None), flipped))
        .cte("flaky_tests")
    )


async def count_flaky_tests(
    conn: AsyncConnection, organization_id: str, scope: Scope, period: Period
) -> int:
    """Count the distinct tests that any signal marks flaky in the period."""
    flaky = _flaky_tests(organization_id, scope, period)
    return int((await conn.execute(sa.select(sa.func.count()).select_from(flaky))).scalar_one())


async def list_flaky_tests(
    conn: AsyncConnection, organization_id: str, scope: Scope, period: Period, limit: int
) -> list[dict[str, Any]]:
    """List up to `limit` flaky tests, highest flake rate first, then most executions."""
    listed, _ = await list_and_count_flaky_tests(conn, organization_id, scope, period, limit)
    return listed


async def list_and_count_flaky_tests(
    conn: AsyncConnection, organization_id: str, scope: Scope, period: Period, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """List up to `limit` flaky tests and count all of them, with one run of the query."""
    flaky = _flaky_tests(organization_id, scope, period)
    # Both databases divide the same two doubles, so the order is the same on each.
    rate = sa.cast(flaky.c.flaky_executions, sa.Float) / flaky.c.executions
    # The window counts every flaky test, because it is computed before LIMIT applies.
    stmt = (
        sa.select(flaky, sa.func.count().over().label("flaky_total"))
        .order_by(rate.desc(), flaky.c.executions.desc(), flaky.c.test_key)
        .limit(limit)
    )
    rows = (await conn.execute(stmt)).mappings().all()
    total = int(rows[0]["flaky_total"]) if rows else 0
    listed = [
        {
            "test_key": row["test_key"],
            "suite": row["suite"],
            "classname": row["classname"],
            "name": row["name"],
            "project_id": row["project_id"],
            "signals": [signal for signal in SIGNALS if row[signal] > 0],
            "flake_rate": round(row["flaky_executions"] / row["executions"], 4),
            "flaky_executions": int(row["flaky_executions"]),
            "executions": int(row["executions"]),
            "last_seen_at": format_timestamp(row["last_seen_at"]),
        }
        for row in rows
    ]
    return listed, total
