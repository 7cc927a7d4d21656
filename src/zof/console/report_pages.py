"""Report pages: the list, one report, its downloads, and the form that generates one."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from zof.console.filters import (
    PAGE_SIZE,
    REPORT_CHOICES,
    FilterForm,
    next_cursor,
    report_filters,
    start_position,
)
from zof.console.lookups import project_names
from zof.console.rendering import PREFIX, ConsoleRoute, redirect, render
from zof.console.session import Session, current_session, read_form
from zof.core.errors import ZofError, not_found
from zof.reports.render_html import headline_figures, pass_rate_chart
from zof.reports.scope import RANGE_PRESETS
from zof.services import reports as report_service

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)
SignedIn = Annotated[Session, Depends(current_session)]

# Ids are at most 64 characters in the API; a longer one cannot exist.
MAX_ID_LENGTH = 64
# How often a report page that waits for its report reloads itself, in seconds.
REFRESH_SECONDS = 2
# The fields each scope type takes; the form ignores the others, so a project left
# selected does not make an organization report invalid.
SCOPE_FIELDS = {
    "organization": (),
    "project": ("project_id",),
    "environment": ("project_id", "environment"),
    "suite": ("project_id", "environment", "suite"),
}
GENERATE_FIELDS = ("scope_type", "project_id", "environment", "suite", "range", "from", "to")
CUSTOM_RANGE = "custom"


@router.get("/reports")
async def list_reports(request: Request, session: SignedIn) -> Response:
    session.require("reports:read")
    filters, form = report_filters(request.query_params)
    names = await project_names(session)
    reports: list[dict[str, Any]] = []
    next_query = None
    after = request.query_params.get("after")

    if not form.errors:
        binding = asdict(filters)
        position = start_position(session, "console_reports", binding, after)
        page = await report_service.list_reports(
            session.state.db,
            session.principal.organization_id,
            filters,
            limit=PAGE_SIZE,
            after=position,
        )
        reports = [report_service.report_object(row) for row in page.rows]
        cursor = next_cursor(session, "console_reports", binding, page.last_position, page.has_more)
        if cursor is not None:
            next_query = form.query(after=cursor)

    return render(
        request,
        "reports.html",
        session=session,
        status=400 if form.errors else 200,
        form=form,
        choices=REPORT_CHOICES,
        names=names,
        reports=reports,
        next_query=next_query,
        first_query=form.query() if after else None,
    )


@router.get("/reports/new")
async def new_report(request: Request, session: SignedIn) -> Response:
    session.require("reports:create")
    defaults = {"scope_type": "organization", "range": "last_7_days"}
    values = {
        name: request.query_params.get(name, defaults.get(name, "")) for name in GENERATE_FIELDS
    }
    return await generate_form(request, session, FilterForm(values=values))


async def generate_form(
    request: Request, session: Session, form: FilterForm, status: int = 200
) -> Response:
    return render(
        request,
        "report_new.html",
        session=session,
        status=status,
        form=form,
        names=await project_names(session),
        scope_types=tuple(SCOPE_FIELDS),
        range_presets=RANGE_PRESETS,
    )


@router.post("/reports")
async def create_report(request: Request, session: SignedIn) -> Response:
    session.require("reports:create")
    submitted = await read_form(request)
    session.check_csrf(submitted)
    form = FilterForm(values={name: submitted.get(name, "").strip() for name in GENERATE_FIELDS})

    try:
        scope_type = form.values["scope_type"] or "organization"
        scope_fields = SCOPE_FIELDS.get(scope_type, ())
        fields = {
            name: (form.values[name] or None) if name in scope_fields else None
            for name in ("project_id", "environment", "suite")
        }
        scope = report_service.scope_from(
            scope_type, fields["project_id"], fields["environment"], fields["suite"]
        )
        range_preset, period = _requested_period(form)
        if form.errors:
            return await generate_form(request, session, form, status=400)
        row = await report_service.create_report(
            session.state.db,
            session.principal.organization_id,
            kind="summary",
            scope=scope,
            period=period,
            range_preset=range_preset,
            retention_days=session.state.settings.retention_days,
        )
    except ZofError as error:
        if error.spec.status >= 500:
            raise
        form.errors.append(error.message)
        return await generate_form(request, session, form, status=error.spec.status)

    # Wake this process's worker, as the API does, so generation starts at once.
    session.state.job_signal.set()
    return redirect(f"/console/reports/{row['id']}")


def _requested_period(
    form: FilterForm,
) -> tuple[str | None, tuple[datetime, datetime] | None]:
    """Return the range preset, or the custom period whose `to` day is included."""
    chosen = form.values["range"]
    if chosen != CUSTOM_RANGE:
        return (chosen or "last_7_days"), None
    start = form.time("from")
    end = form.time("to", end_of_day=True)
    if start is None or end is None:
        if not form.errors:
            form.errors.append("A custom range needs both from and to.")
        return None, None
    return None, (start, end)


@router.get("/reports/{report_id}")
async def show_report(request: Request, report_id: str, session: SignedIn) -> Response:
    session.require("reports:read")
    report = report_service.report_object(await _get_report(session, report_id))
    names = await project_names(session)
    context: dict[str, Any] = {"report": report, "names": names, "summary": None}
    summary = report["summary"]
    if report["status"] == "ready" and summary is not None:
        context.update(
            summary=summary,
            figures=headline_figures(summary),
            chart=pass_rate_chart(summary["daily"]),
            formats=tuple(report_service.FORMATS),
        )
    waiting = report["status"] in {"queued", "generating"}
    return render(
        request,
        "report.html",
        session=session,
        refresh_seconds=REFRESH_SECONDS if waiting else None,
        **context,
    )


@router.get("/reports/{report_id}/download")
async def download_report(request: Request, report_id: str, session: SignedIn) -> Response:
    """Send the report file as the API's content route does, as an attachment."""
    session.require("reports:read")
    fmt = request.query_params.get("format", "json")
    if fmt not in report_service.FORMATS:
        raise ZofError(
            "invalid_parameter",
            f"format must be one of {', '.join(report_service.FORMATS)}; got {fmt!r}.",
            "format",
        )
    _check_id_length(report_id)
    content, media_type, filename = await report_service.report_content(
        session.state.db, session.principal.organization_id, report_id, fmt
    )
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "html":
        # The report page is self-contained; it needs its inline styles and nothing else.
        headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        )
    return Response(content, media_type=media_type, headers=headers)


def _check_id_length(report_id: str) -> None:
    if len(report_id) > MAX_ID_LENGTH:
        raise not_found("report", report_id[:MAX_ID_LENGTH] + "\u2026")


async def _get_report(session: Session, report_id: str) -> Any:
    _check_id_length(report_id)
    return await report_service.get_report(
        session.state.db, session.principal.organization_id, report_id
    )
