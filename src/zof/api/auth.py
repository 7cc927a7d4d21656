"""Authentication, rate limiting and permission checks, as one route dependency."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request

from zof.api import context
from zof.api.ratelimit import buckets_for
from zof.api.state import AppState
from zof.core.errors import ZofError
from zof.services import accounts
from zof.services.permissions import Principal

MAX_AUTHORIZATION_LENGTH = 512


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.zof
    return state


async def authenticate_request(state: AppState, authorization: str | None) -> Principal:
    """Return the principal for an `Authorization` header value, or raise a 401."""
    if not authorization:
        raise ZofError(
            "authentication_required",
            "Authentication is required. Send the API key as `Authorization: Bearer <key>`.",
            "Authorization",
            headers={"WWW-Authenticate": "Bearer"},
        )
    scheme, _, presented = authorization.partition(" ")
    principal = None
    if scheme.lower() == "bearer" and len(authorization) <= MAX_AUTHORIZATION_LENGTH:
        principal = await accounts.authenticate(state.db, presented.strip())
    if principal is None:
        # One answer for malformed, unknown, revoked and expired keys, so the response
        # does not tell an attacker which keys exist.
        raise ZofError(
            "invalid_api_key",
            "The API key is invalid, revoked or expired.",
            "Authorization",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return principal


async def principal_for(request: Request) -> Principal:
    """Authenticate once per request; the idempotency layer may have done it already."""
    ctx = context.get()
    if ctx is not None and isinstance(ctx.principal, Principal):
        return ctx.principal
    principal = await authenticate_request(app_state(request), request.headers.get("authorization"))
    if ctx is not None:
        ctx.principal = principal
    return principal


async def enforce_rate_limit(state: AppState, principal: Principal) -> None:
    """Take a token for this request, once per request, or raise the 429."""
    per_minute = state.settings.rate_limit_per_minute
    ctx = context.get()
    if per_minute <= 0 or (ctx is not None and ctx.rate_limit_applied):
        return
    if ctx is not None:
        ctx.rate_limit_applied = True
    decision = await state.limiter.hit(
        buckets_for(principal.organization_id, principal.key_id, per_minute)
    )
    if ctx is not None:
        ctx.response_headers.update(decision.headers())
    if not decision.allowed:
        raise ZofError(
            "rate_limited",
            f"Rate limit of {decision.limit} requests per minute exceeded. "
            f"Retry after {decision.retry_after} seconds.",
            headers={"Retry-After": str(decision.retry_after)},
        )


def require(permission: str) -> Callable[[Request], Awaitable[Principal]]:
    """Build the dependency that lets a request through only with `permission`."""

    async def dependency(request: Request) -> Principal:
        principal = await principal_for(request)
        await enforce_rate_limit(app_state(request), principal)
        if not principal.can(permission):
            raise ZofError(
                "permission_denied",
                f"This API key lacks the {permission} permission needed for this request.",
            )
        return principal

    dependency.__name__ = f"require_{permission.replace(':', '_')}"
    return dependency
