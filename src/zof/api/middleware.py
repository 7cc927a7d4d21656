"""The outermost middleware: request ids, access logs, extra headers and the last-resort 500."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zof.api import context
from zof.api.envelope import error_body
from zof.core.errors import CATALOG
from zof.core.ids import new_id
from zof.core.logs import request_id_var

log = logging.getLogger("zof.access")

# Bounds checked before any route runs. The HTTP server parses the request line and
# headers first, so these limits keep a request's size bounded before the app reads it.
MAX_QUERY_BYTES = 8 * 1024
MAX_HEADER_BYTES = 16 * 1024
error_log = logging.getLogger("zof.api")


class RequestContextMiddleware:
    """Give each request an id, and put it on the response, in the logs and in error bodies.

    Headers that inner layers leave in the request context (rate-limit figures) are
    added to whatever response goes out, errors included. An exception that nothing
    else handled becomes a generic 500 here: the trace goes to the log, never to the
    client.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request_id = new_id("req")
        ctx = context.RequestContext(request_id=request_id)
        context_token = context.current.set(ctx)
        log_token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                headers.append((b"x-request-id", request_id.encode()))
                present = {name.lower() for name, _ in headers}
                for name, value in ctx.response_headers.items():
                    encoded = name.lower().encode()
                    if encoded not in present:
                        headers.append((encoded, value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            refusal = _oversized(scope)
            if refusal is not None:
                code, message = refusal
                status = CATALOG[code].status
                await send_with_headers(
                    {
                        "type": "http.response.start",
                        "status": status,
                        "headers": [(b"content-type", b"application/json")],
                    }
                )
                await send(
                    {
                        "type": "http.response.body",
                        "body": error_body(code, message, None, request_id),
                    }
                )
                return
            await self.app(scope, receive, send_with_headers)
        except Exception:
            error_log.exception("unhandled error in %s %s", scope["method"], scope["path"])
            if not response_started:
                status = 500
                body = error_body(
                    "internal_error",
                    "An unexpected error occurred. Quote the request id when reporting it.",
                    None,
                    request_id,
                )
                await send_with_headers(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [(b"content-type", b"application/json")],
                    }
                )
                await send({"type": "http.response.body", "body": body})
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            log.info("%s %s %d %.1fms", scope["method"], scope["path"], status, elapsed_ms)
            request_id_var.reset(log_token)
            context.current.reset(context_token)


def _oversized(scope: Scope) -> tuple[str, str] | None:
    query = scope.get("query_string", b"")
    if len(query) > MAX_QUERY_BYTES:
        return "query_too_long", (
            f"The query string has {len(query)} bytes; the limit is {MAX_QUERY_BYTES}."
        )
    header_bytes = sum(len(name) + len(value) for name, value in scope["headers"])
    if header_bytes > MAX_HEADER_BYTES:
        return "headers_too_large", (
            f"The request headers have {header_bytes} bytes; the limit is {MAX_HEADER_BYTES}."
        )
    return None
