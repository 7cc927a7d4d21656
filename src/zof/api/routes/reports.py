"""`/v1/reports`: generate reports, and list them by scope and time range."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from starlette.responses import Response

from zof.api.auth import app_state, require
from zof.api.params import PageParams, Timestamp, check_range, page_params
from zof.api.responses import json_response, list_response, start_position
from zof.api.routing import ZofRoute
from zof.api.schemas_reports import (
    ContentFormat,
    DeletedReport,
    Report,
    ReportCreate,
    ReportKind,
    ReportList,
    ReportSource,
    ReportStatus,
    ScopeType,
)
from zof.api.state import AppState
from zof.services import reports
from zof.services.permissions import Principal
from zof.store.reports import ReportFilters

router = APIRouter(prefix="/v1/reports", tags=["reports"], route_class=ZofRoute)

ReportId = Annotated[str, Path(max_length=64, description="A report id, `rpt_...`.")]
State = Annotated[AppState, Depends(app_state)]


@router.post("", status_code=201, response_model=Report, summary="Generate a report")
async def create_report(
    body: ReportCreate,
    principal: Annotated[Principal, Depends(require("reports:create"))],
    state: State,
) -> Response:
    """Queue a report over a scope and a period (or a range preset); a worker generates it."""
    scope = reports.scope_from(
        body.scope.type, body.scope.project_id, body.scope.environment, body.scope.suite
    )
    period = (body.period.start, body.period.end) if body.period is not None else None
    row = await reports.create_report(
        state.db,
        principal.organization_id,
        kind=body.kind,
        scope=scope,
        period=period,
        range_preset=body.range,
        retention_days=state.settings.retention_days,
    )
    state.job_signal.set()
    return json_response(reports.report_object(row), 201)


@router.get("", response_model=ReportList, summary="List reports by scope and time range")
async def list_reports(
    principal: Annotated[Principal, Depends(require("reports:read"))],
    state: State,
    page: Annotated[PageParams, Depends(page_params)],
    scope_type: Annotated[
        ScopeType | None, Query(description="Only reports of this scope type.")
    ] = None,
    project_id: Annotated[
        str | None, Query(max_length=64, description="Only reports of this project.")
    ] = None,
    environment: Annotated[
        str | None, Query(max_length=100, description="Only reports of this environment.")
    ] = None,
    suite: Annotated[
        str | None, Query(max_length=200, description="Only reports of this suite.")
    ] = None,
    kind: Annotated[ReportKind | None, Query(description="Only reports of this kind.")] = None,
    status: Annotated[
        ReportStatus | None, Query(description="Only reports in this status.")
    ] = None,
    source: Annotated[
        ReportSource | None, Query(description="Only reports created this way.")
    ] = None,
    from_: Annotated[
        Timestamp | None,
        Query(alias="from", description="Only reports whose period ends after this time."),
    ] = None,
    to: Annotated[
        Timestamp | None, Query(description="Only reports whose period starts before this time.")
    ] = None,
    created_after: Annotated[
        Timestamp | None, Query(description="Only reports created at or after this time.")
    ] = None,
    created_before: Annotated[
        Timestamp | None, Query(description="Only reports created before this time.")
    ] = None,
) -> Response:
    """List reports newest first. `from`/`to` select reports whose period overlaps [from, to)."""
    check_range(from_, to, "from", "to")
    check_range(created_after, created_before, "created_after", "created_before")
    filters = ReportFilters(
        scope_type=scope_type,
        project_id=project_id,
        environment=environment,
        suite=suite,
        kind=kind,
        status=status,
        source=source,
        period_from=from_,
        period_to=to,
        created_after=created_after,
        created_before=created_before,
    )
    binding = vars(filters)
    after = start_position(state, principal, "reports", binding, page)
    result = await reports.list_reports(
        state.db, principal.organization_id, filters, limit=page.limit, after=after
    )
    return list_response(state, principal, "reports", binding, result, reports.report_object)


@router.get("/{report_id}", response_model=Report, summary="Retrieve a report")
async def get_report(
    report_id: ReportId,
    principal: Annotated[Principal, Depends(require("reports:read"))],
    state: State,
) -> Response:
    row = await reports.get_report(state.db, principal.organization_id, report_id)
    return json_response(reports.report_object(row))


@router.delete("/{report_id}", response_model=DeletedReport, summary="Delete a report")
async def delete_report(
    report_id: ReportId,
    principal: Annotated[Principal, Depends(require("reports:delete"))],
    state: State,
) -> Response:
    await reports.delete_report(state.db, principal.organization_id, report_id)
    return json_response({"id": report_id, "object": "report", "deleted": True})


@router.get(
    "/{report_id}/content",
    summary="Download a report as JSON, CSV or HTML",
    response_class=Response,
    responses={
        200: {
            "description": "The report file, as an attachment.",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/csv": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
            },
        }
    },
)
async def report_content(
    report_id: ReportId,
    principal: Annotated[Principal, Depends(require("reports:read"))],
    state: State,
    format: Annotated[ContentFormat, Query(description="File format.")] = "json",
) -> Response:
    """Download a ready report. The HTML is one self-contained page with no network requests."""
    content, media_type, filename = await reports.report_content(
        state.db, principal.organization_id, report_id, format
    )
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if format == "html":
        # The page needs nothing from anywhere; forbid it everything else.
        headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        )
        headers["X-Content-Type-Options"] = "nosniff"
    return Response(content, media_type=media_type, headers=headers)
