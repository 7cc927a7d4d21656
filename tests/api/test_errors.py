"""The error envelope, request ids, JSON 404/405 and the last-resort 500."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import Api

pytestmark = pytest.mark.usefixtures("backend")

ERROR_KEYS = {"type", "code", "message", "param", "request_id"}


async def test_error_body_has_every_field(api: Api) -> None:
    response = await api.get("/v1/projects", params={"limit": "0"})

    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == ERROR_KEYS
    assert response.headers["content-type"] == "application/json"


async def test_param_is_null_when_no_parameter_is_at_fault(api: Api) -> None:
    response = await api.get("/v1/nothing-here")

    assert response.json()["error"]["param"] is None


async def test_unhandled_exception_is_generic_500(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    @api.app.get("/v1/explode")
    async def explode() -> None:
        raise RuntimeError("secret detail: SELECT * FROM api_keys")

    with caplog.at_level(logging.ERROR, logger="zof.api"):
        response = await api.get("/v1/explode")

    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal_error"
    assert error["type"] == "api_error"
    assert "secret detail" not in response.text
    assert "RuntimeError" not in response.text
    assert "Traceback" not in response.text
    assert "SELECT" not in response.text
    assert response.headers["X-Request-Id"] == error["request_id"]
    logged = [r for r in caplog.records if r.name == "zof.api" and r.exc_info]
    assert logged
    assert logged[0].request_id == error["request_id"]  # type: ignore[attr-defined]
    assert "secret detail" in caplog.text


async def test_unknown_route_is_json_404(api: Api) -> None:
    response = await api.client.get("/v1/reportz")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "route_not_found"
    assert response.json()["error"]["type"] == "not_found_error"


async def test_wrong_method_is_405_with_allow(api: Api) -> None:
    response = await api.client.delete("/v1/projects", headers=api.headers())

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"
    assert response.json()["error"]["code"] == "method_not_allowed"


async def test_wrong_method_on_item_lists_all_methods(api: Api) -> None:
    response = await api.client.put("/v1/projects/proj_1", headers=api.headers())

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, PATCH"


@pytest.mark.parametrize(
    ("method", "path", "authenticated"),
    [
        ("GET", "/v1/projects", True),
        ("GET", "/v1/projects", False),
        ("GET", "/v1/projects?limit=0", True),
        ("GET", "/v1/projects/proj_missing", True),
        ("GET", "/v1/unknown", False),
        ("DELETE", "/v1/projects", True),
        ("GET", "/v1/openapi.json", False),
        ("GET", "/healthz", False),
    ],
)
async def test_every_response_has_a_request_id(
    api: Api, method: str, path: str, authenticated: bool
) -> None:
    headers = api.headers() if authenticated else {}

    response = await api.client.request(method, path, headers=headers)

    request_id = response.headers["X-Request-Id"]
    assert request_id.startswith("req_")
    if response.status_code >= 400:
        assert response.json()["error"]["request_id"] == request_id


async def test_request_ids_are_unique(api: Api) -> None:
    ids = {(await api.get("/v1/projects")).headers["X-Request-Id"] for _ in range(20)}

    assert len(ids) == 20


async def test_access_log_line_carries_request_id(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="zof.access"):
        response = await api.get("/v1/projects/proj_missing")

    request_id = response.headers["X-Request-Id"]
    lines = [r for r in caplog.records if r.name == "zof.access"]
    assert len(lines) == 1
    assert lines[0].request_id == request_id  # type: ignore[attr-defined]
    assert "404" in lines[0].getMessage()


async def test_error_codes_come_from_the_catalog(api: Api) -> None:
    from zof.core.errors import CATALOG

    responses = [
        await api.client.get("/v1/projects"),
        await api.get("/v1/projects", params={"limit": "x"}),
        await api.get("/v1/nope"),
    ]

    for response in responses:
        error = response.json()["error"]
        assert error["code"] in CATALOG
        assert CATALOG[error["code"]].status == response.status_code
        assert CATALOG[error["code"]].type == error["type"]


async def test_query_string_past_limit_is_414(api: Api) -> None:
    at_limit = await api.get("/v1/projects?" + "created_after=" + "1" * (8 * 1024 - 14))
    past_limit = await api.get("/v1/projects?" + "created_after=" + "1" * (8 * 1024))

    assert at_limit.status_code == 400
    assert past_limit.status_code == 414
    assert past_limit.json()["error"]["code"] == "query_too_long"


async def test_headers_past_limit_are_431(api: Api) -> None:
    response = await api.client.get(
        "/v1/projects", headers=api.headers(**{"X-Padding": "a" * (16 * 1024)})
    )

    assert response.status_code == 431
    assert response.json()["error"]["code"] == "headers_too_large"
    assert response.headers["X-Request-Id"] == response.json()["error"]["request_id"]


async def test_error_messages_do_not_echo_huge_values(api: Api) -> None:
    response = await api.get("/v1/projects", params={"created_after": "9" * 5000})

    assert response.status_code == 400
    assert len(response.json()["error"]["message"]) < 300


@pytest.mark.parametrize("limit", ["1" * 400, "-" + "9" * 50, "1e400", "NaN"])
async def test_huge_or_odd_limit_is_400(api: Api, limit: str) -> None:
    response = await api.get("/v1/projects", params={"limit": limit})

    assert response.status_code == 400
    assert response.json()["error"]["param"] == "limit"


async def test_invalid_utf8_in_json_body_is_400(api: Api) -> None:
    response = await api.client.post(
        "/v1/projects",
        content=b'{"name": "\xff\xfe"}',
        headers=api.headers(**{"Content-Type": "application/json"}),
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"
    assert (await api.get("/v1/projects")).json()["data"] == []


async def test_json_body_over_limit_is_413(api: Api) -> None:
    body = b'{"name": "x", "description": "' + b"a" * (1024 * 1024) + b'"}'

    response = await api.client.post(
        "/v1/projects", content=body, headers=api.headers(**{"Content-Type": "application/json"})
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"
    assert (await api.get("/v1/projects")).json()["data"] == []
