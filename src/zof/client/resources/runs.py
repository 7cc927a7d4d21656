"""`client.runs`: create runs, upload their results, complete, cancel, list and get them."""

from __future__ import annotations

from .._models import ResultsUpload, Run
from .._pagination import AsyncPager, Page, SyncPager
from .._params import TimeInput, optional_time, path_segment, without_none
from .._request import RequestSpec
from .._uploads import FileInput, UploadBody
from ._base import AsyncResource, SyncResource, list_params


def _run_path(run_id: str, action: str = "") -> str:
    return f"/runs/{path_segment(run_id, 'run_id')}{action}"


def _create_spec(
    project_id: str,
    environment: str,
    suite: str | None,
    commit_sha: str | None,
    branch: str | None,
    build_url: str | None,
    source: str | None,
    started_at: TimeInput | None,
    idempotency_key: str | None,
) -> RequestSpec:
    body = without_none(
        {
            "project_id": project_id,
            "environment": environment,
            "suite": suite,
            "commit_sha": commit_sha,
            "branch": branch,
            "build_url": build_url,
            "source": source,
            "started_at": optional_time(started_at, "started_at"),
        }
    )
    return RequestSpec("POST", "/runs", json=body, idempotency_key=idempotency_key)


def _list_spec(
    filters: dict[str, str | None], limit: int | None, cursor: str | None
) -> RequestSpec:
    return RequestSpec("GET", "/runs", params=list_params(filters, limit, cursor))


def _filters(
    project_id: str | None,
    environment: str | None,
    status: str | None,
    from_: TimeInput | None,
    to: TimeInput | None,
) -> dict[str, str | None]:
    return {
        "project_id": project_id,
        "environment": environment,
        "status": status,
        "from": optional_time(from_, "from_"),
        "to": optional_time(to, "to"),
    }


def _complete_spec(run_id: str, status: str | None, idempotency_key: str | None) -> RequestSpec:
    body = without_none({"status": status})
    path = _run_path(run_id, "/complete")
    return RequestSpec("POST", path, json=body, idempotency_key=idempotency_key)


def _cancel_spec(run_id: str, idempotency_key: str | None) -> RequestSpec:
    return RequestSpec("POST", _run_path(run_id, "/cancel"), idempotency_key=idempotency_key)


def _upload_spec(
    run_id: str,
    file: FileInput,
    filename: str | None,
    content_type: str | None,
    compress: bool | None,
    idempotency_key: str | None,
) -> RequestSpec:
    upload = UploadBody(file, filename=filename, content_type=content_type, compress=compress)
    params = without_none({"filename": upload.filename})
    return RequestSpec(
        "POST",
        _run_path(run_id, "/results"),
        params=params,
        upload=upload,
        idempotency_key=idempotency_key,
    )


