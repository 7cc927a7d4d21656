"""Runs and their results: the status machine, and reads of runs and results.

A run starts `queued`, becomes `running` with its first results upload, and ends in one
terminal status: `passed`, `failed` or `error` through complete, or `canceled`. A run in
a terminal status changes no more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from zof.core.clock import utcnow
from zof.core.cursors import Position
from zof.core.errors import ZofError, not_found
from zof.core.ids import new_id
from zof.services.reports import insert_run_report
from zof.store import projects as project_store
from zof.store import results as result_store
from zof.store import runs as store
from zof.store.database import Database
from zof.store.pagination import Page

OPEN_STATUSES = frozenset({"queued", "running"})
TERMINAL_STATUSES = frozenset({"passed", "failed", "error", "canceled"})


@dataclass(frozen=True)
class RunDetail:
    """A run with the provenance of each of its uploads, oldest first."""

    run: Mapping[Any, Any]
    uploads: Sequence[Mapping[Any, Any]]


async def create_run(
    db: Database,
    organization_id: str,
    *,
    project_id: str,
    environment: str,
    suite: str | None = None,
    commit_sha: str | None = None,
    branch: str | None = None,
    build_url: str | None = None,
    source: str | None = None,
    started_at: datetime | None = None,
) -> RunDetail:
    row = {
        "id": new_id("run"),
        "organization_id": organization_id,
        "project_id": project_id,
        "environment": environment,
        "suite": suite,
        "status": "queued",
        "source": source,
        "commit_sha": commit_sha,
        "branch": branch,
        "build_url": build_url,
        "created_at": utcnow(),
        "started_at": truncate_to_millis(started_at) if started_at is not None else None,
        "completed_at": None,
        "duration_ms": None,
        "count_total": 0,
        "count_passed": 0,
        "count_failed": 0,
        "count_error": 0,
        "count_skipped": 0,
        "count_flaky": 0,
    }
    async with db.write() as conn:
        if await project_store.get_project(conn, organization_id, project_id) is None:
            raise not_found("project", project_id, "project_id")
        await store.insert_run(conn, row)
    return RunDetail(run=row, uploads=[])


async def get_run(db: Database, organization_id: str, run_id: str) -> RunDetail:
    async with db.read() as conn:
        return await read_detail(conn, organization_id, run_id)


async def list_runs(
    db: Database,
    organization_id: str,
    *,
    project_id: str | None = None,
    environment: str | None = None,
    status: str | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    limit: int,
    after: Position | None,
) -> Page:
    async with db.read() as conn:
        return await store.list_runs(
            conn,
            organization_id,
            project_id=project_id,
            environment=environment,
            status=status,
            created_from=created_from,
            created_to=created_to,
            limit=limit,
            after=after,
        )


async def complete_run(
    db: Database,
    organization_id: str,
    run_id: str,
    status: str | None = None,
    *,
    retention_days: int = 90,
) -> RunDetail:
    """End a run with `status`, or with the status its results give when `status` is None.

    The run's own report is queued in the same transaction, so a completed run always
    gets one.
    """
    async with db.write() as conn:
        run = await lock_run(conn, organization_id, run_id)
        if run["status"] in TERMINAL_STATUSES:
            raise ZofError(
                "run_not_completable",
                f"The run is already {run['status']}, so it cannot be completed again.",
            )
        await _end_run(conn, run, status or derived_status(run))
        detail = await read_detail(conn, organization_id, run_id)
        await insert_run_report(
            conn, detail.run, retention_days=retention_days, now=detail.run["completed_at"]
        )
        return detail


async def cancel_run(db: Database, organization_id: str, run_id: str) -> RunDetail:
    async with db.write() as conn:
        run = await lock_run(conn, organization_id, run_id)
        if run["status"] in TERMINAL_STATUSES:
            raise ZofError(
                "run_not_cancelable",
                f"The run is already {run['status']}; only queued or running runs can be canceled.",
            )
        await _end_run(conn, run, "canceled")
        return await read_detail(conn, organization_id, run_id)


def derived_status(run: Mapping[Any, Any]) -> str:
    """Return `error` if any result errored, else `failed` if any failed, else `passed`.

    A run without results, or with skipped results only, is `passed`: nothing failed.
    """
    if run["count_error"] > 0:
        return "error"
    if run["count_failed"] > 0:
        return "failed"
    return "passed"


async def lock_run(conn: AsyncConnection, organization_id: str, run_id: str) -> sa.RowMapping:
    """Return a run with its row locked for a change, or raise the 404 if it does not exist."""
    run = await store.get_run(conn, organization_id, run_id, for_update=True)
    if run is None:
        raise not_found("run", run_id)
    return run


async def read_detail(conn: AsyncConnection, organization_id: str, run_id: str) -> RunDetail:
    run = await store.get_run(conn, organization_id, run_id)
    if run is None:
        raise not_found("run", run_id)
    uploads = await result_store.list_uploads(conn, organization_id, run_id)
    return RunDetail(run=run, uploads=uploads)


async def _end_run(conn: AsyncConnection, run: Mapping[Any, Any], status: str) -> None:
    completed_at = utcnow()
    began = run["started_at"] or run["created_at"]
    # A started_at from a CI clock ahead of this server's could make the span negative.
    duration_ms = max(0, (completed_at - began) // timedelta(milliseconds=1))
    await store.update_run(
        conn,
        run["organization_id"],
        run["id"],
        {"status": status, "completed_at": completed_at, "duration_ms": duration_ms},
    )


def truncate_to_millis(value: datetime) -> datetime:
    """Cut a time to whole milliseconds, the precision the API prints and filters by."""
    return value.replace(microsecond=value.microsecond - value.microsecond % 1000)


async def get_result(db: Database, organization_id: str, result_id: str) -> sa.RowMapping:
    async with db.read() as conn:
        row = await result_store.get_result(conn, organization_id, result_id)
    if row is None:
        raise not_found("result", result_id)
    return row


async def list_results(
    db: Database,
    organization_id: str,
    *,
    run_id: str | None = None,
    project_id: str | None = None,
    status: str | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    name_contains: str | None = None,
    limit: int,
    after: Position | None,
) -> Page:
    async with db.read() as conn:
        return await result_store.list_results(
            conn,
            organization_id,
            run_id=run_id,
            project_id=project_id,
            status=status,
            created_from=created_from,
            created_to=created_to,
            name_contains=name_contains,
            limit=limit,
            after=after,
        )
