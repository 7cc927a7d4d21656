"""Exception handlers that turn every failure into the error envelope."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from zof.api.envelope import error_response, from_error
from zof.core.errors import ZofError

# The parts of a validation error location that name where the value came from,
# not the value itself.
_SOURCES = {"query", "body", "path", "header", "cookie"}


async def handle_zof_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, ZofError)
    return from_error(error)


async def handle_validation_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    first: dict[str, Any] = error.errors()[0]
    return from_validation_error(first)


def from_validation_error(detail: dict[str, Any]) -> Response:
    location = [str(part) for part in detail.get("loc", ()) if part not in _SOURCES]
    source = detail.get("loc", ("body",))[0]
    param = ".".join(location) or None
    kind = detail.get("type", "")
    message = str(detail.get("msg", "Invalid value.")).removeprefix("Value error, ")
    shown = repr(detail.get("input"))
    if len(shown) > 60:
        shown = shown[:60] + "..."
    subject = param or "The body"

    if kind == "json_invalid":
        return error_response("invalid_json", "The body is not valid JSON.", None)
    if kind == "missing":
        where = "query parameter" if source == "query" else "field"
        return error_response("missing_parameter", f"The {where} {param} is required.", param)
    if kind == "extra_forbidden":
        return error_response("unknown_parameter", f"Unknown field {param!r} in the body.", param)
    if param == "limit" and source == "query":
        return error_response(
            "invalid_parameter", f"limit must be an integer from 1 to 100; got {shown}.", param
        )
    if kind in {"literal_error", "enum"}:
        expected = detail.get("ctx", {}).get("expected", "")
        return error_response(
            "invalid_parameter",
            f"{subject} must be one of {expected}; got {shown}.",
            param,
        )
    return error_response("invalid_parameter", f"{subject}: {message}", param)


async def handle_http_exception(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code == 404:
        return error_response(
            "route_not_found", f"No route matches {request.method} {request.url.path}."
        )
    if error.status_code == 405:
        allow = ", ".join(_allowed_methods(request))
        return error_response(
            "method_not_allowed",
            f"{request.method} is not allowed on {request.url.path}. Allowed: {allow}.",
            headers={"Allow": allow},
        )
    return error_response("invalid_parameter", str(error.detail))


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route takes on this path; Starlette's own header names one route's."""
    methods: set[str] = set()
    for pattern, route_methods in request.app.state.route_methods:
        if pattern.match(request.url.path):
            methods |= route_methods
    return sorted(methods)


def index_methods(app: FastAPI, routers: list[APIRouter]) -> None:
    """Record each path's methods, for the `Allow` header of 405 responses."""
    app.state.route_methods = [
        (route.path_regex, set(route.methods or ()))
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
    ]


def install(app: FastAPI) -> None:
    app.add_exception_handler(ZofError, handle_zof_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(HTTPException, handle_http_exception)
