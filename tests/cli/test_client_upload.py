"""`zof upload` against a real server: runs, real result files, rejections and exit codes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import Result

from tests.cli.test_client_commands import (
    REQUEST_ID,
    TERMINAL,
    Tenant,
    minute,
    new_tenant,
    shared_server,
)
from tests.conftest import REAL_INPUTS
from tests.server import bootstrap, running_server, zof_command
from zof.client import Zof

pytestmark = pytest.mark.server

DORNY = REAL_INPUTS / "dorny-test-reporter"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    with shared_server(tmp_path_factory.mktemp("client-upload")) as started:
        yield started


@pytest.fixture
def tenant(server: tuple[str, str]) -> Iterator[Tenant]:
    with new_tenant(*server) as created:
        yield created


@pytest.fixture
def project_id(tenant: Tenant) -> str:
    return tenant.sdk.projects.create("web").id


def upload(tenant: Tenant, project_id: str, *args: str) -> Result:
    return tenant.run("upload", "--project", project_id, "--env", "staging", *args)


def run_id_in(output: str) -> str:
    found = re.search(r"\brun_[0-9A-Z]{26}\b", output)
    assert found is not None, output
    return found.group()


def test_upload_prints_counts_and_warnings(tenant: Tenant, project_id: str) -> None:
    result = upload(
        tenant,
        project_id,
        str(DORNY / "jest-junit.xml"),
        str(DORNY / "python-xunit-pytest.xml"),
        "--branch",
        "main",
        "--commit",
        "4f2a9c1",
    )

    run_id = run_id_in(result.stdout)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Run {run_id} failed: passed 7, failed 6, error 0, skipped 3, flaky 0, total 16\n"
    )
    jest, pytest_file = DORNY / "jest-junit.xml", DORNY / "python-xunit-pytest.xml"
    assert result.stderr == (
        f"Uploaded {jest}: 6 results (junit/jest), 2 warnings\n"
        f"{jest}:3: warning: timestamp_without_zone: the timestamp '2020-10-27T21:39:41' "
        "has no time zone; it is taken as UTC.\n"
        f"{jest}:40: warning: timestamp_without_zone: the timestamp '2020-10-27T21:39:41' "
        "has no time zone; it is taken as UTC.\n"
        f"Uploaded {pytest_file}: 10 results (junit/pytest), 1 warning\n"
        f"{pytest_file}:4: warning: counts_disagree: <testsuite> 'pytest' declares tests=15 "
        "but 10 test case(s) were found. The test cases are used.\n"
    )
    run = tenant.sdk.runs.get(run_id)
    assert run.status == "failed"
    assert run.branch == "main"
    assert run.commit_sha == "4f2a9c1"


def test_upload_json_output_parses_back(tenant: Tenant, project_id: str) -> None:
    result = upload(tenant, project_id, str(DORNY / "swift-xunit.xml"), "--json")

    body = json.loads(result.stdout)
    assert result.exit_code == 0, result.output
    assert body["run"]["status"] == "failed"
    assert body["run"]["counts"] == {
        "total": 3,
        "passed": 2,
        "failed": 1,
        "error": 0,
        "skipped": 0,
        "flaky": 0,
    }
    assert [item["file"] for item in body["uploads"]] == [str(DORNY / "swift-xunit.xml")]
    assert body["uploads"][0]["accepted"] == 3
    assert "run" not in body["uploads"][0]


def test_upload_folder_takes_sorted_result_files(
    tenant: Tenant, project_id: str, tmp_path: Path
) -> None:
    shutil.copy(DORNY / "phpunit" / "phpunit.xml", tmp_path / "b.xml")
    (tmp_path / "nested").mkdir()
    shutil.copy(DORNY / "jest-junit-eslint.xml", tmp_path / "nested" / "a.xml")
    (tmp_path / "notes.txt").write_text("not a result file")

    result = upload(tenant, project_id, str(tmp_path), "--json")

    body = json.loads(result.stdout)
    assert result.exit_code == 0, result.output
    assert [item["file"] for item in body["uploads"]] == [
        str(tmp_path / "b.xml"),
        str(tmp_path / "nested" / "a.xml"),
    ]
    assert body["run"]["counts"]["total"] == 13


def test_upload_of_empty_folder_is_usage_error(
    tenant: Tenant, project_id: str, tmp_path: Path
) -> None:
    result = upload(tenant, project_id, str(tmp_path))

    assert result.exit_code == 2
    assert result.stderr == f"error: no result files (*.xml, *.json) in folder {tmp_path}.\n"
    assert tenant.sdk.runs.list().first_page().data == []


def test_upload_of_missing_file_creates_no_run(tenant: Tenant, project_id: str) -> None:
    result = upload(tenant, project_id, "build/missing-*.xml")

    assert result.exit_code == 2
    assert result.stderr == "error: no such file or folder: build/missing-*.xml.\n"
    assert tenant.sdk.runs.list().first_page().data == []


def test_rejected_file_cancels_run(tenant: Tenant, project_id: str) -> None:
    result = upload(
        tenant, project_id, str(DORNY / "jest-junit.xml"), str(DORNY / "dotnet-trx.trx")
    )

    assert result.exit_code == 2
    assert result.stdout == ""
    run = tenant.sdk.runs.list().first_page().data[0]
    assert run.status == "canceled"
    assert run.counts.total == 6
    lines = result.stderr.splitlines()
    assert re.fullmatch(
        r"error: unsupported_format: The file is a Visual Studio TRX report \(root element "
        r"<TestRun> on line 2\), which zof does not read\. Convert it to JUnit XML and upload "
        rf"that instead\. \(request_id={REQUEST_ID}\)",
        lines[-2],
    )
    assert (
        lines[-1]
        == f"Canceled run {run.id} because the server rejected {DORNY / 'dotnet-trx.trx'}."
    )


def test_fail_on_failure_sets_exit_code(tenant: Tenant, project_id: str) -> None:
    failing = upload(tenant, project_id, str(DORNY / "junit-with-message.xml"), "--fail-on-failure")
    passing = upload(tenant, project_id, str(DORNY / "jest-junit-eslint.xml"), "--fail-on-failure")
    failing_without_flag = upload(tenant, project_id, str(DORNY / "junit-with-message.xml"))

    assert failing.exit_code == 1
    assert failing.stderr.endswith(f"error: run {run_id_in(failing.stdout)} ended failed.\n")
    assert passing.exit_code == 0, passing.output
    assert passing.stdout.startswith(f"Run {run_id_in(passing.stdout)} passed: ")
    assert failing_without_flag.exit_code == 0


def test_upload_with_error_results_fails_on_failure(tenant: Tenant, project_id: str) -> None:
    path = DORNY / "test-errors" / "jest" / "jest-test-results.xml"

    result = upload(tenant, project_id, str(path), "--fail-on-failure")

    assert result.exit_code == 1
    assert "error 2" in result.stdout
    assert result.stdout.startswith(f"Run {run_id_in(result.stdout)} error: ")


def real_input_files() -> list[Path]:
    return sorted(
        path
        for path in DORNY.rglob("*")
        if path.is_file() and path.name not in {"COMMIT", "LICENSE"}
    )


# Formats zof does not read yet; every other real input must upload.
REJECTED_INPUTS = {
    "dotnet-nunit.xml",
    "dotnet-trx.trx",
    "dotnet-xunitv3.trx",
    "empty/dotnet-trx-empty-test-definitions.trx",
    "empty/dotnet-trx.trx",
    "external/FluentValidation.Tests.trx",
    "external/SilentNotes.trx",
    "external/nunit-sample.xml",
}


def test_every_real_input_uploads_or_is_rejected(tenant: Tenant, project_id: str) -> None:
    rejected: set[str] = set()
    for path in real_input_files():
        result = upload(tenant, project_id, str(path), "--json")
        if result.exit_code == 0:
            body = json.loads(result.stdout)
            assert body["run"]["counts"]["total"] == body["uploads"][0]["accepted"], path
            continue
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("error: unsupported_format: The file is a "), path
        assert "Canceled run run_" in result.stderr
        rejected.add(str(path.relative_to(DORNY)))

    assert rejected == REJECTED_INPUTS
    assert len(real_input_files()) - len(rejected) == 24


@pytest.mark.usefixtures("backend")
def test_main_flow_from_upload_to_html_report(database_url: str, tmp_path: Path) -> None:
    """Upload, list runs, generate a report with --wait and download it, on each database."""
    _, api_key = bootstrap(database_url)
    with (
        running_server(database_url, tmp_path / "server.log") as base_url,
        Zof(api_key=api_key, base_url=base_url) as sdk,
    ):
        tenant = Tenant(base_url, api_key, sdk)
        project_id = sdk.projects.create("web").id

        uploaded = upload(tenant, project_id, str(DORNY / "phpunit"), "--branch", "main")
        run_id = run_id_in(uploaded.stdout)
        run = sdk.runs.get(run_id)
        runs = tenant.ok("runs", "list")
        created = tenant.ok(
            "reports", "create", "--project", project_id, "--range", "last_24_hours", "--wait"
        )
        report_id = re.search(r"rpt_[0-9A-Z]{26}", created.stdout)
        assert report_id is not None
        downloaded = tenant.ok(
            "reports", "download", report_id.group(), "--format", "html", "-o", str(tmp_path)
        )

    assert uploaded.exit_code == 0, uploaded.output
    assert uploaded.stdout == (
        f"Run {run_id} failed: passed 10, failed 8, error 0, skipped 0, flaky 0, total 18\n"
    )
    assert runs.stdout == (
        "ID                              STATUS  ENV      BRANCH  FAILED  ERROR  TOTAL  CREATED\n"
        f"{run_id}  failed  staging  main         8      0     18  {minute(run.created_at)}\n"
    )
    assert "status        ready\n" in created.stdout
    assert "pass_rate     55.6%\n" in created.stdout
    assert "tests         total 18, passed 10, failed 8, error 0, skipped 0, flaky 0\n" in (
        created.stdout
    )
    html = Path(downloaded.stdout.strip())
    assert html.suffix == ".html"
    assert html.stat().st_size > 0


def test_upload_runs_as_a_process(tenant: Tenant, project_id: str) -> None:
    """The installed entry point, with the key and URL from the environment only."""
    completed = subprocess.run(
        zof_command(
            "upload",
            str(DORNY / "swift-xunit.xml"),
            "--project",
            project_id,
            "--env",
            "ci",
            "--fail-on-failure",
        ),
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **{key: value for key, value in TERMINAL.items() if value is not None},
            "PATH": "/usr/bin:/bin",
            "ZOF_API_KEY": tenant.api_key,
            "ZOF_BASE_URL": tenant.base_url,
        },
    )

    assert completed.returncode == 1
    assert completed.stdout.startswith("Run run_")
    assert "Traceback" not in completed.stderr
