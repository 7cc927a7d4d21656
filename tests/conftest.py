"""Fixtures shared by every test: databases on SQLite and PostgreSQL, apps and clients.

Tests that take the `backend` fixture run once on SQLite and once on PostgreSQL.
PostgreSQL runs when ZOF_TEST_POSTGRES_URL is set (CI sets it); each test session
creates its own database there and drops it at the end.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine

from zof.api.app import create_app
from zof.core.settings import Settings, normalize_database_url
from zof.services import accounts
from zof.store.database import Database
from zof.store.migrate import upgrade
from zof.store.tables import metadata

POSTGRES_URL = os.environ.get("ZOF_TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("ZOF_TEST_REDIS_URL", "")
REPO = Path(__file__).resolve().parents[1]
REAL_INPUTS = REPO.parent / "shared" / "real-inputs"

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=pytest.mark.skipif(not POSTGRES_URL, reason="ZOF_TEST_POSTGRES_URL is not set"),
    ),
]


def _admin_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """Create a database of this session's own on the test server, migrated to head."""
    if not POSTGRES_URL:
        pytest.skip("ZOF_TEST_POSTGRES_URL is not set")
    name = f"zof_test_{uuid.uuid4().hex[:12]}"
    base = _admin_dsn(POSTGRES_URL)

    async def run(statement: str) -> None:
        conn = await asyncpg.connect(base)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    url = normalize_database_url(base.rsplit("/", 1)[0] + "/" + name)
    upgrade(url)
    yield url
    asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies, so migrations run once per session."""
    path = tmp_path_factory.mktemp("template") / "zof.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> str:
    """A migrated, empty database for this test."""
    if backend == "sqlite":
        path = tmp_path / "zof.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    asyncio.run(_truncate_all(url))
    return url


async def _truncate_all(url: str) -> None:
    engine = create_async_engine(url)
    names = ", ".join(table.name for table in metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(sa.text(f"TRUNCATE {names} CASCADE"))
    await engine.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Test settings: rate limiting off unless a test turns it on, a fixed cursor secret."""
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        rate_limit_per_minute=0,
        secret_key="test-secret",
        max_upload_bytes=5 * 1024 * 1024,
    )


class Api:
    """An in-process app with an HTTP client, and the first organization's admin key."""

    def __init__(self, app: FastAPI, client: httpx.AsyncClient, db: Database) -> None:
        self.app = app
        self.client = client
        self.db = db
        self.org_id = ""
        self.key = ""

    def headers(self, key: str | None = None, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key or self.key}", **extra}

    async def get(self, path: str, key: str | None = None, **kwargs: object) -> httpx.Response:
        return await self.client.get(path, headers=self.headers(key), **kwargs)  # type: ignore[arg-type]

    async def post(
        self,
        path: str,
        json: object = None,
        key: str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: object,
    ) -> httpx.Response:
        return await self.client.post(
            path,
            json=json,
            headers={**self.headers(key), **(headers or {})},
            **kwargs,  # type: ignore[arg-type]
        )

    async def bootstrap(self, name: str = "Acme") -> tuple[str, str]:
        created = await accounts.bootstrap(self.db, name)
        return created.organization_id, created.api_key

    async def create_key(
        self, role: str, permissions: list[str] | None = None, key: str | None = None
    ) -> str:
        response = await self.post(
            "/v1/api-keys",
            {"name": f"{role} key", "role": role, "permissions": permissions},
            key=key,
        )
        assert response.status_code == 201, response.text
        return str(response.json()["secret"])


@pytest.fixture
async def make_api(settings: Settings) -> AsyncIterator[object]:
    """Build an in-process app for given settings; the default uses `settings`."""
    stack: list[tuple[object, httpx.AsyncClient, Database]] = []

    async def build(custom: Settings | None = None) -> Api:
        app = create_app(custom or settings, migrate=False)
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        transport = httpx.ASGITransport(app=app)
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        db = app.state.zof.db
        stack.append((lifespan, client, db))
        api = Api(app, client, db)
        api.org_id, api.key = await api.bootstrap()
        return api

    yield build
    for lifespan, client, _db in reversed(stack):
        await client.aclose()
        await lifespan.__aexit__(None, None, None)  # type: ignore[attr-defined]


@pytest.fixture
async def api(make_api: object) -> Api:
    return await make_api()  # type: ignore[operator, no-any-return]
