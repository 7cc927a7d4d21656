"""Fixtures for console tests: an app with the console mounted, and signed-in browsers.

`zof serve` mounts the console on the API's app; the shared `make_api` fixture builds
the API alone, so these fixtures mount the console the same way.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import Api
from zof.console import mount

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = _TOKEN.search(html)
    assert match is not None, "the page has no form with a CSRF token"
    return match.group(1)


class Browser:
    """An HTTP client with its own cookie jar, standing in for one browser."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=api.app), base_url="http://testserver"
        )

    async def get(self, path: str, **kwargs: object) -> httpx.Response:
        return await self.client.get(path, **kwargs)  # type: ignore[arg-type]

    async def post(self, path: str, data: dict[str, str]) -> httpx.Response:
        return await self.client.post(path, data=data)

    async def sign_in(self, key: str | None = None) -> httpx.Response:
        page = await self.get("/console/")
        assert page.status_code == 200, page.text
        return await self.post(
            "/console/sign-in",
            {"api_key": key or self.api.key, "csrf_token": csrf_token(page.text)},
        )

    async def token(self, path: str = "/console/reports") -> str:
        """The CSRF token of the signed-in session, read from a page's sign-out form."""
        page = await self.get(path)
        assert page.status_code == 200, page.text
        return csrf_token(page.text)

    async def aclose(self) -> None:
        await self.client.aclose()


@pytest.fixture
async def console(api: Api) -> Api:
    mount(api.app)
    return api


@pytest.fixture
async def make_browser(console: Api) -> AsyncIterator[object]:
    browsers: list[Browser] = []

    def build() -> Browser:
        browser = Browser(console)
        browsers.append(browser)
        return browser

    yield build
    for browser in browsers:
        await browser.aclose()


@pytest.fixture
async def browser(make_browser: object) -> Browser:
    return make_browser()  # type: ignore[operator, no-any-return]


@pytest.fixture
async def signed_in(browser: Browser) -> Browser:
    response = await browser.sign_in()
    assert response.status_code == 303, response.text
    return browser
