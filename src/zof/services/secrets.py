"""Server secrets shared by every node through the database."""

from __future__ import annotations

import secrets

from zof.store import accounts
from zof.store.database import Database

_CURSOR_ROW_NAME = "cursor_signing_key"


async def load_cursor_secret(db: Database, configured: str) -> str:
    """Return `ZOF_SECRET_KEY` when set, else the database's secret, created on first use."""
    if configured:
        return configured
    async with db.write() as conn:
        await accounts.insert_secret_if_missing(conn, _CURSOR_ROW_NAME, secrets.token_urlsafe(32))
        value = await accounts.get_secret(conn, _CURSOR_ROW_NAME)
    assert value is not None
    return value
