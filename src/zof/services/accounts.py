"""Organizations and API keys: bootstrap, authentication, creation and revocation."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from zof.core.clock import utcnow
from zof.core.cursors import Position
from zof.core.errors import ZofError, not_found
from zof.core.ids import new_id
from zof.services.permissions import PERMISSIONS, ROLES, Principal, effective_permissions
from zof.store import accounts
from zof.store.database import Database
from zof.store.pagination import Page

# A key reads `zof_sk_<26-character id tail><43-character secret>`; the id tail finds the
# row without a lookup by secret, and the secret is compared by hash in constant time.
KEY_PREFIX = "zof_sk_"
_KEY_PATTERN = re.compile(r"^zof_sk_([0-9A-Z]{26})([A-Za-z0-9_-]{43})$")
# last_used_at is written at most this often, so reads do not turn into writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class CreatedKey:
    row: dict[str, Any]
    secret: str


def hash_secret(secret: str) -> str:
    # The secret carries 256 random bits, so one SHA-256 round is enough: there is
    # nothing to brute-force that a slow password hash would protect.
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret(key_id: str) -> str:
    return KEY_PREFIX + key_id.removeprefix("key_") + secrets.token_urlsafe(32)


async def authenticate(db: Database, presented: str) -> Principal | None:
    """Return the principal for a presented key, or None if it is unknown or no longer valid."""
    match = _KEY_PATTERN.match(presented)
    if match is None:
        return None
    key_id = "key_" + match.group(1)
    now = utcnow()

    async with db.read() as conn:
        row = await accounts.get_api_key(conn, key_id)
    # Compare even when the row is missing, so timing does not tell whether the id exists.
    expected = row["secret_hash"] if row is not None else "0" * 64
    matches = hmac.compare_digest(hash_secret(presented), expected)
    if row is None or not matches or not accounts.key_is_active(row, now):
        return None

    last_used = row["last_used_at"]
    if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
        async with db.write() as conn:
            await accounts.update_api_key(conn, key_id, {"last_used_at": now})

    return Principal(
        organization_id=row["organization_id"],
        key_id=row["id"],
        role=row["role"],
        permissions=effective_permissions(row["role"], row["permissions"]),
    )


def validate_key_request(
    role: str, permissions: list[str] | None, expires_at: datetime | None, now: datetime
) -> None:
    if role not in ROLES:
        raise ZofError(
            "invalid_parameter",
            f"role must be one of {', '.join(ROLES)}; got {role!r}.",
            "role",
        )
    for index, permission in enumerate(permissions or []):
        if permission not in PERMISSIONS:
            raise ZofError(
                "invalid_parameter",
                f"{permission!r} is not a permission. Allowed: {', '.join(PERMISSIONS)}.",
                f"permissions.{index}",
            )
        if permission not in ROLES[role]:
            raise ZofError(
                "invalid_parameter",
                f"The role {role} does not include {permission}; a key's permissions can "
                "only narrow its role.",
                f"permissions.{index}",
            )
    if expires_at is not None and expires_at <= now:
        raise ZofError("invalid_parameter", "expires_at must be in the future.", "expires_at")


async def create_api_key(
    db: Database,
    organization_id: str,
    *,
    name: str,
    role: str,
    permissions: list[str] | None = None,
    expires_at: datetime | None = None,
    conn: Any = None,
) -> CreatedKey:
    """Create a key and return its row with the secret, which is never stored or shown again."""
    now = utcnow()
    validate_key_request(role, permissions, expires_at, now)
    key_id = new_id("key")
    secret = _new_secret(key_id)
    row = {
        "id": key_id,
        "organization_id": organization_id,
        "name": name,
        "role": role,
        "permissions": sorted(set(permissions)) if permissions is not None else None,
        "secret_hash": hash_secret(secret),
        "prefix": secret[: len(KEY_PREFIX) + 8],
        "created_at": now,
        "expires_at": expires_at,
        "revoked_at": None,
        "last_used_at": None,
    }
    if conn is not None:
        await accounts.insert_api_key(conn, row)
    else:
        async with db.write() as write_conn:
            await accounts.insert_api_key(write_conn, row)
    return CreatedKey(row=row, secret=secret)


async def list_api_keys(
    db: Database, organization_id: str, *, role: str | None, limit: int, after: Position | None
) -> Page:
    async with db.read() as conn:
        return await accounts.list_api_keys(
            conn, organization_id, role=role, limit=limit, after=after
        )


async def revoke_api_key(db: Database, organization_id: str, key_id: str) -> sa.RowMapping:
    async with db.write() as conn:
        row = await accounts.get_api_key(conn, key_id, organization_id)
        if row is None:
            raise not_found("API key", key_id)
        if row["revoked_at"] is not None:
            raise ZofError("api_key_revoked", f"The API key {key_id} is already revoked.")
        await accounts.update_api_key(conn, key_id, {"revoked_at": utcnow()})
        updated = await accounts.get_api_key(conn, key_id, organization_id)
    assert updated is not None
    return updated


@dataclass(frozen=True)
class Bootstrap:
    organization_id: str
    organization_name: str
    key_id: str
    api_key: str


async def bootstrap(db: Database, organization_name: str = "Default organization") -> Bootstrap:
    """Create an organization and its first admin key, in one transaction."""
    now = utcnow()
    organization_id = new_id("org")
    async with db.write() as conn:
        await accounts.insert_organization(
            conn, {"id": organization_id, "name": organization_name, "created_at": now}
        )
        created = await create_api_key(
            db, organization_id, name="Bootstrap admin key", role="admin", conn=conn
        )
    return Bootstrap(organization_id, organization_name, created.row["id"], created.secret)


async def bootstrap_if_empty(db: Database) -> Bootstrap | None:
    """Bootstrap when the database has no organization yet; used by the first `zof serve`."""
    async with db.read() as conn:
        if await accounts.count_organizations(conn) > 0:
            return None
    return await bootstrap(db)
