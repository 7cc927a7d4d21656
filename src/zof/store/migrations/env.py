"""Alembic environment: runs migrations on the async engine zof uses."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from zof.store.tables import metadata

# Two server processes starting at once on PostgreSQL would race to migrate; this
# advisory lock number makes the second wait until the first is done.
MIGRATION_LOCK_ID = 7_260_401


def run_migrations(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
    with context.begin_transaction():
        context.run_migrations()


async def run_async() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("zof migrations run online only: use `zof admin migrate`.")

asyncio.run(run_async())
