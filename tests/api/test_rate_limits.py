"""Token-bucket rate limits and their headers."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa

from tests.conftest import Api
from zof.api.ratelimit import Bucket, MemoryRateLimiter
from zof.core.settings import Settings
from zof.store.tables import projects

pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture
async def limited(make_api: object, settings: Settings) -> Api:
    return await make_api(replace(settings, rate_limit_per_minute=3))  # type: ignore[operator, no-any-return]


async def test_headers_on_every_authenticated_answer(limited: Api) -> None:
    responses = [
        await limited.get("/v1/projects"),
        await limited.get("/v1/projects/proj_missing"),
        await limited.get("/v1/projects", params={"limit": "0"}),
    ]

    remaining = [int(r.headers["X-RateLimit-Remaining"]) for r in responses]
    assert remaining == [2, 1, 0]
    for response in responses:
        assert response.headers["X-RateLimit-Limit"] == "3"
        assert int(response.headers["X-RateLimit-Reset"]) > 1_700_000_000


async def test_over_limit_is_429_with_retry_after(limited: Api) -> None:
    for _ in range(3):
        await limited.get("/v1/projects")

    response = await limited.post("/v1/projects", {"name": "web"})

    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "rate_limited"
    assert error["type"] == "rate_limit_error"
    retry_after = response.headers["Retry-After"]
    assert retry_after.isdigit()
    assert int(retry_after) >= 1
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert response.headers["X-Request-Id"] == error["request_id"]
    async with limited.db.read() as conn:
        stored = (await conn.execute(sa.select(sa.func.count()).select_from(projects))).scalar()
    assert stored == 0


async def test_one_organization_does_not_throttle_another(limited: Api) -> None:
    _, other_key = await limited.bootstrap("Other")
    for _ in range(4):
        await limited.get("/v1/projects")

    response = await limited.get("/v1/projects", key=other_key)

    assert response.status_code == 200
    assert response.headers["X-RateLimit-Remaining"] == "2"


async def test_unauthenticated_answers_have_no_rate_headers(limited: Api) -> None:
    response = await limited.client.get("/v1/projects")

    assert response.status_code == 401
    assert "X-RateLimit-Limit" not in response.headers


async def test_zero_turns_limiting_off(api: Api) -> None:
    responses = [await api.get("/v1/projects") for _ in range(5)]

    assert all(r.status_code == 200 for r in responses)
    assert "X-RateLimit-Limit" not in responses[0].headers


async def test_bucket_refills_over_time() -> None:
    now = 1_000.0
    limiter = MemoryRateLimiter(clock=lambda: now)
    bucket = [Bucket("key:a", 60)]
    for _ in range(60):
        assert (await limiter.hit(bucket)).allowed

    refused = await limiter.hit(bucket)
    now += 1.0
    allowed = await limiter.hit(bucket)

    assert not refused.allowed
    assert refused.retry_after == 1
    assert allowed.allowed
    assert allowed.remaining == 0


async def test_organization_bucket_caps_many_keys() -> None:
    limiter = MemoryRateLimiter(clock=lambda: 0.0)
    org = Bucket("org:a", 2)

    first = await limiter.hit([Bucket("key:1", 5), org])
    second = await limiter.hit([Bucket("key:2", 5), org])
    third = await limiter.hit([Bucket("key:3", 5), org])

    assert first.allowed
    assert second.allowed
    assert not third.allowed
    assert third.limit == 2
