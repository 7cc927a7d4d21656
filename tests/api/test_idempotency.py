"""`Idempotency-Key` on POST and PATCH."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import Api
from zof.core.clock import set_clock
from zof.core.settings import Settings
from zof.store.tables import idempotency_keys, projects

pytestmark = pytest.mark.usefixtures("backend")


async def count(api: Api, table: sa.Table) -> int:
    async with api.db.read() as conn:
        return int((await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one())


async def test_repeat_replays_first_answer(api: Api) -> None:
    headers = {"Idempotency-Key": "create-web-1"}

    first = await api.post("/v1/projects", {"name": "web"}, headers=headers)
    second = await api.post("/v1/projects", {"name": "web"}, headers=headers)

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert second.headers["X-Request-Id"] != first.headers["X-Request-Id"]
    assert await count(api, projects) == 1


async def test_replayed_404_keeps_status_and_body(api: Api) -> None:
    headers = {"Idempotency-Key": "patch-missing"}

    first = await api.client.patch(
        "/v1/projects/proj_missing", json={"name": "x"}, headers=api.headers(**headers)
    )
    second = await api.client.patch(
        "/v1/projects/proj_missing", json={"name": "x"}, headers=api.headers(**headers)
    )

    assert first.status_code == second.status_code == 404
    assert second.content == first.content
    assert second.headers["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/projects", {"name": "other"}),
        ("PATCH", "/v1/projects/proj_x", {"name": "web"}),
        ("POST", "/v1/api-keys", {"name": "web", "role": "viewer"}),
    ],
)
async def test_same_key_different_request_is_422(
    api: Api, method: str, path: str, body: dict[str, str]
) -> None:
    headers = api.headers(**{"Idempotency-Key": "k1"})
    await api.client.post("/v1/projects", json={"name": "web"}, headers=headers)

    response = await api.client.request(method, path, json=body, headers=headers)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert error["param"] == "Idempotency-Key"
    assert await count(api, projects) == 1


async def test_key_in_use_is_409_then_replays(make_api: object) -> None:
    api: Api = await make_api()  # type: ignore[operator]
    release = asyncio.Event()
    entered = asyncio.Event()

    from zof.services import projects as project_service

    original = project_service.create_project

    async def slow_create(*args: object, **kwargs: object) -> object:
        entered.set()
        await release.wait()
        return await original(*args, **kwargs)  # type: ignore[arg-type]

    project_service.create_project = slow_create  # type: ignore[assignment]
    try:
        headers = {"Idempotency-Key": "slow"}
        first = asyncio.create_task(api.post("/v1/projects", {"name": "web"}, headers=headers))
        await entered.wait()

        busy = await api.post("/v1/projects", {"name": "web"}, headers=headers)
        release.set()
        done = await first
    finally:
        project_service.create_project = original  # type: ignore[assignment]

    assert busy.status_code == 409
    assert busy.json()["error"]["code"] == "idempotency_key_in_use"
    assert busy.headers["Retry-After"] == "1"
    again = await api.post("/v1/projects", {"name": "web"}, headers=headers)
    assert again.status_code == 201
    assert again.json() == done.json()
    assert await count(api, projects) == 1


async def test_concurrent_duplicates_create_one_resource(api: Api) -> None:
    headers = {"Idempotency-Key": "burst"}

    responses = await asyncio.gather(
        *(api.post("/v1/projects", {"name": "web"}, headers=headers) for _ in range(20))
    )

    created = [r for r in responses if r.status_code == 201]
    assert {r.status_code for r in responses} <= {201, 409}
    assert len({r.json()["id"] for r in created}) == 1
    assert all(
        r.json()["error"]["code"] == "idempotency_key_in_use"
        for r in responses
        if r.status_code == 409
    )
    assert await count(api, projects) == 1


async def test_keys_are_scoped_per_organization(api: Api) -> None:
    _, other_key = await api.bootstrap("Other")
    headers = {"Idempotency-Key": "shared"}

    ours = await api.post("/v1/projects", {"name": "web"}, headers=headers)
    theirs = await api.post("/v1/projects", {"name": "web"}, key=other_key, headers=headers)

    assert ours.status_code == theirs.status_code == 201
    assert ours.json()["id"] != theirs.json()["id"]
    assert "Idempotent-Replayed" not in theirs.headers


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "tab\there", "new\nline"])
async def test_invalid_key_is_400(api: Api, key: str) -> None:
    response = await api.client.post(
        "/v1/projects",
        content=b'{"name": "web"}',
        headers=api.headers(**{"Content-Type": "application/json"})
        | {"Idempotency-Key": key.encode("utf-8")},  # type: ignore[dict-item]
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
    assert response.json()["error"]["param"] == "Idempotency-Key"
    assert await count(api, projects) == 0
    assert await count(api, idempotency_keys) == 0


async def test_longest_valid_key_is_accepted(api: Api) -> None:
    response = await api.post(
        "/v1/projects", {"name": "web"}, headers={"Idempotency-Key": "k" * 255}
    )

    assert response.status_code == 201


@pytest.mark.parametrize("failure", ["unauthenticated", "forbidden", "invalid"])
async def test_refused_request_stores_nothing_and_retry_succeeds(api: Api, failure: str) -> None:
    viewer = await api.create_key("viewer")
    headers = {"Idempotency-Key": "retry-me"}
    if failure == "unauthenticated":
        refused = await api.client.post(
            "/v1/projects",
            json={"name": "web"},
            headers={"Authorization": "Bearer nope", **headers},
        )
    elif failure == "forbidden":
        refused = await api.post("/v1/projects", {"name": "web"}, key=viewer, headers=headers)
    else:
        refused = await api.post("/v1/projects", {"name": ""}, headers=headers)
    assert refused.status_code in {400, 401, 403}
    assert await count(api, idempotency_keys) == 0

    fixed = await api.post("/v1/projects", {"name": "web"}, headers=headers)

    assert fixed.status_code == 201
    assert "Idempotent-Replayed" not in fixed.headers
    assert await count(api, projects) == 1


async def test_handler_5xx_releases_the_key(api: Api) -> None:
    from zof.services import projects as project_service

    original = project_service.create_project
    calls = 0

    async def failing_once(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database went away")
        return await original(*args, **kwargs)  # type: ignore[arg-type]

    project_service.create_project = failing_once  # type: ignore[assignment]
    try:
        headers = {"Idempotency-Key": "flaky"}
        failed = await api.post("/v1/projects", {"name": "web"}, headers=headers)
        assert failed.status_code == 500
        assert await count(api, idempotency_keys) == 0

        retried = await api.post("/v1/projects", {"name": "web"}, headers=headers)
    finally:
        project_service.create_project = original  # type: ignore[assignment]

    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers
    assert calls == 2


async def test_stored_answers_expire_after_24_hours(api: Api) -> None:
    start = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    headers = {"Idempotency-Key": "daily"}
    set_clock(lambda: start)
    try:
        first = await api.post("/v1/projects", {"name": "web"}, headers=headers)
        set_clock(lambda: start + timedelta(hours=23, minutes=59))
        within = await api.post("/v1/projects", {"name": "web"}, headers=headers)
        set_clock(lambda: start + timedelta(hours=24))
        after = await api.post("/v1/projects", {"name": "web"}, headers=headers)
    finally:
        set_clock(None)

    assert within.headers.get("Idempotent-Replayed") == "true"
    assert within.json()["id"] == first.json()["id"]
    assert "Idempotent-Replayed" not in after.headers
    assert after.json()["id"] != first.json()["id"]
    assert await count(api, projects) == 2


async def test_rate_limited_request_stores_no_record(make_api: object, settings: Settings) -> None:
    from dataclasses import replace

    api: Api = await make_api(replace(settings, rate_limit_per_minute=1))  # type: ignore[operator]
    await api.get("/v1/projects")

    response = await api.post("/v1/projects", {"name": "web"}, headers={"Idempotency-Key": "rl"})

    assert response.status_code == 429
    assert await count(api, idempotency_keys) == 0
    assert await count(api, projects) == 0


async def test_get_ignores_idempotency_key(api: Api) -> None:
    response = await api.client.get("/v1/projects", headers=api.headers(**{"Idempotency-Key": ""}))

    assert response.status_code == 200
