"""The `summary` report kind: every section, computed in SQL for one scope and period."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from zof.core.timeutil import format_timestamp
from zof.reports.daily import daily_series
from zof.reports.flaky import list_and_count_flaky_tests
from zof.reports.headline import compute_headline
from zof.reports.rankings import new_failures, slowest_tests, top_failures
from zof.reports.scope import Period, Scope, previous_period


def format_period(period: Period) -> dict[str, str]:
    return {"start": format_timestamp(period.start), "end": format_timestamp(period.end)}


async def compute_summary(
    conn: AsyncConnection,
    organization_id: str,
    scope: Scope,
    period: Period,
    *,
    limit: int = 10,
    baseline: tuple[Scope, Period] | None = None,
) -> dict[str, Any]:
    """Compute the summary of the organization's runs and results in a scope and period.

    A run belongs to the period when its `created_at` is in `[start, end)`, and a result
    belongs when its run does. Each list section contains at most `limit` tests. The
    previous period, used for new failures and the headline comparison, is the period
    of equal length that ends at `start`, unless `baseline` gives another scope and
    period to compare with (a run's report compares with the days before the run).
    Every statement filters by
    `organization_id`, so no other organization's rows are read.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}.")

    before_scope, before = baseline or (scope, previous_period(period))
    # The flaky-test query is the costliest part, so its list and count come from one run.
    flaky_tests, flaky_count = await list_and_count_flaky_tests(
        conn, organization_id, scope, period, limit
    )
    headline = await compute_headline(conn, organization_id, scope, period, flaky_count=flaky_count)
    previous = await compute_headline(conn, organization_id, before_scope, before)

    return {
        "period": format_period(period),
        "scope": scope.to_dict(),
        **headline,
        "daily": await daily_series(conn, organization_id, scope, period),
        "top_failures": await top_failures(conn, organization_id, scope, period, limit),
        "flaky_tests": flaky_tests,
        "slowest_tests": await slowest_tests(conn, organization_id, scope, period, limit),
        "new_failures": await new_failures(
            conn, organization_id, scope, period, limit, (before_scope, before)
        ),
        "previous_period": {**format_period(before), **previous},
    }
