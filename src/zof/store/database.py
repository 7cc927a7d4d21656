"""The database handle: one async engine, read and write transactions, and error mapping.

SQLite allows one writer at a time. Writers in this process queue on an asyncio lock and
open their transaction with `BEGIN IMMEDIATE`, so two transactions never deadlock trying
to upgrade a read lock; writers in other processes wait up to `busy_timeout`. When that
wait runs out the caller gets a retryable 503 `database_busy`, never a 500.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from zof.core.errors import ZofError

log = logging.getLogger("zof.store")


def _dump_json(value: Any) -> str:
    return orjson.dumps(value).decode()


# orjson instead of the standard json module for JSON columns: report summaries and upload
# warnings are decoded on every list page, and orjson does that about three times faster.
_JSON_CODEC: dict[str, Any] = {"json_serializer": _dump_json, "json_deserializer": orjson.loads}

SQLITE_BUSY_TIMEOUT_MS = 5000
# How long a SQLite writer queues behind the other writers of this process before a 503.
WRITE_LOCK_WAIT_SECONDS = 15.0


class Database:
    """An async engine plus the transaction helpers every query goes through."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._write_lock = asyncio.Lock() if self.is_sqlite else None
        if self.is_sqlite:
            ensure_sqlite_folder(url)
            self.engine: AsyncEngine = create_async_engine(url, pool_size=pool_size, **_JSON_CODEC)
            _configure_sqlite(self.engine)
        else:
            self.engine = create_async_engine(
                url,
                **_JSON_CODEC,
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_pre_ping=True,
                pool_recycle=1800,
            )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """Yield a connection in a read-only transaction."""
        with _mapped_errors(self.is_sqlite):
            async with self.engine.connect() as conn, conn.begin():
                yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """Yield a connection in a transaction that commits on success and rolls back on error."""
        with _mapped_errors(self.is_sqlite):
            if self._write_lock is None:
                async with self.engine.connect() as conn, conn.begin():
                    yield conn
                return
            await self._acquire_write_lock()
            try:
                async with self.engine.connect() as conn:
                    await conn.execution_options(zof_write=True)
                    async with conn.begin():
                        yield conn
            finally:
                self._write_lock.release()

    async def _acquire_write_lock(self) -> None:
        assert self._write_lock is not None
        try:
            await asyncio.wait_for(self._write_lock.acquire(), WRITE_LOCK_WAIT_SECONDS)
        except TimeoutError:
            raise _busy_error() from None

    async def dispose(self) -> None:
        await self.engine.dispose()


def ensure_sqlite_folder(url: str) -> None:
    if not url.startswith("sqlite"):
        return
    path = sa.engine.make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: AsyncEngine) -> None:
    """Turn on WAL and foreign keys, and take over BEGIN so writers can ask for IMMEDIATE."""

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling would emit BEGIN lazily and only before
        # writes; switching it off lets the "begin" hook below choose the BEGIN kind.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn: sa.Connection) -> None:
        if conn.get_execution_options().get("zof_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


@contextmanager
def _mapped_errors(is_sqlite: bool) -> Iterator[None]:
    """Turn lock time-outs and lost connections into retryable 503 errors."""
    try:
        yield
    except ZofError:
        raise
    except Exception as error:
        mapped = map_database_error(error, is_sqlite=is_sqlite)
        if mapped is None:
            raise
        raise mapped from error


def _busy_error() -> ZofError:
    return ZofError(
        "database_busy",
        "The database is busy with other writes. Retry the request.",
        headers={"Retry-After": "1"},
    )


def map_database_error(error: BaseException, *, is_sqlite: bool) -> ZofError | None:
    """Return the 503 for a busy or unreachable database, or None for any other error."""
    text = str(error).lower()
    if isinstance(error, exc.OperationalError) and (
        "database is locked" in text or "database table is locked" in text
    ):
        log.warning("database busy: %s", error.orig)
        return _busy_error()
    if is_sqlite:
        return None
    if _is_connection_error(error):
        log.error("database unavailable: %s", error)
        return ZofError(
            "database_unavailable",
            "The database cannot be reached. Retry the request shortly.",
            headers={"Retry-After": "2"},
        )
    return None


def _is_connection_error(error: BaseException) -> bool:
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, exc.InterfaceError | exc.OperationalError):
        return True
    if isinstance(error, ConnectionError | OSError | TimeoutError):
        return True
    name = type(error).__name__
    return name in {
        "ConnectionDoesNotExistError",
        "CannotConnectNowError",
        "ConnectionFailureError",
    }
