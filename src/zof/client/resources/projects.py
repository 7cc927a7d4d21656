"""`client.projects`: create, list, get and update projects."""

from __future__ import annotations

from typing import Any

from .._models import Project
from .._pagination import AsyncPager, Page, SyncPager
from .._params import path_segment, without_none
from .._request import RequestSpec
from ._base import AsyncResource, SyncResource, list_params


def _create_spec(name: str, description: str | None, idempotency_key: str | None) -> RequestSpec:
    body = without_none({"name": name, "description": description})
    return RequestSpec("POST", "/projects", json=body, idempotency_key=idempotency_key)


def _update_spec(
    project_id: str, name: str | None, description: str | None, idempotency_key: str | None
) -> RequestSpec:
    body: dict[str, Any] = without_none({"name": name, "description": description})
    path = f"/projects/{path_segment(project_id, 'project_id')}"
    return RequestSpec("PATCH", path, json=body, idempotency_key=idempotency_key)


def _list_spec(limit: int | None, cursor: str | None) -> RequestSpec:
    return RequestSpec("GET", "/projects", params=list_params({}, limit, cursor))


def _get_spec(project_id: str) -> RequestSpec:
    return RequestSpec("GET", f"/projects/{path_segment(project_id, 'project_id')}")


class Projects(SyncResource):
    """Projects of the organization (`/v1/projects`)."""

    def create(
        self,
        name: str,
        *,
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> Project:
        """Create a project.

        Args:
            name: the project name.
            description: free text; default none.
            idempotency_key: reuse it to repeat this exact call safely; default a new
                random key per call.
        """
        return self._client._request(Project, _create_spec(name, description, idempotency_key))

    def list(
        self, *, limit: int | None = None, starting_after: str | None = None
    ) -> SyncPager[Project]:
        """Iterate over every project, newest first, fetching pages lazily.

        Args:
            limit: items per page, 1 to 100; default the server's (20).
            starting_after: a `next_cursor` from an earlier page to resume after.
        """

        def fetch(cursor: str | None) -> Page[Project]:
            return self._client._request_page(Project, _list_spec(limit, cursor))

        return SyncPager(fetch, starting_after)

    def get(self, project_id: str) -> Project:
        """Fetch one project; raises `NotFoundError` for an unknown id."""
        return self._client._request(Project, _get_spec(project_id))

    def update(
        self,
        project_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> Project:
        """Change a project's name or description; arguments left as None stay unchanged.

        Args:
            project_id: the project to change.
            name: the new name.
            description: the new description.
            idempotency_key: as for `create`.
        """
        spec = _update_spec(project_id, name, description, idempotency_key)
        return self._client._request(Project, spec)


class AsyncProjects(AsyncResource):
    """The async variant of `Projects`; the arguments are the same."""

    async def create(
        self,
        name: str,
        *,
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> Project:
        """Create a project; see `Projects.create`."""
        spec = _create_spec(name, description, idempotency_key)
        return await self._client._request(Project, spec)

    def list(
        self, *, limit: int | None = None, starting_after: str | None = None
    ) -> AsyncPager[Project]:
        """Iterate with `async for` over every project; see `Projects.list`."""

        async def fetch(cursor: str | None) -> Page[Project]:
            return await self._client._request_page(Project, _list_spec(limit, cursor))

        return AsyncPager(fetch, starting_after)

    async def get(self, project_id: str) -> Project:
        """Fetch one project; see `Projects.get`."""
        return await self._client._request(Project, _get_spec(project_id))

    async def update(
        self,
        project_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> Project:
        """Change a project; see `Projects.update`."""
        spec = _update_spec(project_id, name, description, idempotency_key)
        return await self._client._request(Project, spec)
