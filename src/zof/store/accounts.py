"""Queries for organizations, API keys and the server's own secrets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from zof.core.cursors import Position
from zof.store.pagination import Page, fetch_page
from zof.store.tables import api_keys, organizations, server_secrets


async def insert_organization(conn: AsyncConnection, values: dict[str, Any]) -> None:
    await conn.execute(organizations.insert().values(**values))


async def get_organization(conn: AsyncConnection, organization_id: str) -> sa.RowMapping | None:
    stmt = sa.select(organizations).where(organizations.c.id == organization_id)
    return (await conn.execute(stmt)).mappings().first()


async def count_organizations(conn: AsyncConnection) -> int:
    return int(
        (await conn.execute(sa.select(sa.func.count()).select_from(organizations))).scalar_one()
    )


async def insert_api_key(conn: AsyncConnection, values: dict[str, Any]) -> None:
    await conn.execute(api_keys.insert().values(**values))


async def get_api_key(
    conn: AsyncConnection, key_id: str, organization_id: str | None = None
) -> sa.RowMapping | None:
    stmt = sa.select(api_keys).where(api_keys.c.id == key_id)
    if organization_id is not None:
        stmt = stmt.where(api_keys.c.organization_id == organization_id)
    return (await conn.execute(stmt)).mappings().first()


async def update_api_key(conn: AsyncConnection, key_id: str, values: dict[str, Any]) -> None:
    await conn.execute(api_keys.update().where(api_keys.c.id == key_id).values(**values))


async def get_secret(conn: AsyncConnection, name: str) -> str | None:
    stmt = sa.select(server_secrets.c.value).where(server_secrets.c.name == name)
    return (await conn.execute(stmt)).scalar_one_or_none()


async def insert_secret_if_missing(conn: AsyncConnection, name: str, value: str) -> None:
    """Insert the secret unless another process did first; both then read the same value."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        await conn.execute(
            pg_insert(server_secrets).values(name=name, value=value).on_conflict_do_nothing()
        )
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        await conn.execute(
            sqlite_insert(server_secrets).values(name=name, value=value).on_conflict_do_nothing()
        )


def key_is_active(row: sa.RowMapping, now: datetime) -> bool:
    if row["revoked_at"] is not None:
        return False
    expires_at = row["expires_at"]
    return expires_at is None or expires_at > now


async def list_api_keys(
    conn: AsyncConnection,
    organization_id: str,
    *,
    role: str | None,
    limit: int,
    after: Position | None,
) -> Page:
    conditions = [api_keys.c.organization_id == organization_id]
    if role is not None:
        conditions.append(api_keys.c.role == role)
    return await fetch_page(conn, api_keys, conditions, limit=limit, after=after)
