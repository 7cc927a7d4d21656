"""Console run pages over HTTP: the list with its filters, and one run."""

from __future__ import annotations

import re

from tests.conftest import Api
from tests.console import seed
from tests.console.conftest import Browser


async def test_runs_list_filters_by_project_and_status(signed_in: Browser, console: Api) -> None:
    shop = await seed.seed_shop(console.client, console.key)

    everything = await signed_in.get("/console/runs")
    failed_web = await signed_in.get(
        "/console/runs", params={"project_id": shop.projects["web"], "status": "error"}
    )

    assert everything.status_code == 200
    assert len(set(re.findall(r"<small>(run_\w+)", everything.text))) == 5
    listed = set(re.findall(r"<small>(run_\w+)", failed_web.text))
    assert listed == {shop.runs[1], shop.runs[3]}
    assert 'class="badge badge-bad">error<' in failed_web.text


async def test_runs_list_filters_by_environment(signed_in: Browser, console: Api) -> None:
    shop = await seed.seed_shop(console.client, console.key)

    page = await signed_in.get("/console/runs", params={"environment": "production"})

    listed = set(re.findall(r"<small>(run_\w+)", page.text))
    assert listed == {shop.runs[0], shop.runs[3], shop.runs[4]}


async def test_runs_list_pages_with_next_links(signed_in: Browser, console: Api) -> None:
    project_id = await seed.create_project(console.client, console.key, "many")
    for _ in range(26):
        response = await console.post("/v1/runs", {"project_id": project_id, "environment": "ci"})
        assert response.status_code == 201

    first = await signed_in.get("/console/runs")
    link = re.search(r'href="\?([^"]+)" rel="next"', first.text)
    assert link is not None
    second = await signed_in.get("/console/runs?" + link.group(1).replace("&amp;", "&"))

    assert len(set(re.findall(r"<small>(run_\w+)", first.text))) == 25
    assert len(set(re.findall(r"<small>(run_\w+)", second.text))) == 1


async def test_runs_list_rejects_unknown_status(signed_in: Browser) -> None:
    page = await signed_in.get("/console/runs", params={"status": "green"})
    assert page.status_code == 400
    assert "status must be one of" in page.text


async def test_run_page_shows_counts_warnings_and_failures(
    signed_in: Browser, console: Api
) -> None:
    shop = await seed.seed_shop(console.client, console.key)
    run_id = shop.runs[3]

    page = await signed_in.get(f"/console/runs/{run_id}")

    assert page.status_code == 200
    assert "TEST-checkout.xml" in page.text
    assert "counts_disagree" in page.text
    assert "declares tests=9" in page.text
    assert "timestamp_without_zone" in page.text
    assert "PaymentTest.test_card_declined" in page.text
    assert "expected status 402 but got 500" in page.text
    assert "ConnectionResetError" in page.text
    assert "test_add_to_cart" not in page.text
    assert 'href="https://ci.example.test/builds/103"' in page.text


async def test_run_page_hides_cases_without_results_permission(
    make_browser: object, console: Api
) -> None:
    shop = await seed.seed_shop(console.client, console.key, runs=2)
    key = await console.create_key("viewer", ["runs:read", "reports:read"])
    browser = make_browser()  # type: ignore[operator]
    await browser.sign_in(key)

    page = await browser.get(f"/console/runs/{shop.runs[1]}")

    assert page.status_code == 200
    assert "lacks the results:read permission" in page.text
    assert "expected status 402" not in page.text


async def test_unknown_run_is_a_404_page(signed_in: Browser) -> None:
    response = await signed_in.get("/console/runs/run_missing")
    assert response.status_code == 404
    assert "No run with id" in response.text
