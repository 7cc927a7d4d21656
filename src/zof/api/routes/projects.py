"""`/v1/projects`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from starlette.responses import Response

from zof.api import serializers
from zof.api.auth import app_state, require
from zof.api.params import PageParams, Timestamp, check_range, page_params
from zof.api.responses import json_response, list_response, start_position
from zof.api.routing import ZofRoute
from zof.api.schemas import Project, ProjectCreate, ProjectList, ProjectUpdate
from zof.api.state import AppState
from zof.services import projects
from zof.services.permissions import Principal

router = APIRouter(prefix="/v1/projects", tags=["projects"], route_class=ZofRoute)

ProjectId = Annotated[str, Path(max_length=64, description="A project id, `proj_...`.")]


@router.post("", status_code=201, response_model=Project, summary="Create a project")
async def create_project(
    body: ProjectCreate,
    principal: Annotated[Principal, Depends(require("projects:write"))],
    state: Annotated[AppState, Depends(app_state)],
) -> Response:
    row = await projects.create_project(
        state.db, principal.organization_id, name=body.name, description=body.description
    )
    return json_response(serializers.project(row), 201)


@router.get("", response_model=ProjectList, summary="List projects")
async def list_projects(
    principal: Annotated[Principal, Depends(require("projects:read"))],
    state: Annotated[AppState, Depends(app_state)],
    page: Annotated[PageParams, Depends(page_params)],
    created_after: Annotated[
        Timestamp | None, Query(description="Only projects created at or after this time.")
    ] = None,
    created_before: Annotated[
        Timestamp | None, Query(description="Only projects created before this time.")
    ] = None,
) -> Response:
    """List the organization's projects, newest first."""
    check_range(created_after, created_before, "created_after", "created_before")
    filters = {"created_after": created_after, "created_before": created_before}
    after = start_position(state, principal, "projects", filters, page)
    result = await projects.list_projects(
        state.db,
        principal.organization_id,
        created_after=created_after,
        created_before=created_before,
        limit=page.limit,
        after=after,
    )
    return list_response(state, principal, "projects", filters, result, serializers.project)


@router.get("/{project_id}", response_model=Project, summary="Retrieve a project")
async def get_project(
    project_id: ProjectId,
    principal: Annotated[Principal, Depends(require("projects:read"))],
    state: Annotated[AppState, Depends(app_state)],
) -> Response:
    row = await projects.get_project(state.db, principal.organization_id, project_id)
    return json_response(serializers.project(row))


@router.patch("/{project_id}", response_model=Project, summary="Update a project")
async def update_project(
    project_id: ProjectId,
    body: ProjectUpdate,
    principal: Annotated[Principal, Depends(require("projects:write"))],
    state: Annotated[AppState, Depends(app_state)],
) -> Response:
    changes = body.model_dump(exclude_unset=True)
    if changes.get("name", "") is None:
        changes.pop("name")
    row = await projects.update_project(state.db, principal.organization_id, project_id, changes)
    return json_response(serializers.project(row))
