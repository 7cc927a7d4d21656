"""The durable job queue: enqueue, claim with SKIP LOCKED, finish, retry."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from zof.core.ids import new_id
from zof.store.tables import jobs


async def enqueue(
    conn: AsyncConnection,
    *,
    kind: str,
    payload: dict[str, Any],
    organization_id: str | None,
    now: datetime,
    run_after: datetime | None = None,
) -> str:
    job_id = new_id("job")
    await conn.execute(
        jobs.insert().values(
            id=job_id,
            organization_id=organization_id,
            kind=kind,
            payload=payload,
            status="queued",
            run_after=run_after or now,
            attempts=0,
            created_at=now,
            updated_at=now,
        )
    )
    return job_id


async def claim(
    conn: AsyncConnection, *, worker_id: str, now: datetime, lock_for: timedelta
) -> sa.RowMapping | None:
    """Take the oldest due job, or one whose worker's lock has run out, and lock it.

    On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets many workers claim at once without
    waiting on each other or taking the same job. SQLite runs one writer at a time, so
    the plain SELECT inside the write transaction is already exclusive.
    """
    due = sa.or_(
        sa.and_(jobs.c.status == "queued", jobs.c.run_after <= now),
        sa.and_(jobs.c.status == "running", jobs.c.locked_until < now),
    )
    stmt = sa.select(jobs).where(due).order_by(jobs.c.run_after, jobs.c.id).limit(1)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    row = (await conn.execute(stmt)).mappings().first()
    if row is None:
        return None
    await conn.execute(
        jobs.update()
        .where(jobs.c.id == row["id"])
        .values(
            status="running",
            locked_by=worker_id,
            locked_until=now + lock_for,
            attempts=jobs.c.attempts + 1,
            updated_at=now,
        )
    )
    claimed = (await conn.execute(sa.select(jobs).where(jobs.c.id == row["id"]))).mappings().one()
    return claimed


async def finish(conn: AsyncConnection, job_id: str, *, worker_id: str, now: datetime) -> bool:
    """Mark a job done; False if another worker took it over after this one's lock ran out."""
    result = await conn.execute(
        jobs.update()
        .where(jobs.c.id == job_id, jobs.c.locked_by == worker_id, jobs.c.status == "running")
        .values(status="done", locked_until=None, updated_at=now)
    )
    return bool(result.rowcount)


async def retry_or_fail(
    conn: AsyncConnection,
    job_id: str,
    *,
    worker_id: str,
    error: str,
    now: datetime,
    retry_at: datetime | None,
) -> None:
    """Queue the job again at `retry_at`, or mark it failed for good when that is None."""
    values: dict[str, Any] = {"last_error": error[:2000], "locked_until": None, "updated_at": now}
    if retry_at is None:
        values["status"] = "failed"
    else:
        values.update(status="queued", run_after=retry_at)
    await conn.execute(
        jobs.update().where(jobs.c.id == job_id, jobs.c.locked_by == worker_id).values(**values)
    )


async def delete_finished_before(conn: AsyncConnection, before: datetime) -> int:
    result = await conn.execute(
        jobs.delete().where(jobs.c.status.in_(["done", "failed"]), jobs.c.updated_at < before)
    )
    return int(result.rowcount)


async def extend_lock(
    conn: AsyncConnection, job_id: str, *, worker_id: str, until: datetime
) -> None:
    await conn.execute(
        jobs.update()
        .where(jobs.c.id == job_id, jobs.c.locked_by == worker_id, jobs.c.status == "running")
        .values(locked_until=until)
    )
