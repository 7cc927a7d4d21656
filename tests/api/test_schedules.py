"""Report schedules: validation, firing on time, and management."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import Api
from zof.core.clock import set_clock
from zof.services.worker import drain
from zof.store.tables import report_schedules

pytestmark = pytest.mark.usefixtures("backend")

NOW = datetime(2026, 12, 4, 10, 15, tzinfo=UTC)


def body(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Daily summary",
        "cron": "0 6 * * *",
        "scope": {"type": "organization"},
        "range": "previous_day",
        **overrides,
    }


async def create(api: Api, **overrides: Any) -> dict[str, Any]:
    set_clock(lambda: NOW)
    try:
        response = await api.post("/v1/report-schedules", body(**overrides))
    finally:
        set_clock(None)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_create_computes_next_firing_in_utc(api: Api) -> None:
    schedule = await create(api)

    assert schedule["object"] == "report_schedule"
    assert schedule["next_run_at"] == "2026-12-05T06:00:00.000Z"
    assert schedule["last_run_at"] is None
    assert schedule["enabled"] is True


@pytest.mark.parametrize(
    ("cron", "code"),
    [
        ("0 6 * * ", "invalid_parameter"),
        ("0 6 * *", "invalid_parameter"),
        ("0 0 6 * * *", "invalid_parameter"),
        ("61 6 * * *", "invalid_parameter"),
        ("every day at six", "invalid_parameter"),
        ("@daily", "invalid_parameter"),
    ],
)
async def test_invalid_cron_is_rejected(api: Api, cron: str, code: str) -> None:
    response = await api.post("/v1/report-schedules", body(cron=cron))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["param"] == "cron"
    async with api.db.read() as conn:
        stored = (
            await conn.execute(sa.select(sa.func.count()).select_from(report_schedules))
        ).scalar()
    assert stored == 0


async def test_schedule_fires_and_creates_scheduled_report(api: Api) -> None:
    schedule = await create(api)

    set_clock(lambda: datetime(2026, 12, 5, 6, 0, 30, tzinfo=UTC))
    try:
        ran = await drain(api.db)
    finally:
        set_clock(None)

    reports = (await api.get("/v1/reports", params={"source": "schedule"})).json()["data"]
    assert ran == 1
    assert len(reports) == 1
    assert reports[0]["schedule_id"] == schedule["id"]
    assert reports[0]["status"] == "ready"
    assert reports[0]["period"] == {
        "start": "2026-12-04T00:00:00.000Z",
        "end": "2026-12-05T00:00:00.000Z",
    }
    fetched = (await api.get(f"/v1/report-schedules/{schedule['id']}")).json()
    assert fetched["next_run_at"] == "2026-12-06T06:00:00.000Z"
    assert fetched["last_run_at"] is not None


async def test_schedule_does_not_fire_early_or_twice(api: Api) -> None:
    await create(api)

    set_clock(lambda: datetime(2026, 12, 5, 5, 59, tzinfo=UTC))
    try:
        await drain(api.db)
        early = (await api.get("/v1/reports")).json()["data"]
        set_clock(lambda: datetime(2026, 12, 5, 6, 1, tzinfo=UTC))
        await drain(api.db)
        await drain(api.db)
        on_time = (await api.get("/v1/reports")).json()["data"]
    finally:
        set_clock(None)

    assert early == []
    assert len(on_time) == 1


async def test_disabled_schedule_does_not_fire(api: Api) -> None:
    schedule = await create(api, enabled=False)

    set_clock(lambda: datetime(2026, 12, 6, tzinfo=UTC))
    try:
        await drain(api.db)
    finally:
        set_clock(None)

    assert schedule["next_run_at"] is None
    assert (await api.get("/v1/reports")).json()["data"] == []


async def test_update_and_delete_schedule(api: Api) -> None:
    schedule = await create(api)

    updated = await api.client.patch(
        f"/v1/report-schedules/{schedule['id']}",
        json={"cron": "30 7 * * 1", "name": "Weekly", "range": "previous_week"},
        headers=api.headers(),
    )
    deleted = await api.client.delete(
        f"/v1/report-schedules/{schedule['id']}", headers=api.headers()
    )
    missing = await api.get(f"/v1/report-schedules/{schedule['id']}")

    assert updated.status_code == 200
    assert updated.json()["name"] == "Weekly"
    assert updated.json()["range"] == "previous_week"
    assert updated.json()["next_run_at"].endswith("T07:30:00.000Z")
    assert deleted.status_code == 200
    assert missing.status_code == 404


async def test_engineer_cannot_manage_schedules(api: Api) -> None:
    engineer = await api.create_key("engineer")

    response = await api.post("/v1/report-schedules", body(), key=engineer)

    assert response.status_code == 403
    assert "schedules:manage" in response.json()["error"]["message"]


async def test_schedules_of_another_organization_are_invisible(api: Api) -> None:
    _, other_key = await api.bootstrap("Other")
    response = await api.post("/v1/report-schedules", body(), key=other_key)
    theirs = response.json()["id"]

    assert (await api.get("/v1/report-schedules")).json()["data"] == []
    assert (await api.get(f"/v1/report-schedules/{theirs}")).status_code == 404
    patched = await api.client.patch(
        f"/v1/report-schedules/{theirs}", json={"enabled": False}, headers=api.headers()
    )
    assert patched.status_code == 404


async def test_missed_firings_are_made_up_once(api: Api) -> None:
    await create(api, cron="0 * * * *", range="last_24_hours")

    set_clock(lambda: NOW + timedelta(hours=5))
    try:
        await drain(api.db)
    finally:
        set_clock(None)

    assert len((await api.get("/v1/reports")).json()["data"]) == 1
