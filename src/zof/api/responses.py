"""JSON responses and list envelopes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import orjson
from starlette.responses import Response

from zof.api.params import PageParams
from zof.api.state import AppState
from zof.core.cursors import Position
from zof.services.permissions import Principal
from zof.store.pagination import Page


def json_response(data: Any, status_code: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status_code, media_type="application/json")


def start_position(
    state: AppState,
    principal: Principal,
    list_name: str,
    filters: Mapping[str, Any],
    params: PageParams,
) -> Position | None:
    """Decode `starting_after` for this list, or return None for the first page."""
    if params.starting_after is None:
        return None
    return state.cursors.decode(
        params.starting_after,
        organization_id=principal.organization_id,
        scope=list_name,
        filters=dict(filters),
    )


def list_response(
    state: AppState,
    principal: Principal,
    list_name: str,
    filters: Mapping[str, Any],
    page: Page,
    serialize: Callable[[Mapping[Any, Any]], dict[str, Any]],
) -> Response:
    next_cursor = None
    position = page.last_position
    if page.has_more and position is not None:
        next_cursor = state.cursors.encode(
            position,
            organization_id=principal.organization_id,
            scope=list_name,
            filters=dict(filters),
        )
    return json_response(
        {
            "object": "list",
            "data": [serialize(row) for row in page.rows],
            "has_more": page.has_more,
            "next_cursor": next_cursor,
        }
    )
