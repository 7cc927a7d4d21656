"""`client.report_schedules`: reports generated on a cron schedule."""

from __future__ import annotations

from typing import Any

import httpx

from .._models import DeletedObject, ReportSchedule
from .._pagination import AsyncPager, Page, SyncPager
from .._params import path_segment, without_none
from .._request import RequestSpec
from ._base import AsyncResource, SyncResource, list_params
from ._scope import ScopeInput, scope_body

_COLLECTION = "/report-schedules"


def _schedule_path(schedule_id: str) -> str:
    return f"{_COLLECTION}/{path_segment(schedule_id, 'schedule_id')}"


def _create_spec(
    name: str,
    cron: str,
    scope: ScopeInput,
    range_preset: str,
    kind: str,
    enabled: bool,
    idempotency_key: str | None,
) -> RequestSpec:
    body = {
        "name": name,
        "cron": cron,
        "kind": kind,
        "scope": scope_body(scope),
        "range": range_preset,
        "enabled": enabled,
    }
    return RequestSpec("POST", _COLLECTION, json=body, idempotency_key=idempotency_key)


def _update_spec(
    schedule_id: str,
    changes: dict[str, Any],
    idempotency_key: str | None,
) -> RequestSpec:
    body = without_none(changes)
    path = _schedule_path(schedule_id)
    return RequestSpec("PATCH", path, json=body, idempotency_key=idempotency_key)


def _list_spec(limit: int | None, cursor: str | None) -> RequestSpec:
    return RequestSpec("GET", _COLLECTION, params=list_params({}, limit, cursor))


def _deleted(schedule_id: str, response: httpx.Response) -> DeletedObject:
    if not response.content:
        return DeletedObject(id=schedule_id, object="report_schedule")
    return DeletedObject.model_validate(response.json())


class ReportSchedules(SyncResource):
    """Report schedules (`/v1/report-schedules`); needs `schedules:manage` to change."""

    def create(
        self,
        name: str,
        cron: str,
        scope: ScopeInput,
        range: str,
        *,
        kind: str = "summary",
        enabled: bool = True,
        idempotency_key: str | None = None,
    ) -> ReportSchedule:
        """Create a schedule; each firing generates a report with `source: "schedule"`.

        Args:
            name: a label for the schedule.
            cron: five cron fields in UTC, such as `"0 6 * * 1"` (Mondays at 06:00).
            scope: as for `Reports.create`.
            range: the range preset of each report, such as `previous_week`.
            kind: the report kind; default `summary`.
            enabled: whether the schedule fires; default True.
            idempotency_key: reuse it to repeat this exact call safely; default a new
                random key per call.
        """
        spec = _create_spec(name, cron, scope, range, kind, enabled, idempotency_key)
        return self._client._request(ReportSchedule, spec)

    def list(
        self, *, limit: int | None = None, starting_after: str | None = None
    ) -> SyncPager[ReportSchedule]:
        """Iterate over every schedule, newest first, fetching pages lazily.

        Args:
            limit: items per page, 1 to 100; default the server's (20).
            starting_after: a `next_cursor` from an earlier page to resume after.
        """

        def fetch(cursor: str | None) -> Page[ReportSchedule]:
            return self._client._request_page(ReportSchedule, _list_spec(limit, cursor))

        return SyncPager(fetch, starting_after)

    def get(self, schedule_id: str) -> ReportSchedule:
        """Fetch one schedule with its `next_run_at`."""
        spec = RequestSpec("GET", _schedule_path(schedule_id))
        return self._client._request(ReportSchedule, spec)

    def update(
        self,
        schedule_id: str,
        *,
        name: str | None = None,
        cron: str | None = None,
        scope: ScopeInput | None = None,
        range: str | None = None,
        kind: str | None = None,
        enabled: bool | None = None,
        idempotency_key: str | None = None,
    ) -> ReportSchedule:
        """Change a schedule; arguments left as None stay unchanged.

        Args:
            schedule_id: the schedule to change.
            name, cron, scope, range, kind, enabled: the new values, as for `create`.
            idempotency_key: as for `create`.
        """
        changes = {
            "name": name,
            "cron": cron,
            "scope": None if scope is None else scope_body(scope),
            "range": range,
            "kind": kind,
            "enabled": enabled,
        }
        spec = _update_spec(schedule_id, changes, idempotency_key)
        return self._client._request(ReportSchedule, spec)

    def delete(self, schedule_id: str) -> DeletedObject:
        """Delete a schedule; reports it already generated stay.

        DELETE is retried like GET, so if an attempt deleted the schedule but its response
        was lost, the retry raises `NotFoundError`.
        """
        response = self._client._send(RequestSpec("DELETE", _schedule_path(schedule_id)))
        return _deleted(schedule_id, response)


class AsyncReportSchedules(AsyncResource):
    """The async variant of `ReportSchedules`; the arguments are the same."""

    async def create(
        self,
        name: str,
        cron: str,
        scope: ScopeInput,
        range: str,
        *,
        kind: str = "summary",
        enabled: bool = True,
        idempotency_key: str | None = None,
    ) -> ReportSchedule:
        """Create a schedule; see `ReportSchedules.create`."""
        spec = _create_spec(name, cron, scope, range, kind, enabled, idempotency_key)
        return await self._client._request(ReportSchedule, spec)

    def list(
        self, *, limit: int | None = None, starting_after: str | None = None
    ) -> AsyncPager[ReportSchedule]:
        """Iterate with `async for` over every schedule; see `ReportSchedules.list`."""

        async def fetch(cursor: str | None) -> Page[ReportSchedule]:
            return await self._client._request_page(ReportSchedule, _list_spec(limit, cursor))

        return AsyncPager(fetch, starting_after)

    async def get(self, schedule_id: str) -> ReportSchedule:
        """Fetch one schedule; see `ReportSchedules.get`."""
        spec = RequestSpec("GET", _schedule_path(schedule_id))
        return await self._client._request(ReportSchedule, spec)

    async def update(
        self,
        schedule_id: str,
        *,
        name: str | None = None,
        cron: str | None = None,
        scope: ScopeInput | None = None,
        range: str | None = None,
        kind: str | None = None,
        enabled: bool | None = None,
        idempotency_key: str | None = None,
    ) -> ReportSchedule:
        """Change a schedule; see `ReportSchedules.update`."""
        changes = {
            "name": name,
            "cron": cron,
            "scope": None if scope is None else scope_body(scope),
            "range": range,
            "kind": kind,
            "enabled": enabled,
        }
        spec = _update_spec(schedule_id, changes, idempotency_key)
        return await self._client._request(ReportSchedule, spec)

    async def delete(self, schedule_id: str) -> DeletedObject:
        """Delete a schedule; see `ReportSchedules.delete`."""
        response = await self._client._send(RequestSpec("DELETE", _schedule_path(schedule_id)))
        return _deleted(schedule_id, response)
