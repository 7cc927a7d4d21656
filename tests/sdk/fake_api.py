"""A scripted fake API on httpx.MockTransport, and sample objects for its responses."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

Answer = Callable[[httpx.Request], httpx.Response]

# Wall-clock time the fake clock returns: 2026-12-04T12:00:00Z.
NOW = datetime(2026, 12, 4, 12, 0, 0, tzinfo=UTC)

PROJECT = {
    "id": "proj_1",
    "object": "project",
    "name": "checkout",
    "description": "Checkout service",
    "created_at": "2026-12-01T09:00:00Z",
    "updated_at": "2026-12-01T09:00:00Z",
}
API_KEY = {
    "id": "key_1",
    "object": "api_key",
    "name": "ci",
    "role": "engineer",
    "permissions": ["runs:create"],
    "prefix": "zof_ab12",
    "created_at": "2026-12-01T09:00:00Z",
    "expires_at": None,
    "revoked_at": None,
    "last_used_at": None,
}
RUN = {
    "id": "run_1",
    "object": "run",
    "project_id": "proj_1",
    "environment": "staging",
    "suite": None,
    "status": "queued",
    "source": "api",
    "commit_sha": "4f2a9c1",
    "branch": "main",
    "build_url": None,
    "created_at": "2026-12-01T09:00:00Z",
    "started_at": None,
    "completed_at": None,
    "duration_ms": None,
    "counts": {"total": 0, "passed": 0, "failed": 0, "error": 0, "skipped": 0, "flaky": 0},
}
RESULT = {
    "id": "res_1",
    "object": "result",
    "run_id": "run_1",
    "project_id": "proj_1",
    "environment": "staging",
    "suite": "unit",
    "classname": "tests.test_cart",
    "name": "test_total",
    "status": "failed",
    "duration_ms": 12,
    "message": "assert 3 == 4",
    "failure_type": "AssertionError",
    "flaky": False,
    "attempts": 1,
    "file": "tests/test_cart.py",
    "line": 42,
    "created_at": "2026-12-01T09:01:00Z",
}
REPORT = {
    "id": "rpt_1",
    "object": "report",
    "kind": "summary",
    "status": "queued",
    "scope": {"type": "project", "project_id": "proj_1", "environment": None, "suite": None},
    "period": {"start": "2026-11-27T00:00:00Z", "end": "2026-12-04T00:00:00Z"},
    "source": "api",
    "created_at": "2026-12-04T11:00:00Z",
    "completed_at": None,
    "expires_at": None,
    "summary": None,
    "error": None,
}
SCHEDULE = {
    "id": "rsch_1",
    "object": "report_schedule",
    "name": "weekly",
    "cron": "0 6 * * 1",
    "kind": "summary",
    "scope": {"type": "organization"},
    "range": "previous_week",
    "enabled": True,
    "next_run_at": "2026-12-07T06:00:00Z",
    "created_at": "2026-12-01T09:00:00Z",
    "updated_at": "2026-12-01T09:00:00Z",
}


def reply(status: int = 200, body: Any = None, headers: dict[str, str] | None = None) -> Answer:
    """Return a handler that builds a fresh response each time it is called."""

    def build(request: httpx.Request) -> httpx.Response:
        all_headers = {"X-Request-Id": f"req_{status}", **(headers or {})}
        if isinstance(body, bytes):
            return httpx.Response(status, content=body, headers=all_headers)
        return httpx.Response(status, json=body, headers=all_headers)

    return build


def error_reply(
    status: int,
    code: str,
    message: str = "Something went wrong.",
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    body = {
        "error": {
            "type": "invalid_request_error",
            "code": code,
            "message": message,
            "param": param,
            "request_id": "req_abc",
        }
    }
    return reply(status, body, {"X-Request-Id": "req_abc", **(headers or {})})


def fail(error_class: type[httpx.TransportError], message: str = "boom") -> Answer:
    def raise_error(request: httpx.Request) -> httpx.Response:
        raise error_class(message, request=request)

    return raise_error


def page(items: list[dict[str, Any]], next_cursor: str | None = None) -> Answer:
    envelope = {
        "object": "list",
        "data": items,
        "has_more": next_cursor is not None,
        "next_cursor": next_cursor,
    }
    return reply(200, envelope)


class FakeAPI:
    """Respond to requests in script order, repeating the last handler when the script runs out."""

    def __init__(self, answers: Iterable[Answer]) -> None:
        self.answers = list(answers) or [reply(200, {})]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        index = min(len(self.requests), len(self.answers)) - 1
        return self.answers[index](request)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def json_body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


class FakeClock:
    """A monotonic clock that only moves when the client sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


@dataclass
class Harness:
    """A client of one flavour (sync or async) talking to a `FakeAPI`."""

    api: FakeAPI
    client: Any
    clock: FakeClock
    is_async: bool
    http: Any = field(repr=False)

    @property
    def sleeps(self) -> list[float]:
        return self.clock.sleeps

    async def call(self, action: Callable[[Any], Any]) -> Any:
        """Run `action(client)` and await the result for the async client."""
        result = action(self.client)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def collect(self, pager: Any, count: int | None = None) -> list[Any]:
        """Take `count` items (all when None) from a sync or async pager."""
        items: list[Any] = []
        if self.is_async:
            async for item in pager:
                items.append(item)
                if len(items) == count:
                    break
        else:
            for item in pager:
                items.append(item)
                if len(items) == count:
                    break
        return items


HarnessFactory = Callable[..., Harness]
