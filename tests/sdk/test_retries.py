"""Retries: which failures repeat, how long the client sleeps, and the idempotency key."""

from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from zof.client import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    InternalServerError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)

from .fake_api import NOW, PROJECT, HarnessFactory, error_reply, fail, reply


def http_date(seconds_from_now: float) -> str:
    return format_datetime(NOW + timedelta(seconds=seconds_from_now), usegmt=True)


def get_project(client: Any) -> Any:
    return client.projects.get("proj_1")


def create_project(client: Any) -> Any:
    return client.projects.create("checkout")


@pytest.mark.parametrize(
    ("headers", "expected_sleep"),
    [
        ({"Retry-After": "0"}, 0.0),
        ({"Retry-After": "3"}, 3.0),
        ({"Retry-After": "1.5"}, 1.5),
        ({"Retry-After": "60"}, 60.0),
        ({"Retry-After": http_date(5)}, 5.0),
        ({"Retry-After": http_date(-30)}, 0.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "1500", "Retry-After": "9"}, 1.5),
    ],
    ids=["zero", "seconds", "fraction", "cap", "date", "past-date", "ms", "ms-wins"],
)
async def test_retry_after_is_honoured(
    make_harness: HarnessFactory, headers: dict[str, str], expected_sleep: float
) -> None:
    harness = make_harness(error_reply(429, "rate_limited", headers=headers), reply(200, PROJECT))

    project = await harness.call(get_project)

    assert project.id == "proj_1"
    assert harness.sleeps == [expected_sleep]
    assert len(harness.api.requests) == 2


@pytest.mark.parametrize(
    ("headers", "expected_retry_after"),
    [
        ({"Retry-After": "61"}, 61.0),
        ({"Retry-After": "3600"}, 3600.0),
        ({"Retry-After": http_date(120)}, 120.0),
        ({"retry-after-ms": "60001"}, 60.001),
    ],
    ids=["seconds", "hour", "date", "ms"],
)
async def test_retry_after_above_cap_raises(
    make_harness: HarnessFactory, headers: dict[str, str], expected_retry_after: float
) -> None:
    harness = make_harness(error_reply(429, "rate_limited", headers=headers), reply(200, PROJECT))

    with pytest.raises(RateLimitError) as caught:
        await harness.call(get_project)

    assert caught.value.retry_after == pytest.approx(expected_retry_after)
    assert len(harness.api.requests) == 1
    assert harness.sleeps == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Retry-After": "soon"},
        {"Retry-After": "-1"},
        {"Retry-After": "1e3"},
        {"Retry-After": ""},
        {"Retry-After": "Wed, 99 Foo 2026 25:00:00 GMT"},
        {"retry-after-ms": "fast"},
    ],
    ids=["word", "negative", "exponent", "empty", "bad-date", "bad-ms"],
)
async def test_malformed_retry_after_uses_jitter(
    make_harness: HarnessFactory, headers: dict[str, str]
) -> None:
    harness = make_harness(error_reply(429, "rate_limited", headers=headers), reply(200, PROJECT))

    await harness.call(get_project)

    # random() returns 0.5 and the first retry's ceiling is 0.5 s.
    assert harness.sleeps == [0.25]


