"""Reports: creation, generation by workers, listing by scope and time range, content."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import Api
from zof.core.clock import set_clock
from zof.core.settings import Settings
from zof.services.worker import Worker, drain
from zof.store.database import Database
from zof.store.tables import jobs, reports

pytestmark = pytest.mark.usefixtures("backend")

DAY = datetime(2026, 12, 1, tzinfo=UTC)


async def project(api: Api, name: str = "web", key: str | None = None) -> str:
    response = await api.post("/v1/projects", {"name": name}, key=key)
    assert response.status_code == 201
    return str(response.json()["id"])


def period(start: datetime, days: int = 1) -> dict[str, str]:
    return {"start": start.isoformat(), "end": (start + timedelta(days=days)).isoformat()}


async def create(api: Api, body: dict[str, Any], key: str | None = None) -> dict[str, Any]:
    response = await api.post("/v1/reports", body, key=key)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def count(api: Api, table: sa.Table) -> int:
    async with api.db.read() as conn:
        return int((await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one())


async def test_create_answers_queued_report(api: Api) -> None:
    project_id = await project(api)

    report = await create(
        api,
        {
            "kind": "summary",
            "scope": {"type": "project", "project_id": project_id},
            "period": period(DAY),
        },
    )

    assert report["object"] == "report"
    assert report["status"] == "queued"
    assert report["source"] == "api"
    assert report["scope"] == {
        "type": "project",
        "project_id": project_id,
        "environment": None,
        "suite": None,
    }
    assert report["period"] == {
        "start": "2026-12-01T00:00:00.000Z",
        "end": "2026-12-02T00:00:00.000Z",
    }
    assert report["summary"] is None
    assert report["links"]["content"]["html"] == f"/v1/reports/{report['id']}/content?format=html"
    assert await count(api, jobs) == 1


async def test_range_preset_resolves_at_creation(api: Api) -> None:
    set_clock(lambda: datetime(2026, 12, 3, 15, 30, tzinfo=UTC))
    try:
        report = await create(api, {"scope": {"type": "organization"}, "range": "previous_week"})
    finally:
        set_clock(None)

    assert report["range"] == "previous_week"
    assert report["period"] == {
        "start": "2026-11-23T00:00:00.000Z",
        "end": "2026-11-30T00:00:00.000Z",
    }


@pytest.mark.parametrize(
    ("body", "status", "code", "param"),
    [
        ({"scope": {"type": "organization"}}, 400, "missing_parameter", "period"),
        (
            {"scope": {"type": "organization"}, "range": "last_7_days", "period": period(DAY)},
            400,
            "invalid_parameter",
            "range",
        ),
        (
            {"scope": {"type": "organization"}, "range": "last_year"},
            400,
            "invalid_parameter",
            "range",
        ),
        (
            {"scope": {"type": "galaxy"}, "range": "last_7_days"},
            400,
            "invalid_parameter",
            "scope.type",
        ),
        (
            {"scope": {"type": "project"}, "range": "last_7_days"},
            400,
            "invalid_parameter",
            "scope.project_id",
        ),
        (
            {"scope": {"type": "organization", "environment": "prod"}, "range": "last_7_days"},
            400,
            "invalid_parameter",
            "scope.environment",
        ),
        (
            {
                "scope": {"type": "organization"},
                "period": {"start": "2026-12-02", "end": "2026-12-01"},
            },
            400,
            "invalid_time_range",
            "period.end",
        ),
        (
            {
                "scope": {"type": "organization"},
                "period": {"start": "2026-12-01T00:00:00", "end": "2026-12-02"},
            },
            400,
            "invalid_parameter",
            "period.start",
        ),
        (
            {"scope": {"type": "organization"}, "range": "last_7_days", "kind": "weekly"},
            400,
            "invalid_parameter",
            "kind",
        ),
        (
            {"scope": {"type": "organization"}, "range": "last_7_days", "extra": 1},
            400,
            "unknown_parameter",
            "extra",
        ),
        (
            {"scope": {"type": "project", "project_id": "proj_missing"}, "range": "last_7_days"},
            404,
            "resource_not_found",
            "scope.project_id",
        ),
    ],
)
async def test_invalid_report_request_stores_nothing(
    api: Api, body: dict[str, Any], status: int, code: str, param: str
) -> None:
    response = await api.post("/v1/reports", body)

    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["param"] == param
    assert await count(api, reports) == 0
    assert await count(api, jobs) == 0


async def test_other_organizations_project_is_not_found(api: Api) -> None:
    _, other_key = await api.bootstrap("Other")
    foreign = await project(api, key=other_key)

    response = await api.post(
        "/v1/reports", {"scope": {"type": "project", "project_id": foreign}, "range": "last_7_days"}
    )

    assert response.status_code == 404
    assert response.json()["error"]["param"] == "scope.project_id"


async def test_worker_generates_report_and_content(api: Api) -> None:
    report = await create(api, {"scope": {"type": "organization"}, "period": period(DAY)})

    assert await drain(api.db) == 1
    ready = (await api.get(f"/v1/reports/{report['id']}")).json()

    assert ready["status"] == "ready"
    assert ready["completed_at"] is not None
    assert ready["summary"]["runs"]["total"] == 0
    assert ready["summary"]["pass_rate"] is None

    json_file = await api.get(f"/v1/reports/{report['id']}/content", params={"format": "json"})
    csv_file = await api.get(f"/v1/reports/{report['id']}/content", params={"format": "csv"})
    html_file = await api.get(f"/v1/reports/{report['id']}/content", params={"format": "html"})

    assert json_file.headers["content-type"] == "application/json"
    assert json_file.json()["id"] == report["id"]
    assert csv_file.headers["content-type"].startswith("text/csv")
    assert html_file.headers["content-type"].startswith("text/html")
    assert html_file.headers["Content-Disposition"] == (
        f'attachment; filename="zof-report-{report["id"]}.html"'
    )
    assert "default-src 'none'" in html_file.headers["Content-Security-Policy"]
    assert "<script" not in html_file.text
    assert "http://" not in html_file.text
    assert "https://" not in html_file.text


async def test_content_before_ready_is_409(api: Api) -> None:
    report = await create(api, {"scope": {"type": "organization"}, "period": period(DAY)})

    response = await api.get(f"/v1/reports/{report['id']}/content", params={"format": "html"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "report_not_ready"


async def test_unknown_content_format_is_400(api: Api) -> None:
    report = await create(api, {"scope": {"type": "organization"}, "period": period(DAY)})

    response = await api.get(f"/v1/reports/{report['id']}/content", params={"format": "pdf"})

    assert response.status_code == 400
    assert response.json()["error"]["param"] == "format"
    assert "html" in response.json()["error"]["message"]


async def seed_reports(api: Api) -> dict[str, str]:
    web = await project(api, "web")
    api_project = await project(api, "api")
    bodies = {
        "org_dec1": {"scope": {"type": "organization"}, "period": period(DAY)},
        "web_dec1": {"scope": {"type": "project", "project_id": web}, "period": period(DAY)},
        "web_staging_dec2": {
            "scope": {"type": "environment", "project_id": web, "environment": "staging"},
            "period": period(DAY + timedelta(days=1)),
        },
        "web_suite_dec1_week": {
            "scope": {"type": "suite", "project_id": web, "suite": "unit"},
            "period": period(DAY, days=7),
        },
        "api_dec3": {
            "scope": {"type": "project", "project_id": api_project},
            "period": period(DAY + timedelta(days=2)),
        },
    }
    ids = {"web": web, "api": api_project}
    for name, body in bodies.items():
        ids[name] = (await create(api, body))["id"]
    return ids


async def listed(api: Api, **params: str) -> list[str]:
    response = await api.get("/v1/reports", params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]]


async def test_list_filters_by_scope(api: Api) -> None:
    ids = await seed_reports(api)

    assert await listed(api, scope_type="organization") == [ids["org_dec1"]]
    assert set(await listed(api, project_id=ids["web"])) == {
        ids["web_dec1"],
        ids["web_staging_dec2"],
        ids["web_suite_dec1_week"],
    }
    assert await listed(api, environment="staging") == [ids["web_staging_dec2"]]
    assert await listed(api, suite="unit") == [ids["web_suite_dec1_week"]]
    assert await listed(api, scope_type="project", project_id=ids["api"]) == [ids["api_dec3"]]


async def test_list_from_to_selects_overlapping_periods(api: Api) -> None:
    ids = await seed_reports(api)

    dec2 = await listed(api, **{"from": "2026-12-02", "to": "2026-12-03"})
    exactly_after = await listed(api, **{"from": "2026-12-04", "to": "2026-12-05"})
    up_to_dec1_start = await listed(api, to="2026-12-01")

    assert set(dec2) == {ids["web_staging_dec2"], ids["web_suite_dec1_week"]}
    assert exactly_after == [ids["web_suite_dec1_week"]]
    assert up_to_dec1_start == []


async def test_list_period_bounds_are_half_open(api: Api) -> None:
    ids = await seed_reports(api)

    ending_at_from = await listed(
        api, **{"from": "2026-12-02T00:00:00Z", "scope_type": "organization"}
    )
    starting_at_to = await listed(api, to="2026-12-03T00:00:00Z", project_id=ids["api"])
    starting_before_to = await listed(api, to="2026-12-03T00:00:00.001Z", project_id=ids["api"])

    assert ending_at_from == []
    assert starting_at_to == []
    assert starting_before_to == [ids["api_dec3"]]


async def test_list_filters_by_kind_status_source_and_creation(api: Api) -> None:
    start = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    set_clock(lambda: start)
    try:
        first = await create(api, {"scope": {"type": "organization"}, "period": period(DAY)})
    finally:
        set_clock(None)
    second = await create(api, {"scope": {"type": "organization"}, "period": period(DAY)})
    await drain(api.db, limit=1)

    assert await listed(api, kind="summary", source="api") == [second["id"], first["id"]]
    assert await listed(api, status="ready") == [first["id"]]
    assert await listed(api, status="queued") == [second["id"]]
    assert await listed(api, source="schedule") == []
    assert await listed(api, created_before="2026-12-04T09:00:00.001Z") == [first["id"]]
    assert await listed(api, created_after="2026-12-04T09:00:00.001Z") == [second["id"]]


@pytest.mark.parametrize(
    ("params", "param", "code"),
    [
        ({"from": "2026-12-02", "to": "2026-12-01"}, "to", "invalid_time_range"),
        (
            {"created_after": "2026-12-02", "created_before": "2026-12-02"},
            "created_before",
            "invalid_time_range",
        ),
        ({"from": "2026-12-02T10:00:00"}, "from", "invalid_parameter"),
        ({"scope_type": "team"}, "scope_type", "invalid_parameter"),
        ({"status": "done"}, "status", "invalid_parameter"),
        ({"source": "cron"}, "source", "invalid_parameter"),
        ({"kind": "weekly"}, "kind", "invalid_parameter"),
        ({"period": "x"}, "period", "unknown_parameter"),
    ],
)
async def test_list_rejects_bad_filters(
    api: Api, params: dict[str, str], param: str, code: str
) -> None:
    response = await api.get("/v1/reports", params=params)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["param"] == param


async def test_list_pages_through_every_report(api: Api) -> None:
    created = [
        (await create(api, {"scope": {"type": "organization"}, "period": period(DAY)}))["id"]
        for _ in range(7)
    ]
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3, "scope_type": "organization"}
        if cursor:
            params["starting_after"] = cursor
        body = (await api.get("/v1/reports", params=params)).json()
        seen += [item["id"] for item in body["data"]]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            break

    assert seen == list(reversed(created))
    other_filter = await api.get(
        "/v1/reports",
        params={"limit": 3, "scope_type": "project", "starting_after": body["next_cursor"] or "x"},
    )
    assert other_filter.status_code == 400


async def test_reports_of_another_organization_are_invisible(api: Api) -> None:
    _, other_key = await api.bootstrap("Other")
    theirs = await create(
        api, {"scope": {"type": "organization"}, "period": period(DAY)}, key=other_key
    )
    await drain(api.db)

    assert await listed(api) == []
    assert (await api.get(f"/v1/reports/{theirs['id']}")).status_code == 404
    content = await api.get(f"/v1/reports/{theirs['id']}/content")
    assert content.status_code == 404
    deleted = await api.client.delete(f"/v1/reports/{theirs['id']}", headers=api.headers())
    assert deleted.status_code == 404
    assert (await api.get(f"/v1/reports/{theirs['id']}", key=other_key)).status_code == 200


async def test_delete_removes_report(api: Api) -> None:
    report = await create(api, {"scope": {"type": "organization"}, "period": period(DAY)})

    response = await api.client.delete(f"/v1/reports/{report['id']}", headers=api.headers())

    assert response.status_code == 200
    assert response.json() == {"id": report["id"], "object": "report", "deleted": True}
    assert (await api.get(f"/v1/reports/{report['id']}")).status_code == 404


async def test_viewer_can_read_but_not_create_or_delete(api: Api) -> None:
    viewer = await api.create_key("viewer")
    report = await create(api, {"scope": {"type": "organization"}, "period": period(DAY)})

    created = await api.post(
        "/v1/reports", {"scope": {"type": "organization"}, "range": "last_7_days"}, key=viewer
    )
    deleted = await api.client.delete(f"/v1/reports/{report['id']}", headers=api.headers(viewer))
    read = await api.get(f"/v1/reports/{report['id']}", key=viewer)

    assert created.status_code == 403
    assert "reports:create" in created.json()["error"]["message"]
    assert deleted.status_code == 403
    assert "reports:delete" in deleted.json()["error"]["message"]
    assert read.status_code == 200


async def test_expired_reports_disappear_and_are_deleted(
    make_api: object, settings: Settings
) -> None:
    api: Api = await make_api(replace(settings, retention_days=2))  # type: ignore[operator]
    report = await create(api, {"scope": {"type": "organization"}, "period": period(DAY)})
    assert report["expires_at"] is not None
    created = datetime.fromisoformat(report["created_at"].replace("Z", "+00:00"))

    set_clock(lambda: created + timedelta(days=2))
    try:
        listed_after = await listed(api)
        fetched = await api.get(f"/v1/reports/{report['id']}")
        deleted = await Worker(api.db, retention_days=2).apply_retention()
    finally:
        set_clock(None)

    assert listed_after == []
    assert fetched.status_code == 404
    assert deleted == 1
    assert await count(api, reports) == 0


async def test_jobs_survive_a_restart(make_api: object, settings: Settings) -> None:
    first: Api = await make_api()  # type: ignore[operator]
    report = await create(first, {"scope": {"type": "organization"}, "period": period(DAY)})
    await first.client.aclose()

    second: Api = await make_api()  # type: ignore[operator]
    assert await drain(second.db) == 1

    fetched = await second.get(f"/v1/reports/{report['id']}", key=first.key)
    assert fetched.json()["status"] == "ready"


async def test_stale_job_of_a_dead_worker_is_claimed_again(api: Api) -> None:
    report = await create(api, {"scope": {"type": "organization"}, "period": period(DAY)})
    dead = Worker(api.db, retention_days=90)
    async with api.db.write() as conn:
        from zof.store import jobs as job_store

        claimed = await job_store.claim(
            conn, worker_id=dead.worker_id, now=datetime.now(UTC), lock_for=timedelta(seconds=30)
        )
    assert claimed is not None

    assert await drain(api.db) == 0
    set_clock(lambda: datetime.now(UTC) + timedelta(seconds=31))
    try:
        assert await drain(api.db) == 1
    finally:
        set_clock(None)

    assert (await api.get(f"/v1/reports/{report['id']}")).json()["status"] == "ready"


async def test_concurrent_workers_generate_each_report_once(api: Api, database_url: str) -> None:
    ids = [
        (await create(api, {"scope": {"type": "organization"}, "period": period(DAY)}))["id"]
        for _ in range(12)
    ]
    databases = [Database(database_url) for _ in range(4)]
    try:
        workers = [Worker(db, retention_days=90) for db in databases]

        async def work(worker: Worker) -> int:
            ran = 0
            while await worker.run_one():
                ran += 1
            return ran

        counts = await asyncio.gather(*(work(worker) for worker in workers))
    finally:
        for db in databases:
            await db.dispose()

    assert sum(counts) == 12
    async with api.db.read() as conn:
        attempts = (await conn.execute(sa.select(jobs.c.attempts, jobs.c.status))).all()
    assert all(row.attempts == 1 and row.status == "done" for row in attempts)
    for report_id in ids:
        assert (await api.get(f"/v1/reports/{report_id}")).json()["status"] == "ready"


async def test_failing_generation_retries_then_marks_failed(api: Api) -> None:
    from zof.services import reports as report_service

    report = await create(api, {"scope": {"type": "organization"}, "period": period(DAY)})
    original = report_service.compute_summary

    async def broken(*args: object, **kwargs: object) -> dict[str, Any]:
        raise RuntimeError("summary query failed")

    report_service.compute_summary = broken  # type: ignore[assignment]
    now = datetime.now(UTC)
    try:
        for attempt in range(5):
            set_clock(lambda attempt=attempt: now + timedelta(minutes=10 * attempt))
            assert await drain(api.db) == 1
    finally:
        report_service.compute_summary = original  # type: ignore[assignment]
        set_clock(None)

    failed = (await api.get(f"/v1/reports/{report['id']}")).json()
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "generation_failed"
    assert "summary query failed" not in failed["error"]["message"]


@pytest.mark.parametrize(
    ("period_body", "param"),
    [
        ({"start": "2025-01-01", "end": "2026-01-03"}, "period.end"),
        ({"start": "0001-01-01", "end": "0001-02-01"}, "period.start"),
        ({"start": "9500-01-01", "end": "9500-02-01"}, "period.end"),
    ],
)
async def test_period_out_of_bounds_is_400(
    api: Api, period_body: dict[str, str], param: str
) -> None:
    response = await api.post(
        "/v1/reports", {"scope": {"type": "organization"}, "period": period_body}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_parameter"
    assert response.json()["error"]["param"] == param
    assert await count(api, reports) == 0


JUNIT = b"""<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="unit" tests="3">
  <testcase classname="cart" name="adds item" time="0.5"/>
  <testcase classname="cart" name="removes item" time="0.25">
    <failure message="expected 0, got 1">AssertionError</failure>
  </testcase>
  <testcase classname="cart" name="empties" time="0.1"/>
