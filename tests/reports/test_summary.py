"""compute_summary over the hand-computed data set, on SQLite and PostgreSQL.

The expected figures are worked out from the tables in tests/reports/dataset.py. Every
test seeds a second organization with the same rows, so each exact figure also shows
that the other organization's rows never count.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.reports.dataset import END, START, Tenant, insert_result, insert_run, insert_tenant
from zof.reports import Period, Scope, compute_summary
from zof.store.database import Database

PERIOD = Period(START, END)


async def summarize(
    db: Database,
    scope: Scope,
    period: Period = PERIOD,
    organization_id: str = "org_main",
    **kw: Any,
) -> dict[str, Any]:
    async with db.read() as conn:
        return await compute_summary(conn, organization_id, scope, period, **kw)


@pytest.fixture
async def summary(db: Database, tenant: Tenant) -> dict[str, Any]:
    return await summarize(db, Scope("organization"))


def keys(entries: list[dict[str, Any]]) -> list[str]:
    return [entry["test_key"] for entry in entries]


async def test_period_and_scope_are_echoed(summary: dict[str, Any]) -> None:
    assert summary["period"] == {
        "start": "2026-11-02T00:00:00.000Z",
        "end": "2026-11-05T00:00:00.000Z",
    }
    assert summary["scope"] == {
        "type": "organization",
        "project_id": None,
        "environment": None,
        "suite": None,
    }


async def test_run_counts(summary: dict[str, Any]) -> None:
    # r1..r8: passed r1, r4, r8; failed r2, r3; error r5; canceled r6; r7 is running
    # and counts toward the total only.
    assert summary["runs"] == {"total": 8, "passed": 3, "failed": 2, "error": 1, "canceled": 1}


async def test_result_counts(summary: dict[str, Any]) -> None:
    # 19 results in the period. Passed: r1 3, r2 2, r4 3, r6 2, r8 1 = 11.
    # Failed: login r2 r4, search r3, upload r2 r3 r4 = 6. Error: render = 1.
    # Skipped: logout r3 = 1. Flaky tests: login, search and retry = 3.
    assert summary["tests"] == {
        "total": 19,
        "passed": 11,
        "failed": 6,
        "error": 1,
        "skipped": 1,
        "flaky": 3,
    }


async def test_pass_rate(summary: dict[str, Any]) -> None:
    # 11 / (11 + 6 + 1) = 0.61111...
    assert summary["pass_rate"] == 0.6111


async def test_duration_percentiles_use_nearest_rank(summary: dict[str, Any]) -> None:
    # Durations 1000, 2000, 3000, 4000, 5000, 6000 (r6 and r7 have none), n = 6.
    # p50: rank ceil(3.0) = 3, so 3000 (an interpolating method would give 3500).
    # p95: rank ceil(5.7) = 6, so 6000.
    assert summary["duration_ms"] == {"p50": 3000, "p95": 6000, "max": 6000}


async def test_daily_rows(summary: dict[str, Any]) -> None:
    # 11-02: r1 (3 results), r2 (4): passed 3 + 2, failed 2; 5 / 7 = 0.7143.
    # 11-03: r3 (3), r8 (1): passed 1, failed 2, skipped 1; 1 / 3 = 0.3333.
    # 11-04: r4 (5), r5 (1), r6 (2), r7 (0): passed 3 + 2, failed 2, error 1; 5 / 8.
    assert summary["daily"] == [
        {
            "date": "2026-11-02",
            "runs": 2,
            "tests": 7,
            "passed": 5,
            "failed": 2,
            "error": 0,
            "skipped": 0,
            "pass_rate": 0.7143,
        },
        {
            "date": "2026-11-03",
            "runs": 2,
            "tests": 4,
            "passed": 1,
            "failed": 2,
            "error": 0,
            "skipped": 1,
            "pass_rate": 0.3333,
        },
        {
            "date": "2026-11-04",
            "runs": 4,
            "tests": 8,
            "passed": 5,
            "failed": 2,
            "error": 1,
            "skipped": 0,
            "pass_rate": 0.625,
        },
    ]


async def test_daily_rows_are_zero_filled(db: Database, tenant: Tenant) -> None:
    # The window touches five dates. Only 11-02 to 11-04 have runs in it, because r0
    # and r0b on 11-01 are before its start at 18:00.
    period = Period(datetime(2026, 11, 1, 18, tzinfo=UTC), datetime(2026, 11, 5, 6, tzinfo=UTC))

    daily = (await summarize(db, Scope("organization"), period))["daily"]

    assert [day["date"] for day in daily] == [
        "2026-11-01",
        "2026-11-02",
        "2026-11-03",
        "2026-11-04",
        "2026-11-05",
    ]
    assert daily[0] == {
        "date": "2026-11-01",
        "runs": 0,
        "tests": 0,
        "passed": 0,
        "failed": 0,
        "error": 0,
        "skipped": 0,
        "pass_rate": None,
    }
    assert daily[4]["runs"] == 0
    assert [day["runs"] for day in daily[1:4]] == [2, 2, 4]


async def test_top_failures_order(summary: dict[str, Any], tenant: Tenant) -> None:
    # upload 3 failures; login 2; render and search 1 each, render failed later.
    assert keys(summary["top_failures"]) == [
        tenant.key("upload"),
        tenant.key("login"),
        tenant.key("render"),
        tenant.key("search"),
    ]


async def test_top_failure_fields(summary: dict[str, Any], tenant: Tenant) -> None:
    upload, login, render, search = summary["top_failures"]

    assert upload == {
        "test_key": tenant.key("upload"),
        "suite": "files",
        "classname": "UploadTest",
        "name": "test_upload",
        "project_id": tenant.project_a,
        "failures": 3,
        "runs": 3,
        "executions": 3,
        "last_failed_at": "2026-11-04T10:05:00.000Z",
        "last_message": "IOError: permission denied",
        "last_failure_type": "IOError",
    }
    # login failed in r2 and r4 and passed in r1; the newest failure is r4's.
    assert login["failures"] == 2
    assert login["runs"] == 2
    assert login["executions"] == 3
    assert login["last_message"] == "AssertionError: expected 200, got 503"
    assert render["last_failure_type"] == "java.lang.NullPointerException"
    assert render["last_failed_at"] == "2026-11-04T11:05:00.000Z"
    assert search["executions"] == 4
    assert search["last_message"] == "TimeoutError: search took too long"


async def test_flaky_tests_order(summary: dict[str, Any], tenant: Tenant) -> None:
    # retry 1 / 2 = 0.5, login 1 / 3, search 1 / 4.
    assert keys(summary["flaky_tests"]) == [
        tenant.key("retry"),
        tenant.key("login"),
        tenant.key("search"),
    ]


async def test_retry_signal(summary: dict[str, Any], tenant: Tenant) -> None:
    # retry passed on a retry in r2 (flaky = true) and passed plainly in r4.
    entry = summary["flaky_tests"][0]

    assert entry == {
        "test_key": tenant.key("retry"),
        "suite": "net",
        "classname": "RetryTest",
        "name": "test_timeout",
        "project_id": tenant.project_a,
        "signals": ["retry"],
        "flake_rate": 0.5,
        "flaky_executions": 1,
        "executions": 2,
        "last_seen_at": "2026-11-04T10:05:00.000Z",
    }


async def test_same_commit_signal(summary: dict[str, Any], tenant: Tenant) -> None:
    # login passed in r1 and failed in r2, both on c1: the r2 failure is flaky. Its r4
    # failure on c3 has no pass beside it, and its outcomes pass, fail, fail flip once.
    entry = summary["flaky_tests"][1]

    assert entry["test_key"] == tenant.key("login")
    assert entry["signals"] == ["same_commit"]
    assert entry["flaky_executions"] == 1
    assert entry["executions"] == 3
    assert entry["flake_rate"] == 0.3333


async def test_status_flip_signal(summary: dict[str, Any], tenant: Tenant) -> None:
    # search in run order: pass r1 (c1), fail r3 (c2), pass r4 (c3), pass r6: two flips
    # on three different commits. Its one failure is the flaky execution.
    entry = summary["flaky_tests"][2]

    assert entry["test_key"] == tenant.key("search")
    assert entry["signals"] == ["status_flip"]
    assert entry["flaky_executions"] == 1
    assert entry["executions"] == 4
    assert entry["flake_rate"] == 0.25
    assert entry["last_seen_at"] == "2026-11-04T12:05:00.000Z"


async def test_steady_failures_are_not_flaky(summary: dict[str, Any], tenant: Tenant) -> None:
    # upload fails in every run, logout passes or skips: neither is flaky.
    flaky = keys(summary["flaky_tests"])

    assert tenant.key("upload") not in flaky
    assert tenant.key("logout") not in flaky


async def test_slowest_tests(summary: dict[str, Any], tenant: Tenant) -> None:
    # Means: render 900, retry 750, search 1950 / 4, login 650 / 3, upload 180 / 3,
    # logout 100 / 4 (the skipped r3 result has no duration), core 5.
    slowest = summary["slowest_tests"]

    assert keys(slowest) == [
        tenant.key(test)
        for test in ("render", "retry", "search", "login", "upload", "logout", "core")
    ]
    assert [entry["avg_duration_ms"] for entry in slowest] == [
        900.0,
        750.0,
        487.5,
        216.7,
        60.0,
        25.0,
        5.0,
    ]
    assert [entry["max_duration_ms"] for entry in slowest] == [900, 800, 600, 300, 70, 40, 5]
    assert [entry["executions"] for entry in slowest] == [1, 2, 4, 3, 3, 5, 1]
    assert slowest[6]["project_id"] == tenant.project_b


async def test_new_failures(summary: dict[str, Any], tenant: Tenant) -> None:
    # Failing in the period: upload, login, search, render. login failed in r0 in the
    # previous period, so it is not new. search passed there; upload and render did
    # not run there. Oldest first failure first.
    assert summary["new_failures"] == [
        {
            "test_key": tenant.key("upload"),
            "suite": "files",
            "classname": "UploadTest",
            "name": "test_upload",
            "project_id": tenant.project_a,
            "first_failed_at": "2026-11-02T12:05:00.000Z",
            "message": "IOError: disk full",
            "failure_type": "IOError",
        },
        {
            "test_key": tenant.key("search"),
            "suite": "search",
            "classname": "SearchTest",
            "name": "test_query",
            "project_id": tenant.project_a,
            "first_failed_at": "2026-11-03T09:05:00.000Z",
            "message": "TimeoutError: search took too long",
            "failure_type": "TimeoutError",
        },
        {
            "test_key": tenant.key("render"),
            "suite": "ui",
            "classname": "RenderTest",
            "name": "test_render",
            "project_id": tenant.project_a,
            "first_failed_at": "2026-11-04T11:05:00.000Z",
            "message": "NullPointerException",
            "failure_type": "java.lang.NullPointerException",
        },
    ]


async def test_previous_period_figures(summary: dict[str, Any]) -> None:
    # r0 failed (2500 ms) and r0b passed (1500 ms) on c0. Results: login F and P, search
    # P and P; login passed and failed on c0, so it is flaky there. p50 of two values is
    # rank ceil(1.0) = 1, p95 is rank ceil(1.9) = 2.
    assert summary["previous_period"] == {
        "start": "2026-10-30T00:00:00.000Z",
        "end": "2026-11-02T00:00:00.000Z",
        "runs": {"total": 2, "passed": 1, "failed": 1, "error": 0, "canceled": 0},
        "tests": {"total": 4, "passed": 3, "failed": 1, "error": 0, "skipped": 0, "flaky": 1},
        "pass_rate": 0.75,
        "duration_ms": {"p50": 1500, "p95": 2500, "max": 2500},
    }


async def test_limit_truncates_every_list(db: Database, tenant: Tenant) -> None:
    summary = await summarize(db, Scope("organization"), limit=2)

    assert keys(summary["top_failures"]) == [tenant.key("upload"), tenant.key("login")]
    assert keys(summary["flaky_tests"]) == [tenant.key("retry"), tenant.key("login")]
    assert keys(summary["slowest_tests"]) == [tenant.key("render"), tenant.key("retry")]
    assert keys(summary["new_failures"]) == [tenant.key("upload"), tenant.key("search")]
    assert summary["tests"]["flaky"] == 3


async def test_limit_below_one_is_rejected(db: Database, tenant: Tenant) -> None:
    with pytest.raises(ValueError, match="limit"):
        await summarize(db, Scope("organization"), limit=0)


async def test_project_scope(db: Database, tenant: Tenant) -> None:
    # Project A leaves out r8 and its one passed result.
    summary = await summarize(db, Scope("project", project_id=tenant.project_a))

    assert summary["runs"] == {"total": 7, "passed": 2, "failed": 2, "error": 1, "canceled": 1}
    assert summary["tests"]["total"] == 18
    assert summary["tests"]["passed"] == 10
    assert summary["pass_rate"] == round(10 / 17, 4)
    assert tenant.key("core") not in keys(summary["slowest_tests"])


async def test_environment_scope(db: Database, tenant: Tenant) -> None:
    # Project A in production is r3 alone: search F, upload F, logout S.
    scope = Scope("environment", project_id=tenant.project_a, environment="production")

    summary = await summarize(db, scope)

    assert summary["runs"] == {"total": 1, "passed": 0, "failed": 1, "error": 0, "canceled": 0}
    assert summary["tests"] == {
        "total": 3,
        "passed": 0,
        "failed": 2,
        "error": 0,
        "skipped": 1,
        "flaky": 0,
    }
    assert summary["pass_rate"] == 0.0
    assert summary["duration_ms"] == {"p50": 2000, "p95": 2000, "max": 2000}
    # The previous period has no production runs, so nothing failed there. Both tests
    # first failed at 09:05, so the lower key, search's, comes first.
    assert keys(summary["new_failures"]) == [tenant.key("search"), tenant.key("upload")]


async def test_suite_scope(db: Database, tenant: Tenant) -> None:
    # Suite "ui" of project A is r5 alone, with render's error.
    summary = await summarize(db, Scope("suite", project_id=tenant.project_a, suite="ui"))

    assert summary["runs"] == {"total": 1, "passed": 0, "failed": 0, "error": 1, "canceled": 0}
    assert summary["tests"]["total"] == 1
    assert summary["tests"]["error"] == 1
    assert keys(summary["top_failures"]) == [tenant.key("render")]


async def test_suite_scope_with_environment(db: Database, tenant: Tenant) -> None:
    # Suite "api" in staging: r1, r2, r4, r6, r7 (r3 is production, r5 is suite "ui").
    # Results 3 + 4 + 5 + 2 = 14. Without r3, search passes in r1, r4 and r6 only.
    scope = Scope("suite", project_id=tenant.project_a, environment="staging", suite="api")

    summary = await summarize(db, scope)

    assert summary["runs"]["total"] == 5
    assert summary["tests"]["total"] == 14
    assert keys(summary["flaky_tests"]) == [tenant.key("retry"), tenant.key("login")]


async def test_suite_scope_spans_environments(db: Database, tenant: Tenant) -> None:
    # Suite "api" in any environment of project A: r1, r2, r3, r4, r6, r7.
    summary = await summarize(db, Scope("suite", project_id=tenant.project_a, suite="api"))

    assert summary["runs"]["total"] == 6
    assert summary["tests"]["total"] == 17


async def test_other_organization_sees_only_its_rows(db: Database, tenant: Tenant) -> None:
    # org_other has a copy of every row, under its own ids.
    main = await summarize(db, Scope("organization"))
    other = await summarize(db, Scope("organization"), organization_id="org_other")

    assert other["runs"] == main["runs"]
    assert other["tests"] == main["tests"]
    assert other["daily"] == main["daily"]
    assert set(keys(other["top_failures"])).isdisjoint(keys(main["top_failures"]))


async def test_empty_organization_has_no_figures(db: Database, tenant: Tenant) -> None:
    async with db.write() as conn:
        await insert_tenant(conn, "org_empty")

    summary = await summarize(db, Scope("organization"), organization_id="org_empty")

    assert summary["runs"] == {"total": 0, "passed": 0, "failed": 0, "error": 0, "canceled": 0}
    assert summary["tests"]["total"] == 0
    assert summary["pass_rate"] is None
    assert summary["duration_ms"] == {"p50": None, "p95": None, "max": None}
    assert [day["runs"] for day in summary["daily"]] == [0, 0, 0]
    assert summary["top_failures"] == []
    assert summary["flaky_tests"] == []
    assert summary["slowest_tests"] == []
    assert summary["new_failures"] == []


async def test_period_bounds_are_half_open(db: Database) -> None:
    # Runs at exactly the start, a millisecond before the end, and exactly at the end.
    async with db.write() as conn:
        tenant = await insert_tenant(conn, "org_bounds")
        await insert_run(conn, tenant, "at_start", START, duration_ms=100)
        await insert_run(conn, tenant, "before_end", END - timedelta(milliseconds=1))
        await insert_run(conn, tenant, "at_end", END, status="failed")
        await insert_result(conn, tenant, "res_start", "at_start", "login", "passed", START)
        await insert_result(conn, tenant, "res_end", "at_end", "login", "failed", END)

    summary = await summarize(db, Scope("organization"), organization_id="org_bounds")
    later = await summarize(
        db, Scope("organization"), Period(END, END + timedelta(days=3)), "org_bounds"
    )

    assert summary["runs"]["total"] == 2
    assert summary["runs"]["failed"] == 0
    assert summary["tests"]["total"] == 1
    assert [day["runs"] for day in summary["daily"]] == [1, 0, 1]
    assert summary["previous_period"]["runs"]["total"] == 0
    assert later["runs"]["total"] == 1
    assert later["runs"]["failed"] == 1
    # The failure at the end is new in the next period: the previous one only passed.
    assert keys(later["new_failures"]) == [tenant.key("login")]


async def test_same_commit_pair_inside_one_run(db: Database) -> None:
    # A case written twice in one run, once failed and once passed, without the retry
    # marker: the run has no outcome for flips, but the commit pair marks it.
    moment = START + timedelta(hours=1)
    async with db.write() as conn:
        tenant = await insert_tenant(conn, "org_pair")
        await insert_run(conn, tenant, "run", moment, commit_sha="abc")
        await insert_result(conn, tenant, "first", "run", "login", "failed", moment)
        await insert_result(conn, tenant, "second", "run", "login", "passed", moment)

    summary = await summarize(db, Scope("organization"), organization_id="org_pair")

    assert summary["flaky_tests"][0]["signals"] == ["same_commit"]
    assert summary["flaky_tests"][0]["flake_rate"] == 0.5


async def test_every_signal_on_one_test(db: Database) -> None:
    # Runs in order: pass (c1), fail (c1), pass with a retry (c2), fail (c3).
    # Outcomes pass, fail, pass, fail flip three times; c1 is a same-commit pair.
    # Flaky executions: the retried pass, the c1 failure, and the c3 failure (flipped),
    # so 3 of 4.
    async with db.write() as conn:
        tenant = await insert_tenant(conn, "org_all")
        rows = [("c1", "passed", False), ("c1", "failed", False)]
        rows += [("c2", "passed", True), ("c3", "failed", False)]
        for number, (commit, status, flaky) in enumerate(rows):
            moment = START + timedelta(hours=number)
            await insert_run(conn, tenant, f"run{number}", moment, commit_sha=commit)
            await insert_result(
                conn, tenant, f"res{number}", f"run{number}", "login", status, moment, flaky=flaky
            )

    summary = await summarize(db, Scope("organization"), organization_id="org_all")

    entry = summary["flaky_tests"][0]
    assert entry["signals"] == ["retry", "same_commit", "status_flip"]
    assert entry["flaky_executions"] == 3
    assert entry["flake_rate"] == 0.75