@pytest.mark.parametrize("random_value", [0.0, 0.5, 0.999])
async def test_jitter_stays_within_bounds(
    make_harness: HarnessFactory, random_value: float
) -> None:
    harness = make_harness(
        error_reply(503, "unavailable"), random=lambda: random_value, max_retries=6
    )

    with pytest.raises(InternalServerError):
        await harness.call(get_project)

    ceilings = [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert harness.sleeps == pytest.approx([random_value * c for c in ceilings])


async def test_idempotency_key_same_on_retries(make_harness: HarnessFactory) -> None:
    harness = make_harness(
        error_reply(503, "unavailable"), fail(httpx.ConnectError), reply(201, PROJECT)
    )

    await harness.call(create_project)

    keys = {request.headers["idempotency-key"] for request in harness.api.requests}
    assert len(harness.api.requests) == 3
    assert len(keys) == 1
    assert keys.pop().startswith("zof-")


async def test_idempotency_key_new_per_call(make_harness: HarnessFactory) -> None:
    harness = make_harness(reply(201, PROJECT))

    await harness.call(create_project)
    await harness.call(create_project)

    first, second = (request.headers["idempotency-key"] for request in harness.api.requests)
    assert first != second


async def test_idempotency_key_from_caller(make_harness: HarnessFactory) -> None:
    harness = make_harness(error_reply(500, "internal"), reply(201, PROJECT))

    await harness.call(lambda c: c.projects.create("checkout", idempotency_key="deploy-42"))

    assert [r.headers["idempotency-key"] for r in harness.api.requests] == ["deploy-42"] * 2


async def test_get_sends_no_idempotency_key(make_harness: HarnessFactory) -> None:
    harness = make_harness(reply(200, PROJECT))

    await harness.call(get_project)

    assert "idempotency-key" not in harness.api.last.headers


@pytest.mark.parametrize(
    ("status", "code", "error_class"),
    [
        (400, "invalid_parameter", InvalidRequestError),
        (401, "authentication_required", AuthenticationError),
        (403, "permission_denied", PermissionDeniedError),
        (404, "not_found", NotFoundError),
        (409, "run_not_cancelable", ConflictError),
        (413, "body_too_large", InvalidRequestError),
        (415, "unsupported_media_type", InvalidRequestError),
        (422, "idempotency_key_reused", UnprocessableEntityError),
    ],
)
async def test_client_errors_raise_at_once(
    make_harness: HarnessFactory, status: int, code: str, error_class: type[APIError]
) -> None:
    harness = make_harness(
        error_reply(status, code, message="Bad.", param="name"), reply(200, PROJECT)
    )

    with pytest.raises(error_class) as caught:
        await harness.call(create_project)

    error = caught.value
    assert type(error) is error_class
    assert error.status_code == status
    assert error.code == code
    assert error.param == "name"
    assert error.message == "Bad."
    assert error.request_id == "req_abc"
    assert error.body["error"]["code"] == code
    assert len(harness.api.requests) == 1
    assert harness.sleeps == []


@pytest.mark.parametrize(
    ("status", "code", "error_class"),
    [
        (408, "request_timeout", APIError),
        (409, "idempotency_key_in_use", ConflictError),
        (429, "rate_limited", RateLimitError),
        (500, "internal_error", InternalServerError),
        (502, "bad_gateway", InternalServerError),
        (503, "unavailable", InternalServerError),
        (504, "gateway_timeout", InternalServerError),
    ],
)
async def test_transient_errors_retry_then_raise(
    make_harness: HarnessFactory, status: int, code: str, error_class: type[APIError]
) -> None:
    harness = make_harness(error_reply(status, code))

    with pytest.raises(error_class) as caught:
        await harness.call(create_project)

    assert type(caught.value) is error_class
    assert caught.value.code == code
    assert len(harness.api.requests) == 3
    assert len(harness.sleeps) == 2


async def test_exhausted_429_carries_retry_after(make_harness: HarnessFactory) -> None:
    harness = make_harness(error_reply(429, "rate_limited", headers={"Retry-After": "2"}))

    with pytest.raises(RateLimitError) as caught:
        await harness.call(get_project)

    assert caught.value.retry_after == 2.0
    assert harness.sleeps == [2.0, 2.0]


async def test_max_retries_zero_sends_once(make_harness: HarnessFactory) -> None:
    harness = make_harness(error_reply(503, "unavailable"), max_retries=0)

    with pytest.raises(InternalServerError):
        await harness.call(get_project)

    assert len(harness.api.requests) == 1


async def test_delete_is_retried(make_harness: HarnessFactory) -> None:
    harness = make_harness(
        error_reply(503, "unavailable"), reply(200, {"id": "rpt_1", "object": "report"})
    )

    deleted = await harness.call(lambda c: c.reports.delete("rpt_1"))

    assert deleted.deleted
    assert [r.method for r in harness.api.requests] == ["DELETE", "DELETE"]


@pytest.mark.parametrize(
    ("error_class", "raised"),
    [
        (httpx.ConnectError, APIConnectionError),
        (httpx.ReadError, APIConnectionError),
        (httpx.RemoteProtocolError, APIConnectionError),
        (httpx.ConnectTimeout, APITimeoutError),
        (httpx.ReadTimeout, APITimeoutError),
        (httpx.PoolTimeout, APITimeoutError),
    ],
)
async def test_transport_errors_retry_then_raise(
    make_harness: HarnessFactory,
    error_class: type[httpx.TransportError],
    raised: type[APIConnectionError],
) -> None:
    harness = make_harness(fail(error_class, "network down"))

    with pytest.raises(raised) as caught:
        await harness.call(get_project)

    assert type(caught.value) is raised
    assert isinstance(caught.value.__cause__, error_class)
    assert "GET /v1/projects/proj_1" in str(caught.value)
    assert len(harness.api.requests) == 3
    assert harness.sleeps == [0.25, 0.5]


async def test_connection_error_then_success(make_harness: HarnessFactory) -> None:
    harness = make_harness(fail(httpx.ConnectError), reply(200, PROJECT))

    project = await harness.call(get_project)

    assert project.name == "checkout"
    assert len(harness.api.requests) == 2


async def test_unsupported_protocol_not_retried(make_harness: HarnessFactory) -> None:
    harness = make_harness(fail(httpx.UnsupportedProtocol, "ftp is not supported"))

    with pytest.raises(APIConnectionError):
        await harness.call(get_project)

    assert len(harness.api.requests) == 1


async def test_should_retry_true_overrides(make_harness: HarnessFactory) -> None:
    harness = make_harness(
        error_reply(400, "invalid_parameter", headers={"X-Should-Retry": "true"}),
        reply(200, PROJECT),
    )

    await harness.call(get_project)

    assert len(harness.api.requests) == 2


async def test_should_retry_false_overrides(make_harness: HarnessFactory) -> None:
    harness = make_harness(
        error_reply(503, "unavailable", headers={"X-Should-Retry": "false"}),
        reply(200, PROJECT),
    )

    with pytest.raises(InternalServerError):
        await harness.call(get_project)

    assert len(harness.api.requests) == 1


async def test_should_retry_other_value_ignored(make_harness: HarnessFactory) -> None:
    harness = make_harness(
        error_reply(404, "not_found", headers={"X-Should-Retry": "maybe"}),
        reply(200, PROJECT),
    )

    with pytest.raises(NotFoundError):
        await harness.call(get_project)

    assert len(harness.api.requests) == 1


async def test_each_retry_logs_one_line(
    make_harness: HarnessFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="zof.client")
    harness = make_harness(
        error_reply(503, "unavailable"), fail(httpx.ConnectError), reply(201, PROJECT)
    )

    await harness.call(create_project)

    records = [r for r in caplog.records if r.name == "zof.client"]
    assert [r.levelno for r in records] == [logging.INFO, logging.INFO]
    first, second = (r.getMessage() for r in records)
    assert "POST /v1/projects" in first
    assert "retry 1 of 2" in first
    assert "HTTP 503 unavailable" in first
    assert "request_id=req_abc" in first
    assert "in 0.25 s" in first
    assert "retry 2 of 2" in second
    assert "ConnectError" in second
    assert "request_id=-" in second


async def test_no_log_without_retry(
    make_harness: HarnessFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="zof.client")
    harness = make_harness(reply(200, PROJECT))

    await harness.call(get_project)

    assert [r for r in caplog.records if r.name == "zof.client"] == []


async def test_key_in_use_waits_retry_after(make_harness: HarnessFactory) -> None:
    in_use = error_reply(409, "idempotency_key_in_use", headers={"Retry-After": "1"})
    harness = make_harness(in_use, reply(201, PROJECT))

    project = await harness.call(create_project)

    assert project.id == "proj_1"
    assert harness.sleeps == [1.0]
    keys = {r.headers["idempotency-key"] for r in harness.api.requests}
    assert len(keys) == 1
