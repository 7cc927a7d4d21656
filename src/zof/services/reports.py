"""Reports: creation, listing, deletion, content, and generation by workers."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from zof.core.clock import utcnow
from zof.core.cursors import Position
from zof.core.errors import ZofError, not_found
from zof.core.ids import new_id
from zof.core.timeutil import format_timestamp
from zof.reports.render import render_csv, render_html, render_json
from zof.reports.scope import InvalidScope, Period, Scope, ScopeType, resolve_range
from zof.reports.summary import compute_summary
from zof.store import accounts, jobs
from zof.store import projects as project_store
from zof.store import reports as store
from zof.store.database import Database
from zof.store.pagination import Page
from zof.store.reports import ReportFilters as ReportFilters

log = logging.getLogger("zof.reports")

KINDS = ("summary",)
STATUSES = ("queued", "generating", "ready", "failed")
SOURCES = ("api", "schedule", "run")
FORMATS = {
    "json": ("application/json", "json"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "html": ("text/html; charset=utf-8", "html"),
}
GENERATE_JOB = "generate_report"
# The daily series has one entry per day, so a period's length is bounded.
MAX_PERIOD = timedelta(days=366)
# Bounds that keep the previous period and the run baseline inside datetime's range.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
# A run's report compares the run with this much history of its scope before it.
RUN_BASELINE = timedelta(days=7)


def _ts(value: datetime | None) -> str | None:
    return format_timestamp(value) if value is not None else None


def report_object(row: Mapping[Any, Any]) -> dict[str, Any]:
    """Build the API's report object from a stored row."""
    report_id = row["id"]
    base = f"/v1/reports/{report_id}"
    return {
        "id": report_id,
        "object": "report",
        "kind": row["kind"],
        "status": row["status"],
        "scope": {
            "type": row["scope_type"],
            "project_id": row["project_id"],
            "environment": row["environment"],
            "suite": row["suite"],
        },
        "period": {"start": _ts(row["period_start"]), "end": _ts(row["period_end"])},
        "range": row["range_preset"],
        "source": row["source"],
        "schedule_id": row["schedule_id"],
        "run_id": row["run_id"],
        "created_at": _ts(row["created_at"]),
        "completed_at": _ts(row["completed_at"]),
        "expires_at": _ts(row["expires_at"]),
        "summary": row["summary"] if row["status"] == "ready" else None,
        "error": row["error"] if row["status"] == "failed" else None,
        "links": {
            "self": base,
            "content": {fmt: f"{base}/content?format={fmt}" for fmt in FORMATS},
        },
    }


def scope_from(
    scope_type: str, project_id: str | None, environment: str | None, suite: str | None
) -> Scope:
    try:
        return Scope(scope_type, project_id, environment, suite)  # type: ignore[arg-type]
    except InvalidScope as error:
        raise ZofError("invalid_parameter", str(error), error.param) from None


def resolve_period(
    period: tuple[datetime, datetime] | None, range_preset: str | None, now: datetime
) -> Period:
    """Turn the request's `period` or `range` (exactly one of them) into a Period."""
    if period is not None and range_preset is not None:
        raise ZofError("invalid_parameter", "Give either period or range, not both.", "range")
    if period is None and range_preset is None:
        raise ZofError("missing_parameter", "A report needs a period or a range preset.", "period")
    try:
        if period is not None:
            resolved = Period(*period)
            if resolved.start < EARLIEST or resolved.end > LATEST:
                raise ZofError(
                    "invalid_parameter",
                    "A report period must lie between 1970-01-01 and 9000-01-01.",
                    "period.start" if resolved.start < EARLIEST else "period.end",
                )
            if resolved.length > MAX_PERIOD:
                raise ZofError(
                    "invalid_parameter",
                    f"A report period may span at most {MAX_PERIOD.days} days.",
                    "period.end",
                )
            return resolved
        assert range_preset is not None
        return resolve_range(range_preset, now)
    except InvalidScope as error:
        param = "period.end" if error.param == "period.start" else error.param
        message = str(error)
        if error.param == "period.start":
            message = "period.end must be after period.start; periods are half-open [start, end)."
        raise ZofError(
            "invalid_time_range" if param == "period.end" else "invalid_parameter", message, param
        ) from None


async def retention_for(conn: AsyncConnection, organization_id: str, default_days: int) -> int:
    organization = await accounts.get_organization(conn, organization_id)
    days = organization["retention_days"] if organization is not None else None
    return int(days or default_days)


