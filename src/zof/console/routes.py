"""The console's router: every page under `/console`, its style sheet, and `mount`."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from zof.console import report_pages, run_pages, sign_in
from zof.console.rendering import PREFIX, ConsoleRoute
from zof.core.errors import ZofError

_STYLE_SHEET = (resources.files("zof.console") / "static" / "console.css").read_bytes()

router = APIRouter(include_in_schema=False)
router.include_router(sign_in.router)
router.include_router(report_pages.router)
router.include_router(run_pages.router)

_fallback = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)


@_fallback.get("/static/console.css")
async def style_sheet() -> Response:
    return Response(
        _STYLE_SHEET,
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300"},
    )


# Registered last and for every method, so it only takes requests no page matched: they
# get an HTML 405 or 404 page instead of the API's JSON error.
@_fallback.api_route("/{path:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
async def unknown_page(request: Request, path: str) -> Response:
    allowed = sorted(
        method
        for pages in (sign_in.router, report_pages.router, run_pages.router)
        for route in pages.routes
        if isinstance(route, APIRoute) and route.path_regex.match(request.url.path)
        for method in route.methods or ()
    )
    if allowed:
        raise ZofError(
            "method_not_allowed",
            f"{request.method} is not allowed on this page. Allowed: {', '.join(allowed)}.",
            headers={"Allow": ", ".join(allowed)},
        )
    raise ZofError("route_not_found", "There is no console page at this address.")


router.include_router(_fallback)


def mount(app: FastAPI) -> None:
    """Add the console's routes to the application."""
    app.include_router(router)
