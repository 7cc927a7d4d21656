"""Lazy pagination: pages are fetched one at a time, only when needed."""

from __future__ import annotations

from typing import Any

import httpx

from zof.client import Page

from .fake_api import RUN, HarnessFactory, page


def runs(*ids: str) -> list[dict[str, Any]]:
    return [{**RUN, "id": run_id} for run_id in ids]


def three_pages() -> tuple[Any, ...]:
    return (
        page(runs("run_6", "run_5"), next_cursor="cur_1"),
        page(runs("run_4", "run_3"), next_cursor="cur_2"),
        page(runs("run_2", "run_1")),
    )


def by_cursor(request: httpx.Request) -> httpx.Response:
    """Return the page that the request's `starting_after` cursor points to."""
    first, second, third = three_pages()
    cursor = request.url.params.get("starting_after")
    answer = {None: first, "cur_1": second, "cur_2": third}[cursor]
    return answer(request)


async def test_list_fetches_nothing_until_iterated(make_harness: HarnessFactory) -> None:
    harness = make_harness(*three_pages())

    harness.client.runs.list(limit=2)

    assert harness.api.requests == []


async def test_list_fetches_pages_on_demand(make_harness: HarnessFactory) -> None:
    harness = make_harness(by_cursor)
    pager = harness.client.runs.list(limit=2)

    first_two = await harness.collect(pager, count=2)
    assert [run.id for run in first_two] == ["run_6", "run_5"]
    assert len(harness.api.requests) == 1

    first_three = await harness.collect(pager, count=3)
    assert [run.id for run in first_three] == ["run_6", "run_5", "run_4"]
    # A new loop starts from the first page again: one request for it, one for page two.
    assert len(harness.api.requests) == 3


async def test_list_follows_cursors_to_the_end(make_harness: HarnessFactory) -> None:
    harness = make_harness(*three_pages())

    items = await harness.collect(harness.client.runs.list(limit=2, project_id="proj_1"))

    assert [run.id for run in items] == ["run_6", "run_5", "run_4", "run_3", "run_2", "run_1"]
    cursors = [request.url.params.get("starting_after") for request in harness.api.requests]
    assert cursors == [None, "cur_1", "cur_2"]
    assert all(r.url.params["project_id"] == "proj_1" for r in harness.api.requests)
    assert all(r.url.params["limit"] == "2" for r in harness.api.requests)


async def test_list_stops_when_cursor_missing(make_harness: HarnessFactory) -> None:
    broken = {"object": "list", "data": runs("run_1"), "has_more": True, "next_cursor": None}
    harness = make_harness(lambda request: httpx.Response(200, json=broken))

    items = await harness.collect(harness.client.runs.list())

    assert len(items) == 1
    assert len(harness.api.requests) == 1


async def test_empty_list_makes_one_request(make_harness: HarnessFactory) -> None:
    harness = make_harness(page([]))

    assert await harness.collect(harness.client.runs.list()) == []
    assert len(harness.api.requests) == 1


async def test_first_page_fetches_one_page(make_harness: HarnessFactory) -> None:
    harness = make_harness(*three_pages())

    first = await harness.call(lambda c: c.runs.list(limit=2).first_page())

    assert isinstance(first, Page)
    assert [run.id for run in first] == ["run_6", "run_5"]
    assert len(first) == 2
    assert first.has_more
    assert first.next_cursor == "cur_1"
    assert len(harness.api.requests) == 1


async def test_first_page_resumes_from_cursor(make_harness: HarnessFactory) -> None:
    harness = make_harness(page(runs("run_4", "run_3"), next_cursor="cur_2"))

    await harness.call(lambda c: c.runs.list(starting_after="cur_1").first_page())

    assert harness.api.last.url.params["starting_after"] == "cur_1"


async def test_pages_yields_page_objects(make_harness: HarnessFactory) -> None:
    harness = make_harness(*three_pages())
    pages_iterator = harness.client.runs.list(limit=2).pages()

    pages = [p async for p in pages_iterator] if harness.is_async else list(pages_iterator)

    assert [len(p) for p in pages] == [2, 2, 2]
    assert [p.next_cursor for p in pages] == ["cur_1", "cur_2", None]
    assert pages[-1].is_last
