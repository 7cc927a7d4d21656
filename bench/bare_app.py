"""The reference server of the listing benchmark: a bare ASGI app with no framework.

    python -m bench.bare_app --port 8181 --database-url postgresql://postgres@127.0.0.1/zof_bench

It serves `GET /v1/reports?limit=&project_id=&starting_after=` with the two statements zof
runs for that request: the API key lookup by id and the keyset page of reports, as zof
compiles them. It runs them through the same driver (asyncpg or aiosqlite), under the same
uvicorn settings as `zof serve`, and returns the same report objects as orjson bytes.

It leaves out everything else zof does: no transactions around reads, no permission or
expiry checks beyond the key hash, no query validation and no sealed cursors (its cursor
is plain base64 of the position). So its speed is the floor that the database, the driver
and the HTTP server set, and zof's ratio to it is the cost of everything above them.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import parse_qs

import aiosqlite
import asyncpg
import orjson
import uvicorn

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

POOL_SIZE = 20
_COLUMNS = (
    "id, organization_id, kind, status, scope_type, project_id, environment, suite, "
    "period_start, period_end, range_preset, source, schedule_id, run_id, created_at, "
    "completed_at, expires_at, summary, error"
)
_TIME_COLUMNS = ("period_start", "period_end", "created_at", "completed_at", "expires_at")
_FORMATS = ("json", "csv", "html")


def bare_app_command(database_url: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bench.bare_app",
        "--port",
        str(port),
        "--database-url",
        database_url,
    ]


def bare_cursor(created_at: datetime, report_id: str) -> str:
    """Return the reference app's cursor for a position: base64 of its micros and id."""
    micros = int(created_at.timestamp() * 1_000_000)
    return base64.urlsafe_b64encode(orjson.dumps([micros, report_id])).decode()


def _position(cursor: str) -> tuple[datetime, str]:
    micros, report_id = orjson.loads(base64.urlsafe_b64decode(cursor))
    return datetime.fromtimestamp(micros / 1_000_000, UTC), report_id


class Backend(Protocol):
    """The two statements of one listing request, written for one driver."""

    async def start(self, url: str) -> None: ...

    async def key_row(self, key_id: str) -> dict[str, Any] | None: ...

    async def page(
        self, organization_id: str, project_id: str, after: tuple[datetime, str] | None, limit: int
    ) -> list[dict[str, Any]]: ...


class PostgresBackend(Backend):
    async def start(self, url: str) -> None:
        self._pool = await asyncpg.create_pool(url, min_size=1, max_size=POOL_SIZE)

    async def key_row(self, key_id: str) -> dict[str, Any] | None:
        row = await self._pool.fetchrow("SELECT * FROM api_keys WHERE id = $1", key_id)
        return dict(row) if row is not None else None

    async def page(
        self, organization_id: str, project_id: str, after: tuple[datetime, str] | None, limit: int
    ) -> list[dict[str, Any]]:
        sql = (
            f"SELECT {_COLUMNS} FROM reports WHERE organization_id = $1 AND expires_at > $2 "
            "AND project_id = $3"
        )
        arguments: list[Any] = [organization_id, datetime.now(UTC), project_id]
        if after is not None:
            sql += " AND (created_at, id) < ($4, $5)"
            arguments += list(after)
        sql += f" ORDER BY created_at DESC, id DESC LIMIT {limit + 1}"
        rows = await self._pool.fetch(sql, *arguments)
        return [dict(row) for row in rows]


def _sqlite_text(value: datetime) -> str:
    # SQLAlchemy stores SQLite datetimes as naive UTC text in this form.
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None


class SqliteBackend(Backend):
    async def start(self, url: str) -> None:
        path = url.split(":///", 1)[1]
        self._pool: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        for _ in range(POOL_SIZE):
            connection = await aiosqlite.connect(path, isolation_level=None)
            connection.row_factory = aiosqlite.Row
            await connection.execute("PRAGMA journal_mode=WAL")
            await connection.execute("PRAGMA busy_timeout=5000")
            self._pool.put_nowait(connection)

    async def _fetch(self, sql: str, arguments: list[Any]) -> list[dict[str, Any]]:
        connection = await self._pool.get()
        try:
            async with connection.execute(sql, arguments) as cursor:
                return [dict(row) for row in await cursor.fetchall()]
        finally:
            self._pool.put_nowait(connection)

    async def key_row(self, key_id: str) -> dict[str, Any] | None:
        rows = await self._fetch("SELECT * FROM api_keys WHERE id = ?", [key_id])
        return rows[0] if rows else None

    async def page(
        self, organization_id: str, project_id: str, after: tuple[datetime, str] | None, limit: int
    ) -> list[dict[str, Any]]:
        sql = (
            f"SELECT {_COLUMNS} FROM reports WHERE organization_id = ? AND expires_at > ? "
            "AND project_id = ?"
        )
        arguments: list[Any] = [organization_id, _sqlite_text(datetime.now(UTC)), project_id]
        if after is not None:
            sql += " AND (created_at, id) < (?, ?)"
            arguments += [_sqlite_text(after[0]), after[1]]
        sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
        rows = await self._fetch(sql, [*arguments, limit + 1])
        for row in rows:
            for column in _TIME_COLUMNS:
                row[column] = _sqlite_time(row[column])
        return rows


