"""`/v1/results`: case results, one execution of one test case each."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from starlette.responses import Response

from zof.api import serializers_runs as serializers
from zof.api.auth import app_state, require
from zof.api.params import PageParams, Timestamp, check_range, page_params
from zof.api.responses import json_response, list_response, start_position
from zof.api.routing import ZofRoute
from zof.api.schemas_runs import ResultDetail, ResultList, ResultStatus
from zof.api.state import AppState
from zof.services import runs
from zof.services.permissions import Principal

router = APIRouter(prefix="/v1/results", tags=["results"], route_class=ZofRoute)

Reader = Annotated[Principal, Depends(require("results:read"))]


@router.get("", response_model=ResultList, summary="List results")
async def list_results(
    principal: Reader,
    state: Annotated[AppState, Depends(app_state)],
    page: Annotated[PageParams, Depends(page_params)],
    run_id: Annotated[
        str | None, Query(max_length=64, description="Only this run's results.")
    ] = None,
    project_id: Annotated[
        str | None, Query(max_length=64, description="Only this project's results.")
    ] = None,
    status: Annotated[
        ResultStatus | None, Query(description="Only results with this status.")
    ] = None,
    created_from: Annotated[
        Timestamp | None,
        Query(alias="from", description="Only results stored at or after this time."),
    ] = None,
    created_to: Annotated[
        Timestamp | None, Query(alias="to", description="Only results stored before this time.")
    ] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="Only results whose test name contains this text, ignoring case.",
        ),
    ] = None,
) -> Response:
    """List the organization's results, newest first; results of one upload share `created_at`."""
    check_range(created_from, created_to, "from", "to")
    filters = {
        "run_id": run_id,
        "project_id": project_id,
        "status": status,
        "from": created_from,
        "to": created_to,
        "q": q,
    }
    after = start_position(state, principal, "results", filters, page)
    page_of_results = await runs.list_results(
        state.db,
        principal.organization_id,
        run_id=run_id,
        project_id=project_id,
        status=status,
        created_from=created_from,
        created_to=created_to,
        name_contains=q,
        limit=page.limit,
        after=after,
    )
    return list_response(state, principal, "results", filters, page_of_results, serializers.result)


@router.get("/{result_id}", response_model=ResultDetail, summary="Retrieve a result")
async def get_result(
    result_id: Annotated[str, Path(max_length=64, description="A result id, `res_...`.")],
    principal: Reader,
    state: Annotated[AppState, Depends(app_state)],
) -> Response:
    """Retrieve one result, with its captured output."""
    row = await runs.get_result(state.db, principal.organization_id, result_id)
    return json_response(serializers.result_detail(row))
