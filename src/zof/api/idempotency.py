"""`Idempotency-Key` for POST and PATCH, stored in the database per organization.

The first request with a key claims it before its handler runs. The response it ends
with is stored for 24 hours and replayed to any repeat of the same request. The claim
is one conditional INSERT, so under any number of concurrent duplicates exactly one
request runs the handler. The others get 409 `idempotency_key_in_use` until the
response is stored, then the replay.

Responses produced before the handler ran (401, 403, 429, validation 400s) and 5xx
responses release the key, so a fixed or retried request runs as new. If a process
dies while holding a key, the claim lapses after `LOCK_SECONDS` and the key runs as
new. NOTE: if the process dies after its transaction committed but before the response
was stored, a retry after the lapse repeats the side effect. Closing that gap needs the
response stored in the handler's own transaction.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Callable
from datetime import timedelta
from typing import IO, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zof.api import context
from zof.api.auth import authenticate_request, enforce_rate_limit
from zof.api.envelope import error_body
from zof.api.state import AppState
from zof.core.clock import utcnow
from zof.core.errors import CATALOG, ZofError
from zof.services.permissions import Principal
from zof.store import idempotency as store

log = logging.getLogger("zof.idempotency")

LOCK_SECONDS = 300
MAX_KEY_LENGTH = 255
_SPOOL_MEMORY_BYTES = 1024 * 1024
_CHUNK = 64 * 1024
# Stored responses keep these headers; hop-by-hop and per-request ones are recomputed.
_REPLAYED_HEADERS = {"content-type", "content-disposition", "location"}


def validate_key(value: str) -> None:
    if not value or len(value) > MAX_KEY_LENGTH or not all(32 <= ord(c) < 127 for c in value):
        raise ZofError(
            "invalid_idempotency_key",
            "Idempotency-Key must be 1 to 255 printable ASCII characters.",
            "Idempotency-Key",
        )


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, state_getter: Callable[[], AppState]) -> None:
        self.app = app
        self.state_getter = state_getter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in {"POST", "PATCH"}:
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        raw_key = headers.get("idempotency-key")
        if raw_key is None:
            await self.app(scope, receive, send)
            return

        try:
            await self._handle(scope, receive, send, headers, raw_key)
        except ZofError as error:
            await _send_error(send, error)

    async def _handle(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str], key: str
    ) -> None:
        state = self.state_getter()
        principal = await self._principal(state, headers)
        if principal is None:
            # Let the route return its own 401; nothing is stored for it.
            await self.app(scope, receive, send)
            return
        await enforce_rate_limit(state, principal)
        validate_key(key)

        spool, fingerprint = await _spool_body(scope, receive, state.settings.max_upload_bytes)
        try:
            await self._run_once(scope, send, state, principal, key, spool, fingerprint)
        finally:
            spool.close()

    async def _principal(self, state: AppState, headers: dict[str, str]) -> Principal | None:
        ctx = context.get()
        try:
            principal = await authenticate_request(state, headers.get("authorization"))
        except ZofError as error:
            if error.code in {"authentication_required", "invalid_api_key"}:
                return None
            raise
        if ctx is not None:
            ctx.principal = principal
        return principal

    async def _run_once(
        self,
        scope: Scope,
        send: Send,
        state: AppState,
        principal: Principal,
        key: str,
        spool: IO[bytes],
        fingerprint: str,
    ) -> None:
        now = utcnow()
        org = principal.organization_id
        async with state.db.write() as conn:
            claim = await store.claim(
                conn,
                organization_id=org,
                key=key,
                method=scope["method"],
                path=scope["path"],
                fingerprint=fingerprint,
                now=now,
                expires_at=now + timedelta(seconds=state.settings.idempotency_ttl_seconds),
                locked_until=now + timedelta(seconds=LOCK_SECONDS),
            )

        if not claim.claimed:
            record = claim.record
            assert record is not None
            if record["fingerprint"] != fingerprint:
                raise ZofError(
                    "idempotency_key_reused",
                    "This Idempotency-Key was already used with a different request "
                    f"({record['method']} {record['path']}). Use a new key for a new request.",
                    "Idempotency-Key",
                )
            if record["state"] != "completed":
                raise ZofError(
                    "idempotency_key_in_use",
                    "A request with this Idempotency-Key is still in progress. Retry shortly.",
                    "Idempotency-Key",
                    headers={"Retry-After": "1"},
                )
            await _replay(send, record)
            return

        recorder = _Recorder(send)
        try:
            spool.seek(0)
            await self.app(scope, _replaying_receive(spool), recorder.send)
        except BaseException:
            await _release(state, org, key)
            raise

        ctx = context.get()
        handler_ran = ctx is not None and ctx.handler_started
        if not handler_ran or recorder.status >= 500 or recorder.status == 429:
            await _release(state, org, key)
            return
        async with state.db.write() as conn:
            await store.complete(
                conn,
                organization_id=org,
                key=key,
                status_code=recorder.status,
                headers=recorder.kept_headers(),
                body=bytes(recorder.body),
            )


async def _release(state: AppState, organization_id: str, key: str) -> None:
    try:
        async with state.db.write() as conn:
            await store.release(conn, organization_id=organization_id, key=key)
    except Exception:
        # The claim lapses by itself after LOCK_SECONDS.
        log.exception("could not release idempotency key for %s", organization_id)


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


async def _spool_body(scope: Scope, receive: Receive, limit: int) -> tuple[IO[bytes], str]:
    """Copy the body to a spool file while hashing it with the method, path and query."""
    digest = hashlib.sha256()
    for part in (scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1")):
        digest.update(part.encode() + b"\0")
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MEMORY_BYTES)  # noqa: SIM115
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            spool.close()
            raise ZofError("invalid_parameter", "The client disconnected before sending the body.")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            spool.close()
            raise ZofError("body_too_large", f"The body is larger than the limit of {limit} bytes.")
        digest.update(chunk)
        spool.write(chunk)
        more = message.get("more_body", False)
    return spool, digest.hexdigest()


def _replaying_receive(spool: IO[bytes]) -> Receive:
    async def receive() -> Message:
        chunk = spool.read(_CHUNK)
        return {"type": "http.request", "body": chunk, "more_body": len(chunk) == _CHUNK}

    return receive


class _Recorder:
    """Pass the response through while keeping a copy to store."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = bytearray()

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.body.extend(message.get("body", b""))
        await self._send(message)

    def kept_headers(self) -> dict[str, str]:
        return {
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in self.headers
            if k.decode("latin-1").lower() in _REPLAYED_HEADERS
        }


async def _replay(send: Send, record: Any) -> None:
    headers = [(k.encode(), v.encode()) for k, v in (record["response_headers"] or {}).items()]
    headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": record["status_code"], "headers": headers})
    await send({"type": "http.response.body", "body": record["response_body"] or b""})


async def _send_error(send: Send, error: ZofError) -> None:
    ctx = context.get()
    body = error_body(error.code, error.message, error.param, ctx.request_id if ctx else None)
    headers = [(b"content-type", b"application/json")]
    headers += [(k.lower().encode(), v.encode()) for k, v in error.headers.items()]
    await send(
        {"type": "http.response.start", "status": CATALOG[error.code].status, "headers": headers}
    )
    await send({"type": "http.response.body", "body": body})
