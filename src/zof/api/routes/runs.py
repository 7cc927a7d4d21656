"""`/v1/runs`, and results uploads into a run."""

from __future__ import annotations

import tempfile
from typing import IO, Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from zof.api import serializers_runs as serializers
from zof.api.auth import app_state, require
from zof.api.params import PageParams, Timestamp, check_range, page_params
from zof.api.responses import json_response, list_response, start_position
from zof.api.routing import ZofRoute
from zof.api.schemas_runs import (
    ResultsUpload,
    RunComplete,
    RunCreate,
    RunDetail,
    RunList,
    RunStatus,
    batch_json_schema,
)
from zof.api.state import AppState
from zof.core.errors import ZofError
from zof.services import runs, uploads
from zof.services.permissions import Principal

router = APIRouter(prefix="/v1/runs", tags=["runs"], route_class=ZofRoute)

RunId = Annotated[str, Path(max_length=64, description="A run id, `run_...`.")]

UPLOAD_MEDIA_TYPES = ("application/xml", "text/xml", "application/json")
# Upload bodies larger than this go from memory to a temporary file while they arrive.
SPOOL_MEMORY_BYTES = 1024 * 1024

_UPLOAD_OPENAPI: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "One results file, sent as the raw body. JUnit XML (any dialect zof "
        "reads) as `application/xml` or `text/xml`, or the JSON batch as `application/json`. "
        "Add `Content-Encoding: gzip` to send it compressed.",
        "content": {
            "application/xml": {"schema": {"type": "string", "description": "JUnit XML."}},
            "text/xml": {"schema": {"type": "string", "description": "JUnit XML."}},
            "application/json": {"schema": batch_json_schema()},
        },
    },
    "parameters": [
        {
            "name": "Content-Encoding",
            "in": "header",
            "required": False,
            "description": "`gzip` for a compressed body; leave it out otherwise.",
            "schema": {"type": "string", "enum": ["gzip", "identity"]},
        }
    ],
}


@router.post("", status_code=201, response_model=RunDetail, summary="Create a run")
async def create_run(
    body: RunCreate,
    principal: Annotated[Principal, Depends(require("runs:create"))],
    state: Annotated[AppState, Depends(app_state)],
) -> Response:
    """Create a run in status `queued`; upload its results next, then complete it."""
    detail = await runs.create_run(
        state.db,
        principal.organization_id,
        project_id=body.project_id,
        environment=body.environment,
        suite=body.suite,
        commit_sha=body.commit_sha,
        branch=body.branch,
        build_url=body.build_url,
        source=body.source,
        started_at=body.started_at,
    )
    return json_response(serializers.run_detail(detail), 201)


@router.get("", response_model=RunList, summary="List runs")
async def list_runs(
    principal: Annotated[Principal, Depends(require("runs:read"))],
    state: Annotated[AppState, Depends(app_state)],
    page: Annotated[PageParams, Depends(page_params)],
    project_id: Annotated[
        str | None, Query(max_length=64, description="Only this project's runs.")
    ] = None,
    environment: Annotated[
        str | None, Query(max_length=100, description="Only runs in this environment.")
    ] = None,
    status: Annotated[RunStatus | None, Query(description="Only runs in this status.")] = None,
    created_from: Annotated[
        Timestamp | None, Query(alias="from", description="Only runs created at or after this.")
    ] = None,
    created_to: Annotated[
        Timestamp | None, Query(alias="to", description="Only runs created before this.")
    ] = None,
) -> Response:
    """List the organization's runs, newest first. List items leave out `uploads`."""
    check_range(created_from, created_to, "from", "to")
    filters = {
        "project_id": project_id,
        "environment": environment,
        "status": status,
        "from": created_from,
        "to": created_to,
    }
    after = start_position(state, principal, "runs", filters, page)
    result = await runs.list_runs(
        state.db,
        principal.organization_id,
        project_id=project_id,
        environment=environment,
        status=status,
        created_from=created_from,
        created_to=created_to,
        limit=page.limit,
        after=after,
    )
    return list_response(state, principal, "runs", filters, result, serializers.run)


@router.get("/{run_id}", response_model=RunDetail, summary="Retrieve a run")
async def get_run(
    run_id: RunId,
    principal: Annotated[Principal, Depends(require("runs:read"))],
    state: Annotated[AppState, Depends(app_state)],
) -> Response:
    """Retrieve a run with its status, counts, duration and the provenance of its uploads."""
    detail = await runs.get_run(state.db, principal.organization_id, run_id)
    return json_response(serializers.run_detail(detail))


