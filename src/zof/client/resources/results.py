"""`client.results`: list and get case results."""

from __future__ import annotations

from .._models import Result
from .._pagination import AsyncPager, Page, SyncPager
from .._params import TimeInput, optional_time, path_segment
from .._request import RequestSpec
from ._base import AsyncResource, SyncResource, list_params


def _list_spec(
    filters: dict[str, str | None], limit: int | None, cursor: str | None
) -> RequestSpec:
    return RequestSpec("GET", "/results", params=list_params(filters, limit, cursor))


def _filters(
    run_id: str | None,
    project_id: str | None,
    status: str | None,
    from_: TimeInput | None,
    to: TimeInput | None,
    q: str | None,
) -> dict[str, str | None]:
    return {
        "run_id": run_id,
        "project_id": project_id,
        "status": status,
        "from": optional_time(from_, "from_"),
        "to": optional_time(to, "to"),
        "q": q,
    }


def _get_spec(result_id: str) -> RequestSpec:
    return RequestSpec("GET", f"/results/{path_segment(result_id, 'result_id')}")


class Results(SyncResource):
    """Case results (`/v1/results`): one execution of one test case each."""

    def list(
        self,
        *,
        run_id: str | None = None,
        project_id: str | None = None,
        status: str | None = None,
        from_: TimeInput | None = None,
        to: TimeInput | None = None,
        q: str | None = None,
        limit: int | None = None,
        starting_after: str | None = None,
    ) -> SyncPager[Result]:
        """Iterate over matching results, newest first, fetching pages lazily.

        Every filter defaults to None, which means no filter.

        Args:
            run_id: only this run's results.
            project_id: only this project's results.
            status: `passed`, `failed`, `error` or `skipped`.
            from_: results created at or after this time (sent as `from`).
            to: results created before this time.
            q: text to search for in test names.
            limit: items per page, 1 to 100; default the server's (20).
            starting_after: a `next_cursor` from an earlier page to resume after.

        Raises:
            ValueError: `from_` or `to` is a naive datetime.
        """
        filters = _filters(run_id, project_id, status, from_, to, q)

        def fetch(cursor: str | None) -> Page[Result]:
            return self._client._request_page(Result, _list_spec(filters, limit, cursor))

        return SyncPager(fetch, starting_after)

    def get(self, result_id: str) -> Result:
        """Fetch one result; raises `NotFoundError` for an unknown id."""
        return self._client._request(Result, _get_spec(result_id))


class AsyncResults(AsyncResource):
    """The async variant of `Results`; the arguments are the same."""

    def list(
        self,
        *,
        run_id: str | None = None,
        project_id: str | None = None,
        status: str | None = None,
        from_: TimeInput | None = None,
        to: TimeInput | None = None,
        q: str | None = None,
        limit: int | None = None,
        starting_after: str | None = None,
    ) -> AsyncPager[Result]:
        """Iterate with `async for` over matching results; see `Results.list`."""
        filters = _filters(run_id, project_id, status, from_, to, q)

        async def fetch(cursor: str | None) -> Page[Result]:
            return await self._client._request_page(Result, _list_spec(filters, limit, cursor))

        return AsyncPager(fetch, starting_after)

    async def get(self, result_id: str) -> Result:
        """Fetch one result; see `Results.get`."""
        return await self._client._request(Result, _get_spec(result_id))
