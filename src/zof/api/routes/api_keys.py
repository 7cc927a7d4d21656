"""`/v1/api-keys`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from starlette.responses import Response

from zof.api import serializers
from zof.api.auth import app_state, require
from zof.api.params import PageParams, page_params
from zof.api.responses import json_response, list_response, start_position
from zof.api.routing import ZofRoute
from zof.api.schemas import ApiKey, ApiKeyCreate, ApiKeyList, ApiKeyWithSecret, Role
from zof.api.state import AppState
from zof.services import accounts
from zof.services.permissions import Principal

router = APIRouter(prefix="/v1/api-keys", tags=["api keys"], route_class=ZofRoute)

Manager = Annotated[Principal, Depends(require("api_keys:manage"))]


@router.post("", status_code=201, response_model=ApiKeyWithSecret, summary="Create an API key")
async def create_api_key(
    body: ApiKeyCreate, principal: Manager, state: Annotated[AppState, Depends(app_state)]
) -> Response:
    created = await accounts.create_api_key(
        state.db,
        principal.organization_id,
        name=body.name,
        role=body.role,
        permissions=body.permissions,
        expires_at=body.expires_at,
    )
    return json_response({**serializers.api_key(created.row), "secret": created.secret}, 201)


@router.get("", response_model=ApiKeyList, summary="List API keys")
async def list_api_keys(
    principal: Manager,
    state: Annotated[AppState, Depends(app_state)],
    page: Annotated[PageParams, Depends(page_params)],
    role: Annotated[Role | None, Query(description="Only keys with this role.")] = None,
) -> Response:
    """List the organization's API keys, revoked ones included, newest first."""
    filters = {"role": role}
    after = start_position(state, principal, "api_keys", filters, page)
    result = await accounts.list_api_keys(
        state.db, principal.organization_id, role=role, limit=page.limit, after=after
    )
    return list_response(state, principal, "api_keys", filters, result, serializers.api_key)


@router.delete("/{key_id}", response_model=ApiKey, summary="Revoke an API key")
async def revoke_api_key(
    key_id: Annotated[str, Path(max_length=64)],
    principal: Manager,
    state: Annotated[AppState, Depends(app_state)],
) -> Response:
    row = await accounts.revoke_api_key(state.db, principal.organization_id, key_id)
    return json_response(serializers.api_key(row))
