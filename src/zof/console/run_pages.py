"""Run pages: the list of runs and one run with its uploads and failing cases."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from zof.console.filters import PAGE_SIZE, RUN_STATUSES, next_cursor, run_filters, start_position
from zof.console.lookups import project_names
from zof.console.rendering import PREFIX, ConsoleRoute, render
from zof.console.session import Session, current_session
from zof.core.errors import not_found
from zof.services import runs as run_service

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)
SignedIn = Annotated[Session, Depends(current_session)]

MAX_ID_LENGTH = 64
# The run page lists at most this many failed and this many errored cases.
MAX_FAILING_CASES = 100


def run_view(row: Mapping[Any, Any]) -> dict[str, Any]:
    """Copy a run row and gather its counts under `counts`, as in the API's run object."""
    view = dict(row)
    view["counts"] = {
        name: row[f"count_{name}"]
        for name in ("total", "passed", "failed", "error", "skipped", "flaky")
    }
    return view


@router.get("/runs")
async def list_runs(request: Request, session: SignedIn) -> Response:
    session.require("runs:read")
    filters, form = run_filters(request.query_params)
    names = await project_names(session)
    runs: list[dict[str, Any]] = []
    next_query = None
    after = request.query_params.get("after")

    if not form.errors:
        position = start_position(session, "console_runs", filters, after)
        page = await run_service.list_runs(
            session.state.db,
            session.principal.organization_id,
            project_id=filters["project_id"],
            environment=filters["environment"],
            status=filters["status"],
            limit=PAGE_SIZE,
            after=position,
        )
        runs = [run_view(row) for row in page.rows]
        cursor = next_cursor(session, "console_runs", filters, page.last_position, page.has_more)
        if cursor is not None:
            next_query = form.query(after=cursor)

    return render(
        request,
        "runs.html",
        session=session,
        status=400 if form.errors else 200,
        form=form,
        statuses=RUN_STATUSES,
        names=names,
        runs=runs,
        next_query=next_query,
        first_query=form.query() if after else None,
    )


@router.get("/runs/{run_id}")
async def show_run(request: Request, run_id: str, session: SignedIn) -> Response:
    session.require("runs:read")
    if len(run_id) > MAX_ID_LENGTH:
        raise not_found("run", run_id[:MAX_ID_LENGTH] + "\u2026")
    db, organization_id = session.state.db, session.principal.organization_id
    detail = await run_service.get_run(db, organization_id, run_id)

    # Case results need their own permission in the API (`GET /v1/results`), so a key
    # without it gets the run's counts but not its cases.
    failing: list[Mapping[Any, Any]] = []
    more_failing = False
    if session.can("results:read"):
        for status in ("error", "failed"):
            page = await run_service.list_results(
                db,
                organization_id,
                run_id=run_id,
                status=status,
                limit=MAX_FAILING_CASES,
                after=None,
            )
            failing.extend(page.rows)
            more_failing = more_failing or page.has_more
        # Results of one upload share created_at and their ids count up in file order.
        failing.sort(key=lambda row: (row["created_at"], row["id"]))

    return render(
        request,
        "run.html",
        session=session,
        run=run_view(detail.run),
        uploads=detail.uploads,
        failing=failing,
        more_failing=more_failing,
        max_failing=MAX_FAILING_CASES,
        names=await project_names(session),
    )
