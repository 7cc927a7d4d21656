"""`/v1/results`: list filters, name search, pagination across uploads and tenancy."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.api.test_runs import NOON, case, create_project, create_run, junit, pinned_clock, upload
from tests.conftest import Api

pytestmark = pytest.mark.usefixtures("backend")

# Importing the fixture makes pytest find it in this module; listing it marks it as used.
__all__ = ["pinned_clock"]

RESULT_FIELDS = {
    "id",
    "object",
    "run_id",
    "project_id",
    "environment",
    "suite",
    "classname",
    "name",
    "status",
    "duration_ms",
    "message",
    "failure_type",
    "flaky",
    "attempts",
    "file",
    "line",
    "created_at",
}


async def list_results(api: Api, key: str | None = None, **params: str) -> list[dict[str, Any]]:
    response = await api.get("/v1/results", key=key, params=params)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["has_more"] is False
    data: list[dict[str, Any]] = page["data"]
    return data


async def names(api: Api, **params: str) -> list[str]:
    return [result["name"] for result in await list_results(api, **params)]


async def test_list_item_has_result_fields(api: Api) -> None:
    run = await create_run(api, environment="production")
    await upload(api, run["id"], junit(case("test_a", "failed")))

    (item,) = await list_results(api)

    assert set(item) == RESULT_FIELDS
    assert item["id"].startswith("res_")
    assert item["object"] == "result"
    assert item["run_id"] == run["id"]
    assert item["project_id"] == run["project_id"]
    assert item["environment"] == "production"
    assert item["suite"] == "unit"
    assert item["classname"] == "tests.unit"
    assert item["name"] == "test_a"
    assert item["status"] == "failed"
    assert item["duration_ms"] == 250
    assert item["message"] == "boom"
    assert item["failure_type"] == "AssertionError"
    assert item["flaky"] is False
    assert item["attempts"] == 1
    assert item["file"] is None
    assert item["line"] is None
    assert item["created_at"].endswith("Z")


async def test_one_upload_lists_in_reverse_file_order(api: Api) -> None:
    run = await create_run(api)
    await upload(api, run["id"], junit(*(case(f"t{index:02}") for index in range(30))))

    items = await list_results(api, limit="100")

    assert [item["name"] for item in items] == [f"t{index:02}" for index in reversed(range(30))]
    assert len({item["created_at"] for item in items}) == 1


async def test_get_result_adds_output(api: Api) -> None:
    run = await create_run(api)
    batch = {"results": [{"name": "t", "status": "error", "output": "stack", "line": 7}]}
    await upload(api, run["id"], json.dumps(batch).encode(), "application/json")
    (item,) = await list_results(api)

    response = await api.get(f"/v1/results/{item['id']}")

    assert response.status_code == 200
    result = response.json()
    assert set(result) == RESULT_FIELDS | {"output"}
    assert result["output"] == "stack"
    assert result["line"] == 7
    assert {key: result[key] for key in RESULT_FIELDS} == item


async def test_unknown_and_foreign_result_look_alike(api: Api) -> None:
    _, other_key = await api.bootstrap("Other")
    foreign_run = await create_run(api, key=other_key)
    await upload(api, foreign_run["id"], junit(case("secret")), key=other_key)
    (foreign,) = await list_results(api, key=other_key)

    response = await api.get(f"/v1/results/{foreign['id']}")
    missing = await api.get("/v1/results/res_missing")

    assert response.status_code == missing.status_code == 404
    assert response.json()["error"]["code"] == "resource_not_found"
    assert response.json()["error"]["message"] == f"No result with id {foreign['id']!r} exists."


async def test_list_never_shows_other_org(api: Api) -> None:
    _, other_key = await api.bootstrap("Other")
    foreign_run = await create_run(api, key=other_key)
    await upload(api, foreign_run["id"], junit(case("secret")), key=other_key)
    run = await create_run(api)
    await upload(api, run["id"], junit(case("mine")))

    assert await names(api) == ["mine"]
    assert await names(api, run_id=foreign_run["id"]) == []
    assert await names(api, project_id=foreign_run["project_id"]) == []
    assert await names(api, q="secret") == []


async def test_list_filters_by_run_project_status(api: Api) -> None:
    web = await create_project(api, "web")
    other = await create_project(api, "other")
    first = await create_run(api, web)
    second = await create_run(api, web)
    third = await create_run(api, other)
    await upload(api, first["id"], junit(case("a1"), case("a2", "failed")))
    await upload(api, second["id"], junit(case("b1", "skipped"), case("b2", "error")))
    await upload(api, third["id"], junit(case("c1", "failed")))

    assert sorted(await names(api, run_id=first["id"])) == ["a1", "a2"]
    assert sorted(await names(api, project_id=web)) == ["a1", "a2", "b1", "b2"]
    assert sorted(await names(api, status="failed")) == ["a2", "c1"]
    assert await names(api, status="skipped") == ["b1"]
    assert await names(api, status="error", project_id=web) == ["b2"]
    assert await names(api, status="failed", run_id=third["id"]) == ["c1"]


async def test_q_ignores_case_and_escapes_wildcards(api: Api) -> None:
    run = await create_run(api)
    cases = ["test_Login_OK", "testXlogin", "test_logout", "50%_done", "500_done", "back\\slash"]
    await upload(api, run["id"], junit(*(case(name) for name in cases)))

    assert await names(api, q="LOGIN") == ["testXlogin", "test_Login_OK"]
    assert await names(api, q="_login") == ["test_Login_OK"]
    assert await names(api, q="%") == ["50%_done"]
    assert await names(api, q="0_d") == ["500_done"]
    assert await names(api, q="0%_") == ["50%_done"]
    assert await names(api, q="k\\s") == ["back\\slash"]
    assert await names(api, q="nothing") == []


async def test_q_underscore_is_literal(api: Api) -> None:
    run = await create_run(api)
    await upload(api, run["id"], junit(case("a_b"), case("axb")))

    assert await names(api, q="a_b") == ["a_b"]


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"q": "x" * 201}, "invalid_parameter", "q"),
        ({"q": ""}, "invalid_parameter", "q"),
        ({"status": "flaky"}, "invalid_parameter", "status"),
        ({"from": "2026-12-01T12:00:00"}, "invalid_parameter", "from"),
        ({"from": "2026-12-02", "to": "2026-12-01"}, "invalid_time_range", "to"),
        ({"name": "t"}, "unknown_parameter", "name"),
    ],
)
async def test_list_rejects_bad_parameters(
    api: Api, params: dict[str, str], code: str, param: str
) -> None:
    response = await api.get("/v1/results", params=params)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert error["param"] == param


async def test_bad_status_lists_allowed_values(api: Api) -> None:
    response = await api.get("/v1/results", params={"status": "flaky"})

    message = response.json()["error"]["message"]
    for status in ("passed", "failed", "error", "skipped"):
        assert status in message


async def test_from_to_is_half_open(api: Api, pinned_clock: list[datetime]) -> None:
    run = await create_run(api)
    for hour in (11, 12, 13, 14):
        pinned_clock[0] = NOON.replace(hour=hour)
        await upload(api, run["id"], junit(case(f"at_{hour}")))

    result = await names(api, **{"from": "2026-12-01T12:00:00Z", "to": "2026-12-01T14:00:00Z"})

    assert result == ["at_13", "at_12"]


async def test_pages_across_uploads(api: Api, pinned_clock: list[datetime]) -> None:
    run = await create_run(api)
    expected: list[str] = []
    for upload_index in range(3):
        pinned_clock[0] = NOON + timedelta(minutes=upload_index)
        batch = [f"u{upload_index}_t{index}" for index in range(7)]
        await upload(api, run["id"], junit(*(case(name) for name in batch)))
        expected = batch[::-1] + expected

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": "5", "run_id": run["id"]}
        if cursor is not None:
            params["starting_after"] = cursor
        page = (await api.get("/v1/results", params=params)).json()
        seen += [item["name"] for item in page["data"]]
        pages += 1
        cursor = page["next_cursor"]
        if not page["has_more"]:
            assert cursor is None
            break

    assert seen == expected
    assert pages == 5


async def test_cursor_is_bound_to_filters(api: Api) -> None:
    run = await create_run(api)
    await upload(api, run["id"], junit(*(case(f"t{index}") for index in range(3))))
    first = (await api.get("/v1/results", params={"limit": "1", "q": "t"})).json()

    response = await api.get(
        "/v1/results", params={"limit": "1", "q": "t1", "starting_after": first["next_cursor"]}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"
    assert response.json()["error"]["param"] == "starting_after"


async def test_results_need_results_read(api: Api) -> None:
    run = await create_run(api)
    await upload(api, run["id"], junit(case("t")))
    runs_only = await api.create_key("viewer", ["runs:read"])
    viewer = await api.create_key("viewer")

    denied = await api.get("/v1/results", key=runs_only)
    allowed = await api.get("/v1/results", key=viewer)

    assert denied.status_code == 403
    assert "results:read" in denied.json()["error"]["message"]
    assert allowed.status_code == 200
    assert len(allowed.json()["data"]) == 1
