"""Fixtures for report tests: a database handle on each backend and the seeded data set."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.reports.dataset import Tenant, seed
from zof.store.database import Database


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
async def tenant(db: Database) -> Tenant:
    """The hand-computed data set, seeded for the main organization and for another one."""
    async with db.write() as conn:
        main = await seed(conn, "org_main")
        await seed(conn, "org_other")
    return main
