"""Console report pages over HTTP: the list, one report, downloads and generation."""

from __future__ import annotations

import re

from tests.conftest import Api
from tests.console import seed
from tests.console.conftest import Browser
from zof.services.reports import fail_report
from zof.services.worker import drain


async def generate(browser: Browser, api: Api, fields: dict[str, str]) -> str:
    """Submit the generate form, run the queued job, and return the new report's id."""
    token = await browser.token("/console/reports/new")
    response = await browser.post("/console/reports", {"csrf_token": token, **fields})
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert re.fullmatch(r"/console/reports/rpt_\w+", location), location
    await drain(api.db)
    return location.rsplit("/", 1)[1]


async def test_reports_list_shows_reports_with_badges(signed_in: Browser, console: Api) -> None:
    await seed.create_report(
        console.client,
        console.key,
        {"kind": "summary", "scope": {"type": "organization"}, "range": "last_7_days"},
    )

    page = await signed_in.get("/console/reports")

    assert page.status_code == 200
    assert "Whole organization" in page.text
    assert 'class="badge badge-pending">queued<' in page.text


async def test_reports_list_filters_by_status_and_project(signed_in: Browser, console: Api) -> None:
    shop = await seed.seed_shop(console.client, console.key, runs=1)
    web, payments = shop.projects["web"], shop.projects["payments"]
    for project_id in (web, payments):
        await seed.create_report(
            console.client,
            console.key,
            {
                "kind": "summary",
                "scope": {"type": "project", "project_id": project_id},
                "range": "last_24_hours",
            },
        )

    page = await signed_in.get(
        "/console/reports", params={"project_id": payments, "status": "", "scope_type": "project"}
    )
    assert page.status_code == 200
    assert "Project payments" in page.text
    assert "Project web" not in page.text

    ready = await signed_in.get("/console/reports", params={"status": "ready"})
    assert "No reports match these filters." in ready.text


async def test_reports_list_period_filter_includes_the_to_day(
    signed_in: Browser, console: Api
) -> None:
    period = {"start": "2026-11-02T00:00:00Z", "end": "2026-11-03T00:00:00Z"}
    await seed.create_report(
        console.client,
        console.key,
        {"kind": "summary", "scope": {"type": "organization"}, "period": period},
    )

    overlapping = await signed_in.get(
        "/console/reports", params={"from": "2026-11-02", "to": "2026-11-02"}
    )
    later = await signed_in.get(
        "/console/reports", params={"from": "2026-11-03", "to": "2026-11-04"}
    )

    assert "Whole organization" in overlapping.text
    assert "Whole organization" not in later.text


async def test_reports_list_rejects_invalid_filters(signed_in: Browser) -> None:
    page = await signed_in.get("/console/reports", params={"status": "done", "from": "2026-13-01"})

    assert page.status_code == 400
    assert "status must be one of queued, generating, ready, failed" in page.text
    assert "not a valid date" in page.text


async def test_reports_list_pages_with_next_links(signed_in: Browser, console: Api) -> None:
    for _ in range(27):
        await seed.create_report(
            console.client,
            console.key,
            {"kind": "summary", "scope": {"type": "organization"}, "range": "last_7_days"},
        )

    first = await signed_in.get("/console/reports", params={"kind": "summary"})
    links = re.findall(r'href="\?([^"]+)" rel="next"', first.text)
    assert len(links) == 1
    second = await signed_in.get("/console/reports?" + links[0].replace("&amp;", "&"))

    ids_first = set(re.findall(r"<small>(rpt_\w+)</small>", first.text))
    ids_second = set(re.findall(r"<small>(rpt_\w+)</small>", second.text))
    assert len(ids_first) == 25
    assert len(ids_second) == 2
    assert not ids_first & ids_second
    assert 'rel="next"' not in second.text
    assert "First page" in second.text


async def test_page_link_with_other_filters_is_rejected(signed_in: Browser, console: Api) -> None:
    for _ in range(26):
        await seed.create_report(
            console.client,
            console.key,
            {"kind": "summary", "scope": {"type": "organization"}, "range": "last_7_days"},
        )
    first = await signed_in.get("/console/reports")
    cursor = re.search(r"after=([^&\"]+)", first.text)
    assert cursor is not None

    page = await signed_in.get(
        "/console/reports", params={"after": cursor.group(1), "status": "queued"}
    )

    assert page.status_code == 400
    assert "Start again from the first page" in page.text


async def test_generated_report_shows_progress_then_summary(
    signed_in: Browser, console: Api
) -> None:
    shop = await seed.seed_shop(console.client, console.key)
    token = await signed_in.token("/console/reports/new")
    created = await signed_in.post(
        "/console/reports",
        {
            "csrf_token": token,
            "scope_type": "project",
            "project_id": shop.projects["web"],
            "environment": "ignored",
            "range": "last_24_hours",
        },
    )
    report_path = created.headers["location"]

    waiting = await signed_in.get(report_path)
    assert waiting.status_code == 200
    assert '<meta http-equiv="refresh" content="2">' in waiting.text
    assert "Waiting for a worker" in waiting.text

    await drain(console.db)
    ready = await signed_in.get(report_path)

    assert "http-equiv" not in ready.text
    assert "Project web" in ready.text
    assert "Pass rate" in ready.text
    assert "<svg" in ready.text
    assert "PaymentTest.test_card_declined" in ready.text
    assert "expected status 402 but got 500" in ready.text
    assert "InventoryTest.test_reserve_stock" in ready.text
    assert ">retry<" in ready.text
    for fmt in ("json", "csv", "html"):
        assert f"{report_path}/download?format={fmt}" in ready.text


