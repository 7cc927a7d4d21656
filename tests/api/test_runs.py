"""`/v1/runs`: create, list, retrieve, complete and cancel, with the status machine."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.conftest import Api
from zof.core.clock import set_clock
from zof.store.tables import runs

pytestmark = pytest.mark.usefixtures("backend")

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
RUN_FIELDS = {
    "id",
    "object",
    "project_id",
    "environment",
    "suite",
    "status",
    "source",
    "commit_sha",
    "branch",
    "build_url",
    "created_at",
    "started_at",
    "completed_at",
    "duration_ms",
    "counts",
}
ZERO_COUNTS = {"total": 0, "passed": 0, "failed": 0, "error": 0, "skipped": 0, "flaky": 0}
TERMINAL = ("passed", "failed", "error", "canceled")


# Helpers shared with the other run, upload and result tests.


async def create_project(api: Api, name: str = "web", key: str | None = None) -> str:
    response = await api.post("/v1/projects", {"name": name}, key=key)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def create_run(
    api: Api, project_id: str | None = None, key: str | None = None, **fields: Any
) -> dict[str, Any]:
    if project_id is None:
        project_id = await create_project(api, key=key)
    body = {"project_id": project_id, "environment": "staging", **fields}
    response = await api.post("/v1/runs", body, key=key)
    assert response.status_code == 201, response.text
    run: dict[str, Any] = response.json()
    return run


def junit(*cases: str, suite: str = "unit") -> bytes:
    """A JUnit XML document with one suite holding `cases`, one per line from line 3."""
    lines = ["<testsuites>", f'<testsuite name="{suite}">', *cases, "</testsuite>", "</testsuites>"]
    return ("\n".join(lines) + "\n").encode()


def case(name: str, status: str = "passed", classname: str = "tests.unit") -> str:
    inner = {
        "passed": "",
        "failed": '<failure message="boom" type="AssertionError">trace</failure>',
        "error": '<error message="crash" type="RuntimeError"/>',
        "skipped": "<skipped/>",
    }[status]
    return f'<testcase classname="{classname}" name="{name}" time="0.25">{inner}</testcase>'


async def upload(
    api: Api,
    run_id: str,
    body: bytes,
    content_type: str = "application/xml",
    *,
    filename: str | None = None,
    headers: dict[str, str] | None = None,
    key: str | None = None,
) -> httpx.Response:
    params = {"filename": filename} if filename is not None else None
    return await api.client.post(
        f"/v1/runs/{run_id}/results",
        content=body,
        params=params,
        headers=api.headers(key, **{"Content-Type": content_type, **(headers or {})}),
    )


async def get_run(api: Api, run_id: str) -> dict[str, Any]:
    response = await api.get(f"/v1/runs/{run_id}")
    assert response.status_code == 200, response.text
    run: dict[str, Any] = response.json()
    return run


async def count_rows(api: Api, table: sa.Table) -> int:
    async with api.db.read() as conn:
        return int((await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one())


@pytest.fixture
def pinned_clock() -> Iterator[list[datetime]]:
    """Pin the service clock to the first item of the returned list; change it to move time."""
    now = [NOON]
    set_clock(lambda: now[0])
    yield now
    set_clock(None)


async def end_run(api: Api, run_id: str, status: str) -> None:
    if status == "canceled":
        response = await api.post(f"/v1/runs/{run_id}/cancel")
    else:
        response = await api.post(f"/v1/runs/{run_id}/complete", {"status": status})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == status


# Create


async def test_create_answers_queued_run(api: Api) -> None:
    project_id = await create_project(api)

    response = await api.post("/v1/runs", {"project_id": project_id, "environment": "staging"})

    assert response.status_code == 201
    run = response.json()
    assert set(run) == RUN_FIELDS | {"uploads"}
    assert run["id"].startswith("run_")
    assert run["object"] == "run"
    assert run["project_id"] == project_id
    assert run["environment"] == "staging"
    assert run["status"] == "queued"
    assert run["counts"] == ZERO_COUNTS
    assert run["uploads"] == []
    for field in ("suite", "source", "commit_sha", "branch", "build_url", "started_at"):
        assert run[field] is None
    assert run["completed_at"] is None
    assert run["duration_ms"] is None


async def test_create_keeps_every_optional_field(api: Api) -> None:
    project_id = await create_project(api)
    fields = {
        "suite": "integration",
        "commit_sha": "9fceb02d0ae598e95dc970b74767f19372d61af8",
        "branch": "main",
        "build_url": "https://ci.example.com/builds/17",
        "source": "github-actions",
        "started_at": "2026-12-01T13:30:00.123456+01:00",
    }

    created = await create_run(api, project_id, **fields)
    fetched = await get_run(api, created["id"])

    for run in (created, fetched):
        assert run["suite"] == "integration"
        assert run["commit_sha"] == fields["commit_sha"]
        assert run["branch"] == "main"
        assert run["build_url"] == fields["build_url"]
        assert run["source"] == "github-actions"
        assert run["started_at"] == "2026-12-01T12:30:00.123Z"


async def test_create_in_unknown_project_is_404(api: Api) -> None:
    response = await api.post("/v1/runs", {"project_id": "proj_missing", "environment": "ci"})

    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "resource_not_found"
    assert error["param"] == "project_id"
    assert await count_rows(api, runs) == 0


async def test_create_in_other_org_project_is_404(api: Api) -> None:
    _, other_key = await api.bootstrap("Other")
    other_project = await create_project(api, key=other_key)

    foreign = await api.post("/v1/runs", {"project_id": other_project, "environment": "ci"})
    missing = await api.post("/v1/runs", {"project_id": "proj_missing", "environment": "ci"})

    assert foreign.status_code == 404
    assert foreign.json()["error"]["param"] == "project_id"
    assert "proj_missing" in missing.json()["error"]["message"]
    assert await count_rows(api, runs) == 0


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ({"environment": "staging"}, "missing_parameter", "project_id"),
        ({"project_id": "PROJECT"}, "missing_parameter", "environment"),
        ({"project_id": "PROJECT", "environment": ""}, "invalid_parameter", "environment"),
        ({"project_id": "PROJECT", "environment": "e" * 101}, "invalid_parameter", "environment"),
        ({"project_id": "PROJECT", "environment": " ci"}, "invalid_parameter", "environment"),
        ({"project_id": "PROJECT", "environment": "c\x00i"}, "invalid_parameter", "environment"),
        ({"project_id": "PROJECT", "environment": 7}, "invalid_parameter", "environment"),
        (
            {"project_id": "PROJECT", "environment": "ci", "colour": "red"},
            "unknown_parameter",
            "colour",
        ),
        (
            {"project_id": "PROJECT", "environment": "ci", "started_at": "2026-12-01T12:00:00"},
            "invalid_parameter",
            "started_at",
        ),
        (
            {"project_id": "PROJECT", "environment": "ci", "started_at": "yesterday"},
            "invalid_parameter",
            "started_at",
        ),
        (
            {"project_id": "PROJECT", "environment": "ci", "suite": "s" * 201},
            "invalid_parameter",
            "suite",
        ),
        (
            {"project_id": "PROJECT", "environment": "ci", "commit_sha": "a" * 65},
            "invalid_parameter",
            "commit_sha",
        ),
    ],
)
async def test_create_rejects_bad_body(
    api: Api, body: dict[str, Any], code: str, param: str
) -> None:
    project_id = await create_project(api)
    if body.get("project_id") == "PROJECT":
        body = {**body, "project_id": project_id}

    response = await api.post("/v1/runs", body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert error["param"] == param
    assert await count_rows(api, runs) == 0


async def test_create_needs_json_content_type(api: Api) -> None:
    project_id = await create_project(api)

    response = await api.client.post(
        "/v1/runs",
        content=f'{{"project_id": "{project_id}", "environment": "ci"}}',
        headers=api.headers(**{"Content-Type": "text/plain"}),
    )

    assert response.status_code == 415
    assert response.json()["error"]["param"] == "Content-Type"
    assert await count_rows(api, runs) == 0


# Retrieve and list


async def test_get_unknown_and_foreign_run_look_alike(api: Api) -> None:
    _, other_key = await api.bootstrap("Other")
    foreign = await create_run(api, key=other_key)

    response = await api.get(f"/v1/runs/{foreign['id']}")
    missing = await api.get("/v1/runs/run_missing")

    assert response.status_code == missing.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "resource_not_found"
    assert error["message"] == f"No run with id {foreign['id']!r} exists."
    assert missing.json()["error"]["message"] == "No run with id 'run_missing' exists."


async def test_list_is_newest_first_without_uploads(api: Api) -> None:
    project_id = await create_project(api)
    first = await create_run(api, project_id)
    second = await create_run(api, project_id)

    response = await api.get("/v1/runs")

    assert response.status_code == 200
    page = response.json()
    assert [run["id"] for run in page["data"]] == [second["id"], first["id"]]
    assert set(page["data"][0]) == RUN_FIELDS
    assert page["has_more"] is False
    assert page["next_cursor"] is None


async def test_list_filters_by_project_environment_status(api: Api) -> None:
    web = await create_project(api, "web")
    api_project = await create_project(api, "api")
    web_staging = await create_run(api, web)
    web_production = await create_run(api, web, environment="production")
    api_staging = await create_run(api, api_project)
    await end_run(api, api_staging["id"], "failed")

    async def ids(**params: str) -> list[str]:
        response = await api.get("/v1/runs", params=params)
        assert response.status_code == 200, response.text
        return [run["id"] for run in response.json()["data"]]

    assert await ids(project_id=web) == [web_production["id"], web_staging["id"]]
    assert await ids(environment="production") == [web_production["id"]]
    assert await ids(status="failed") == [api_staging["id"]]
    assert await ids(status="queued", project_id=web, environment="staging") == [web_staging["id"]]
    assert await ids(project_id="proj_missing") == []


async def test_list_from_to_is_half_open(api: Api, pinned_clock: list[datetime]) -> None:
    project_id = await create_project(api)
    run_by_hour = {}
    for hour in (11, 12, 13, 14):
        pinned_clock[0] = NOON.replace(hour=hour)
        run_by_hour[hour] = (await create_run(api, project_id))["id"]

    response = await api.get(
        "/v1/runs", params={"from": "2026-12-01T12:00:00Z", "to": "2026-12-01T15:00:00+01:00"}
    )

    assert [run["id"] for run in response.json()["data"]] == [
        run_by_hour[13],
        run_by_hour[12],
    ]


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"status": "done"}, "invalid_parameter", "status"),
        ({"from": "2026-12-01T12:00:00"}, "invalid_parameter", "from"),
        ({"to": "noon"}, "invalid_parameter", "to"),
        ({"from": "2026-12-02", "to": "2026-12-01"}, "invalid_time_range", "to"),
        ({"from": "2026-12-01", "to": "2026-12-01"}, "invalid_time_range", "to"),
        ({"created_after": "2026-12-01"}, "unknown_parameter", "created_after"),
        ({"limit": "0"}, "invalid_parameter", "limit"),
    ],
)
async def test_list_rejects_bad_parameters(
    api: Api, params: dict[str, str], code: str, param: str
) -> None:
    response = await api.get("/v1/runs", params=params)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert error["param"] == param


async def test_list_bad_status_names_allowed_values(api: Api) -> None:
    response = await api.get("/v1/runs", params={"status": "done"})

    message = response.json()["error"]["message"]
    for status in ("queued", "running", "passed", "failed", "error", "canceled"):
        assert status in message


async def test_list_pages_with_cursor_bound_to_filters(api: Api) -> None:
    project_id = await create_project(api)
    created = [(await create_run(api, project_id))["id"] for _ in range(5)]

    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "2", "project_id": project_id}
        if cursor:
            params["starting_after"] = cursor
        page = (await api.get("/v1/runs", params=params)).json()
        seen += [run["id"] for run in page["data"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    first_page = (await api.get("/v1/runs", params={"limit": "2"})).json()
    reused = await api.get(
        "/v1/runs", params={"starting_after": first_page["next_cursor"], "status": "queued"}
    )

    assert seen == created[::-1]
    assert reused.status_code == 400
    assert reused.json()["error"]["code"] == "invalid_cursor"


# Complete and cancel


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], "passed"),
        (["skipped"], "passed"),
        (["passed", "skipped"], "passed"),
        (["passed", "failed"], "failed"),
        (["failed", "error", "passed"], "error"),
        (["error"], "error"),
    ],
)
async def test_complete_derives_status_from_results(
    api: Api, statuses: list[str], expected: str
) -> None:
    run = await create_run(api)
    if statuses:
        cases = [case(f"t{index}", status) for index, status in enumerate(statuses)]
        assert (await upload(api, run["id"], junit(*cases))).status_code == 201

    response = await api.post(f"/v1/runs/{run['id']}/complete")

    assert response.status_code == 200
    assert response.json()["status"] == expected
    assert (await get_run(api, run["id"]))["status"] == expected


@pytest.mark.parametrize("status", ["passed", "failed", "error"])
async def test_complete_takes_given_status(api: Api, status: str) -> None:
    run = await create_run(api)
    await upload(api, run["id"], junit(case("t", "error")))

    response = await api.post(f"/v1/runs/{run['id']}/complete", {"status": status})

    assert response.json()["status"] == status


async def test_complete_rejects_bad_status(api: Api) -> None:
    run = await create_run(api)

    response = await api.post(f"/v1/runs/{run['id']}/complete", {"status": "canceled"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter"
    assert error["param"] == "status"
    assert (await get_run(api, run["id"]))["status"] == "queued"


async def test_complete_measures_from_started_at(api: Api, pinned_clock: list[datetime]) -> None:
    run = await create_run(api, started_at="2026-12-01T11:59:50Z")
    pinned_clock[0] = NOON + timedelta(seconds=5, milliseconds=250)

    completed = (await api.post(f"/v1/runs/{run['id']}/complete")).json()

    assert completed["completed_at"] == "2026-12-01T12:00:05.250Z"
    assert completed["duration_ms"] == 15_250


async def test_complete_measures_from_created_at(api: Api, pinned_clock: list[datetime]) -> None:
    run = await create_run(api)
    pinned_clock[0] = NOON + timedelta(minutes=2)

    completed = (await api.post(f"/v1/runs/{run['id']}/complete")).json()

    assert completed["duration_ms"] == 120_000


async def test_complete_started_in_future_is_zero(api: Api, pinned_clock: list[datetime]) -> None:
    run = await create_run(api, started_at="2026-12-01T12:00:30Z")

    completed = (await api.post(f"/v1/runs/{run['id']}/complete")).json()

    assert completed["duration_ms"] == 0


@pytest.mark.parametrize("start", ["queued", "running"])
async def test_cancel_open_run(api: Api, pinned_clock: list[datetime], start: str) -> None:
    run = await create_run(api)
    if start == "running":
        await upload(api, run["id"], junit(case("t")))
    pinned_clock[0] = NOON + timedelta(seconds=3)

    response = await api.post(f"/v1/runs/{run['id']}/cancel")

    assert response.status_code == 200
    canceled = response.json()
    assert canceled["status"] == "canceled"
    assert canceled["completed_at"] == "2026-12-01T12:00:03.000Z"
    assert canceled["duration_ms"] == 3000
    assert canceled["counts"]["total"] == (1 if start == "running" else 0)


@pytest.mark.parametrize("terminal", TERMINAL)
@pytest.mark.parametrize(
    ("action", "code"), [("cancel", "run_not_cancelable"), ("complete", "run_not_completable")]
)
async def test_terminal_run_refuses_change(api: Api, terminal: str, action: str, code: str) -> None:
    run = await create_run(api)
    await end_run(api, run["id"], terminal)
    before = await get_run(api, run["id"])

    response = await api.post(f"/v1/runs/{run['id']}/{action}")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == code
    assert error["type"] == "conflict_error"
    assert terminal in error["message"]
    assert await get_run(api, run["id"]) == before


@pytest.mark.parametrize("action", ["cancel", "complete"])
async def test_change_unknown_or_foreign_run_is_404(api: Api, action: str) -> None:
    _, other_key = await api.bootstrap("Other")
    foreign = await create_run(api, key=other_key)

    response = await api.post(f"/v1/runs/{foreign['id']}/{action}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "resource_not_found"
    other = await api.get(f"/v1/runs/{foreign['id']}", key=other_key)
    assert other.json()["status"] == "queued"


async def test_complete_replays_with_idempotency_key(api: Api) -> None:
    run = await create_run(api)
    headers = {"Idempotency-Key": "complete-1"}

    first = await api.post(f"/v1/runs/{run['id']}/complete", headers=headers)
    second = await api.post(f"/v1/runs/{run['id']}/complete", headers=headers)

    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"


# Permissions


async def test_viewer_reads_but_cannot_create(api: Api) -> None:
    run = await create_run(api)
    viewer = await api.create_key("viewer")

    read = await api.get(f"/v1/runs/{run['id']}", key=viewer)
    created = await api.post(
        "/v1/runs", {"project_id": run["project_id"], "environment": "ci"}, key=viewer
    )
    completed = await api.post(f"/v1/runs/{run['id']}/complete", key=viewer)
    canceled = await api.post(f"/v1/runs/{run['id']}/cancel", key=viewer)

    assert read.status_code == 200
    for response, permission in (
        (created, "runs:create"),
        (completed, "runs:create"),
        (canceled, "runs:cancel"),
    ):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
        assert permission in response.json()["error"]["message"]


async def test_cancel_needs_runs_cancel(api: Api) -> None:
    run = await create_run(api)
    creator = await api.create_key("engineer", ["runs:create", "runs:read"])

    response = await api.post(f"/v1/runs/{run['id']}/cancel", key=creator)

    assert response.status_code == 403
    assert "runs:cancel" in response.json()["error"]["message"]
    assert (await get_run(api, run["id"]))["status"] == "queued"


async def test_concurrent_ends_take_effect_once(api: Api) -> None:
    run = await create_run(api)
    await upload(api, run["id"], junit(case("t", "failed")))
    actions = ["cancel", "complete"] * 5

    responses = await asyncio.gather(
        *(api.post(f"/v1/runs/{run['id']}/{action}") for action in actions)
    )

    winners = [response for response in responses if response.status_code == 200]
    assert len(winners) == 1
    final = winners[0].json()["status"]
    assert final in {"canceled", "failed"}
    for response in responses:
        if response.status_code != 200:
            assert response.status_code == 409
            assert final in response.json()["error"]["message"]
    assert (await get_run(api, run["id"]))["status"] == final
