"""Storage of idempotency records: claim a key, store the response, or release the key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from zof.store.tables import idempotency_keys as table


@dataclass(frozen=True)
class Claim:
    """The outcome of trying to claim a key: `claimed`, or the record that already has it."""

    claimed: bool
    record: sa.RowMapping | None = None


def _insert(conn: AsyncConnection) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert

        return insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


async def claim(
    conn: AsyncConnection,
    *,
    organization_id: str,
    key: str,
    method: str,
    path: str,
    fingerprint: str,
    now: datetime,
    expires_at: datetime,
    locked_until: datetime,
) -> Claim:
    """Claim `key` for a new request, atomically, even against concurrent claimers.

    A record that expired, or that is still "running" past its lock (its process
    died), is taken over. Otherwise the existing record is returned for the caller
    to replay or reject.
    """
    values = {
        "organization_id": organization_id,
        "key": key,
        "method": method,
        "path": path,
        "fingerprint": fingerprint,
        "state": "running",
        "status_code": None,
        "response_headers": None,
        "response_body": None,
        "created_at": now,
        "expires_at": expires_at,
        "locked_until": locked_until,
    }
    inserted = await conn.execute(_insert(conn).values(**values).on_conflict_do_nothing())
    if inserted.rowcount == 1:
        return Claim(claimed=True)

    taken_over = await conn.execute(
        table.update()
        .where(
            table.c.organization_id == organization_id,
            table.c.key == key,
            sa.or_(
                table.c.expires_at <= now,
                sa.and_(table.c.state == "running", table.c.locked_until <= now),
            ),
        )
        .values(**values)
    )
    if taken_over.rowcount == 1:
        return Claim(claimed=True)

    stmt = sa.select(table).where(table.c.organization_id == organization_id, table.c.key == key)
    return Claim(claimed=False, record=(await conn.execute(stmt)).mappings().first())


async def complete(
    conn: AsyncConnection,
    *,
    organization_id: str,
    key: str,
    status_code: int,
    headers: dict[str, str],
    body: bytes,
) -> None:
    await conn.execute(
        table.update()
        .where(table.c.organization_id == organization_id, table.c.key == key)
        .values(
            state="completed", status_code=status_code, response_headers=headers, response_body=body
        )
    )


async def release(conn: AsyncConnection, *, organization_id: str, key: str) -> None:
    await conn.execute(
        table.delete().where(table.c.organization_id == organization_id, table.c.key == key)
    )


async def delete_expired(conn: AsyncConnection, now: datetime) -> int:
    result = await conn.execute(table.delete().where(table.c.expires_at <= now))
    return int(result.rowcount)