async def insert_report(
    conn: AsyncConnection,
    organization_id: str,
    *,
    kind: str,
    scope: Scope,
    period: Period,
    range_preset: str | None,
    source: str,
    retention_days: int,
    now: datetime,
    schedule_id: str | None = None,
    run_id: str | None = None,
) -> dict[str, Any]:
    """Insert a queued report and the job that generates it, in the caller's transaction."""
    if scope.project_id is not None:
        project = await project_store.get_project(conn, organization_id, scope.project_id)
        if project is None:
            raise not_found("project", scope.project_id, "scope.project_id")
    days = await retention_for(conn, organization_id, retention_days)
    row = {
        "id": new_id("rpt"),
        "organization_id": organization_id,
        "kind": kind,
        "status": "queued",
        "scope_type": scope.type,
        "project_id": scope.project_id,
        "environment": scope.environment,
        "suite": scope.suite,
        "period_start": period.start,
        "period_end": period.end,
        "range_preset": range_preset,
        "source": source,
        "schedule_id": schedule_id,
        "run_id": run_id,
        "created_at": now,
        "completed_at": None,
        "expires_at": now + timedelta(days=days),
        "summary": None,
        "error": None,
    }
    await store.insert_report(conn, row)
    await jobs.enqueue(
        conn,
        kind=GENERATE_JOB,
        payload={"report_id": row["id"]},
        organization_id=organization_id,
        now=now,
    )
    return row


async def insert_run_report(
    conn: AsyncConnection, run: Mapping[Any, Any], *, retention_days: int, now: datetime
) -> dict[str, Any]:
    """Queue the report a run gets when it completes, in the completing transaction.

    Its scope is the run's project and environment (and suite, when the run has one),
    narrowed to the run itself; its period spans the run. New failures and the previous
    figures compare it with the seven days of its scope before it started.
    """
    scope_type: ScopeType = "suite" if run["suite"] else "environment"
    scope = Scope(
        scope_type, run["project_id"], run["environment"], run["suite"] or None, run["id"]
    )
    start = run["created_at"]
    end = max(run["completed_at"] or now, start) + timedelta(milliseconds=1)
    return await insert_report(
        conn,
        run["organization_id"],
        kind="summary",
        scope=scope,
        period=Period(start, end),
        range_preset=None,
        source="run",
        retention_days=retention_days,
        now=now,
        run_id=run["id"],
    )


async def create_report(
    db: Database,
    organization_id: str,
    *,
    kind: str,
    scope: Scope,
    period: tuple[datetime, datetime] | None,
    range_preset: str | None,
    retention_days: int,
) -> dict[str, Any]:
    now = utcnow()
    resolved = resolve_period(period, range_preset, now)
    async with db.write() as conn:
        return await insert_report(
            conn,
            organization_id,
            kind=kind,
            scope=scope,
            period=resolved,
            range_preset=range_preset,
            source="api",
            retention_days=retention_days,
            now=now,
        )


async def get_report(db: Database, organization_id: str, report_id: str) -> sa.RowMapping:
    async with db.read() as conn:
        row = await store.get_report(conn, organization_id, report_id, utcnow())
    if row is None:
        raise not_found("report", report_id)
    return row


async def list_reports(
    db: Database,
    organization_id: str,
    filters: ReportFilters,
    *,
    limit: int,
    after: Position | None,
) -> Page:
    async with db.read() as conn:
        return await store.list_reports(
            conn, organization_id, filters, utcnow(), limit=limit, after=after
        )


async def delete_report(db: Database, organization_id: str, report_id: str) -> None:
    async with db.write() as conn:
        if await store.get_report(conn, organization_id, report_id, utcnow()) is None:
            raise not_found("report", report_id)
        await store.delete_report(conn, organization_id, report_id)


async def report_content(
    db: Database, organization_id: str, report_id: str, fmt: str
) -> tuple[bytes, str, str]:
    """Render a ready report; return the bytes, the media type and a file name."""
    row = await get_report(db, organization_id, report_id)
    if row["status"] != "ready":
        raise ZofError(
            "report_not_ready",
            f"Report {report_id} is {row['status']}; content exists once it is ready.",
        )
    report = report_object(row)
    renderers = {"json": render_json, "csv": render_csv, "html": render_html}
    media_type, extension = FORMATS[fmt]
    return renderers[fmt](report), media_type, f"zof-report-{report_id}.{extension}"


async def generate_report(db: Database, report_id: str) -> None:
    """Compute a report's summary and mark it ready. Called by a worker holding the job."""
    async with db.write() as conn:
        row = await store.get_report_by_id(conn, report_id)
        if row is None or row["status"] in {"ready", "failed"}:
            return
        await store.update_report(conn, report_id, {"status": "generating"})

    scope = Scope(
        row["scope_type"], row["project_id"], row["environment"], row["suite"], row["run_id"]
    )
    period = Period(row["period_start"], row["period_end"])
    baseline = None
    if row["run_id"] is not None:
        baseline = (scope.without_run(), Period(period.start - RUN_BASELINE, period.start))
    async with db.read() as conn:
        summary = await compute_summary(
            conn, row["organization_id"], scope, period, baseline=baseline
        )

    async with db.write() as conn:
        await store.update_report(
            conn, report_id, {"status": "ready", "summary": summary, "completed_at": utcnow()}
        )
    log.info("report %s ready", report_id)


async def fail_report(db: Database, report_id: str, message: str) -> None:
    async with db.write() as conn:
        await store.update_report(
            conn,
            report_id,
            {
                "status": "failed",
                "error": {"code": "generation_failed", "message": message},
                "completed_at": utcnow(),
            },
        )
