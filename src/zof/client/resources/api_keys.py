"""`client.api_keys`: create, list and revoke API keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from .._models import ApiKey, CreatedApiKey
from .._pagination import AsyncPager, Page, SyncPager
from .._params import TimeInput, optional_time, path_segment, without_none
from .._request import RequestSpec
from ._base import AsyncResource, SyncResource, list_params

Role = Literal["admin", "qa_lead", "engineer", "viewer"]


def _create_spec(
    name: str,
    role: Role | str,
    permissions: Sequence[str] | None,
    expires_at: TimeInput | None,
    idempotency_key: str | None,
) -> RequestSpec:
    body = without_none(
        {
            "name": name,
            "role": role,
            "permissions": None if permissions is None else [*permissions],
            "expires_at": optional_time(expires_at, "expires_at"),
        }
    )
    return RequestSpec("POST", "/api-keys", json=body, idempotency_key=idempotency_key)


def _list_spec(limit: int | None, cursor: str | None) -> RequestSpec:
    return RequestSpec("GET", "/api-keys", params=list_params({}, limit, cursor))


def _revoke_spec(key_id: str) -> RequestSpec:
    return RequestSpec("DELETE", f"/api-keys/{path_segment(key_id, 'key_id')}")


class ApiKeys(SyncResource):
    """API keys of the organization (`/v1/api-keys`); needs `api_keys:manage`."""

    def create(
        self,
        name: str,
        role: Role | str,
        *,
        permissions: Sequence[str] | None = None,
        expires_at: TimeInput | None = None,
        idempotency_key: str | None = None,
    ) -> CreatedApiKey:
        """Create a key and return it with its `secret`, which is never shown again.

        Args:
            name: a label for the key.
            role: `admin`, `qa_lead`, `engineer` or `viewer`.
            permissions: narrower `resource:action` permissions within the role; default
                everything the role allows.
            expires_at: a timezone-aware expiry; default never.
            idempotency_key: reuse it to repeat this exact call safely; default a new
                random key per call.

        Raises:
            ValueError: `expires_at` is a naive datetime.
        """
        spec = _create_spec(name, role, permissions, expires_at, idempotency_key)
        return self._client._request(CreatedApiKey, spec)

    def list(
        self, *, limit: int | None = None, starting_after: str | None = None
    ) -> SyncPager[ApiKey]:
        """Iterate over every key, revoked ones included, newest first.

        Args:
            limit: items per page, 1 to 100; default the server's (20).
            starting_after: a `next_cursor` from an earlier page to resume after.
        """

        def fetch(cursor: str | None) -> Page[ApiKey]:
            return self._client._request_page(ApiKey, _list_spec(limit, cursor))

        return SyncPager(fetch, starting_after)

    def revoke(self, key_id: str) -> ApiKey:
        """Revoke a key at once and return it with `revoked_at` set."""
        return self._client._request(ApiKey, _revoke_spec(key_id))


class AsyncApiKeys(AsyncResource):
    """The async variant of `ApiKeys`; the arguments are the same."""

    async def create(
        self,
        name: str,
        role: Role | str,
        *,
        permissions: Sequence[str] | None = None,
        expires_at: TimeInput | None = None,
        idempotency_key: str | None = None,
    ) -> CreatedApiKey:
        """Create a key; see `ApiKeys.create`."""
        spec = _create_spec(name, role, permissions, expires_at, idempotency_key)
        return await self._client._request(CreatedApiKey, spec)

    def list(
        self, *, limit: int | None = None, starting_after: str | None = None
    ) -> AsyncPager[ApiKey]:
        """Iterate with `async for` over every key; see `ApiKeys.list`."""

        async def fetch(cursor: str | None) -> Page[ApiKey]:
            return await self._client._request_page(ApiKey, _list_spec(limit, cursor))

        return AsyncPager(fetch, starting_after)

    async def revoke(self, key_id: str) -> ApiKey:
        """Revoke a key; see `ApiKeys.revoke`."""
        return await self._client._request(ApiKey, _revoke_spec(key_id))
