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
    """Build a CTE with one row per flaky test: its signals, executions and flaky executions."""
    scoped = scoped_results(organization_id, scoped_runs(organization_id, scope, period))
    is_failing = failing(scoped.c.status)
    is_passed = scoped.c.status == "passed"

    same_commit = (
        sa.select(scoped.c.test_key, scoped.c.run_commit_sha)
        .where(scoped.c.run_commit_sha.is_not(None))
        .group_by(scoped.c.test_key, scoped.c.run_commit_sha)
        .having(count_where(is_passed) > 0, count_where(is_failing) > 0)
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

    # Both CTEs are MATERIALIZED: PostgreSQL would otherwise inline them, and with the
    # one-row estimates of a freshly loaded table it re-ran the window query for every
    # result (15 s for 5,000 results). Materialized, each runs once.
    joined = scoped.outerjoin(
        same_commit,
        sa.and_(
            same_commit.c.test_key == scoped.c.test_key,
            same_commit.c.run_commit_sha == scoped.c.run_commit_sha,
        ),
    ).outerjoin(status_flip, status_flip.c.test_key == scoped.c.test_key)
    on_pair_commit = same_commit.c.test_key.is_not(None)
    flipped = status_flip.c.test_key.is_not(None)
    flaky_execution = sa.or_(
        scoped.c.flaky, sa.and_(is_failing, sa.or_(on_pair_commit, flipped))
    )

    retry_count = count_where(scoped.c.flaky)
    pair_count = count_where(on_pair_commit)
    flip_count = count_where(flipped)
    return (
        sa.select(
            scoped.c.test_key,
            # Every result of one key has the same identity, because the key hashes it.
            sa.func.max(scoped.c.project_id).label("project_id"),
            sa.func.max(scoped.c.suite).label("suite"),
            sa.func.max(scoped.c.classname).label("classname"),
            sa.func.max(scoped.c.name).label("name"),
            sa.func.count().label("executions"),
            count_where(flaky_execution).label("flaky_executions"),
            retry_count.label("retry"),
            pair_count.label("same_commit"),
            flip_count.label("status_flip"),
            sa.func.max(scoped.c.created_at).label("last_seen_at"),
        )
        .select_from(joined)
        .group_by(scoped.c.test_key)
        .having(sa.or_(retry_count > 0, pair_count > 0, flip_count > 0))
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
    flaky = _flaky_tests(organization_id, scope, period)
    # Both databases divide the same two doubles, so the order is the same on each.
    rate = sa.cast(flaky.c.flaky_executions, sa.Float) / flaky.c.executions
    stmt = (
        sa.select(flaky)
        .order_by(rate.desc(), flaky.c.executions.desc(), flaky.c.test_key)
        .limit(limit)
    )
    rows = (await conn.execute(stmt)).mappings().all()
    return [
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
