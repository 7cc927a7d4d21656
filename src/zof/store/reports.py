"""Queries for reports and report schedules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from zof.core.cursors import Position
from zof.store.pagination import Page, fetch_page
from zof.store.tables import report_schedules, reports


@dataclass(frozen=True)
class ReportFilters:
    """Filters of `GET /v1/reports`; `None` means no condition."""

    scope_type: str | None = None
    project_id: str | None = None
    environment: str | None = None
    suite: str | None = None
    kind: str | None = None
    status: str | None = None
    source: str | None = None
    period_from: datetime | None = None
    period_to: datetime | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


async def insert_report(conn: AsyncConnection, values: dict[str, Any]) -> None:
    await conn.execute(reports.insert().values(**values))


async def get_report(
    conn: AsyncConnection,
    organization_id: str,
    report_id: str,
    now: datetime,
    *,
    lock: bool = False,
) -> sa.RowMapping | None:
    """Return a report of the organization that has not expired yet."""
    stmt = sa.select(reports).where(
        reports.c.organization_id == organization_id,
        reports.c.id == report_id,
        reports.c.expires_at > now,
    )
    if lock and conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return (await conn.execute(stmt)).mappings().first()


async def get_report_by_id(conn: AsyncConnection, report_id: str) -> sa.RowMapping | None:
    """Return a report whatever its organization; for workers, which act for every tenant."""
    stmt = sa.select(reports).where(reports.c.id == report_id)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return (await conn.execute(stmt)).mappings().first()


async def update_report(conn: AsyncConnection, report_id: str, values: dict[str, Any]) -> None:
    await conn.execute(reports.update().where(reports.c.id == report_id).values(**values))


async def delete_report(conn: AsyncConnection, organization_id: str, report_id: str) -> None:
    await conn.execute(
        reports.delete().where(
            reports.c.organization_id == organization_id, reports.c.id == report_id
        )
    )


async def list_reports(
    conn: AsyncConnection,
    organization_id: str,
    filters: ReportFilters,
    now: datetime,
    *,
    limit: int,
    after: Position | None,
) -> Page:
    conditions: list[sa.ColumnElement[bool]] = [
        reports.c.organization_id == organization_id,
        reports.c.expires_at > now,
    ]
    equal = {
        "scope_type": filters.scope_type,
        "project_id": filters.project_id,
        "environment": filters.environment,
        "suite": filters.suite,
        "kind": filters.kind,
        "status": filters.status,
        "source": filters.source,
    }
    for column, value in equal.items():
        if value is not None:
            conditions.append(reports.c[column] == value)
    # A report's period [start, end) overlaps [from, to) when it starts before `to`
    # and ends after `from`.
    if filters.period_to is not None:
        conditions.append(reports.c.period_start < filters.period_to)
    if filters.period_from is not None:
        conditions.append(reports.c.period_end > filters.period_from)
    if filters.created_after is not None:
        conditions.append(reports.c.created_at >= filters.created_after)
    if filters.created_before is not None:
        conditions.append(reports.c.created_at < filters.created_before)
    return await fetch_page(conn, reports, conditions, limit=limit, after=after)


async def delete_expired_reports(conn: AsyncConnection, now: datetime, batch: int = 1000) -> int:
    """Delete up to `batch` expired reports; callers repeat until it returns less than `batch`."""
    ids = sa.select(reports.c.id).where(reports.c.expires_at <= now).limit(batch)
    result = await conn.execute(reports.delete().where(reports.c.id.in_(ids.scalar_subquery())))
    return int(result.rowcount)


# Schedules


async def insert_schedule(conn: AsyncConnection, values: dict[str, Any]) -> None:
    await conn.execute(report_schedules.insert().values(**values))


async def get_schedule(
    conn: AsyncConnection, organization_id: str, schedule_id: str
) -> sa.RowMapping | None:
    stmt = sa.select(report_schedules).where(
        report_schedules.c.organization_id == organization_id,
        report_schedules.c.id == schedule_id,
    )
    return (await conn.execute(stmt)).mappings().first()


async def update_schedule(conn: AsyncConnection, schedule_id: str, values: dict[str, Any]) -> None:
    await conn.execute(
        report_schedules.update().where(report_schedules.c.id == schedule_id).values(**values)
    )


async def delete_schedule(conn: AsyncConnection, organization_id: str, schedule_id: str) -> None:
    await conn.execute(
        report_schedules.delete().where(
            report_schedules.c.organization_id == organization_id,
            report_schedules.c.id == schedule_id,
        )
    )


async def list_schedules(
    conn: AsyncConnection, organization_id: str, *, limit: int, after: Position | None
) -> Page:
    return await fetch_page(
        conn,
        report_schedules,
        [report_schedules.c.organization_id == organization_id],
        limit=limit,
        after=after,
    )


async def claim_due_schedules(
    conn: AsyncConnection, now: datetime, batch: int = 100
) -> list[sa.RowMapping]:
    """Lock the enabled schedules whose time has come; other workers skip them."""
    stmt = (
        sa.select(report_schedules)
        .where(report_schedules.c.enabled.is_(True), report_schedules.c.next_run_at <= now)
        .order_by(report_schedules.c.next_run_at)
        .limit(batch)
    )
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list((await conn.execute(stmt)).mappings().all())
