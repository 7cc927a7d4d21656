"""Roles, permissions and the authenticated principal."""

from __future__ import annotations

from dataclasses import dataclass

PERMISSIONS: tuple[str, ...] = (
    "reports:read",
    "reports:create",
    "reports:delete",
    "runs:read",
    "runs:create",
    "runs:cancel",
    "results:read",
    "projects:read",
    "projects:write",
    "api_keys:manage",
    "schedules:manage",
    "webhooks:manage",
)

_READ = frozenset({"reports:read", "runs:read", "results:read", "projects:read"})

ROLES: dict[str, frozenset[str]] = {
    "admin": frozenset(PERMISSIONS),
    "qa_lead": _READ
    | {
        "reports:create",
        "reports:delete",
        "runs:create",
        "runs:cancel",
        "projects:write",
        "schedules:manage",
    },
    "engineer": _READ | {"reports:create", "runs:create", "runs:cancel"},
    "viewer": _READ,
}


@dataclass(frozen=True)
class Principal:
    """The caller of a request: an API key of one organization, with its effective permissions."""

    organization_id: str
    key_id: str
    role: str
    permissions: frozenset[str]

    def can(self, permission: str) -> bool:
        return permission in self.permissions


def effective_permissions(role: str, narrowed: list[str] | None) -> frozenset[str]:
    """Return the role's permissions, cut down to the key's own list when it has one."""
    granted = ROLES[role]
    if narrowed is None:
        return granted
    return granted & frozenset(narrowed)