</testsuite>
"""


async def test_completed_run_gets_its_own_report(api: Api) -> None:
    project_id = await project(api)
    other_run = await api.post("/v1/runs", {"project_id": project_id, "environment": "staging"})
    run = (
        await api.post(
            "/v1/runs", {"project_id": project_id, "environment": "staging", "suite": "unit"}
        )
    ).json()
    upload = await api.client.post(
        f"/v1/runs/{run['id']}/results",
        content=JUNIT,
        headers=api.headers(**{"Content-Type": "application/xml"}),
    )
    assert upload.status_code == 201
    assert other_run.status_code == 201

    completed = await api.post(f"/v1/runs/{run['id']}/complete")
    listed_reports = (await api.get("/v1/reports", params={"source": "run"})).json()["data"]
    await drain(api.db)
    report = (await api.get(f"/v1/reports/{listed_reports[0]['id']}")).json()

    assert completed.status_code == 200
    assert len(listed_reports) == 1
    assert report["run_id"] == run["id"]
    assert report["scope"] == {
        "type": "suite",
        "project_id": project_id,
        "environment": "staging",
        "suite": "unit",
    }
    assert report["status"] == "ready"
    summary = report["summary"]
    assert summary["runs"]["total"] == 1
    assert summary["runs"]["failed"] == 1
    assert summary["tests"] == {
        "total": 3,
        "passed": 2,
        "failed": 1,
        "error": 0,
        "skipped": 0,
        "flaky": 0,
    }
    assert [item["name"] for item in summary["new_failures"]] == ["removes item"]
