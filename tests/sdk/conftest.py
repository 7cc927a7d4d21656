"""Fixtures: sync and async clients wired to a scripted fake API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from zof.client import AsyncZof, Zof

from .fake_api import NOW, Answer, FakeAPI, FakeClock, Harness, HarnessFactory


@pytest.fixture(params=["sync", "async"])
async def make_harness(request: pytest.FixtureRequest) -> AsyncIterator[HarnessFactory]:
    """Build harnesses of the parametrized flavour; every test using it runs twice."""
    is_async = request.param == "async"
    built: list[Harness] = []

    def factory(
        *answers: Answer, random: Callable[[], float] = lambda: 0.5, **options: Any
    ) -> Harness:
        api = FakeAPI(answers)
        clock = FakeClock()
        common = {
            "api_key": "sk_test",
            "random": random,
            "clock": NOW.timestamp,
            "monotonic": clock.monotonic,
            **options,
        }
        transport = httpx.MockTransport(api)
        if is_async:
            http: Any = httpx.AsyncClient(transport=transport)
            client: Any = AsyncZof(http_client=http, sleep=clock.async_sleep, **common)
        else:
            http = httpx.Client(transport=transport)
            client = Zof(http_client=http, sleep=clock.sleep, **common)
        harness = Harness(api=api, client=client, clock=clock, is_async=is_async, http=http)
        built.append(harness)
        return harness

    yield factory

    for harness in built:
        if harness.is_async:
            await harness.http.aclose()
        else:
            harness.http.close()
