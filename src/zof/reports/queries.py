"""SQL building blocks that every report section shares: scoped runs and results.

Each section is one or two statements that aggregate in the database. Expressions here
render to SQL that SQLite and PostgreSQL evaluate to the same values: integer
arithmetic, CASE, COUNT and window functions, with no dialect-specific date math except
`utc_day`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

from zof.reports.scope import Period, Scope
from zof.store.tables import results, runs

FAILING = ("failed", "error")


# Lower case, like the SQL functions that SQLAlchemy's compiler extension documents.
class utc_day(sa.sql.expression.FunctionElement[str]):
    """The UTC calendar date of a `UTCDateTime` column as `YYYY-MM-DD` text."""

    type = sa.String()
    inherit_cache = True
    name = "utc_day"


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    # UTCDateTime writes UTC text such as "2026-12-01 08:30:00.000000" on SQLite.
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 10)"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    # AT TIME ZONE turns timestamptz into the UTC wall time whatever the session zone is.
    column = compiler.process(element.clauses, **kw)
    return f"to_char(({column}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


def count_where(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    """COUNT of the rows that meet `condition`; 0, never NULL, when none do."""
    return sa.func.count(sa.case((condition, 1)))


def failing(status: sa.ColumnElement[str]) -> sa.ColumnElement[bool]:
    return status.in_(FAILING)


def scoped_runs(
    organization_id: str, scope: Scope, period: Period, name: str = "scoped_runs"
) -> sa.CTE:
    """Select the runs a report covers: the organization's runs in the scope created in `period`."""
    conditions = [
        runs.c.organization_id == organization_id,
        runs.c.created_at >= period.start,
        runs.c.created_at < period.end,
    ]
    if scope.project_id is not None:
        conditions.append(runs.c.project_id == scope.project_id)
    if scope.environment is not None:
        conditions.append(runs.c.environment == scope.environment)
    if scope.suite is not None:
        conditions.append(runs.c.suite == scope.suite)
    if scope.run_id is not None:
        conditions.append(runs.c.id == scope.run_id)

    return (
        sa.select(
            runs.c.id,
            runs.c.status,
            runs.c.commit_sha,
            runs.c.created_at,
            runs.c.duration_ms,
        )
        .where(*conditions)
        .cte(name)
    )


def scoped_results(organization_id: str, scoped: sa.CTE, name: str = "scoped_results") -> sa.CTE:
    """Select the results of the runs in `scoped`, with the run's commit and creation time."""
    return (
        sa.select(
            results.c.id,
            results.c.run_id,
            results.c.test_key,
            results.c.project_id,
            results.c.suite,
            results.c.classname,
            results.c.name,
            results.c.status,
            results.c.duration_ms,
            results.c.message,
            results.c.failure_type,
            results.c.flaky,
            results.c.created_at,
            scoped.c.commit_sha.label("run_commit_sha"),
            scoped.c.created_at.label("run_created_at"),
        )
        .select_from(results.join(scoped, results.c.run_id == scoped.c.id))
        .where(results.c.organization_id == organization_id)
        .cte(name)
    )


def pass_rate(passed: int, failed: int, error: int) -> float | None:
    """passed / (passed + failed + error), to 4 decimals; None when nothing passed or failed."""
    decided = passed + failed + error
    if decided == 0:
        return None
    return round(passed / decided, 4)
