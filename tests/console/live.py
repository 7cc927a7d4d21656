"""Chromium and a real `zof serve` for browser tests and screenshots.

Browsers come from Debian's `chromium` package, driven by Playwright's Python package;
Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def sign_in(page: Page, base_url: str, key: str) -> None:
    page.goto(f"{base_url}/console/")
    page.fill("input[name=api_key]", key)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base_url}/console/reports")


def wait_until_ready(base_url: str, key: str, report_id: str, timeout: float = 60) -> None:
    """Poll the API until the server's worker has generated the report."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = httpx.get(
            f"{base_url}/v1/reports/{report_id}", headers={"Authorization": f"Bearer {key}"}
        )
        status = response.json()["status"]
        if status == "ready":
            return
        assert status != "failed", response.text
        time.sleep(0.2)
    raise AssertionError(f"report {report_id} was not ready after {timeout} s")
