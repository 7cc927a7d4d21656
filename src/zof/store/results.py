"""Queries for case results and the uploads that stored them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from zof.core.cursors import Position
from zof.store.pagination import Page, fetch_page
from zof.store.tables import results, uploads

# List pages leave out the captured output, which can reach tens of kilobytes per result.
_LIST_COLUMNS = [column for column in results.c if column.name != "output"]
# The character that escapes `%`, `_` and itself in the LIKE pattern of a name search.
_LIKE_ESCAPE = "\\"


async def insert_results(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert result rows with one executemany. Every row must have the same keys."""
    if rows:
        await conn.execute(results.insert(), list(rows))


async def insert_upload(conn: AsyncConnection, values: dict[str, Any]) -> None:
    await conn.execute(uploads.insert().values(**values))


async def list_uploads(
    conn: AsyncConnection, organization_id: str, run_id: str
) -> Sequence[sa.RowMapping]:
    """Return every upload of a run, oldest first."""
    stmt = (
        sa.select(uploads)
        .where(uploads.c.organization_id == organization_id, uploads.c.run_id == run_id)
        .order_by(uploads.c.created_at, uploads.c.id)
    )
    return (await conn.execute(stmt)).mappings().all()


async def get_result(
    conn: AsyncConnection, organization_id: str, result_id: str
) -> sa.RowMapping | None:
    stmt = sa.select(results).where(
        results.c.organization_id == organization_id, results.c.id == result_id
    )
    return (await conn.execute(stmt)).mappings().first()


def name_pattern(text: str) -> str:
    """Build a LIKE pattern that matches `text` anywhere, with `%` and `_` taken literally."""
    escaped = (
        text.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2)
        .replace("%", _LIKE_ESCAPE + "%")
        .replace("_", _LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


async def list_results(
    conn: AsyncConnection,
    organization_id: str,
    *,
    run_id: str | None,
    project_id: str | None,
    status: str | None,
    created_from: datetime | None,
    created_to: datetime | None,
    name_contains: str | None,
    limit: int,
    after: Position | None,
) -> Page:
    conditions = [results.c.organization_id == organization_id]
    if run_id is not None:
        conditions.append(results.c.run_id == run_id)
    if project_id is not None:
        conditions.append(results.c.project_id == project_id)
    if status is not None:
        conditions.append(results.c.status == status)
    if created_from is not None:
        conditions.append(results.c.created_at >= created_from)
    if created_to is not None:
        conditions.append(results.c.created_at < created_to)
    if name_contains is not None:
        # lower() on both sides: PostgreSQL's LIKE is case-sensitive, and SQLite's lower()
        # folds ASCII letters only, so the search is case-insensitive for ASCII everywhere.
        pattern = sa.func.lower(sa.literal(name_pattern(name_contains)))
        conditions.append(sa.func.lower(results.c.name).like(pattern, escape=_LIKE_ESCAPE))
    return await fetch_page(
        conn, results, conditions, limit=limit, after=after, columns=_LIST_COLUMNS
    )
