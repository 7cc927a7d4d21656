"""A small data set for summary tests, with every figure worked out by hand.

The report period is [2026-11-02, 2026-11-05), three UTC days; the previous period of
equal length is [2026-10-30, 2026-11-02). Project A has two environments and the suites
"api" and "ui"; project B has one run. Each result is created five minutes after its run.

Runs in the period (status, duration_ms, commit):

    id  created (UTC)     project env         suite  status    ms    commit
    r1  11-02 08:00       A       staging     api    passed    1000  c1
    r2  11-02 12:00       A       staging     api    failed    3000  c1
    r3  11-03 09:00       A       production  api    failed    2000  c2
    r8  11-03 10:00       B       production  api    passed    6000  c9
    r4  11-04 10:00       A       staging     api    passed    5000  c3
    r5  11-04 11:00       A       staging     ui     error     4000  -
    r6  11-04 12:00       A       staging     api    canceled  -     -
    r7  11-04 13:00       A       staging     api    running   -     -    (no results)

Results in the period (P passed, F failed, E error, S skipped; duration_ms):

    test     r1     r2          r3      r4      r5     r6     r8
    login    P 100  F 300       -       F 250   -      -      -
    search   P 400  -           F 600   P 500   -      P 450  -
    logout   P 10   P 20        S -     P 30    -      P 40   -
    retry    -      P 800 flaky -       P 700   -      -      -
    upload   -      F 50        F 70    F 60    -      -      -
    render   -      -           -       -       E 900  -      -
    core     -      -           -       -       -      -      P 5   (project B)

Previous period: r0 at 11-01 10:00 (failed, 2500 ms, c0) with login F 200 and
search P 300; r0b at 11-01 14:00 (passed, 1500 ms, c0) with login P 150 and search P 350.
All of these in project A, staging, suite "api".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from zof.reports.identity import test_key
from zof.store.tables import organizations, projects, results, runs

START = datetime(2026, 11, 2, tzinfo=UTC)
END = datetime(2026, 11, 5, tzinfo=UTC)
RESULT_DELAY = timedelta(minutes=5)

# name: (suite, classname, name) for project A; "core" belongs to project B.
TESTS = {
    "login": ("auth", "LoginTest", "test_login"),
    "logout": ("auth", "LoginTest", "test_logout"),
    "search": ("search", "SearchTest", "test_query"),
    "retry": ("net", "RetryTest", "test_timeout"),
    "upload": ("files", "UploadTest", "test_upload"),
    "render": ("ui", "RenderTest", "test_render"),
    "core": ("core", "CoreTest", "test_core"),
}

# id: (created_at, project, environment, suite, status, duration_ms, commit_sha)
RUNS: dict[str, tuple[datetime, str, str, str, str, int | None, str | None]] = {
    "r0": (datetime(2026, 11, 1, 10, tzinfo=UTC), "A", "staging", "api", "failed", 2500, "c0"),
    "r0b": (datetime(2026, 11, 1, 14, tzinfo=UTC), "A", "staging", "api", "passed", 1500, "c0"),
    "r1": (datetime(2026, 11, 2, 8, tzinfo=UTC), "A", "staging", "api", "passed", 1000, "c1"),
    "r2": (datetime(2026, 11, 2, 12, tzinfo=UTC), "A", "staging", "api", "failed", 3000, "c1"),
    "r3": (datetime(2026, 11, 3, 9, tzinfo=UTC), "A", "production", "api", "failed", 2000, "c2"),
    "r8": (datetime(2026, 11, 3, 10, tzinfo=UTC), "B", "production", "api", "passed", 6000, "c9"),
    "r4": (datetime(2026, 11, 4, 10, tzinfo=UTC), "A", "staging", "api", "passed", 5000, "c3"),
    "r5": (datetime(2026, 11, 4, 11, tzinfo=UTC), "A", "staging", "ui", "error", 4000, None),
    "r6": (datetime(2026, 11, 4, 12, tzinfo=UTC), "A", "staging", "api", "canceled", None, None),
    "r7": (datetime(2026, 11, 4, 13, tzinfo=UTC), "A", "staging", "api", "running", None, None),
}

ASSERTION = "AssertionError"

# (run, test, status, duration_ms, flaky, message, failure_type)
RESULTS: list[tuple[str, str, str, int | None, bool, str | None, str | None]] = [
    ("r0", "login", "failed", 200, False, "AssertionError: old failure", ASSERTION),
    ("r0", "search", "passed", 300, False, None, None),
    ("r0b", "login", "passed", 150, False, None, None),
    ("r0b", "search", "passed", 350, False, None, None),
    ("r1", "login", "passed", 100, False, None, None),
    ("r1", "search", "passed", 400, False, None, None),
    ("r1", "logout", "passed", 10, False, None, None),
    ("r2", "login", "failed", 300, False, "AssertionError: expected 200, got 500", ASSERTION),
    ("r2", "retry", "passed", 800, True, None, None),
    ("r2", "upload", "failed", 50, False, "IOError: disk full", "IOError"),
    ("r2", "logout", "passed", 20, False, None, None),
    ("r3", "search", "failed", 600, False, "TimeoutError: search took too long", "TimeoutError"),
    ("r3", "upload", "failed", 70, False, "IOError: disk quota exceeded", "IOError"),
    ("r3", "logout", "skipped", None, False, None, None),
    ("r4", "login", "failed", 250, False, "AssertionError: expected 200, got 503", ASSERTION),
    ("r4", "search", "passed", 500, False, None, None),
    ("r4", "retry", "passed", 700, False, None, None),
    ("r4", "upload", "failed", 60, False, "IOError: permission denied", "IOError"),
    ("r4", "logout", "passed", 30, False, None, None),
    ("r5", "render", "error", 900, False, "NullPointerException", "java.lang.NullPointerException"),
    ("r6", "search", "passed", 450, False, None, None),
    ("r6", "logout", "passed", 40, False, None, None),
    ("r8", "core", "passed", 5, False, None, None),
]


class Tenant:
    """The ids one seeded organization uses, so a second copy never collides."""

    def __init__(self, organization_id: str) -> None:
        self.organization_id = organization_id
        self.project_a = f"{organization_id}_proj_a"
        self.project_b = f"{organization_id}_proj_b"

    def project(self, letter: str) -> str:
        return self.project_a if letter == "A" else self.project_b

    def run_id(self, name: str) -> str:
        return f"{self.organization_id}_{name}"

    def key(self, test: str) -> str:
        suite, classname, name = TESTS[test]
        project = self.project_b if test == "core" else self.project_a
        return test_key(project, suite, classname, name)


async def insert_tenant(conn: AsyncConnection, organization_id: str) -> Tenant:
    """Insert an organization with its two projects and nothing else."""
    tenant = Tenant(organization_id)
    created = datetime(2026, 1, 1, tzinfo=UTC)
    await conn.execute(
        organizations.insert().values(id=organization_id, name=organization_id, created_at=created)
    )
    for project_id in (tenant.project_a, tenant.project_b):
        await conn.execute(
            projects.insert().values(
                id=project_id,
                organization_id=organization_id,
                name=project_id,
                created_at=created,
                updated_at=created,
            )
        )
    return tenant


async def insert_run(
    conn: AsyncConnection,
    tenant: Tenant,
    run_id: str,
    created_at: datetime,
    **values: Any,
) -> None:
    row: dict[str, Any] = {
        "project_id": tenant.project_a,
        "environment": "staging",
        "suite": "api",
        "status": "passed",
        **values,
    }
    await conn.execute(
        runs.insert().values(
            id=tenant.run_id(run_id),
            organization_id=tenant.organization_id,
            created_at=created_at,
            **row,
        )
    )


async def insert_result(
    conn: AsyncConnection,
    tenant: Tenant,
    result_id: str,
    run_id: str,
    test: str,
    status: str,
    created_at: datetime,
    **values: Any,
) -> None:
    suite, classname, name = TESTS[test]
    project_id = tenant.project_b if test == "core" else tenant.project_a
    await conn.execute(
        results.insert().values(
            id=f"{tenant.organization_id}_{result_id}",
            organization_id=tenant.organization_id,
            run_id=tenant.run_id(run_id),
            project_id=project_id,
            environment=values.pop("environment", "staging"),
            suite=suite,
            classname=classname,
            name=name,
            test_key=tenant.key(test),
            status=status,
            created_at=created_at,
            **values,
        )
    )


async def seed(conn: AsyncConnection, organization_id: str) -> Tenant:
    """Insert the whole data set of the module docstring for one organization."""
    tenant = await insert_tenant(conn, organization_id)
    for run_id, (created, project, environment, suite, status, duration, commit) in RUNS.items():
        await insert_run(
            conn,
            tenant,
            run_id,
            created,
            project_id=tenant.project(project),
            environment=environment,
            suite=suite,
            status=status,
            duration_ms=duration,
            commit_sha=commit,
        )
    for number, (run_id, test, status, duration, flaky, message, kind) in enumerate(RESULTS):
        created, _project, environment, *_rest = RUNS[run_id]
        await insert_result(
            conn,
            tenant,
            f"res_{number}",
            run_id,
            test,
            status,
            created + RESULT_DELAY,
            environment=environment,
            duration_ms=duration,
            flaky=flaky,
            message=message,
            failure_type=kind,
        )
    return tenant
