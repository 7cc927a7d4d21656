"""The client commands `zof projects`, `keys`, `runs` and `reports` against a real server.

Each test gets an organization of its own on a server shared by the module, so listings
hold only what the test created. Output is checked exactly at a fixed width of 100 columns.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tests.server import bootstrap, running_server
from zof.cli.main import app
from zof.client import Zof

pytestmark = pytest.mark.server

REQUEST_ID = r"req_[0-9A-Z]{26}"
TERMINAL = {"COLUMNS": "100", "NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None}


def minute(moment: object) -> str:
    return format(moment, "%Y-%m-%d %H:%M")


def second(moment: object) -> str:
    return format(moment, "%Y-%m-%d %H:%M:%S")


@dataclass
class Tenant:
    """An organization on the shared server: its key, an SDK client and a CLI runner."""

    base_url: str
    api_key: str
    sdk: Zof

    def run(self, *args: str, key: str | None = None, **env: str | None) -> Result:
        environment = {
            **TERMINAL,
            "ZOF_API_KEY": key if key is not None else self.api_key,
            "ZOF_BASE_URL": self.base_url,
            **env,
        }
        return CliRunner().invoke(app, list(args), env=environment, catch_exceptions=False)

    def ok(self, *args: str) -> Result:
        result = self.run(*args)
        assert result.exit_code == 0, result.output
        return result


@contextmanager
def shared_server(folder: Path) -> Iterator[tuple[str, str]]:
    """Run one server on a new SQLite database for many tests; yield its URL and database."""
    database_url = f"sqlite+aiosqlite:///{folder / 'zof.db'}"
    with running_server(database_url, folder / "server.log", "--rate-limit-per-minute", "0") as url:
        yield database_url, url


@contextmanager
def new_tenant(database_url: str, base_url: str) -> Iterator[Tenant]:
    """Create an organization of its own for one test."""
    _, api_key = bootstrap(database_url)
    with Zof(api_key=api_key, base_url=base_url) as sdk:
        yield Tenant(base_url, api_key, sdk)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    with shared_server(tmp_path_factory.mktemp("client-commands")) as started:
        yield started


@pytest.fixture
def tenant(server: tuple[str, str]) -> Iterator[Tenant]:
    with new_tenant(*server) as created:
        yield created


def test_projects_create_list_get_update(tenant: Tenant) -> None:
    created = tenant.ok("projects", "create", "web", "--description", "Web shop")
    project = tenant.sdk.projects.list().first_page().data[0]
    second_project = tenant.sdk.projects.create("api")

    listed = tenant.ok("projects", "list")
    updated = tenant.ok("projects", "update", project.id, "--name", "shop")

    assert created.stdout == (
        f"id           {project.id}\n"
        "name         web\n"
        "description  Web shop\n"
        f"created_at   {second(project.created_at)}\n"
        f"updated_at   {second(project.updated_at)}\n"
    )
    assert listed.stdout == (
        "ID                               NAME  DESCRIPTION  CREATED\n"
        f"{second_project.id}  api   -            {minute(second_project.created_at)}\n"
        f"{project.id}  web   Web shop     {minute(project.created_at)}\n"
    )
    assert listed.stderr == ""
    assert "name         shop\n" in updated.stdout
    assert tenant.sdk.projects.get(project.id).name == "shop"


def test_projects_list_json_parses_back(tenant: Tenant) -> None:
    project = tenant.sdk.projects.create("web")

    result = tenant.ok("projects", "list", "--json")

    listed = json.loads(result.stdout)
    assert [item["id"] for item in listed] == [project.id]
    assert listed[0]["name"] == "web"
    assert listed[0]["object"] == "project"
    assert result.stderr == ""


def test_projects_update_without_changes_is_usage_error(tenant: Tenant) -> None:
    result = tenant.run("projects", "update", "proj_123")

    assert result.exit_code == 2
    assert "pass --name, --description or both" in result.stderr


def test_keys_create_shows_secret_once(tenant: Tenant) -> None:
    result = tenant.ok(
        "keys",
        "create",
        "ci",
        "--role",
        "engineer",
        "--permission",
        "runs:create",
        "--permission",
        "runs:read",
        "--expires-at",
        "2099-01-01",
    )

    secret = re.search(r"^secret\s+(zof_sk_\S+)$", result.stdout, re.MULTILINE)
    assert secret is not None
    assert result.stderr == (
        "warning: the secret is shown only now; store it in a secret store before you go on.\n"
    )
    assert "permissions   runs:create, runs:read\n" in result.stdout
    assert "expires_at    2099-01-01 00:00:00\n" in result.stdout
    listed = tenant.ok("keys", "list", "--json")
    assert secret.group(1) not in listed.stdout
    names = [key["name"] for key in json.loads(listed.stdout)]
    assert len(names) == 2
    assert names[0] == "ci"


def test_keys_revoke_makes_key_unusable(tenant: Tenant) -> None:
    created = tenant.sdk.api_keys.create("temporary", "viewer")

    revoked = tenant.ok("keys", "revoke", created.id, "--json")
    after = tenant.run("projects", "list", key=created.secret)

    assert json.loads(revoked.stdout)["revoked_at"] is not None
    assert after.exit_code == 1
    assert re.fullmatch(
        "error: invalid_api_key: The API key is invalid, revoked or expired. "
        rf"\(param=Authorization, request_id={REQUEST_ID}\)\n",
        after.stderr,
    )


def test_keys_list_table(tenant: Tenant) -> None:
    created = tenant.sdk.api_keys.create("reader", "viewer", permissions=["reports:read"])
    admin = next(key for key in tenant.sdk.api_keys.list() if key.id != created.id)
    tenant.sdk.api_keys.revoke(created.id)

    result = tenant.ok("keys", "list")

    # At 100 columns the name "Bootstrap admin key" is the one cell that has to shrink.
    assert result.stdout == (
        "ID                              NAME              ROLE    PERMISSIONS      "
        "CREATED           STATE\n"
        f"{created.id}  reader            viewer  reports:read     "
        f"{minute(created.created_at)}  revoked\n"
        f"{admin.id}  Bootstrap admin\u2026  admin   all of the role  "
        f"{minute(admin.created_at)}  active\n"
    )


def test_narrow_terminal_keeps_every_column(tenant: Tenant) -> None:
    project = tenant.sdk.projects.create("web", description="A description of some length")

    result = tenant.run("projects", "list", COLUMNS="40")

    assert result.stdout == (
        "ID                               NAME  DESCRIPTION  CREATED\n"
        f"{project.id}  web   A descript\u2026  {minute(project.created_at)}\n"
    )


def test_bad_key_prints_code_message_and_request_id(tenant: Tenant) -> None:
    result = tenant.run("reports", "list", "--json", key="zof_sk_not-a-real-key")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert re.fullmatch(
        "error: invalid_api_key: The API key is invalid, revoked or expired. "
        rf"\(param=Authorization, request_id={REQUEST_ID}\)\n",
        result.stderr,
    )


def test_missing_key_is_usage_error(tenant: Tenant) -> None:
    result = tenant.run("projects", "list", key="")

    assert result.exit_code == 2
    assert result.stderr == "error: no API key: pass --api-key or set ZOF_API_KEY.\n"


def test_options_override_environment(tenant: Tenant) -> None:
    project = tenant.sdk.projects.create("web")

    result = tenant.run(
        "projects",
        "get",
        project.id,
        "--json",
        "--api-key",
        tenant.api_key,
        "--base-url",
        tenant.base_url,
        key="zof_sk_wrong",
        ZOF_BASE_URL="http://127.0.0.1:9",
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == project.id


def test_unreachable_server_names_base_url(tenant: Tenant, unused_port: int) -> None:
    base_url = f"http://127.0.0.1:{unused_port}"

    result = tenant.run("runs", "list", ZOF_BASE_URL=base_url)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: cannot reach the zof server at {base_url}: ")
    assert "Check --base-url or ZOF_BASE_URL" in result.stderr
    assert "Traceback" not in result.output


@pytest.fixture
def unused_port() -> int:
    from tests.server import free_port

    return free_port()


def test_unknown_report_is_not_found(tenant: Tenant) -> None:
    result = tenant.run("reports", "get", "rpt_01M91B20JWHPRZ0A8Q8BA9E15P")

    assert result.exit_code == 1
    assert re.fullmatch(
        "error: resource_not_found: No report with id 'rpt_01M91B20JWHPRZ0A8Q8BA9E15P' "
        rf"exists. \(param=id, request_id={REQUEST_ID}\)\n",
        result.stderr,
    )


def test_invalid_time_filter_names_parameter(tenant: Tenant) -> None:
    result = tenant.run("reports", "list", "--from", "yesterday")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: invalid_parameter: from: 'yesterday' is not")
    assert re.search(rf"\(param=from, request_id={REQUEST_ID}\)\n$", result.stderr)


def test_reversed_time_range_is_rejected(tenant: Tenant) -> None:
    result = tenant.run("runs", "list", "--from", "2026-12-02", "--to", "2026-12-01")

    assert result.exit_code == 1
    assert result.stderr.startswith("error: invalid_time_range: ")
    assert "param=to" in result.stderr


def test_unknown_status_is_usage_error(tenant: Tenant) -> None:
    result = tenant.run("reports", "list", "--status", "done")

    assert result.exit_code == 2
    assert "done" in result.stderr
    assert result.stdout == ""


def test_reports_create_needs_a_period(tenant: Tenant) -> None:
    missing = tenant.run("reports", "create")
    both = tenant.run("reports", "create", "--range", "last_7_days", "--from", "2026-12-01")

    assert missing.exit_code == 2
    assert "pass --range, or both --from and --to" in missing.stderr
    assert both.exit_code == 2
    assert "pass --range or --from with --to, not both" in both.stderr


def test_reports_create_wait_prints_ready_report(tenant: Tenant) -> None:
    project = tenant.sdk.projects.create("web")

    result = tenant.ok(
        "reports", "create", "--project", project.id, "--range", "last_7_days", "--wait"
    )

    report = tenant.sdk.reports.list().first_page().data[0]
    assert report.status == "ready"
    assert report.scope.type == "project"
    assert result.stdout == (
        f"id            {report.id}\n"
        "status        ready\n"
        "kind          summary\n"
        f"scope         project {project.id}\n"
        f"period        {second(report.period.start)} .. {second(report.period.end)}\n"
        "source        api\n"
        f"created_at    {second(report.created_at)}\n"
        f"completed_at  {second(report.completed_at)}\n"
        f"expires_at    {second(report.expires_at)}\n"
        "pass_rate     -\n"
        "runs          total 0, passed 0, failed 0, error 0, canceled 0\n"
        "tests         total 0, passed 0, failed 0, error 0, skipped 0, flaky 0\n"
    )
    assert result.stderr == ""


def test_reports_list_table_json_and_csv(tenant: Tenant) -> None:
    project = tenant.sdk.projects.create("web")
    organization = tenant.sdk.reports.create(
        {"type": "organization"},
        period={"start": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z"},
    )
    scoped = tenant.sdk.reports.create(
        {"type": "project", "project_id": project.id},
        period={"start": "2026-11-30T12:00:00Z", "end": "2026-12-01T00:00:00Z"},
    )
    tenant.sdk.reports.wait(organization.id)
    tenant.sdk.reports.wait(scoped.id)

    table = tenant.ok("reports", "list")
    as_json = tenant.ok("reports", "list", "--json", "--scope-type", "project")
    as_csv = tenant.ok("reports", "list", "--csv")

    assert table.stdout == (
        "ID                              STATUS  SCOPE                             "
        "PERIOD           PASS RATE\n"
        f"{scoped.id}  ready   project                           2026-11-30 +12h          -\n"
        f"                                        {project.id}\n"
        f"{organization.id}  ready   organization                      2026-11-01 +30d          -\n"
    )
    assert [report["id"] for report in json.loads(as_json.stdout)] == [scoped.id]
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [row["id"] for row in rows] == [scoped.id, organization.id]
    assert rows[0]["project_id"] == project.id
    assert rows[0]["period_start"] == "2026-11-30T12:00:00.000Z"
    assert rows[1]["period_end"] == "2026-12-01T00:00:00.000Z"
    assert rows[1]["status"] == "ready"


def test_reports_list_filters_by_time_range(tenant: Tenant) -> None:
    november = tenant.sdk.reports.create(
        {"type": "organization"}, period={"start": "2026-11-01", "end": "2026-12-01"}
    )
    october = tenant.sdk.reports.create(
        {"type": "organization"}, period={"start": "2026-10-01", "end": "2026-11-01"}
    )

    overlapping = tenant.ok(
        "reports", "list", "--json", "--from", "2026-10-15", "--to", "2026-11-01"
    )
    later = tenant.ok("reports", "list", "--json", "--from", "2026-11-15")

    assert [report["id"] for report in json.loads(overlapping.stdout)] == [october.id]
    assert [report["id"] for report in json.loads(later.stdout)] == [november.id]


def test_reports_list_limit_follows_cursors(tenant: Tenant) -> None:
    created = [
        tenant.sdk.reports.create({"type": "organization"}, range="last_24_hours").id
        for _ in range(5)
    ]

    limited = tenant.ok("reports", "list", "--json", "--limit", "3")
    everything = tenant.ok("reports", "list", "--json", "--all")

    assert [report["id"] for report in json.loads(limited.stdout)] == created[::-1][:3]
    assert limited.stderr == (
        "warning: more reports match than the 3 shown; pass --limit N or --all.\n"
    )
    assert [report["id"] for report in json.loads(everything.stdout)] == created[::-1]
    assert everything.stderr == ""


def test_reports_download_html_writes_file(tenant: Tenant, tmp_path: Path) -> None:
    report = tenant.sdk.reports.create({"type": "organization"}, range="last_7_days")
    tenant.sdk.reports.wait(report.id)

    into_folder = tenant.ok(
        "reports", "download", report.id, "--format", "html", "--output", str(tmp_path)
    )
    named = tenant.ok(
        "reports", "download", report.id, "--format", "csv", "-o", str(tmp_path / "r.csv")
    )
    to_stdout = tenant.ok("reports", "download", report.id, "-o", "-")

    html_path = Path(into_folder.stdout.strip())
    assert html_path.parent == tmp_path
    assert html_path.suffix == ".html"
    assert html_path.read_text().lstrip().lower().startswith("<!doctype html")
    assert named.stdout == f"{tmp_path / 'r.csv'}\n"
    assert (tmp_path / "r.csv").read_text().startswith("section,")
    assert json.loads(to_stdout.stdout)["id"] == report.id


def test_reports_download_of_unready_report_fails(tenant: Tenant, tmp_path: Path) -> None:
    result = tenant.run(
        "reports", "download", "rpt_01M91B20JWHPRZ0A8Q8BA9E15P", "-o", str(tmp_path)
    )

    assert result.exit_code == 1
    assert result.stderr.startswith("error: resource_not_found: ")
    assert list(tmp_path.iterdir()) == []


def test_reports_wait_and_delete(tenant: Tenant) -> None:
    report = tenant.sdk.reports.create({"type": "organization"}, range="previous_day")

    waited = tenant.ok("reports", "wait", report.id, "--json", "--timeout", "60")
    deleted = tenant.ok("reports", "delete", report.id)
    gone = tenant.run("reports", "get", report.id)

    assert json.loads(waited.stdout)["status"] == "ready"
    assert deleted.stdout == f"Deleted report {report.id}.\n"
    assert gone.exit_code == 1


def test_runs_list_get_and_cancel(tenant: Tenant) -> None:
    project = tenant.sdk.projects.create("web")
    run = tenant.sdk.runs.create(project.id, "staging", branch="main", commit_sha="4f2a9c1")

    listed = tenant.ok("runs", "list", "--project", project.id)
    canceled = tenant.ok("runs", "cancel", run.id)
    again = tenant.run("runs", "cancel", run.id)
    as_csv = tenant.ok("runs", "list", "--csv", "--status", "canceled")
    empty = tenant.ok("runs", "list", "--status", "running")

    assert listed.stdout == (
        "ID                              STATUS  ENV      BRANCH  FAILED  ERROR  TOTAL  CREATED\n"
        f"{run.id}  queued  staging  main         0      0      0  {minute(run.created_at)}\n"
    )
    assert "status        canceled\n" in canceled.stdout
    assert "counts        passed 0, failed 0, error 0, skipped 0, flaky 0, total 0\n" in (
        canceled.stdout
    )
    assert again.exit_code == 1
    assert again.stderr.startswith("error: run_not_cancelable: ")
    assert [row["id"] for row in csv.DictReader(io.StringIO(as_csv.stdout))] == [run.id]
    assert empty.stdout == ("ID  STATUS  ENV  BRANCH  FAILED  ERROR  TOTAL  CREATED\n")


def test_runs_get_json(tenant: Tenant) -> None:
    project = tenant.sdk.projects.create("web")
    run = tenant.sdk.runs.create(project.id, "production", suite="smoke")

    result = tenant.ok("runs", "get", run.id, "--json")

    body = json.loads(result.stdout)
    assert body["id"] == run.id
    assert body["suite"] == "smoke"
    assert body["counts"]["total"] == 0


def test_show_completion_prints_bash_script() -> None:
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "zof"), "--show-completion", "bash"],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert completed.returncode == 0, completed.stderr
    assert "_ZOF_COMPLETE=complete_bash" in completed.stdout
    assert "complete -o default -F _zof_completion zof" in completed.stdout


def test_completion_protocol_offers_commands_and_choices() -> None:
    def candidates(words: str) -> list[str]:
        environment = {
            **os.environ,
            "_ZOF_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
        }
        # The completion variable is named after the program, so run the installed `zof`.
        completed = subprocess.run(
            [str(Path(sys.executable).parent / "zof")],
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return completed.stdout.split()

    assert {"upload", "runs", "reports", "projects", "keys", "serve"} <= set(candidates("zof "))
    assert candidates("zof reports list --status ") == ["queued", "generating", "ready", "failed"]


def test_client_commands_import_no_server_modules() -> None:
    code = (
        "import sys, zof.cli.main; "
        "print(sorted(name for name in sys.modules "
        "if name.startswith(('zof.api', 'zof.services', 'zof.store', 'fastapi', 'sqlalchemy'))))"
    )

    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout

    assert output == "[]\n"
