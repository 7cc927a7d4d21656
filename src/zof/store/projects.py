"""Queries for projects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from zof.core.cursors import Position
from zof.store.pagination import Page, fetch_page
from zof.store.tables import projects


async def insert_project(conn: AsyncConnection, values: dict[str, Any]) -> None:
    await conn.execute(projects.insert().values(**values))


async def get_project(
    conn: AsyncConnection, organization_id: str, project_id: str
) -> sa.RowMapping | None:
    stmt = sa.select(projects).where(
        projects.c.organization_id == organization_id, projects.c.id == project_id
    )
    return (await conn.execute(stmt)).mappings().first()


async def update_project(
    conn: AsyncConnection, organization_id: str, project_id: str, values: dict[str, Any]
) -> None:
    await conn.execute(
        projects.update()
        .where(projects.c.organization_id == organization_id, projects.c.id == project_id)
        .values(**values)
    )


async def list_projects(
    conn: AsyncConnection,
    organization_id: str,
    *,
    created_after: datetime | None,
    created_before: datetime | None,
    limit: int,
    after: Position | None,
) -> Page:
    conditions = [projects.c.organization_id == organization_id]
    if created_after is not None:
        conditions.append(projects.c.created_at >= created_after)
    if created_before is not None:
        conditions.append(projects.c.created_at < created_before)
    return await fetch_page(conn, projects, conditions, limit=limit, after=after)
