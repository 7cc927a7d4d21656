"""The console in a real browser: Debian's Chromium against a real `zof serve` with workers.

Skipped only when /usr/bin/chromium is missing; `.ci/run` installs it, so CI runs these.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest

from tests.console import seed
from tests.console.live import CHROMIUM, PHONE, launch, sign_in, wait_until_ready
from tests.server import bootstrap, running_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.server,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]

if CHROMIUM.exists():
    from playwright.sync_api import Browser, Page, sync_playwright


@dataclass(frozen=True)
class Site:
    """A running server with seeded data, and the ids the tests look for."""

    url: str
    key: str
    shop: seed.Seeded
    markup_run: str
    markup_report: str
    web_report: str


async def _seed(url: str, key: str) -> tuple[seed.Seeded, str, str, str]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        shop = await seed.seed_shop(client, key)
        markup_project = await seed.create_project(client, key, "<i>markup</i>")
        markup_run = await seed.seed_markup(client, key, markup_project)
        markup_report = await seed.create_report(
            client,
            key,
            {
                "kind": "summary",
                "scope": {"type": "project", "project_id": markup_project},
                "range": "last_24_hours",
            },
        )
        web_report = await seed.create_report(
            client,
            key,
            {
                "kind": "summary",
                "scope": {"type": "project", "project_id": shop.projects["web"]},
                "range": "last_24_hours",
            },
        )
    return shop, markup_run, markup_report, web_report


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("console-browser")
    database_url = f"sqlite+aiosqlite:///{folder / 'zof.db'}"
    _, key = bootstrap(database_url)
    with running_server(database_url, folder / "server.log") as url:
        # A thread of its own: Playwright's sync API may already run a loop in this one.
        with ThreadPoolExecutor(1) as pool:
            seeded = pool.submit(asyncio.run, _seed(url, key)).result()
        shop, markup_run, markup_report, web_report = seeded
        for report_id in (markup_report, web_report):
            wait_until_ready(url, key, report_id)
        yield Site(url, key, shop, markup_run, markup_report, web_report)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser, site: Site) -> Iterator[Page]:
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Anything but this server is a request to another host, which the console must not make.
    foreign: list[str] = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith((site.url, "data:")) else foreign.append(request.url)
        ),
    )
    yield page
    context.close()
    assert foreign == []


def test_sign_in_keeps_key_from_scripts(page: Page, site: Site) -> None:
    sign_in(page, site.url, site.key)

    assert page.locator("h1").inner_text() == "Reports"
    assert "zof_console_key" not in page.evaluate("document.cookie")
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["zof_console_key"]["httpOnly"] is True
    assert cookies["zof_console_key"]["sameSite"] == "Strict"
    assert cookies["zof_console_key"]["path"] == "/console"


def test_wrong_key_shows_an_error(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/console/")
    page.fill("input[name=api_key]", "zof_sk_not-a-key")
    page.click("button:has-text('Sign in')")

    assert "invalid, revoked or expired" in page.locator("[role=alert]").inner_text()


def test_filter_reports_by_project(page: Page, site: Site) -> None:
    sign_in(page, site.url, site.key)

    page.select_option("select[name=project_id]", site.shop.projects["web"])
    page.select_option("select[name=source]", "api")
    page.click("button:has-text('Apply filters')")
    page.wait_for_url(re.compile(r".*project_id=proj_.*"))

    rows = page.locator("table.list tbody tr")
    assert rows.count() == 1
    assert "Project web" in rows.first.inner_text()
    assert site.web_report in rows.first.inner_text()


def test_open_a_report(page: Page, site: Site) -> None:
    sign_in(page, site.url, site.key)

    page.click(f"tr:has-text('{site.web_report}') a")
    page.wait_for_url(f"{site.url}/console/reports/{site.web_report}")

    assert page.locator("h1").inner_text() == "Project web"
    assert page.locator(".figure").count() == 8
    assert page.locator("svg.chart circle").count() >= 1
    assert "shop.PaymentTest.test_card_declined" in page.locator("main").inner_text()
    with page.expect_download() as download:
        page.click("a:has-text('Download CSV')")
    assert download.value.suggested_filename == f"zof-report-{site.web_report}.csv"


def test_generate_a_report_until_ready(page: Page, site: Site) -> None:
    sign_in(page, site.url, site.key)
    page.click("nav >> text=Generate report")
    page.select_option("select[name=scope_type]", "environment")
    page.select_option("select[name=project_id]", site.shop.projects["web"])
    page.fill("input[name=environment]", "staging")
    page.select_option("select[name=range]", "last_24_hours")
    page.click("button:has-text('Generate report')")

    page.wait_for_url(re.compile(r".*/console/reports/rpt_\w+$"))
    assert page.locator(".badge").first.inner_text() in {"queued", "generating", "ready"}
    # The page reloads itself every two seconds until the worker is done.
    page.locator("a:has-text('Download JSON')").wait_for(timeout=30_000)

    assert page.locator(".badge").first.inner_text() == "ready"
    assert page.locator("h1").inner_text() == "Project web, environment staging"


def test_sign_out_ends_the_session(page: Page, site: Site) -> None:
    sign_in(page, site.url, site.key)
    page.click("button:has-text('Sign out')")
    page.wait_for_url(f"{site.url}/console/?reason=signed_out")

    page.goto(f"{site.url}/console/reports")

    assert page.url == f"{site.url}/console/"
    assert page.locator("input[name=api_key]").is_visible()
    assert "zof_console_key" not in {cookie["name"] for cookie in page.context.cookies()}


def test_pages_fit_a_phone_screen(page: Page, site: Site) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, site.url, site.key)
    paths = [
        "/console/reports",
        f"/console/reports/{site.web_report}",
        f"/console/runs/{site.shop.runs[3]}",
        "/console/runs",
        "/console/reports/new",
    ]
    for path in paths:
        page.goto(site.url + path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= PHONE["width"], path


def test_markup_is_shown_as_text(page: Page, site: Site) -> None:
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text))
    sign_in(page, site.url, site.key)

    page.goto(f"{site.url}/console/runs/{site.markup_run}")
    run_text = page.locator("main").inner_text()
    assert page.evaluate("typeof window.zofInjected") == "undefined"
    assert seed.SCRIPT_NAME in run_text
    assert seed.IMG_MESSAGE in run_text
    assert page.locator("main script, main img, main b, main em").count() == 0
    assert page.locator("a[href^='javascript:']").count() == 0
    assert page.evaluate("document.scripts.length") == 0

    page.goto(f"{site.url}/console/reports/{site.markup_report}")
    report_text = page.locator("main").inner_text()
    assert page.evaluate("typeof window.zofInjected") == "undefined"
    assert seed.SCRIPT_NAME in report_text
    assert "Project <i>markup</i>" in report_text
    assert blocked == []
