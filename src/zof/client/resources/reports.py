"""`client.reports`: generate, list, get, wait for, download and delete reports."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

import httpx

from .._errors import APIConnectionError, ReportFailedError, WaitTimeoutError
from .._models import DeletedObject, Report
from .._pagination import AsyncPager, Page, SyncPager
from .._params import TimeInput, optional_time, path_segment
from .._request import RequestSpec
from ._base import AsyncResource, SyncResource, list_params
from ._scope import PeriodInput, ScopeInput, period_body, scope_body

ContentFormat = Literal["json", "csv", "html"]
RangePreset = Literal[
    "last_24_hours",
    "last_7_days",
    "last_30_days",
    "previous_day",
    "previous_week",
    "previous_month",
]

_FILENAME = re.compile(r'filename="?([^";]+)"?')


def _report_path(report_id: str, suffix: str = "") -> str:
    return f"/reports/{path_segment(report_id, 'report_id')}{suffix}"


def _create_spec(
    scope: ScopeInput,
    kind: str,
    period: PeriodInput | None,
    range_preset: str | None,
    idempotency_key: str | None,
) -> RequestSpec:
    if period is not None and range_preset is not None:
        raise ValueError("Pass either period or range, not both.")
    body: dict[str, Any] = {"kind": kind, "scope": scope_body(scope)}
    if period is not None:
        body["period"] = period_body(period)
    if range_preset is not None:
        body["range"] = range_preset
    return RequestSpec("POST", "/reports", json=body, idempotency_key=idempotency_key)


def _filters(
    scope_type: str | None,
    project_id: str | None,
    environment: str | None,
    suite: str | None,
    kind: str | None,
    status: str | None,
    source: str | None,
    from_: TimeInput | None,
    to: TimeInput | None,
    created_after: TimeInput | None,
    created_before: TimeInput | None,
) -> dict[str, str | None]:
    return {
        "scope_type": scope_type,
        "project_id": project_id,
        "environment": environment,
        "suite": suite,
        "kind": kind,
        "status": status,
        "source": source,
        "from": optional_time(from_, "from_"),
        "to": optional_time(to, "to"),
        "created_after": optional_time(created_after, "created_after"),
        "created_before": optional_time(created_before, "created_before"),
    }


def _list_spec(
    filters: dict[str, str | None], limit: int | None, cursor: str | None
) -> RequestSpec:
    return RequestSpec("GET", "/reports", params=list_params(filters, limit, cursor))


def _content_spec(report_id: str, format: str) -> RequestSpec:
    return RequestSpec(
        "GET",
        _report_path(report_id, "/content"),
        params={"format": format},
        headers={"Accept": "*/*"},
    )


def _check_wait_arguments(timeout: float, poll_interval: float) -> None:
    if timeout < 0:
        raise ValueError(f"timeout must be 0 or more seconds, got {timeout}.")
    if poll_interval <= 0:
        raise ValueError(f"poll_interval must be more than 0 seconds, got {poll_interval}.")


def _download_target(
    path: str | os.PathLike[str], report_id: str, format: str, response: httpx.Response
) -> Path:
    """Return the file to write: `path`, or a file named by the server inside it if a folder."""
    target = Path(path)
    if not target.is_dir():
        return target
    match = _FILENAME.search(response.headers.get("content-disposition", ""))
    # basename() drops any folder part, so a crafted header cannot write elsewhere.
    name = os.path.basename(match.group(1)) if match else ""
    return target / (name or f"{report_id}.{format}")


def _download_error(report_id: str, error: httpx.TransportError) -> APIConnectionError:
    return APIConnectionError(f"Download of report {report_id} failed: {error}")


def _partial_path(target: Path) -> Path:
    return target.with_name(target.name + ".part")


class Reports(SyncResource):
    """Reports (`/v1/reports`): generated summaries of a scope over a period."""

    def create(
        self,
        scope: ScopeInput,
        *,
        kind: str = "summary",
        period: PeriodInput | None = None,
        range: RangePreset | str | None = None,
        idempotency_key: str | None = None,
    ) -> Report:
        """Ask the server to generate a report and return it in status `queued`.

        Give either `period` or `range`; call `wait()` for the finished report.

        Args:
            scope: `{"type": "organization"}`, or `"project"`, `"environment"` or
                `"suite"` with the `project_id`, `environment` and `suite` the type needs.
            kind: the report kind; default `summary`.
            period: `{"start": ..., "end": ...}` with timezone-aware datetimes, dates or
                RFC 3339 strings; the period is half-open, `[start, end)`.
            range: a preset: `last_24_hours`, `last_7_days`, `last_30_days`,
                `previous_day`, `previous_week` or `previous_month`.
            idempotency_key: reuse it to repeat this exact call safely; default a new
                random key per call.

        Raises:
            ValueError: both `period` and `range` are given, the scope has no type,
                or a period end is a naive datetime.
        """
        spec = _create_spec(scope, kind, period, range, idempotency_key)
        return self._client._request(Report, spec)

    def list(
        self,
        *,
        scope_type: str | None = None,
        project_id: str | None = None,
        environment: str | None = None,
        suite: str | None = None,
        kind: str | None = None,
        status: str | None = None,
        source: str | None = None,
        from_: TimeInput | None = None,
        to: TimeInput | None = None,
        created_after: TimeInput | None = None,
        created_before: TimeInput | None = None,
        limit: int | None = None,
        starting_after: str | None = None,
    ) -> SyncPager[Report]:
        """Iterate over matching reports, newest first, fetching pages lazily.

        Every filter defaults to None, which means no filter.

        Args:
            scope_type: `organization`, `project`, `environment` or `suite`.
            project_id: reports scoped to this project.
            environment: reports scoped to this environment.
            suite: reports scoped to this suite.
            kind: such as `summary`.
            status: `queued`, `generating`, `ready` or `failed`.
            source: `api`, `schedule` or `run`.
            from_: reports whose period overlaps `[from_, to)` (sent as `from`).
            to: see `from_`.
            created_after: reports generated at or after this time.
            created_before: reports generated before this time.
            limit: items per page, 1 to 100; default the server's (20).
            starting_after: a `next_cursor` from an earlier page to resume after.

        Raises:
            ValueError: a time argument is a naive datetime.
        """
        filters = _filters(
            scope_type, project_id, environment, suite, kind, status, source,
            from_, to, created_after, created_before,
        )  # fmt: skip

        def fetch(cursor: str | None) -> Page[Report]:
            return self._client._request_page(Report, _list_spec(filters, limit, cursor))

        return SyncPager(fetch, starting_after)

    def get(self, report_id: str) -> Report:
        """Fetch one report; expired and unknown reports raise `NotFoundError`."""
        return self._client._request(Report, RequestSpec("GET", _report_path(report_id)))

    def delete(self, report_id: str) -> DeletedObject:
        """Delete a report and its content.

        DELETE is retried like GET, so if an attempt deleted the report but its response
        was lost, the retry raises `NotFoundError`.
        """
        response = self._client._send(RequestSpec("DELETE", _report_path(report_id)))
        if not response.content:
            return DeletedObject(id=report_id, object="report")
        return DeletedObject.model_validate(response.json())

    def wait(self, report_id: str, *, timeout: float = 300.0, poll_interval: float = 1.0) -> Report:
        """Poll a report until it is `ready` and return it.

        Args:
            report_id: the report to wait for.
            timeout: seconds to wait in total; default 300.
            poll_interval: seconds between polls; default 1.

        Raises:
            ReportFailedError: the report ended as `failed`; `report.error` contains the reason.
            WaitTimeoutError: the report was neither ready nor failed after `timeout`.
        """
        _check_wait_arguments(timeout, poll_interval)
        monotonic = self._client._config.monotonic
        deadline = monotonic() + timeout
        while True:
            report = self.get(report_id)
            if report.status == "ready":
                return report
            if report.status == "failed":
                raise ReportFailedError(report)
            remaining = deadline - monotonic()
            if remaining <= 0:
                raise WaitTimeoutError(report_id, timeout, report.status)
            self._client._sleep(min(poll_interval, remaining))

    def download(self, report_id: str, format: ContentFormat | str = "json") -> bytes:
        """Return the content of a ready report.

        Args:
            report_id: the report.
            format: `json`, `csv` or `html`; default `json`.

        Raises:
            APIError: the server rejected the download, for example because the
                report is not ready yet.
        """
        return self._client._send(_content_spec(report_id, format)).content

    def download_to(
        self,
        report_id: str,
        path: str | os.PathLike[str],
        format: ContentFormat | str = "json",
    ) -> Path:
        """Stream the content of a ready report into a file and return the file's path.

        The content goes to `<path>.part` first and replaces `path` only when complete,
        so an interrupted download never leaves a truncated file behind.

        Args:
            report_id: the report.
            path: the file to write, or an existing folder to write the file into
                under the name the server gives (default `<report_id>.<format>`).
            format: `json`, `csv` or `html`; default `json`.
        """
        response = self._client._send(_content_spec(report_id, format), stream=True)
        try:
            target = _download_target(path, report_id, format, response)
            partial = _partial_path(target)
            try:
                with partial.open("wb") as file:
                    for chunk in response.iter_bytes():
                        file.write(chunk)
                partial.replace(target)
            except httpx.TransportError as error:
                raise _download_error(report_id, error) from error
            finally:
                partial.unlink(missing_ok=True)
        finally:
            response.close()
        return target


class AsyncReports(AsyncResource):
    """The async variant of `Reports`; the arguments are the same."""

    async def create(
        self,
        scope: ScopeInput,
        *,
        kind: str = "summary",
        period: PeriodInput | None = None,
        range: RangePreset | str | None = None,
        idempotency_key: str | None = None,
    ) -> Report:
        """Ask for a report; see `Reports.create`."""
        spec = _create_spec(scope, kind, period, range, idempotency_key)
        return await self._client._request(Report, spec)

    def list(
        self,
        *,
        scope_type: str | None = None,
        project_id: str | None = None,
        environment: str | None = None,
        suite: str | None = None,
        kind: str | None = None,
        status: str | None = None,
        source: str | None = None,
        from_: TimeInput | None = None,
        to: TimeInput | None = None,
        created_after: TimeInput | None = None,
        created_before: TimeInput | None = None,
        limit: int | None = None,
        starting_after: str | None = None,
    ) -> AsyncPager[Report]:
        """Iterate with `async for` over matching reports; see `Reports.list`."""
        filters = _filters(
            scope_type, project_id, environment, suite, kind, status, source,
            from_, to, created_after, created_before,
        )  # fmt: skip

        async def fetch(cursor: str | None) -> Page[Report]:
            return await self._client._request_page(Report, _list_spec(filters, limit, cursor))

        return AsyncPager(fetch, starting_after)

    async def get(self, report_id: str) -> Report:
        """Fetch one report; see `Reports.get`."""
        return await self._client._request(Report, RequestSpec("GET", _report_path(report_id)))

    async def delete(self, report_id: str) -> DeletedObject:
        """Delete a report; see `Reports.delete`."""
        response = await self._client._send(RequestSpec("DELETE", _report_path(report_id)))
        if not response.content:
            return DeletedObject(id=report_id, object="report")
        return DeletedObject.model_validate(response.json())

    async def wait(
        self,
        report_id: str,
        *,
        # The same total budget as Reports.wait; asyncio.timeout() would also cut
        # a poll short in the middle of a request.
        timeout: float = 300.0,  # noqa: ASYNC109
        poll_interval: float = 1.0,
    ) -> Report:
        """Poll a report until it is `ready`; see `Reports.wait`."""
        _check_wait_arguments(timeout, poll_interval)
        monotonic = self._client._config.monotonic
        deadline = monotonic() + timeout
        while True:
            report = await self.get(report_id)
            if report.status == "ready":
                return report
            if report.status == "failed":
                raise ReportFailedError(report)
            remaining = deadline - monotonic()
            if remaining <= 0:
                raise WaitTimeoutError(report_id, timeout, report.status)
            await self._client._sleep(min(poll_interval, remaining))

    async def download(self, report_id: str, format: ContentFormat | str = "json") -> bytes:
        """Return the content of a ready report; see `Reports.download`."""
        response = await self._client._send(_content_spec(report_id, format))
        return response.content

    async def download_to(
        self,
        report_id: str,
        path: str | os.PathLike[str],
        format: ContentFormat | str = "json",
    ) -> Path:
        """Stream the content of a ready report into a file; see `Reports.download_to`."""
        response = await self._client._send(_content_spec(report_id, format), stream=True)
        try:
            target = _download_target(path, report_id, format, response)
            partial = _partial_path(target)
            try:
                # NOTE: writes are blocking calls, one received chunk at a time.
                with partial.open("wb") as file:
                    async for chunk in response.aiter_bytes():
                        file.write(chunk)
                partial.replace(target)
            except httpx.TransportError as error:
                raise _download_error(report_id, error) from error
            finally:
                partial.unlink(missing_ok=True)
        finally:
            await response.aclose()
        return target
