"""Opaque, encrypted keyset cursors bound to an organization, a list and its filters.

A cursor carries the `(created_at, id)` of the last item of a page. It is sealed with
AES-GCM: the position is encrypted, so a cursor shows no ids, and the organization,
the list name and the canonical filters are the associated data, so a cursor replayed
with another organization, list or filters fails authentication like a forged one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from zof.core.errors import ZofError

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_VERSION = b"\x01"
_NONCE_BYTES = 12
# Longer cursors cannot have come from this server; rejecting them early bounds the work.
MAX_CURSOR_LENGTH = 512


@dataclass(frozen=True)
class Position:
    """The keyset position after which the next page starts."""

    created_at: datetime
    id: str


class CursorCodec:
    """Encode and decode cursors with a key derived from the server secret."""

    def __init__(self, secret: str) -> None:
        self._aead = AESGCM(hashlib.sha256(b"zof-cursor-v1:" + secret.encode()).digest())

    def encode(
        self, position: Position, *, organization_id: str, scope: str, filters: dict[str, object]
    ) -> str:
        micros = (position.created_at - _EPOCH) // timedelta(microseconds=1)
        plaintext = orjson.dumps([micros, position.id])
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext, _binding(organization_id, scope, filters))
        return base64.urlsafe_b64encode(_VERSION + nonce + sealed).rstrip(b"=").decode()

    def decode(
        self, cursor: str, *, organization_id: str, scope: str, filters: dict[str, object]
    ) -> Position:
        """Return the position in `cursor`, or raise the 400 `invalid_cursor`."""
        # Phase 1: the cursor must be short base64url of a known version.
        if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
            raise _invalid()
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            raise _invalid() from None
        if len(raw) < 1 + _NONCE_BYTES + 16 or raw[:1] != _VERSION:
            raise _invalid()

        # Phase 2: authenticate against this organization, list and filters.
        nonce, sealed = raw[1 : 1 + _NONCE_BYTES], raw[1 + _NONCE_BYTES :]
        try:
            plaintext = self._aead.decrypt(nonce, sealed, _binding(organization_id, scope, filters))
        except InvalidTag:
            raise _invalid() from None

        # Phase 3: the payload was written by `encode`, but check its shape anyway.
        try:
            micros, item_id = orjson.loads(plaintext)
            created_at = _EPOCH + timedelta(microseconds=micros)
        except (orjson.JSONDecodeError, TypeError, ValueError, OverflowError):
            raise _invalid() from None
        if not isinstance(item_id, str):
            raise _invalid()
        return Position(created_at=created_at, id=item_id)


def _binding(organization_id: str, scope: str, filters: dict[str, object]) -> bytes:
    # Values are compared as text: query parameters arrive as text, and str() of the
    # parsed UTC datetimes is one spelling per instant.
    canonical = {key: str(value) for key, value in filters.items() if value is not None}
    return orjson.dumps([organization_id, scope, canonical], option=orjson.OPT_SORT_KEYS)


def _invalid() -> ZofError:
    return ZofError(
        "invalid_cursor",
        "starting_after is not a valid cursor for this list and these filters. "
        "Start again from the first page.",
        "starting_after",
    )
