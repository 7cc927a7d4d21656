"""The error envelope every non-2xx answer uses."""

from __future__ import annotations

from collections.abc import Mapping

import orjson
from starlette.responses import Response

from zof.api import context
from zof.core.errors import CATALOG, ZofError


def error_body(code: str, message: str, param: str | None, request_id: str | None) -> bytes:
    spec = CATALOG[code]
    return orjson.dumps(
        {
            "error": {
                "type": spec.type,
                "code": code,
                "message": message,
                "param": param,
                "request_id": request_id,
            }
        }
    )


def error_response(
    code: str,
    message: str,
    param: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    ctx = context.get()
    request_id = ctx.request_id if ctx else None
    return Response(
        error_body(code, message, param, request_id),
        status_code=CATALOG[code].status,
        media_type="application/json",
        headers=dict(headers or {}),
    )


def from_error(error: ZofError) -> Response:
    return error_response(error.code, error.message, error.param, error.headers)
