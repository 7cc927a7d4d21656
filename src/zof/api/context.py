"""Per-request context: the request id for logs, and whether the route handler started."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field


@dataclass
class RequestContext:
    request_id: str
    handler_started: bool = False
    response_headers: dict[str, str] = field(default_factory=dict)
    principal: object | None = None
    rate_limit_applied: bool = False


current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "zof_request_context", default=None
)


def get() -> RequestContext | None:
    return current.get()
