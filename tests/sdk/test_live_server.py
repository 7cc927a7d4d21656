"""The SDK, sync and async, against a real `zof serve` on loopback.

The other SDK tests run on a scripted fake transport. These check that the server accepts
the requests the SDK builds, and that its errors map to the documented exception classes.
Each test gets an organization of its own on a server shared by the module.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.conftest import REAL_INPUTS
from tests.server import bootstrap, running_server
from zof.client import (
    AsyncZof,
    AuthenticationError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    Zof,
)

pytestmark = pytest.mark.server

REQUEST_ID_PREFIX = "req_"
JUNIT = (REAL_INPUTS / "dorny-test-reporter" / "swift-xunit.xml").read_bytes()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("sdk-live")
    database_url = f"sqlite+aiosqlite:///{folder / 'zof.db'}"
    with running_server(database_url, folder / "server.log", "--rate-limit-per-minute", "0") as url:
        yield database_url, url


@pytest.fixture
def credentials(server: tuple[str, str]) -> tuple[str, str]:
    """A new organization's admin key, and the server URL."""
    database_url, base_url = server
    _, api_key = bootstrap(database_url)
    return api_key, base_url


@pytest.fixture
def client(credentials: tuple[str, str]) -> Iterator[Zof]:
    api_key, base_url = credentials
    with Zof(api_key=api_key, base_url=base_url) as zof:
        yield zof


def test_projects_round_trip(client: Zof) -> None:
    created = client.projects.create("checkout", description="Checkout service")
    updated = client.projects.update(created.id, name="checkout-api")

    fetched = client.projects.get(created.id)
    listed = list(client.projects.list())

    assert created.id.startswith("proj_")
    assert updated.name == "checkout-api"
    assert updated.description == "Checkout service"
    assert fetched.name == "checkout-api"
    assert [project.id for project in listed] == [created.id]


async def test_projects_round_trip_async(credentials: tuple[str, str]) -> None:
    api_key, base_url = credentials
    async with AsyncZof(api_key=api_key, base_url=base_url) as zof:
        created = await zof.projects.create("checkout")
        updated = await zof.projects.update(created.id, description="Payments")
        listed = [project.id async for project in zof.projects.list()]
        fetched = await zof.projects.get(created.id)

    assert updated.description == "Payments"
    assert listed == [created.id]
    assert fetched.name == "checkout"


def test_api_keys_create_list_revoke(client: Zof, credentials: tuple[str, str]) -> None:
    expires_at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    created = client.api_keys.create(
        "github-actions",
        "engineer",
        permissions=["runs:create", "runs:read"],
        expires_at=expires_at,
    )

    with Zof(api_key=created.secret, base_url=credentials[1]) as narrow:
        assert list(narrow.runs.list()) == []
    listed = {key.id: key for key in client.api_keys.list()}
    revoked = client.api_keys.revoke(created.id)

    assert created.secret.startswith("zof_sk_")
    assert listed[created.id].permissions == ["runs:create", "runs:read"]
    assert listed[created.id].expires_at == expires_at
    assert not hasattr(listed[created.id], "secret")
    assert revoked.revoked_at is not None
    with (
        Zof(api_key=created.secret, base_url=credentials[1]) as revoked_client,
        pytest.raises(AuthenticationError) as caught,
    ):
        revoked_client.projects.list().first_page()
    assert caught.value.code == "invalid_api_key"


async def test_api_keys_async(credentials: tuple[str, str]) -> None:
    api_key, base_url = credentials
    async with AsyncZof(api_key=api_key, base_url=base_url) as zof:
        created = await zof.api_keys.create("reader", "viewer")
        names = [key.name async for key in zof.api_keys.list()]
        revoked = await zof.api_keys.revoke(created.id)

    assert names[0] == "reader"
    assert len(names) == 2
    assert created.permissions is None
    assert revoked.revoked_at is not None


def test_runs_upload_complete_and_results(client: Zof, tmp_path: Path) -> None:
    project = client.projects.create("web")
    run = client.runs.create(project.id, "staging", commit_sha="4f2a9c1", branch="main")
    path = tmp_path / "junit.xml"
    path.write_bytes(JUNIT)

    upload = client.runs.upload_results(run.id, path)
    completed = client.runs.complete(run.id)
    failed = list(client.results.list(run_id=run.id, status="failed"))
    fetched = client.results.get(failed[0].id)

    assert run.status == "queued"
    assert upload.accepted == 3
    assert upload.filename == "junit.xml"
    assert upload.run.status == "running"
    assert completed.status == "failed"
    assert completed.counts.total == 3
    assert completed.counts.failed == 1
    assert [result.status for result in failed] == ["failed"]
    assert fetched.run_id == run.id
    assert [item.id for item in client.runs.list(project_id=project.id, status="failed")] == [
        run.id
    ]
    with pytest.raises(ConflictError) as caught:
        client.runs.cancel(run.id)
    assert caught.value.code == "run_not_cancelable"


