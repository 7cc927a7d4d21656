"""Console sign-in, the key cookie, CSRF tokens and sign-out, over HTTP."""

from __future__ import annotations

from tests.conftest import Api
from tests.console.conftest import Browser, csrf_token


def cookie_header(response: object, name: str) -> str:
    for value in response.headers.get_list("set-cookie"):  # type: ignore[attr-defined]
        if value.startswith(f"{name}="):
            return str(value)
    raise AssertionError(f"no Set-Cookie for {name}")


async def test_sign_in_page_is_served_at_both_paths(browser: Browser) -> None:
    for path in ("/console", "/console/"):
        response = await browser.get(path)
        assert response.status_code == 200
        assert 'name="api_key"' in response.text


async def test_sign_in_sets_a_strict_http_only_cookie(browser: Browser, console: Api) -> None:
    response = await browser.sign_in()

    assert response.status_code == 303
    assert response.headers["location"] == "/console/reports"
    cookie = cookie_header(response, "zof_console_key").lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "path=/console" in cookie
    assert "secure" not in cookie


async def test_cookie_is_secure_over_https(console: Api) -> None:
    import httpx

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=console.app), base_url="https://testserver"
    ) as client:
        page = await client.get("/console/")
        response = await client.post(
            "/console/sign-in", data={"api_key": console.key, "csrf_token": csrf_token(page.text)}
        )
    assert response.status_code == 303
    assert "; secure" in cookie_header(response, "zof_console_key").lower()


async def test_signed_in_visit_to_root_goes_to_reports(signed_in: Browser) -> None:
    response = await signed_in.get("/console/")
    assert response.status_code == 303
    assert response.headers["location"] == "/console/reports"


async def test_wrong_key_is_rejected(browser: Browser) -> None:
    response = await browser.sign_in("zof_sk_" + "A" * 69)
    assert response.status_code == 401
    assert "invalid, revoked or expired" in response.text
    assert "zof_console_key" not in response.headers.get("set-cookie", "")


async def test_sign_in_without_token_is_refused(browser: Browser, console: Api) -> None:
    await browser.get("/console/")
    response = await browser.post("/console/sign-in", {"api_key": console.key})
    assert response.status_code == 403
    assert "zof_console_key" not in response.headers.get("set-cookie", "")


async def test_sign_in_token_must_match_cookie(make_browser: object, console: Api) -> None:
    attacker, victim = make_browser(), make_browser()  # type: ignore[operator]
    token = csrf_token((await attacker.get("/console/")).text)
    await victim.get("/console/")
    response = await victim.post("/console/sign-in", {"api_key": console.key, "csrf_token": token})
    assert response.status_code == 403


async def test_pages_redirect_to_sign_in_without_cookie(browser: Browser) -> None:
    for path in ("/console/reports", "/console/runs", "/console/reports/new", "/console/runs/x"):
        response = await browser.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/console/", path


async def test_revoked_key_is_signed_out_at_once(signed_in: Browser, console: Api) -> None:
    key_id = (await console.get("/v1/api-keys")).json()["data"][0]["id"]
    other = await console.create_key("admin")
    revoked = await console.client.delete(f"/v1/api-keys/{key_id}", headers=console.headers(other))
    assert revoked.status_code == 200

    response = await signed_in.get("/console/reports")
    assert response.status_code == 303
    assert response.headers["location"] == "/console/?reason=expired"
    assert cookie_header(response, "zof_console_key").lower().count("max-age=0") == 1
    page = await signed_in.get("/console/?reason=expired")
    assert "no longer valid" in page.text


async def test_sign_out_clears_the_cookie(signed_in: Browser) -> None:
    token = await signed_in.token()
    response = await signed_in.post("/console/sign-out", {"csrf_token": token})

    assert response.status_code == 303
    assert response.headers["location"] == "/console/?reason=signed_out"
    assert "max-age=0" in cookie_header(response, "zof_console_key").lower()
    after = await signed_in.get("/console/reports")
    assert after.status_code == 303


async def test_sign_out_without_token_changes_nothing(signed_in: Browser) -> None:
    response = await signed_in.post("/console/sign-out", {"csrf_token": "0" * 64})
    assert response.status_code == 403
    assert "set-cookie" not in response.headers
    assert (await signed_in.get("/console/reports")).status_code == 200


async def test_token_of_another_session_is_refused(make_browser: object, console: Api) -> None:
    first, second = make_browser(), make_browser()  # type: ignore[operator]
    await first.sign_in()
    await second.sign_in(await console.create_key("admin"))
    foreign_token = await first.token()

    response = await second.post("/console/sign-out", {"csrf_token": foreign_token})
    assert response.status_code == 403


async def test_form_must_be_url_encoded(signed_in: Browser) -> None:
    token = await signed_in.token()
    response = await signed_in.client.post("/console/sign-out", json={"csrf_token": token})
    assert response.status_code == 415


async def test_oversized_form_is_refused(signed_in: Browser) -> None:
    response = await signed_in.post("/console/reports", {"padding": "x" * 20_000})
    assert response.status_code == 413