def _timestamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    value = value.astimezone(UTC)
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}Z"


def _json(value: str | None) -> Any:
    return orjson.loads(value) if value is not None else None


def report_object(row: dict[str, Any]) -> dict[str, Any]:
    base = f"/v1/reports/{row['id']}"
    return {
        "id": row["id"],
        "object": "report",
        "kind": row["kind"],
        "status": row["status"],
        "scope": {
            "type": row["scope_type"],
            "project_id": row["project_id"],
            "environment": row["environment"],
            "suite": row["suite"],
        },
        "period": {"start": _timestamp(row["period_start"]), "end": _timestamp(row["period_end"])},
        "range": row["range_preset"],
        "source": row["source"],
        "schedule_id": row["schedule_id"],
        "run_id": row["run_id"],
        "created_at": _timestamp(row["created_at"]),
        "completed_at": _timestamp(row["completed_at"]),
        "expires_at": _timestamp(row["expires_at"]),
        "summary": _json(row["summary"]),
        "error": _json(row["error"]),
        "links": {"self": base, "content": {f: f"{base}/content?format={f}" for f in _FORMATS}},
    }


class BareApp:
    def __init__(self, url: str) -> None:
        self.url = url
        self.backend: Backend = SqliteBackend() if url.startswith("sqlite") else PostgresBackend()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["path"] == "/healthz":
            await _respond(send, 200, b"{}")
            return
        if scope["path"] != "/v1/reports":
            await _respond(send, 404, b'{"error": "not found"}')
            return

        headers = dict(scope["headers"])
        organization_id = await self._authenticate(headers.get(b"authorization", b"").decode())
        if organization_id is None:
            await _respond(send, 401, b'{"error": "invalid key"}')
            return
        query = {k: v[0] for k, v in parse_qs(scope["query_string"].decode()).items()}
        limit = int(query.get("limit", "20"))
        after = _position(query["starting_after"]) if "starting_after" in query else None
        rows = await self.backend.page(organization_id, query["project_id"], after, limit)
        has_more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = None
        if has_more:
            next_cursor = bare_cursor(rows[-1]["created_at"], rows[-1]["id"])
        body = {
            "object": "list",
            "data": [report_object(row) for row in rows],
            "has_more": has_more,
            "next_cursor": next_cursor,
        }
        await _respond(send, 200, orjson.dumps(body))

    async def _authenticate(self, authorization: str) -> str | None:
        presented = authorization.removeprefix("Bearer ")
        row = await self.backend.key_row("key_" + presented[7:33])
        if row is None:
            return None
        digest = hashlib.sha256(presented.encode()).hexdigest()
        return row["organization_id"] if hmac.compare_digest(digest, row["secret_hash"]) else None

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        await receive()  # lifespan.startup
        await self.backend.start(self.url)
        await send({"type": "lifespan.startup.complete"})
        await receive()  # lifespan.shutdown
        await send({"type": "lifespan.shutdown.complete"})


async def _respond(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def main() -> None:
    options = argparse.ArgumentParser(description="Serve the bare listing reference.")
    options.add_argument("--port", type=int, required=True, help="loopback port to listen on")
    options.add_argument("--database-url", required=True, help="sqlite:///PATH or postgresql://")
    arguments = options.parse_args()
    url = arguments.database_url.replace("postgresql+asyncpg://", "postgresql://")
    url = url.replace("sqlite+aiosqlite://", "sqlite://")
    # The same settings `zof serve` passes to uvicorn.
    uvicorn.run(
        BareApp(url),
        host="127.0.0.1",
        port=arguments.port,
        log_config=None,
        access_log=False,
        server_header=False,
        h11_max_incomplete_event_size=32 * 1024,
    )


if __name__ == "__main__":
    main()
