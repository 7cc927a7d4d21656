"""Projects: the unit that runs and reports belong to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from zof.core.clock import utcnow
from zof.core.cursors import Position
from zof.core.errors import not_found
from zof.core.ids import new_id
from zof.store import projects as store
from zof.store.database import Database
from zof.store.pagination import Page


async def create_project(
    db: Database, organization_id: str, *, name: str, description: str | None
) -> dict[str, Any]:
    now = utcnow()
    row = {
        "id": new_id("proj"),
        "organization_id": organization_id,
        "name": name,
        "description": description,
        "created_at": now,
        "updated_at": now,
    }
    async with db.write() as conn:
        await store.insert_project(conn, row)
    return row


async def get_project(db: Database, organization_id: str, project_id: str) -> sa.RowMapping:
    async with db.read() as conn:
        row = await store.get_project(conn, organization_id, project_id)
    if row is None:
        raise not_found("project", project_id)
    return row


async def update_project(
    db: Database, organization_id: str, project_id: str, changes: dict[str, Any]
) -> sa.RowMapping:
    async with db.write() as conn:
        if await store.get_project(conn, organization_id, project_id) is None:
            raise not_found("project", project_id)
        if changes:
            await store.update_project(
                conn, organization_id, project_id, {**changes, "updated_at": utcnow()}
            )
        row = await store.get_project(conn, organization_id, project_id)
    assert row is not None
    return row


async def list_projects(
    db: Database,
    organization_id: str,
    *,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    limit: int,
    after: Position | None,
) -> Page:
    async with db.read() as conn:
        return await store.list_projects(
            conn,
            organization_id,
            created_after=created_after,
            created_before=created_before,
            limit=limit,
            after=after,
        )
