"""Templates, security headers, and the route class that turns failures into pages.

Every console response, redirects and downloads included, carries a Content-Security-Policy
that allows nothing but this origin's style sheet: no scripts at all, no frames, no
requests to other hosts. Jinja2 escapes every value the templates print.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from zof.console import views
from zof.console.session import (
    PREFIX,
    ConsoleForbidden,
    InvalidForm,
    Session,
    SignInRequired,
    clear_key_cookie,
)
from zof.core.errors import ZofError

__all__ = ["PREFIX", "ConsoleRoute", "error_page", "redirect", "render"]

log = logging.getLogger("zof.console")

_environment = jinja2.Environment(
    loader=jinja2.PackageLoader("zof.console", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.globals.update(views.TEMPLATE_HELPERS)

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    # Pages show one organization's data to one key; no cache should keep them, and the
    # back button after sign-out must not show them again.
    "Cache-Control": "no-store",
}

_ERROR_TITLES = {
    400: "Invalid request",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Not possible yet",
    413: "Too large",
    415: "Unsupported form",
    429: "Too many requests",
    503: "Service busy",
}


def render(
    request: Request,
    template: str,
    *,
    session: Session | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    html = _environment.get_template(template).render(
        session=session,
        current_path=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    title = _ERROR_TITLES.get(status, "Error")
    return render(request, "error.html", status=status, title=title, message=message)


def redirect(path: str, **query: str) -> RedirectResponse:
    """Redirect with 303, so the browser follows a form POST with a GET."""
    target = f"{path}?{urlencode(query)}" if query else path
    return RedirectResponse(target, status_code=303)


def sign_in_redirect(request: Request, reason: str | None) -> Response:
    response = redirect("/console/", reason=reason) if reason else redirect("/console/")
    if reason == "expired":
        clear_key_cookie(response, request)
    return response


def add_security_headers(response: Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        if name.lower() not in response.headers:
            response.headers[name] = value


class ConsoleRoute(APIRoute):
    """An APIRoute that renders failures as HTML pages instead of the API's JSON errors."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def console_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except SignInRequired as signal:
                response = sign_in_redirect(request, signal.reason)
            except ConsoleForbidden as error:
                response = error_page(request, 403, error.message)
            except InvalidForm as error:
                response = error_page(request, error.status, error.message)
            except ZofError as error:
                if error.spec.status >= 500:
                    log.warning("console %s %s failed: %s", request.method, request.url.path, error)
                response = error_page(request, error.spec.status, error.message)
                response.headers.update(error.headers)
            add_security_headers(response)
            return response

        return console_handler
