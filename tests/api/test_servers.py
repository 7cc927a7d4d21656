"""Rules that need real server processes: concurrent duplicates and Redis-shared limits."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import REDIS_URL
from tests.server import bootstrap, running_server
from zof.store.tables import projects

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("backend")]


async def count_projects(database_url: str) -> int:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            return int(
                (await conn.execute(sa.select(sa.func.count()).select_from(projects))).scalar_one()
            )
    finally:
        await engine.dispose()


async def test_concurrent_duplicates_against_running_server(
    database_url: str, tmp_path: Path
) -> None:
    _, key = await asyncio.to_thread(bootstrap, database_url)
    with running_server(
        database_url, tmp_path / "server.log", "--rate-limit-per-minute", "0"
    ) as url:
        headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "parallel-create"}
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            responses = await asyncio.gather(
                *(
                    client.post("/v1/projects", json={"name": "web"}, headers=headers)
                    for _ in range(50)
                )
            )
            after = await client.post("/v1/projects", json={"name": "web"}, headers=headers)

    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {201, 409}
    first_ids = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(first_ids) == 1
    for response in responses:
        if response.status_code == 409:
            assert response.json()["error"]["code"] == "idempotency_key_in_use"
            assert response.headers["Retry-After"] == "1"
    assert after.status_code == 201
    assert after.json()["id"] in first_ids
    assert await count_projects(database_url) == 1


@pytest.mark.skipif(not REDIS_URL, reason="ZOF_TEST_REDIS_URL is not set")
async def test_redis_limit_is_shared_by_two_processes(database_url: str, tmp_path: Path) -> None:
    _, key = await asyncio.to_thread(bootstrap, database_url)
    # A fresh key prefix per test keeps runs independent on a shared Redis.
    env = {"ZOF_REDIS_URL": REDIS_URL}
    args = ("--rate-limit-per-minute", "6", "--redis-url", REDIS_URL)
    headers = {"Authorization": f"Bearer {key}"}
    with (
        running_server(database_url, tmp_path / "one.log", *args, env=env) as first,
        running_server(database_url, tmp_path / "two.log", *args, env=env) as second,
    ):
        async with httpx.AsyncClient(timeout=30) as client:
            statuses = []
            remaining = []
            for index in range(8):
                base = first if index % 2 == 0 else second
                response = await client.get(f"{base}/v1/projects", headers=headers)
                statuses.append(response.status_code)
                remaining.append(response.headers.get("X-RateLimit-Remaining"))

    assert statuses[:6] == [200] * 6
    assert statuses[6:] == [429, 429]
    assert remaining[:6] == ["5", "4", "3", "2", "1", "0"]


JUNIT_TEMPLATE = (
    '<?xml version="1.0"?><testsuite name="s">'
    '<testcase classname="c" name="{name} a"/><testcase classname="c" name="{name} b">'
    "<failure>x</failure></testcase></testsuite>"
)


async def post_with_retry(client: httpx.AsyncClient, url: str, **kwargs: Any) -> httpx.Response:
    """POST, retrying the 503s a busy SQLite may return, as the SDK does."""
    while True:
        response = await client.post(url, **kwargs)
        if response.status_code != 503:
            return response
        await asyncio.sleep(int(response.headers["Retry-After"]))


async def test_two_servers_on_one_database_stay_consistent(
    database_url: str, tmp_path: Path
) -> None:
    _, key = await asyncio.to_thread(bootstrap, database_url)
    headers = {"Authorization": f"Bearer {key}"}
    args = ("--rate-limit-per-minute", "0")
    with (
        running_server(database_url, tmp_path / "one.log", *args) as first,
        running_server(database_url, tmp_path / "two.log", *args) as second,
    ):
        async with httpx.AsyncClient(headers=headers, timeout=60) as client:
            bases = [first, second]
            project = (await client.post(f"{first}/v1/projects", json={"name": "web"})).json()["id"]

            duplicates = await asyncio.gather(
                *(
                    client.post(
                        f"{bases[index % 2]}/v1/runs",
                        json={"project_id": project, "environment": "ci"},
                        headers={"Idempotency-Key": "one-run"},
                    )
                    for index in range(30)
                )
            )
            run_id = next(r.json()["id"] for r in duplicates if r.status_code == 201)
            uploads = await asyncio.gather(
                *(
                    post_with_retry(
                        client,
                        f"{bases[index % 2]}/v1/runs/{run_id}/results",
                        content=JUNIT_TEMPLATE.format(name=f"batch{index}").encode(),
                        headers={"Content-Type": "application/xml"},
                    )
                    for index in range(20)
                )
            )
            await client.post(f"{second}/v1/runs/{run_id}/complete")
            reports = [
                (
                    await client.post(
                        f"{bases[index % 2]}/v1/reports",
                        json={"scope": {"type": "organization"}, "range": "last_24_hours"},
                    )
                ).json()["id"]
                for index in range(10)
            ]
            deadline = asyncio.get_running_loop().time() + 60
            while asyncio.get_running_loop().time() < deadline:
                listed = (
                    await client.get(
                        f"{first}/v1/reports", params={"status": "ready", "limit": 100}
                    )
                ).json()["data"]
                if len(listed) == 11:
                    break
                await asyncio.sleep(0.2)
            run = (await client.get(f"{second}/v1/runs/{run_id}")).json()
            runs = (await client.get(f"{first}/v1/runs")).json()["data"]

    assert {r.status_code for r in duplicates} <= {201, 409}
    assert len({r.json()["id"] for r in duplicates if r.status_code == 201}) == 1
    assert len(runs) == 1
    assert [u.status_code for u in uploads] == [201] * 20
    assert run["counts"]["total"] == 40
    assert run["counts"]["failed"] == 20
    assert run["status"] == "failed"
    assert {item["id"] for item in listed} >= set(reports)
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            attempts = (await conn.execute(sa.text("SELECT attempts FROM jobs"))).scalars().all()
    finally:
        await engine.dispose()
    assert len(attempts) == 11
    assert set(attempts) == {1}
