"""Report schedules: five-field cron in UTC; each firing creates a report."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from croniter import CroniterBadCronError, CroniterBadDateError, CroniterNotAlphaError, croniter

from zof.core.clock import utcnow
from zof.core.cursors import Position
from zof.core.errors import ZofError, not_found
from zof.core.ids import new_id
from zof.reports.scope import Scope, resolve_range
from zof.services.reports import insert_report
from zof.store import projects as project_store
from zof.store import reports as store
from zof.store.database import Database
from zof.store.pagination import Page

log = logging.getLogger("zof.schedules")


def validate_cron(expression: str) -> None:
    """Accept exactly five fields (minute hour day-of-month month day-of-week)."""
    fields = expression.split()
    if len(fields) != 5:
        raise ZofError(
            "invalid_parameter",
            f"cron must have five fields (minute hour day month weekday), got {len(fields)}: "
            f"{expression!r}.",
            "cron",
        )
    try:
        croniter(expression, datetime(2026, 1, 1, tzinfo=UTC)).get_next(datetime)
    except (CroniterBadCronError, CroniterBadDateError, CroniterNotAlphaError, ValueError) as error:
        raise ZofError(
            "invalid_parameter", f"cron {expression!r} is invalid: {error}.", "cron"
        ) from None


def next_fire(expression: str, after: datetime) -> datetime:
    """Return the first firing strictly after `after`, in UTC."""
    value: datetime = croniter(expression, after.astimezone(UTC)).get_next(datetime)
    return value.astimezone(UTC)


async def create_schedule(
    db: Database,
    organization_id: str,
    *,
    name: str,
    cron: str,
    kind: str,
    scope: Scope,
    range_preset: str,
    enabled: bool,
) -> dict[str, Any]:
    validate_cron(cron)
    now = utcnow()
    row = {
        "id": new_id("rsch"),
        "organization_id": organization_id,
        "name": name,
        "cron": cron,
        "kind": kind,
        "scope_type": scope.type,
        "project_id": scope.project_id,
        "environment": scope.environment,
        "suite": scope.suite,
        "range_preset": range_preset,
        "enabled": enabled,
        "next_run_at": next_fire(cron, now) if enabled else None,
        "last_run_at": None,
        "created_at": now,
        "updated_at": now,
    }
    async with db.write() as conn:
        if scope.project_id is not None and (
            await project_store.get_project(conn, organization_id, scope.project_id) is None
        ):
            raise not_found("project", scope.project_id, "scope.project_id")
        await store.insert_schedule(conn, row)
    return row


async def get_schedule(db: Database, organization_id: str, schedule_id: str) -> sa.RowMapping:
    async with db.read() as conn:
        row = await store.get_schedule(conn, organization_id, schedule_id)
    if row is None:
        raise not_found("report schedule", schedule_id)
    return row


async def update_schedule(
    db: Database, organization_id: str, schedule_id: str, changes: dict[str, Any]
) -> sa.RowMapping:
    """Apply a partial update; a new cron or re-enabling recomputes the next firing."""
    if "cron" in changes:
        validate_cron(changes["cron"])
    now = utcnow()
    async with db.write() as conn:
        row = await store.get_schedule(conn, organization_id, schedule_id)
        if row is None:
            raise not_found("report schedule", schedule_id)
        merged = {**dict(row), **changes}
        scope_keys = {"scope_type", "project_id", "environment", "suite"}
        if scope_keys & changes.keys() and merged["project_id"] is not None:
            project = await project_store.get_project(conn, organization_id, merged["project_id"])
            if project is None:
                raise not_found("project", merged["project_id"], "scope.project_id")
        if merged["enabled"]:
            if "cron" in changes or "enabled" in changes or row["next_run_at"] is None:
                changes["next_run_at"] = next_fire(merged["cron"], now)
        else:
            changes["next_run_at"] = None
        await store.update_schedule(conn, schedule_id, {**changes, "updated_at": now})
        updated = await store.get_schedule(conn, organization_id, schedule_id)
    assert updated is not None
    return updated


async def delete_schedule(db: Database, organization_id: str, schedule_id: str) -> None:
    async with db.write() as conn:
        if await store.get_schedule(conn, organization_id, schedule_id) is None:
            raise not_found("report schedule", schedule_id)
        await store.delete_schedule(conn, organization_id, schedule_id)


async def list_schedules(
    db: Database, organization_id: str, *, limit: int, after: Position | None
) -> Page:
    async with db.read() as conn:
        return await store.list_schedules(conn, organization_id, limit=limit, after=after)


async def fire_due_schedules(db: Database, retention_days: int) -> int:
    """Create the reports of every schedule whose time has come; return how many fired.

    Each schedule is locked while it fires (SKIP LOCKED on PostgreSQL), and its next
    firing is written in the same transaction as its report, so several workers never
    fire one schedule twice. A firing missed while no worker ran is made up once, not
    once per missed slot.
    """
    now = utcnow()
    fired = 0
    async with db.write() as conn:
        for schedule in await store.claim_due_schedules(conn, now):
            scheduled_for = schedule["next_run_at"]
            scope = Scope(
                schedule["scope_type"],
                schedule["project_id"],
                schedule["environment"],
                schedule["suite"],
            )
            try:
                await insert_report(
                    conn,
                    schedule["organization_id"],
                    kind=schedule["kind"],
                    scope=scope,
                    period=resolve_range(schedule["range_preset"], scheduled_for),
                    range_preset=schedule["range_preset"],
                    source="schedule",
                    retention_days=retention_days,
                    now=now,
                    schedule_id=schedule["id"],
                )
            except ZofError as error:
                # The project was deleted or the scope became invalid: skip this firing.
                log.warning("schedule %s did not fire: %s", schedule["id"], error.message)
            await store.update_schedule(
                conn,
                schedule["id"],
                {"last_run_at": now, "next_run_at": next_fire(schedule["cron"], now)},
            )
            fired += 1
    return fired
