"""Console security over HTTP: headers, permissions, tenancy and escaping."""

from __future__ import annotations

from tests.conftest import Api
from tests.console import seed
from tests.console.conftest import Browser
from zof.services.worker import drain


async def test_pages_carry_a_strict_content_security_policy(signed_in: Browser) -> None:
    for path in (
        "/console/",
        "/console/reports",
        "/console/runs",
        "/console/reports/new",
        "/console/nowhere",
    ):
        response = await signed_in.get(path)
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy, path
        assert "script-src" not in policy, path
        assert "frame-ancestors 'none'" in policy, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store", path


async def test_pages_load_nothing_from_other_hosts(signed_in: Browser, console: Api) -> None:
    await seed.seed_shop(console.client, console.key, runs=2)
    for path in ("/console/reports", "/console/runs", "/console/reports/new"):
        page = await signed_in.get(path)
        assert "http://" not in page.text.replace("http://testserver", ""), path
        assert "https://" not in page.text, path
        assert "<script" not in page.text, path


async def test_style_sheet_is_served_by_the_console(browser: Browser) -> None:
    response = await browser.get("/console/static/console.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "@import" not in response.text
    assert "url(" not in response.text


async def test_unknown_console_path_is_an_html_404(signed_in: Browser) -> None:
    response = await signed_in.get("/console/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


async def test_wrong_method_is_an_html_405(signed_in: Browser) -> None:
    response = await signed_in.client.put("/console/reports")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.headers["content-type"].startswith("text/html")


async def test_pages_need_the_api_permissions(make_browser: object, console: Api) -> None:
    runs_only = await console.create_key("viewer", ["runs:read"])
    browser = make_browser()  # type: ignore[operator]
    landing = await browser.sign_in(runs_only)
    assert landing.headers["location"] == "/console/runs"

    for path in ("/console/reports", "/console/reports/new", "/console/reports/rpt_x"):
        response = await browser.get(path)
        assert response.status_code == 403, path
        assert "lacks the reports:" in response.text, path
    assert (await browser.get("/console/runs")).status_code == 200


async def test_viewer_cannot_generate_reports(make_browser: object, console: Api) -> None:
    viewer = await console.create_key("viewer")
    browser = make_browser()  # type: ignore[operator]
    await browser.sign_in(viewer)
    token = await browser.token()

    page = await browser.get("/console/reports")
    response = await browser.post(
        "/console/reports",
        {"csrf_token": token, "scope_type": "organization", "range": "last_7_days"},
    )

    assert "Generate report" not in page.text
    assert response.status_code == 403
    assert "lacks the reports:create permission" in response.text
    assert (await console.get("/v1/reports")).json()["data"] == []


async def test_runs_need_runs_read(make_browser: object, console: Api) -> None:
    reports_only = await console.create_key("viewer", ["reports:read"])
    browser = make_browser()  # type: ignore[operator]
    await browser.sign_in(reports_only)

    assert (await browser.get("/console/runs")).status_code == 403
    assert (await browser.get("/console/runs/run_x")).status_code == 403


async def test_other_organizations_ids_are_404_pages(signed_in: Browser, console: Api) -> None:
    _, other_key = await console.bootstrap("Globex")
    shop = await seed.seed_shop(console.client, other_key, runs=1)
    report_id = await seed.create_report(
        console.client,
        other_key,
        {"kind": "summary", "scope": {"type": "organization"}, "range": "last_7_days"},
    )
    await drain(console.db)

    paths = (
        f"/console/reports/{report_id}",
        f"/console/reports/{report_id}/download?format=json",
        f"/console/runs/{shop.runs[0]}",
    )
    for path in paths:
        response = await signed_in.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html"), path
    reports = await signed_in.get("/console/reports")
    runs = await signed_in.get("/console/runs")
    assert report_id not in reports.text
    assert shop.runs[0] not in runs.text
    assert shop.projects["web"] not in runs.text


async def test_other_organizations_project_is_refused(signed_in: Browser, console: Api) -> None:
    _, other_key = await console.bootstrap("Globex")
    other_project = await seed.create_project(console.client, other_key, "secret")
    token = await signed_in.token("/console/reports/new")

    response = await signed_in.post(
        "/console/reports",
        {
            "csrf_token": token,
            "scope_type": "project",
            "project_id": other_project,
            "range": "last_7_days",
        },
    )

    assert response.status_code == 404


async def test_names_and_messages_are_escaped(signed_in: Browser, console: Api) -> None:
    project_id = await seed.create_project(console.client, console.key, "<i>shop</i>")
    run_id = await seed.seed_markup(console.client, console.key, project_id)
    report_id = await seed.create_report(
        console.client,
        console.key,
        {
            "kind": "summary",
            "scope": {"type": "project", "project_id": project_id},
            "range": "last_24_hours",
        },
    )
    await drain(console.db)

    for path in (f"/console/runs/{run_id}", f"/console/reports/{report_id}", "/console/runs"):
        page = await signed_in.get(path)
        assert page.status_code == 200, path
        assert "<script>" not in page.text, path
        assert "<img" not in page.text, path
        assert "<b>tests" not in page.text, path
        assert "<i>shop" not in page.text, path
        assert "&lt;i&gt;shop&lt;/i&gt;" in page.text, path
    run_page = await signed_in.get(f"/console/runs/{run_id}")
    assert "&lt;script&gt;window.zofInjected = &#39;name&#39;&lt;/script&gt;" in run_page.text
    assert "&lt;img src=x onerror=" in run_page.text
    assert "&lt;i&gt;markup&lt;/i&gt;.xml" in run_page.text
    assert "&lt;em&gt;branch&lt;/em&gt;" in run_page.text
    assert 'href="javascript:' not in run_page.text