class Runs(SyncResource):
    """Runs (`/v1/runs`): one execution of a project's tests in one environment."""

    def create(
        self,
        project_id: str,
        environment: str,
        *,
        suite: str | None = None,
        commit_sha: str | None = None,
        branch: str | None = None,
        build_url: str | None = None,
        source: str | None = None,
        started_at: TimeInput | None = None,
        idempotency_key: str | None = None,
    ) -> Run:
        """Create a run in status `queued`.

        Optional arguments default to None, which leaves them unset on the server.

        Args:
            project_id: the project the run belongs to.
            environment: where the tests ran, such as `staging`.
            suite: the suite name, when a project has several.
            commit_sha: the commit tested.
            branch: the branch tested.
            build_url: a link to the CI build.
            source: what reported the run, such as `github-actions`.
            started_at: a timezone-aware start time.
            idempotency_key: reuse it to repeat this exact call safely; default a new
                random key per call.

        Raises:
            ValueError: `started_at` is a naive datetime.
        """
        spec = _create_spec(
            project_id,
            environment,
            suite,
            commit_sha,
            branch,
            build_url,
            source,
            started_at,
            idempotency_key,
        )
        return self._client._request(Run, spec)

    def list(
        self,
        *,
        project_id: str | None = None,
        environment: str | None = None,
        status: str | None = None,
        from_: TimeInput | None = None,
        to: TimeInput | None = None,
        limit: int | None = None,
        starting_after: str | None = None,
    ) -> SyncPager[Run]:
        """Iterate over matching runs, newest first, fetching pages lazily.

        Every filter defaults to None, which means no filter.

        Args:
            project_id: only this project's runs.
            environment: only runs in this environment.
            status: `queued`, `running`, `passed`, `failed`, `error` or `canceled`.
            from_: runs created at or after this time (sent as `from`).
            to: runs created before this time.
            limit: items per page, 1 to 100; default the server's (20).
            starting_after: a `next_cursor` from an earlier page to resume after.

        Raises:
            ValueError: `from_` or `to` is a naive datetime.
        """
        filters = _filters(project_id, environment, status, from_, to)

        def fetch(cursor: str | None) -> Page[Run]:
            return self._client._request_page(Run, _list_spec(filters, limit, cursor))

        return SyncPager(fetch, starting_after)

    def get(self, run_id: str) -> Run:
        """Fetch one run with its status, counts and duration."""
        return self._client._request(Run, RequestSpec("GET", _run_path(run_id)))

    def upload_results(
        self,
        run_id: str,
        file: FileInput,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        compress: bool | None = None,
        idempotency_key: str | None = None,
    ) -> ResultsUpload:
        """Upload one results file (JUnit XML or the JSON batch) into a run.

        The server stores the whole batch or nothing. Paths and file objects are
        streamed rather than read into memory.

        Args:
            run_id: the run to add results to.
            file: the file content as bytes, a path, or a file object opened in binary
                mode. A non-seekable file object is sent once, without retries.
            filename: the name the server records; default the path's or file
                object's name, none for bytes.
            content_type: default `application/json` when the name ends in `.json`
                (or `.json.gz`), else `application/xml`.
            compress: gzip the body; default only when it is larger than 64 KiB and
                its size is known. A name ending in `.gz` means the content is
                already compressed: it is sent unchanged with `Content-Encoding: gzip`.
            idempotency_key: reuse it to repeat this exact upload safely; default a
                new random key per call.

        Raises:
            InvalidRequestError: the file is not valid (400), too large (413) or of
                an unsupported type (415); the message names the problem and its line.
            ConflictError: the run is already finished.
        """
        spec = _upload_spec(run_id, file, filename, content_type, compress, idempotency_key)
        return self._client._request(ResultsUpload, spec)

    def complete(
        self, run_id: str, *, status: str | None = None, idempotency_key: str | None = None
    ) -> Run:
        """End a run; its status comes from its results unless `status` is given.

        Args:
            run_id: the run to end.
            status: `passed`, `failed` or `error` to override the derived status.
            idempotency_key: as for `create`.
        """
        spec = _complete_spec(run_id, status, idempotency_key)
        return self._client._request(Run, spec)

    def cancel(self, run_id: str, *, idempotency_key: str | None = None) -> Run:
        """Cancel a `queued` or `running` run.

        Raises:
            ConflictError: with code `run_not_cancelable` when the run already ended.
        """
        return self._client._request(Run, _cancel_spec(run_id, idempotency_key))


class AsyncRuns(AsyncResource):
    """The async variant of `Runs`; the arguments are the same."""

    async def create(
        self,
        project_id: str,
        environment: str,
        *,
        suite: str | None = None,
        commit_sha: str | None = None,
        branch: str | None = None,
        build_url: str | None = None,
        source: str | None = None,
        started_at: TimeInput | None = None,
        idempotency_key: str | None = None,
    ) -> Run:
        """Create a run; see `Runs.create`."""
        spec = _create_spec(
            project_id,
            environment,
            suite,
            commit_sha,
            branch,
            build_url,
            source,
            started_at,
            idempotency_key,
        )
        return await self._client._request(Run, spec)

    def list(
        self,
        *,
        project_id: str | None = None,
        environment: str | None = None,
        status: str | None = None,
        from_: TimeInput | None = None,
        to: TimeInput | None = None,
        limit: int | None = None,
        starting_after: str | None = None,
    ) -> AsyncPager[Run]:
        """Iterate with `async for` over matching runs; see `Runs.list`."""
        filters = _filters(project_id, environment, status, from_, to)

        async def fetch(cursor: str | None) -> Page[Run]:
            return await self._client._request_page(Run, _list_spec(filters, limit, cursor))

        return AsyncPager(fetch, starting_after)

    async def get(self, run_id: str) -> Run:
        """Fetch one run; see `Runs.get`."""
        return await self._client._request(Run, RequestSpec("GET", _run_path(run_id)))

    async def upload_results(
        self,
        run_id: str,
        file: FileInput,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        compress: bool | None = None,
        idempotency_key: str | None = None,
    ) -> ResultsUpload:
        """Upload one results file; see `Runs.upload_results`."""
        spec = _upload_spec(run_id, file, filename, content_type, compress, idempotency_key)
        return await self._client._request(ResultsUpload, spec)

    async def complete(
        self, run_id: str, *, status: str | None = None, idempotency_key: str | None = None
    ) -> Run:
        """End a run; see `Runs.complete`."""
        spec = _complete_spec(run_id, status, idempotency_key)
        return await self._client._request(Run, spec)

    async def cancel(self, run_id: str, *, idempotency_key: str | None = None) -> Run:
        """Cancel a run; see `Runs.cancel`."""
        return await self._client._request(Run, _cancel_spec(run_id, idempotency_key))
