"""Client configuration, headers, error objects and closing."""

from __future__ import annotations

import httpx
import pytest

import zof.client
from zof.client import (
    APIError,
    AsyncZof,
    ConflictError,
    InternalServerError,
    NotFoundError,
    Zof,
    ZofError,
)

from .fake_api import PROJECT, FakeAPI, HarnessFactory, error_reply, reply


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZOF_API_KEY", raising=False)
    monkeypatch.delenv("ZOF_BASE_URL", raising=False)


async def test_headers_sent(make_harness: HarnessFactory) -> None:
    harness = make_harness(reply(200, PROJECT))

    await harness.call(lambda c: c.projects.get("proj_1"))

    headers = harness.api.last.headers
    assert headers["authorization"] == "Bearer sk_test"
    assert headers["user-agent"] == f"zof-python/{zof.client.__version__}"
    assert headers["accept"] == "application/json"
    assert "x-request-id" not in headers


async def test_default_base_url(make_harness: HarnessFactory) -> None:
    harness = make_harness(reply(200, PROJECT))

    await harness.call(lambda c: c.projects.get("proj_1"))

    assert str(harness.api.last.url) == "http://127.0.0.1:8080/v1/projects/proj_1"


async def test_base_url_argument(make_harness: HarnessFactory) -> None:
    harness = make_harness(reply(200, PROJECT), base_url="http://127.0.0.1:9000/zof/")

    await harness.call(lambda c: c.projects.get("proj_1"))

    assert str(harness.api.last.url) == "http://127.0.0.1:9000/zof/v1/projects/proj_1"
    assert harness.client.base_url == "http://127.0.0.1:9000/zof/v1"


@pytest.mark.parametrize("client_class", [Zof, AsyncZof])
def test_settings_from_environment(
    monkeypatch: pytest.MonkeyPatch, client_class: type[Zof] | type[AsyncZof]
) -> None:
    monkeypatch.setenv("ZOF_API_KEY", "sk_env")
    monkeypatch.setenv("ZOF_BASE_URL", "http://127.0.0.1:7000")

    client = client_class()

    assert client.base_url == "http://127.0.0.1:7000/v1"
    assert client._config.default_headers["Authorization"] == "Bearer sk_env"


@pytest.mark.parametrize("client_class", [Zof, AsyncZof])
def test_missing_api_key_raises(client_class: type[Zof] | type[AsyncZof]) -> None:
    with pytest.raises(ZofError, match="ZOF_API_KEY"):
        client_class()


def test_negative_max_retries_rejected() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        Zof(api_key="sk_test", max_retries=-1)


def test_timeout_applies_per_request() -> None:
    api = FakeAPI([reply(200, PROJECT)])
    with httpx.Client(transport=httpx.MockTransport(api)) as http:
        Zof(api_key="sk_test", http_client=http, timeout=4.5).projects.get("proj_1")

    assert api.last.extensions["timeout"] == {
        "connect": 4.5,
        "read": 4.5,
        "write": 4.5,
        "pool": 4.5,
    }


def test_context_manager_closes_own_client() -> None:
    with Zof(api_key="sk_test") as client:
        http = client._http
    assert http.is_closed


def test_supplied_client_stays_open() -> None:
    with httpx.Client() as http:
        with Zof(api_key="sk_test", http_client=http):
            pass
        assert not http.is_closed


async def test_async_context_manager_closes() -> None:
    async with AsyncZof(api_key="sk_test") as client:
        http = client._http
    assert http.is_closed


async def test_error_str_names_code_and_request(make_harness: HarnessFactory) -> None:
    harness = make_harness(
        error_reply(409, "run_not_cancelable", message="Run run_123 is already passed.")
    )

    with pytest.raises(ConflictError) as caught:
        await harness.call(lambda c: c.runs.cancel("run_123"))

    assert str(caught.value) == (
        "run_not_cancelable: Run run_123 is already passed. (request_id=req_abc)"
    )


async def test_error_without_envelope(make_harness: HarnessFactory) -> None:
    bad_gateway = reply(502, b"<html>Bad Gateway</html>", {"X-Request-Id": "req_proxy"})
    harness = make_harness(bad_gateway, max_retries=0)

    with pytest.raises(InternalServerError) as caught:
        await harness.call(lambda c: c.projects.get("proj_1"))

    error = caught.value
    assert error.code is None
    assert error.message == "Bad Gateway"
    assert error.request_id == "req_proxy"
    assert error.body == "<html>Bad Gateway</html>"
    assert str(error) == "HTTP 502: Bad Gateway (request_id=req_proxy)"


async def test_unmapped_status_is_api_error(make_harness: HarnessFactory) -> None:
    harness = make_harness(error_reply(405, "method_not_allowed"))

    with pytest.raises(APIError) as caught:
        await harness.call(lambda c: c.projects.get("proj_1"))

    assert type(caught.value) is APIError
    assert caught.value.status_code == 405


async def test_request_id_from_header_fallback(make_harness: HarnessFactory) -> None:
    body = {"error": {"type": "not_found_error", "code": "not_found", "message": "No run."}}
    harness = make_harness(reply(404, body, {"X-Request-Id": "req_header"}))

    with pytest.raises(NotFoundError) as caught:
        await harness.call(lambda c: c.runs.get("run_9"))

    assert caught.value.request_id == "req_header"
    assert caught.value.param is None


def test_errors_share_one_base() -> None:
    for name in zof.client.__all__:
        exported = getattr(zof.client, name)
        if isinstance(exported, type) and issubclass(exported, Exception):
            assert issubclass(exported, ZofError), name