async def test_report_downloads_are_attachments(signed_in: Browser, console: Api) -> None:
    await seed.seed_shop(console.client, console.key, runs=1)
    report_id = await generate(
        signed_in, console, {"scope_type": "organization", "range": "last_7_days"}
    )

    for fmt, media_type in (
        ("json", "application/json"),
        ("csv", "text/csv"),
        ("html", "text/html"),
    ):
        response = await signed_in.get(
            f"/console/reports/{report_id}/download", params={"format": fmt}
        )
        assert response.status_code == 200, fmt
        assert response.headers["content-type"].startswith(media_type)
        expected = f'attachment; filename="zof-report-{report_id}.{fmt}"'
        assert response.headers["content-disposition"] == expected
    assert (
        await signed_in.get(f"/console/reports/{report_id}/download", params={"format": "pdf"})
    ).status_code == 400


async def test_download_of_unfinished_report_is_a_conflict(
    signed_in: Browser, console: Api
) -> None:
    report_id = await seed.create_report(
        console.client,
        console.key,
        {"kind": "summary", "scope": {"type": "organization"}, "range": "last_7_days"},
    )
    response = await signed_in.get(
        f"/console/reports/{report_id}/download", params={"format": "csv"}
    )
    assert response.status_code == 409
    assert "text/html" in response.headers["content-type"]


async def test_generate_form_custom_range_includes_to_day(signed_in: Browser, console: Api) -> None:
    report_id = await generate(
        signed_in,
        console,
        {"scope_type": "organization", "range": "custom", "from": "2026-11-01", "to": "2026-11-03"},
    )

    report = (await console.get(f"/v1/reports/{report_id}")).json()

    assert report["period"] == {
        "start": "2026-11-01T00:00:00.000Z",
        "end": "2026-11-04T00:00:00.000Z",
    }
    assert report["source"] == "api"


async def test_generate_form_shows_scope_errors(signed_in: Browser) -> None:
    token = await signed_in.token("/console/reports/new")
    response = await signed_in.post(
        "/console/reports",
        {
            "csrf_token": token,
            "scope_type": "environment",
            "project_id": "",
            "range": "last_7_days",
        },
    )

    assert response.status_code == 400
    assert "project_id" in response.text
    assert 'name="scope_type"' in response.text


async def test_generate_form_rejects_unknown_project(signed_in: Browser, console: Api) -> None:
    token = await signed_in.token("/console/reports/new")
    response = await signed_in.post(
        "/console/reports",
        {
            "csrf_token": token,
            "scope_type": "project",
            "project_id": "proj_unknown",
            "range": "last_7_days",
        },
    )

    assert response.status_code == 404
    assert "No project with id" in response.text
    assert (await console.get("/v1/reports")).json()["data"] == []


async def test_generate_without_token_creates_nothing(signed_in: Browser, console: Api) -> None:
    response = await signed_in.post(
        "/console/reports", {"scope_type": "organization", "range": "last_7_days"}
    )

    assert response.status_code == 403
    assert "nothing was changed" in response.text
    assert (await console.get("/v1/reports")).json()["data"] == []


async def test_unknown_report_is_a_404_page(signed_in: Browser) -> None:
    for path in ("/console/reports/rpt_missing", "/console/reports/" + "x" * 300):
        response = await signed_in.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")


async def test_run_report_names_and_links_its_run(signed_in: Browser, console: Api) -> None:
    shop = await seed.seed_shop(console.client, console.key, runs=1)
    await drain(console.db)

    listing = await signed_in.get(
        "/console/reports", params={"source": "run", "project_id": shop.projects["web"]}
    )
    (report_id,) = re.findall(r"<small>(rpt_\w+)</small>", listing.text)
    page = await signed_in.get(f"/console/reports/{report_id}")

    assert f"run {shop.runs[0]}" in listing.text
    assert f'href="/console/runs/{shop.runs[0]}"' in page.text


async def test_failed_report_shows_its_error(signed_in: Browser, console: Api) -> None:
    report_id = await seed.create_report(
        console.client,
        console.key,
        {"kind": "summary", "scope": {"type": "organization"}, "range": "last_7_days"},
    )
    await fail_report(console.db, report_id, "The database went away <again>.")

    page = await signed_in.get(f"/console/reports/{report_id}")

    assert page.status_code == 200
    assert "Generation failed" in page.text
    assert "The database went away &lt;again&gt;." in page.text
    assert "http-equiv" not in page.text
    assert "Download JSON" not in page.text


async def test_custom_range_needs_both_days(signed_in: Browser, console: Api) -> None:
    token = await signed_in.token("/console/reports/new")
    response = await signed_in.post(
        "/console/reports",
        {
            "csrf_token": token,
            "scope_type": "organization",
            "range": "custom",
            "from": "2026-11-01",
        },
    )

    assert response.status_code == 400
    assert "A custom range needs both from and to." in response.text
    assert 'value="2026-11-01"' in response.text
    assert (await console.get("/v1/reports")).json()["data"] == []


async def test_custom_range_must_not_be_inverted(signed_in: Browser) -> None:
    token = await signed_in.token("/console/reports/new")
    response = await signed_in.post(
        "/console/reports",
        {
            "csrf_token": token,
            "scope_type": "organization",
            "range": "custom",
            "from": "2026-11-05",
            "to": "2026-11-01",
        },
    )

    assert response.status_code == 400
    assert "period.end must be after period.start" in response.text
