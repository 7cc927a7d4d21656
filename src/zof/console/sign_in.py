"""Sign-in and sign-out pages."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from zof.console.rendering import PREFIX, ConsoleRoute, redirect, render
from zof.console.session import (
    COOKIE_PATH,
    CSRF_FIELD,
    MAX_KEY_LENGTH,
    SIGN_IN_COOKIE,
    SignInRequired,
    clear_key_cookie,
    csrf_rejected,
    current_session,
    read_form,
    set_key_cookie,
    set_sign_in_cookie,
    sign_in_token,
    tokens_match,
)
from zof.services import accounts
from zof.services.permissions import Principal

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)

# The only messages the sign-in page shows for `?reason=`; the request never supplies text.
REASONS = {
    "expired": "Your API key is no longer valid: it was revoked, has expired, or is unknown. "
    "Sign in with another key.",
    "signed_out": "You are signed out.",
}


def landing_page(principal: Principal) -> str:
    if not principal.can("reports:read") and principal.can("runs:read"):
        return "/console/runs"
    return "/console/reports"


def sign_in_page(request: Request, *, status: int = 200, error: str | None = None) -> Response:
    token, is_new = sign_in_token(request)
    notice = REASONS.get(request.query_params.get("reason", ""))
    response = render(
        request, "sign_in.html", status=status, token=token, error=error, notice=notice
    )
    if is_new:
        set_sign_in_cookie(response, request, token)
    return response


@router.get("")
@router.get("/")
async def show_sign_in(request: Request) -> Response:
    """Show the sign-in form, or go straight to the console with a valid key cookie."""
    try:
        session = await current_session(request)
    except SignInRequired as signal:
        response = sign_in_page(request)
        if signal.reason == "expired":
            clear_key_cookie(response, request)
        return response
    return redirect(landing_page(session.principal))


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    form = await read_form(request)
    # Double submit: a cross-site form cannot read or send the SameSite=Strict cookie, so
    # it cannot sign a browser in with the attacker's own key.
    if not tokens_match(form.get(CSRF_FIELD, ""), request.cookies.get(SIGN_IN_COOKIE, "")):
        raise csrf_rejected()

    key = form.get("api_key", "").strip()
    principal = None
    if key and len(key) <= MAX_KEY_LENGTH:
        principal = await accounts.authenticate(request.app.state.zof.db, key)
    if principal is None:
        message = "Enter an API key." if not key else "The API key is invalid, revoked or expired."
        return sign_in_page(request, status=401, error=message)

    response = redirect(landing_page(principal))
    set_key_cookie(response, request, key)
    response.delete_cookie(SIGN_IN_COOKIE, path=COOKIE_PATH)
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    session = await current_session(request)
    session.check_csrf(await read_form(request))
    response = redirect("/console/", reason="signed_out")
    clear_key_cookie(response, request)
    return response
