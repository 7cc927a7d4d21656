"""`/v1/report-schedules`: reports generated on a cron schedule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from starlette.responses import Response

from zof.api.auth import app_state, require
from zof.api.params import PageParams, page_params
from zof.api.responses import json_response, list_response, start_position
from zof.api.routing import ZofRoute
from zof.api.schemas_reports import Schedule, ScheduleCreate, ScheduleList, ScheduleUpdate
from zof.api.serializers import ts
from zof.api.state import AppState
from zof.services import reports, schedules
from zof.services.permissions import Principal

router = APIRouter(prefix="/v1/report-schedules", tags=["report schedules"], route_class=ZofRoute)

ScheduleId = Annotated[str, Path(max_length=64, description="A schedule id, `rsch_...`.")]
State = Annotated[AppState, Depends(app_state)]
Manager = Annotated[Principal, Depends(require("schedules:manage"))]
Reader = Annotated[Principal, Depends(require("reports:read"))]


def schedule_object(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "object": "report_schedule",
        "name": row["name"],
        "cron": row["cron"],
        "kind": row["kind"],
        "scope": {
            "type": row["scope_type"],
            "project_id": row["project_id"],
            "environment": row["environment"],
            "suite": row["suite"],
        },
        "range": row["range_preset"],
        "enabled": row["enabled"],
        "next_run_at": ts(row["next_run_at"]),
        "last_run_at": ts(row["last_run_at"]),
        "created_at": ts(row["created_at"]),
        "updated_at": ts(row["updated_at"]),
    }


@router.post("", status_code=201, response_model=Schedule, summary="Create a report schedule")
async def create_schedule(body: ScheduleCreate, principal: Manager, state: State) -> Response:
    scope = reports.scope_from(
        body.scope.type, body.scope.project_id, body.scope.environment, body.scope.suite
    )
    row = await schedules.create_schedule(
        state.db,
        principal.organization_id,
        name=body.name,
        cron=body.cron,
        kind=body.kind,
        scope=scope,
        range_preset=body.range,
        enabled=body.enabled,
    )
    return json_response(schedule_object(row), 201)


@router.get("", response_model=ScheduleList, summary="List report schedules")
async def list_schedules(
    principal: Reader, state: State, page: Annotated[PageParams, Depends(page_params)]
) -> Response:
    after = start_position(state, principal, "report_schedules", {}, page)
    result = await schedules.list_schedules(
        state.db, principal.organization_id, limit=page.limit, after=after
    )
    return list_response(state, principal, "report_schedules", {}, result, schedule_object)


@router.get("/{schedule_id}", response_model=Schedule, summary="Retrieve a report schedule")
async def get_schedule(schedule_id: ScheduleId, principal: Reader, state: State) -> Response:
    row = await schedules.get_schedule(state.db, principal.organization_id, schedule_id)
    return json_response(schedule_object(row))


@router.patch("/{schedule_id}", response_model=Schedule, summary="Update a report schedule")
async def update_schedule(
    schedule_id: ScheduleId, body: ScheduleUpdate, principal: Manager, state: State
) -> Response:
    changes: dict[str, Any] = {}
    for field in ("name", "cron", "enabled"):
        value = getattr(body, field)
        if value is not None:
            changes[field] = value
    if body.range is not None:
        changes["range_preset"] = body.range
    if body.scope is not None:
        scope = reports.scope_from(
            body.scope.type, body.scope.project_id, body.scope.environment, body.scope.suite
        )
        changes.update(
            scope_type=scope.type,
            project_id=scope.project_id,
            environment=scope.environment,
            suite=scope.suite,
        )
    row = await schedules.update_schedule(state.db, principal.organization_id, schedule_id, changes)
    return json_response(schedule_object(row))


@router.delete("/{schedule_id}", summary="Delete a report schedule")
async def delete_schedule(schedule_id: ScheduleId, principal: Manager, state: State) -> Response:
    await schedules.delete_schedule(state.db, principal.organization_id, schedule_id)
    return json_response({"id": schedule_id, "object": "report_schedule", "deleted": True})