async def test_runs_async_gzip_upload_and_cancel(credentials: tuple[str, str]) -> None:
    api_key, base_url = credentials
    async with AsyncZof(api_key=api_key, base_url=base_url) as zof:
        project = await zof.projects.create("web")
        run = await zof.runs.create(project.id, "production")
        upload = await zof.runs.upload_results(run.id, JUNIT, filename="swift.xml", compress=True)
        canceled = await zof.runs.cancel(run.id)
        listed = [item.id async for item in zof.runs.list(status="canceled")]

    assert upload.accepted == 3
    assert canceled.status == "canceled"
    assert listed == [run.id]


def test_rejected_upload_maps_to_invalid_request(client: Zof) -> None:
    project = client.projects.create("web")
    run = client.runs.create(project.id, "staging")

    with pytest.raises(InvalidRequestError) as caught:
        client.runs.upload_results(run.id, b"<testsuite><testcase", filename="broken.xml")

    assert caught.value.status_code == 400
    assert caught.value.code is not None
    assert caught.value.request_id is not None
    assert caught.value.request_id.startswith(REQUEST_ID_PREFIX)
    assert client.runs.get(run.id).counts.total == 0


def test_reports_create_wait_and_download(client: Zof, tmp_path: Path) -> None:
    project = client.projects.create("web")
    run = client.runs.create(project.id, "staging")
    client.runs.upload_results(run.id, JUNIT, filename="swift.xml")
    client.runs.complete(run.id)

    report = client.reports.create(
        {"type": "project", "project_id": project.id}, range="last_24_hours"
    )
    ready = client.reports.wait(report.id, timeout=60, poll_interval=0.1)
    as_json = client.reports.download(report.id)
    as_csv = client.reports.download(report.id, "csv")
    html_path = client.reports.download_to(report.id, tmp_path, "html")

    assert report.status == "queued"
    assert ready.status == "ready"
    assert ready.summary is not None
    assert ready.summary["tests"]["total"] == 3
    assert ready.summary["pass_rate"] == 0.6667
    assert b'"id"' in as_json
    assert as_csv.startswith(b"section,")
    assert html_path.parent == tmp_path
    assert html_path.suffix == ".html"
    assert not list(tmp_path.glob("*.part"))


def test_reports_list_filters(client: Zof) -> None:
    project = client.projects.create("web")
    november = client.reports.create(
        {"type": "project", "project_id": project.id},
        period={
            "start": datetime(2026, 11, 1, tzinfo=UTC),
            "end": datetime(2026, 12, 1, tzinfo=UTC),
        },
    )
    october = client.reports.create(
        {"type": "organization"}, period={"start": "2026-10-01", "end": "2026-11-01"}
    )
    client.reports.wait(november.id, poll_interval=0.1)
    client.reports.wait(october.id, poll_interval=0.1)

    def ids(**filters: object) -> list[str]:
        return [report.id for report in client.reports.list(**filters)]  # type: ignore[arg-type]

    assert ids() == [october.id, november.id]
    assert ids(scope_type="project") == [november.id]
    assert ids(project_id=project.id) == [november.id]
    assert ids(from_="2026-10-15", to="2026-11-01") == [october.id]
    assert ids(from_=datetime(2026, 11, 15, tzinfo=UTC)) == [november.id]
    assert ids(status="ready", source="api", kind="summary") == [october.id, november.id]
    assert ids(created_before="2020-01-01") == []


def test_reports_list_pages_lazily_over_100(client: Zof, credentials: tuple[str, str]) -> None:
    created = {
        client.reports.create({"type": "organization"}, range="last_24_hours").id
        for _ in range(105)
    }
    requests: list[httpx.Request] = []
    api_key, base_url = credentials

    with (
        httpx.Client(event_hooks={"request": [requests.append]}) as http,
        Zof(api_key=api_key, base_url=base_url, http_client=http) as counted,
    ):
        pager = counted.reports.list(limit=100)
        assert requests == []
        first = next(iter(pager))
        assert len(requests) == 1
        listed = [report.id for report in pager]

    assert first.id in created
    assert len(listed) == 105
    assert set(listed) == created
    assert len(requests) == 3
    assert requests[2].url.params["starting_after"]


async def test_reports_async_pages_and_wait(credentials: tuple[str, str]) -> None:
    api_key, base_url = credentials
    async with AsyncZof(api_key=api_key, base_url=base_url) as zof:
        created = [
            (await zof.reports.create({"type": "organization"}, range="previous_day")).id
            for _ in range(5)
        ]
        ready = await zof.reports.wait(created[0], timeout=60, poll_interval=0.1)
        pages = [len(page) async for page in zof.reports.list(limit=2).pages()]
        listed = [report.id async for report in zof.reports.list(limit=2)]
        content = await zof.reports.download(created[0], "json")

    assert ready.status == "ready"
    assert pages == [2, 2, 1]
    assert listed == created[::-1]
    assert content.startswith(b"{")


