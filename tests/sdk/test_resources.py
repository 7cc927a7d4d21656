"""Every resource method sends the documented request and parses the response."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from zof.client import (
    ApiKey,
    AsyncPager,
    CreatedApiKey,
    DeletedObject,
    Project,
    Report,
    ReportSchedule,
    ReportScope,
    Result,
    Run,
    SyncPager,
)

from .fake_api import (
    API_KEY,
    PROJECT,
    REPORT,
    RESULT,
    RUN,
    SCHEDULE,
    HarnessFactory,
    page,
    reply,
)

WHEN = datetime(2026, 12, 1, 10, 30, tzinfo=timezone(timedelta(hours=2)))


@dataclass
class Case:
    name: str
    action: Any
    answer: Any
    method: str
    path: str
    params: dict[str, str]
    body: Any
    model: type

    def __str__(self) -> str:
        return self.name


CASES = [
    Case(
        "projects.create",
        lambda c: c.projects.create("checkout", description="Checkout service"),
        PROJECT, "POST", "/v1/projects", {},
        {"name": "checkout", "description": "Checkout service"}, Project,
    ),
    Case(
        "projects.get",
        lambda c: c.projects.get("proj_1"),
        PROJECT, "GET", "/v1/projects/proj_1", {}, None, Project,
    ),
    Case(
        "projects.update",
        lambda c: c.projects.update("proj_1", name="cart"),
        PROJECT, "PATCH", "/v1/projects/proj_1", {}, {"name": "cart"}, Project,
    ),
    Case(
        "api_keys.create",
        lambda c: c.api_keys.create(
            "ci", "engineer", permissions=["runs:create"], expires_at=WHEN
        ),
        {**API_KEY, "secret": "zof_ab12_secret"}, "POST", "/v1/api-keys", {},
        {
            "name": "ci",
            "role": "engineer",
            "permissions": ["runs:create"],
            "expires_at": "2026-12-01T08:30:00Z",
        },
        CreatedApiKey,
    ),
    Case(
        "api_keys.revoke",
        lambda c: c.api_keys.revoke("key_1"),
        {**API_KEY, "revoked_at": "2026-12-02T00:00:00Z"}, "DELETE", "/v1/api-keys/key_1",
        {}, None, ApiKey,
    ),
    Case(
        "runs.create",
        lambda c: c.runs.create(
            "proj_1", "staging", suite="unit", commit_sha="4f2a9c1", branch="main",
            build_url="https://ci.example/1", source="github-actions", started_at=WHEN,
        ),
        RUN, "POST", "/v1/runs", {},
        {
            "project_id": "proj_1",
            "environment": "staging",
            "suite": "unit",
            "commit_sha": "4f2a9c1",
            "branch": "main",
            "build_url": "https://ci.example/1",
            "source": "github-actions",
            "started_at": "2026-12-01T08:30:00Z",
        },
        Run,
    ),
    Case(
        "runs.get",
        lambda c: c.runs.get("run_1"),
        RUN, "GET", "/v1/runs/run_1", {}, None, Run,
    ),
    Case(
        "runs.complete",
        lambda c: c.runs.complete("run_1", status="failed"),
        {**RUN, "status": "failed"}, "POST", "/v1/runs/run_1/complete", {},
        {"status": "failed"}, Run,
    ),
    Case(
        "runs.complete without status",
        lambda c: c.runs.complete("run_1"),
        {**RUN, "status": "passed"}, "POST", "/v1/runs/run_1/complete", {}, {}, Run,
    ),
    Case(
        "runs.cancel",
        lambda c: c.runs.cancel("run_1"),
        {**RUN, "status": "canceled"}, "POST", "/v1/runs/run_1/cancel", {}, None, Run,
    ),
    Case(
        "results.get",
        lambda c: c.results.get("res_1"),
        RESULT, "GET", "/v1/results/res_1", {}, None, Result,
    ),
    Case(
        "reports.create with range",
        lambda c: c.reports.create(
            {"type": "project", "project_id": "proj_1"}, range="last_7_days"
        ),
        REPORT, "POST", "/v1/reports", {},
        {
            "kind": "summary",
            "scope": {"type": "project", "project_id": "proj_1"},
            "range": "last_7_days",
        },
        Report,
    ),
    Case(
        "reports.create with period",
        lambda c: c.reports.create(
            ReportScope(type="environment", environment="staging"),
            period={"start": date(2026, 11, 1), "end": WHEN},
        ),
        REPORT, "POST", "/v1/reports", {},
        {
            "kind": "summary",
            "scope": {"type": "environment", "environment": "staging"},
            "period": {"start": "2026-11-01", "end": "2026-12-01T08:30:00Z"},
        },
        Report,
    ),
    Case(
        "reports.get",
        lambda c: c.reports.get("rpt_1"),
        REPORT, "GET", "/v1/reports/rpt_1", {}, None, Report,
    ),
    Case(
        "reports.delete",
        lambda c: c.reports.delete("rpt_1"),
        {"id": "rpt_1", "object": "report", "deleted": True}, "DELETE", "/v1/reports/rpt_1",
        {}, None, DeletedObject,
    ),
    Case(
        "report_schedules.create",
        lambda c: c.report_schedules.create(
            "weekly", "0 6 * * 1", {"type": "organization"}, "previous_week"
        ),
        SCHEDULE, "POST", "/v1/report-schedules", {},
        {
            "name": "weekly",
            "cron": "0 6 * * 1",
            "kind": "summary",
            "scope": {"type": "organization"},
            "range": "previous_week",
            "enabled": True,
        },
        ReportSchedule,
    ),
    Case(
        "report_schedules.get",
        lambda c: c.report_schedules.get("rsch_1"),
        SCHEDULE, "GET", "/v1/report-schedules/rsch_1", {}, None, ReportSchedule,
    ),
    Case(
        "report_schedules.update",
        lambda c: c.report_schedules.update("rsch_1", enabled=False, cron="0 7 * * 1"),
        SCHEDULE, "PATCH", "/v1/report-schedules/rsch_1", {},
        {"cron": "0 7 * * 1", "enabled": False}, ReportSchedule,
    ),
    Case(
        "report_schedules.delete",
        lambda c: c.report_schedules.delete("rsch_1"),
        {"id": "rsch_1", "object": "report_schedule", "deleted": True}, "DELETE",
        "/v1/report-schedules/rsch_1", {}, None, DeletedObject,
    ),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_method_sends_request(make_harness: HarnessFactory, case: Case) -> None:
    harness = make_harness(reply(200, case.answer))

    parsed = await harness.call(case.action)

    request = harness.api.last
    assert request.method == case.method
    assert request.url.path == case.path
    assert dict(request.url.params) == case.params
    if case.body is None:
        assert request.content == b""
    else:
        assert request.headers["content-type"] == "application/json"
        assert harness.api.json_body() == case.body
    assert isinstance(parsed, case.model)
    assert parsed.id == case.answer["id"]


LIST_CASES = [
    Case(
        "projects.list",
        lambda c: c.projects.list(limit=5, starting_after="cur_0"),
        PROJECT, "GET", "/v1/projects", {"limit": "5", "starting_after": "cur_0"}, None,
        Project,
    ),
    Case(
        "api_keys.list",
        lambda c: c.api_keys.list(),
        API_KEY, "GET", "/v1/api-keys", {}, None, ApiKey,
    ),
    Case(
        "runs.list",
        lambda c: c.runs.list(
            project_id="proj_1", environment="staging", status="failed",
            from_=datetime(2026, 11, 1, tzinfo=UTC), to="2026-12-01T00:00:00Z", limit=50,
        ),
        RUN, "GET", "/v1/runs",
        {
            "project_id": "proj_1",
            "environment": "staging",
            "status": "failed",
            "from": "2026-11-01T00:00:00Z",
            "to": "2026-12-01T00:00:00Z",
            "limit": "50",
        },
        None, Run,
    ),
    Case(
        "results.list",
        lambda c: c.results.list(
            run_id="run_1", project_id="proj_1", status="failed", q="cart",
            from_=date(2026, 11, 1), to=datetime(2026, 12, 1, 0, 0, 0, 500, tzinfo=UTC),
        ),
        RESULT, "GET", "/v1/results",
        {
            "run_id": "run_1",
            "project_id": "proj_1",
            "status": "failed",
            "from": "2026-11-01",
            "to": "2026-12-01T00:00:00.000500Z",
            "q": "cart",
        },
        None, Result,
    ),
    Case(
        "reports.list",
        lambda c: c.reports.list(
            scope_type="project", project_id="proj_1", environment="staging", suite="unit",
            kind="summary", status="ready", source="schedule", from_=WHEN, to=WHEN,
            created_after=WHEN, created_before=WHEN,
        ),
        REPORT, "GET", "/v1/reports",
        {
            "scope_type": "project",
            "project_id": "proj_1",
            "environment": "staging",
            "suite": "unit",
            "kind": "summary",
            "status": "ready",
            "source": "schedule",
            "from": "2026-12-01T08:30:00Z",
            "to": "2026-12-01T08:30:00Z",
            "created_after": "2026-12-01T08:30:00Z",
            "created_before": "2026-12-01T08:30:00Z",
        },
        None, Report,
    ),
    Case(
        "report_schedules.list",
        lambda c: c.report_schedules.list(limit=1),
        SCHEDULE, "GET", "/v1/report-schedules", {"limit": "1"}, None, ReportSchedule,
    ),
]  # fmt: skip


@pytest.mark.parametrize("case", LIST_CASES, ids=str)
async def test_list_sends_filters(make_harness: HarnessFactory, case: Case) -> None:
    harness = make_harness(page([case.answer]))

    pager = case.action(harness.client)
    items = await harness.collect(pager)

    assert isinstance(pager, AsyncPager if harness.is_async else SyncPager)
    request = harness.api.last
    assert request.method == "GET"
    assert request.url.path == case.path
    assert dict(request.url.params) == case.params
    assert len(items) == 1
    assert isinstance(items[0], case.model)


async def test_models_parse_datetimes(make_harness: HarnessFactory) -> None:
    harness = make_harness(reply(200, REPORT))

    report = await harness.call(lambda c: c.reports.get("rpt_1"))

    assert report.created_at == datetime(2026, 12, 4, 11, 0, tzinfo=UTC)
    assert report.period.start == datetime(2026, 11, 27, tzinfo=UTC)
    assert report.scope.project_id == "proj_1"


async def test_models_keep_unknown_fields(make_harness: HarnessFactory) -> None:
    harness = make_harness(reply(200, {**RUN, "shard": 3, "counts": {**RUN["counts"], "new": 1}}))

    run = await harness.call(lambda c: c.runs.get("run_1"))

    assert run.shard == 3
    assert run.model_dump()["counts"]["new"] == 1


async def test_report_summary_stays_a_dict(make_harness: HarnessFactory) -> None:
    summary = {"pass_rate": 0.5, "runs": {"total": 2}, "top_failures": []}
    harness = make_harness(reply(200, {**REPORT, "status": "ready", "summary": summary}))

    report = await harness.call(lambda c: c.reports.get("rpt_1"))

    assert report.summary == summary


async def test_ids_are_quoted_in_paths(make_harness: HarnessFactory) -> None:
    harness = make_harness(reply(200, RUN))

    await harness.call(lambda c: c.runs.get("../projects/x"))

    assert harness.api.last.url.raw_path == b"/v1/runs/..%2Fprojects%2Fx"


async def test_empty_id_is_rejected(make_harness: HarnessFactory) -> None:
    harness = make_harness()

    with pytest.raises(ValueError, match="run_id"):
        await harness.call(lambda c: c.runs.get(""))


async def test_naive_datetime_names_argument(make_harness: HarnessFactory) -> None:
    harness = make_harness()
    naive = datetime(2026, 12, 1, 10, 0)

    with pytest.raises(ValueError, match="from_ must be a timezone-aware"):
        await harness.collect(harness.client.runs.list(from_=naive))
    with pytest.raises(ValueError, match="started_at"):
        await harness.call(lambda c: c.runs.create("proj_1", "staging", started_at=naive))
    with pytest.raises(ValueError, match=r"period\['end'\]"):
        await harness.call(
            lambda c: c.reports.create(
                {"type": "organization"}, period={"start": WHEN, "end": naive}
            )
        )
    assert harness.api.requests == []


async def test_report_period_and_range_conflict(make_harness: HarnessFactory) -> None:
    harness = make_harness()

    with pytest.raises(ValueError, match="either period or range"):
        await harness.call(
            lambda c: c.reports.create(
                {"type": "organization"},
                period={"start": WHEN, "end": WHEN},
                range="last_7_days",
            )
        )


async def test_scope_without_type_is_rejected(make_harness: HarnessFactory) -> None:
    harness = make_harness()

    with pytest.raises(ValueError, match="scope needs a 'type'"):
        await harness.call(lambda c: c.reports.create({"project_id": "proj_1"}))


async def test_delete_accepts_empty_answer(make_harness: HarnessFactory) -> None:
    harness = make_harness(lambda request: httpx.Response(204))

    deleted = await harness.call(lambda c: c.report_schedules.delete("rsch_1"))

    assert deleted == DeletedObject(id="rsch_1", object="report_schedule", deleted=True)


async def test_api_key_without_narrower_permissions(make_harness: HarnessFactory) -> None:
    harness = make_harness(page([{**API_KEY, "role": "admin", "permissions": None}]))

    keys = await harness.collect(harness.client.api_keys.list())

    assert keys[0].permissions is None