@router.post("/{run_id}/complete", response_model=RunDetail, summary="Complete a run")
async def complete_run(
    run_id: RunId,
    principal: Annotated[Principal, Depends(require("runs:create"))],
    state: Annotated[AppState, Depends(app_state)],
    body: RunComplete | None = None,
) -> Response:
    """End a `queued` or `running` run; its status comes from its results unless given."""
    status = body.status if body is not None else None
    detail = await runs.complete_run(
        state.db,
        principal.organization_id,
        run_id,
        status,
        retention_days=state.settings.retention_days,
    )
    state.job_signal.set()
    return json_response(serializers.run_detail(detail))


@router.post("/{run_id}/cancel", response_model=RunDetail, summary="Cancel a run")
async def cancel_run(
    run_id: RunId,
    principal: Annotated[Principal, Depends(require("runs:cancel"))],
    state: Annotated[AppState, Depends(app_state)],
) -> Response:
    """Cancel a `queued` or `running` run. A run in a terminal status gets 409."""
    detail = await runs.cancel_run(state.db, principal.organization_id, run_id)
    return json_response(serializers.run_detail(detail))


@router.post(
    "/{run_id}/results",
    status_code=201,
    response_model=ResultsUpload,
    summary="Upload results into a run",
    openapi_extra=_UPLOAD_OPENAPI,
)
async def upload_results(
    run_id: RunId,
    request: Request,
    principal: Annotated[Principal, Depends(require("runs:create"))],
    state: Annotated[AppState, Depends(app_state)],
    filename: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=512,
            description="The file's name, kept as the upload's provenance.",
        ),
    ] = None,
) -> Response:
    """Store one results file in a run, whole or not at all.

    A `queued` run becomes `running`. A file that cannot be read gets a 400 whose code
    gives the reason and whose message names the line, and nothing of it is stored.
    """
    # Phase 1: everything the headers and the run can tell, before the body is read.
    if filename is not None:
        _check_filename(filename)
    media_type = _upload_media_type(request)
    gzip = _is_gzip(request)
    limit = state.settings.max_upload_bytes
    _check_declared_length(request, limit)
    await uploads.check_run_accepts_results(state.db, principal.organization_id, run_id)

    # Phase 2: receive the body, then parse and store it in one transaction.
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115
    try:
        byte_size = await _receive_body(request, spool, limit)
        spool.seek(0)
        outcome = await uploads.upload_results(
            state.db,
            principal.organization_id,
            run_id,
            spool,
            media_type=media_type,
            gzip=gzip,
            filename=filename,
            byte_size=byte_size,
            max_decompressed_bytes=limit,
        )
    finally:
        spool.close()
    return json_response(serializers.results_upload(outcome.upload, outcome.run), 201)


def _check_filename(filename: str) -> None:
    if any(ord(char) < 32 or ord(char) == 127 for char in filename):
        raise ZofError(
            "invalid_parameter", "filename must not contain control characters.", "filename"
        )


def _upload_media_type(request: Request) -> str:
    header = request.headers.get("content-type", "")
    media_type = header.split(";", 1)[0].strip().lower()
    if media_type not in UPLOAD_MEDIA_TYPES:
        raise ZofError(
            "unsupported_media_type",
            "Results uploads take Content-Type application/xml or text/xml (JUnit XML) or "
            f"application/json (the JSON batch); got {media_type or 'none'!r}.",
            "Content-Type",
        )
    return media_type


def _is_gzip(request: Request) -> bool:
    encoding = request.headers.get("content-encoding", "").strip().lower()
    if encoding in {"", "identity"}:
        return False
    if encoding in {"gzip", "x-gzip"}:
        return True
    raise ZofError(
        "unsupported_media_type",
        f"Content-Encoding {encoding!r} is not supported; send the body uncompressed or with "
        "Content-Encoding: gzip.",
        "Content-Encoding",
    )


def _too_large(limit: int) -> ZofError:
    return ZofError(
        "body_too_large",
        f"The body is larger than the upload limit of {limit} bytes. Split the results into "
        "several uploads, or compress them with Content-Encoding: gzip.",
    )


def _check_declared_length(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length")
    if declared is None:
        return
    if not declared.strip().isdigit():
        raise ZofError(
            "invalid_header",
            f"Content-Length must be a whole number of bytes; got {declared!r}.",
            "Content-Length",
        )
    if int(declared) > limit:
        raise _too_large(limit)


async def _receive_body(request: Request, spool: IO[bytes], limit: int) -> int:
    """Copy the body into `spool`, counting bytes, since chunked bodies declare no length."""
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            spool.write(chunk)
    except ClientDisconnect:
        raise ZofError(
            "invalid_parameter", "The client disconnected before sending the whole body."
        ) from None
    return size