def test_report_schedules_round_trip(client: Zof) -> None:
    created = client.report_schedules.create(
        "weekly", "0 6 * * 1", {"type": "organization"}, "previous_week"
    )
    updated = client.report_schedules.update(created.id, enabled=False, name="weekly summary")
    fetched = client.report_schedules.get(created.id)
    listed = [schedule.id for schedule in client.report_schedules.list()]
    deleted = client.report_schedules.delete(created.id)

    assert created.id.startswith("rsch_")
    assert created.next_run_at is not None
    assert created.next_run_at.weekday() == 0
    assert updated.enabled is False
    assert fetched.name == "weekly summary"
    assert listed == [created.id]
    assert deleted.deleted is True
    with pytest.raises(NotFoundError):
        client.report_schedules.get(created.id)


async def test_report_schedules_async(credentials: tuple[str, str]) -> None:
    api_key, base_url = credentials
    async with AsyncZof(api_key=api_key, base_url=base_url) as zof:
        created = await zof.report_schedules.create(
            "daily", "30 5 * * *", {"type": "organization"}, "previous_day"
        )
        listed = [schedule.id async for schedule in zof.report_schedules.list()]
        deleted = await zof.report_schedules.delete(created.id)

    assert listed == [created.id]
    assert deleted.id == created.id


def test_unknown_key_is_authentication_error(credentials: tuple[str, str]) -> None:
    with (
        Zof(api_key="zof_sk_unknown", base_url=credentials[1]) as zof,
        pytest.raises(AuthenticationError) as caught,
    ):
        zof.projects.list().first_page()

    assert caught.value.status_code == 401
    assert caught.value.code == "invalid_api_key"
    assert caught.value.param == "Authorization"
    assert caught.value.request_id is not None
    assert caught.value.request_id.startswith(REQUEST_ID_PREFIX)


def test_missing_permission_is_permission_denied(client: Zof, credentials: tuple[str, str]) -> None:
    viewer = client.api_keys.create("viewer", "viewer")

    with (
        Zof(api_key=viewer.secret, base_url=credentials[1]) as zof,
        pytest.raises(PermissionDeniedError) as caught,
    ):
        zof.projects.create("web")

    assert caught.value.status_code == 403
    assert caught.value.code == "permission_denied"
    assert "projects:write" in caught.value.message


def test_unknown_id_is_not_found(client: Zof) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.reports.get("rpt_01M91B20JWHPRZ0A8Q8BA9E15P")

    assert caught.value.status_code == 404
    assert caught.value.code == "resource_not_found"


def test_invalid_filter_names_param(client: Zof) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        client.reports.list(status="done").first_page()

    assert caught.value.status_code == 400
    assert caught.value.code == "invalid_parameter"
    assert caught.value.param == "status"


def test_reversed_range_names_upper_bound(client: Zof) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        client.runs.list(from_="2026-12-02", to="2026-12-01").first_page()

    assert caught.value.code == "invalid_time_range"
    assert caught.value.param == "to"


async def test_async_errors_map_like_sync(credentials: tuple[str, str]) -> None:
    api_key, base_url = credentials
    async with AsyncZof(api_key=api_key, base_url=base_url) as zof:
        with pytest.raises(NotFoundError):
            await zof.projects.get("proj_01M91B20JWHPRZ0A8Q8BA9E15P")
        with pytest.raises(InvalidRequestError) as caught:
            await zof.reports.list(scope_type="team").first_page()
    async with AsyncZof(api_key="zof_sk_unknown", base_url=base_url) as anonymous:
        with pytest.raises(AuthenticationError):
            await anonymous.reports.list().first_page()

    assert caught.value.param == "scope_type"


def test_download_before_ready_is_conflict(tmp_path: Path) -> None:
    """With no worker running, a report stays queued and its content is not there yet."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'zof.db'}"
    _, api_key = bootstrap(database_url)
    with (
        running_server(database_url, tmp_path / "server.log", "--no-workers") as base_url,
        Zof(api_key=api_key, base_url=base_url) as zof,
    ):
        report = zof.reports.create({"type": "organization"}, range="last_7_days")
        with pytest.raises(ConflictError) as caught:
            zof.reports.download(report.id, "csv")
        with pytest.raises(ConflictError):
            zof.reports.download_to(report.id, tmp_path, "html")
        still_queued = zof.reports.get(report.id)

    assert caught.value.status_code == 409
    assert caught.value.code == "report_not_ready"
    assert still_queued.status == "queued"
    assert not list(tmp_path.glob("*.html*"))


async def test_async_download_before_ready_is_conflict(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'zof.db'}"
    _, api_key = await asyncio.to_thread(bootstrap, database_url)
    with running_server(database_url, tmp_path / "server.log", "--no-workers") as base_url:
        async with AsyncZof(api_key=api_key, base_url=base_url) as zof:
            report = await zof.reports.create({"type": "organization"}, range="last_7_days")
            with pytest.raises(ConflictError) as caught:
                await zof.reports.download(report.id)

    assert caught.value.code == "report_not_ready"
