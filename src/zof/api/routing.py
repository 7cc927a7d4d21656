"""The route class every endpoint uses: strict query strings, JSON content types, and a
marker that records for the idempotency layer whether the handler itself started."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import orjson
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from zof.api import context
from zof.core.errors import ZofError


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def _mark_started(endpoint: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(endpoint)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = context.get()
        if ctx is not None:
            ctx.handler_started = True
        return await endpoint(*args, **kwargs)

    return wrapper


class ZofRoute(APIRoute):
    """An APIRoute that rejects unknown or repeated query parameters and non-JSON bodies.

    FastAPI ignores query parameters a route does not declare; a typo such as
    `?projct_id=` would then silently widen a list, so it is a 400 here.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _mark_started(endpoint), **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        # Called from APIRoute.__init__, once the dependant and body field exist.
        handler = super().get_route_handler()
        allowed = frozenset(_query_names(self.dependant))
        takes_json = self.body_field is not None

        async def checked_handler(request: Request) -> Response:
            _check_query(request, allowed)
            if takes_json and _check_json_content_type(request):
                await _read_json_body(request)
            return await handler(request)

        return checked_handler


def _check_query(request: Request, allowed: frozenset[str]) -> None:
    seen: set[str] = set()
    for name, _ in request.query_params.multi_items():
        if name not in allowed:
            listed = ", ".join(sorted(allowed)) or "none"
            raise ZofError(
                "unknown_parameter",
                f"Unknown query parameter {name!r}. This route takes: {listed}.",
                name,
            )
        if name in seen:
            raise ZofError("invalid_parameter", f"Query parameter {name!r} is given twice.", name)
        seen.add(name)


def _check_json_content_type(request: Request) -> bool:
    """Return whether the request has a body; raise 415 unless that body is JSON."""
    has_body = request.headers.get("content-length", "0") != "0" or (
        "transfer-encoding" in request.headers
    )
    if not has_body:
        return False
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise ZofError(
            "unsupported_media_type",
            f"This route takes JSON bodies; send Content-Type: application/json "
            f"(got {media_type or 'none'!r}).",
            "Content-Type",
        )
    return True


async def _read_json_body(request: Request) -> None:
    """Read the body within the JSON size limit and check it is UTF-8 JSON.

    FastAPI would read any size into memory and reject invalid UTF-8 with a generic
    parse error. This returns 413, or 400 `invalid_json` with the position, instead.
    The bytes are kept where Starlette caches a body, so FastAPI does not read again.
    """
    limit: int = request.app.state.zof.settings.max_json_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise _too_large(limit)
    try:
        orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise ZofError("invalid_json", f"The body is not valid JSON: {error}.") from None
    request._body = bytes(body)


def _too_large(limit: int) -> ZofError:
    return ZofError("body_too_large", f"JSON bodies are limited to {limit} bytes.")
