"""The ASGI application: routes, middleware, error handlers and start-up."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.responses import Response

from zof import __version__
from zof.api import errors, openapi
from zof.api.idempotency import IdempotencyMiddleware
from zof.api.middleware import RequestContextMiddleware
from zof.api.ratelimit import DisabledRateLimiter, MemoryRateLimiter, RateLimiter, RedisRateLimiter
from zof.api.responses import json_response
from zof.api.routes import all_routers
from zof.api.state import AppState
from zof.core.cursors import CursorCodec
from zof.core.settings import Settings
from zof.services.secrets import load_cursor_secret
from zof.store.database import Database
from zof.store.migrate import upgrade

log = logging.getLogger("zof.api")

BackgroundStarter = Callable[[AppState], Any]


def make_limiter(settings: Settings) -> RateLimiter:
    if settings.rate_limit_per_minute <= 0:
        return DisabledRateLimiter()
    if settings.redis_url:
        return RedisRateLimiter(settings.redis_url)
    return MemoryRateLimiter()


def create_app(
    settings: Settings,
    *,
    migrate: bool = True,
    background: list[BackgroundStarter] | None = None,
) -> FastAPI:
    """Build the application. `background` starters run after start-up (workers, schedulers)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = settings.resolved_database_url
        if migrate:
            await asyncio.to_thread(upgrade, url)
        db = Database(url)
        secret = await load_cursor_secret(db, settings.secret_key)
        state = AppState(
            settings=settings, db=db, cursors=CursorCodec(secret), limiter=make_limiter(settings)
        )
        app.state.zof = state
        stoppers = []
        for start in background or []:
            stoppers.append(await start(state))
        try:
            yield
        finally:
            for stop in reversed(stoppers):
                await stop()
            await state.limiter.close()
            await db.dispose()

    app = FastAPI(
        title="zof API",
        version=__version__,
        description="Ingest CI test results into runs; generate and list reports by scope "
        "and time range.",
        openapi_url="/v1/openapi.json",
        # No Swagger UI: FastAPI's page loads its scripts from a CDN, and a self-hosted
        # service should make no requests to other hosts.
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    errors.install(app)
    routers = all_routers()
    for router in routers:
        app.include_router(router)
    errors.index_methods(app, routers)

    @app.get("/healthz", include_in_schema=False)
    async def health() -> Response:
        return json_response({"status": "ok"})

    app.openapi = lambda: openapi.build(app)  # type: ignore[method-assign]
    app.add_middleware(IdempotencyMiddleware, state_getter=lambda: app.state.zof)
    app.add_middleware(RequestContextMiddleware)
    return app
