"""Queries for runs and the counts they carry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from zof.core.cursors import Position
from zof.store.pagination import Page, fetch_page
from zof.store.tables import results, runs


async def insert_run(conn: AsyncConnection, values: dict[str, Any]) -> None:
    await conn.execute(runs.insert().values(**values))


async def get_run(
    conn: AsyncConnection, organization_id: str, run_id: str, *, for_update: bool = False
) -> sa.RowMapping | None:
    """Read one run. With `for_update`, also lock its row until the transaction ends.

    PostgreSQL takes the row lock, so concurrent completes, cancels and uploads of one
    run wait for each other. SQLite has no FOR UPDATE, but its single writer already
    serializes them.
    """
    stmt = sa.select(runs).where(runs.c.organization_id == organization_id, runs.c.id == run_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await conn.execute(stmt)).mappings().first()


async def update_run(
    conn: AsyncConnection, organization_id: str, run_id: str, values: dict[str, Any]
) -> None:
    await conn.execute(
        runs.update()
        .where(runs.c.organization_id == organization_id, runs.c.id == run_id)
        .values(**values)
    )


async def count_results(conn: AsyncConnection, organization_id: str, run_id: str) -> dict[str, int]:
    """Count a run's stored results by status in one aggregate query.

    Returns the values of the run's `count_*` columns, so the caller can store them.
    """

    def matching(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[Any]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    stmt = sa.select(
        sa.func.count().label("count_total"),
        matching(results.c.status == "passed").label("count_passed"),
        matching(results.c.status == "failed").label("count_failed"),
        matching(results.c.status == "error").label("count_error"),
        matching(results.c.status == "skipped").label("count_skipped"),
        matching(results.c.flaky.is_(True)).label("count_flaky"),
    ).where(results.c.organization_id == organization_id, results.c.run_id == run_id)
    row = (await conn.execute(stmt)).mappings().one()
    return {name: int(value) for name, value in row.items()}


async def list_runs(
    conn: AsyncConnection,
    organization_id: str,
    *,
    project_id: str | None,
    environment: str | None,
    status: str | None,
    created_from: datetime | None,
    created_to: datetime | None,
    limit: int,
    after: Position | None,
) -> Page:
    conditions = [runs.c.organization_id == organization_id]
    if project_id is not None:
        conditions.append(runs.c.project_id == project_id)
    if environment is not None:
        conditions.append(runs.c.environment == environment)
    if status is not None:
        conditions.append(runs.c.status == status)
    if created_from is not None:
        conditions.append(runs.c.created_at >= created_from)
    if created_to is not None:
        conditions.append(runs.c.created_at < created_to)
    return await fetch_page(conn, runs, conditions, limit=limit, after=after)
