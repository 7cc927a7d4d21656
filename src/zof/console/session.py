"""The console session: the API key cookie, CSRF tokens and form bodies.

The session is the API key itself, kept in an HttpOnly, SameSite=Strict cookie that only
`/console` paths receive. Every request authenticates it again through the accounts
service, so a revoked or expired key signs its console session out on the next click.

CSRF tokens are an HMAC of a fixed label keyed with the session's API key: only a holder
of the key can compute one, and the token reveals nothing about the key. The sign-in form
has no session yet, so it uses a double-submit token: a random value in a second
SameSite=Strict cookie that the form must repeat.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from zof.services import accounts
from zof.services.permissions import Principal

KEY_COOKIE = "zof_console_key"
SIGN_IN_COOKIE = "zof_console_signin"
# Every console path starts with this, so the browser sends the key cookie to these only.
PREFIX = "/console"
COOKIE_PATH = PREFIX
CSRF_FIELD = "csrf_token"
# A key is 76 characters; anything much longer cannot be one and is not hashed.
MAX_KEY_LENGTH = 512
# Console forms hold a few short fields; a larger body is rejected before it is parsed.
MAX_FORM_BYTES = 16 * 1024
MAX_FORM_FIELDS = 50
_CSRF_LABEL = b"zof-console-csrf-v1"


class SignInRequired(Exception):
    """No valid session: the console redirects to the sign-in page.

    `reason` is a fixed word (`expired`, `signed_out`) that the sign-in page turns into
    a message; it never carries text from the request.
    """

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason or "sign-in required")
        self.reason = reason


class ConsoleForbidden(Exception):
    """A request the session may not make: a missing permission or an invalid CSRF token."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidForm(Exception):
    """A form body the console cannot read: too large, not URL-encoded, or not UTF-8."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Session:
    """A signed-in console user: the API key's principal and its CSRF token.

    `state` is the application's shared state (database, settings, cursor codec, job
    signal). Its class lives in the API layer, which the console must not import, so it
    is typed loosely here.
    """

    principal: Principal
    csrf_token: str
    state: Any

    def can(self, permission: str) -> bool:
        return self.principal.can(permission)

    def require(self, permission: str) -> None:
        """Raise ConsoleForbidden unless the key has `permission`, as the API would."""
        if not self.principal.can(permission):
            raise ConsoleForbidden(
                f"This API key lacks the {permission} permission needed for this page. "
                "Sign in with a key whose role grants it."
            )

    def check_csrf(self, form: dict[str, str]) -> None:
        if not tokens_match(form.get(CSRF_FIELD, ""), self.csrf_token):
            raise csrf_rejected()


def csrf_token_for(api_key: str) -> str:
    return hmac.new(api_key.encode(), _CSRF_LABEL, hashlib.sha256).hexdigest()


def tokens_match(presented: str, expected: str) -> bool:
    return bool(presented) and hmac.compare_digest(presented.encode(), expected.encode())


def csrf_rejected() -> ConsoleForbidden:
    return ConsoleForbidden(
        "The form's security token is missing or invalid, so nothing was changed. "
        "Reload the page and submit the form again."
    )


def app_state(request: Request) -> Any:
    return request.app.state.zof


async def current_session(request: Request) -> Session:
    """Authenticate the key cookie on this request, or raise SignInRequired."""
    key = request.cookies.get(KEY_COOKIE)
    if not key:
        raise SignInRequired()
    state = app_state(request)
    principal = None
    if len(key) <= MAX_KEY_LENGTH:
        principal = await accounts.authenticate(state.db, key)
    if principal is None:
        raise SignInRequired("expired")
    return Session(principal=principal, csrf_token=csrf_token_for(key), state=state)


async def read_form(request: Request) -> dict[str, str]:
    """Read a URL-encoded form body of at most MAX_FORM_BYTES; the last value of a name wins."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        raise InvalidForm(415, "Console forms are sent as application/x-www-form-urlencoded.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise InvalidForm(413, f"The form is larger than {MAX_FORM_BYTES} bytes.")
    try:
        pairs = parse_qsl(body.decode(), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except UnicodeDecodeError:
        raise InvalidForm(400, "The form is not valid UTF-8.") from None
    except ValueError:
        raise InvalidForm(400, f"The form has more than {MAX_FORM_FIELDS} fields.") from None
    return dict(pairs)


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_key_cookie(response: Response, request: Request, api_key: str) -> None:
    response.set_cookie(
        KEY_COOKIE,
        api_key,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
    )


def clear_key_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        KEY_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict", secure=is_https(request)
    )


def sign_in_token(request: Request) -> tuple[str, bool]:
    """Return the sign-in form's token and whether its cookie must be set on the response."""
    existing = request.cookies.get(SIGN_IN_COOKIE, "")
    if 32 <= len(existing) <= 64:
        return existing, False
    return secrets.token_urlsafe(32), True


def set_sign_in_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SIGN_IN_COOKIE,
        token,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
    )
