"""Turn stored rows into the API's objects."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from zof.core.timeutil import format_timestamp


def ts(value: datetime | None) -> str | None:
    return format_timestamp(value) if value is not None else None


def project(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "object": "project",
        "name": row["name"],
        "description": row["description"],
        "created_at": ts(row["created_at"]),
        "updated_at": ts(row["updated_at"]),
    }


def api_key(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "object": "api_key",
        "name": row["name"],
        "role": row["role"],
        "permissions": row["permissions"],
        "prefix": row["prefix"],
        "created_at": ts(row["created_at"]),
        "expires_at": ts(row["expires_at"]),
        "revoked_at": ts(row["revoked_at"]),
        "last_used_at": ts(row["last_used_at"]),
    }
