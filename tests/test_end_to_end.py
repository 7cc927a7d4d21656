"""The main job end to end through HTTP, as the README shows it: real CI output in, reports out."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import REAL_INPUTS
from tests.server import bootstrap, running_server

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("backend")]

DORNY = REAL_INPUTS / "dorny-test-reporter"
# Two projects, two environments: which real files each CI pipeline uploads.
PIPELINES: list[tuple[str, str, list[str]]] = [
    ("web", "staging", ["jest-junit.xml", "external/jest/jest-react-component-test-results.xml"]),
    ("web", "production", ["jest-junit.xml"]),
    ("backend", "staging", ["python-xunit-pytest.xml", "python-xunit-unittest.xml"]),
    ("backend", "production", ["external/java/junit4-complete.xml"]),
]


def wait_ready(client: httpx.Client, report_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        report = client.get(f"/v1/reports/{report_id}").json()
        if report["status"] in {"ready", "failed"}:
            return dict(report)
        time.sleep(0.2)
    raise AssertionError(f"report {report_id} was not generated within 60 s")


def test_real_inputs_to_listed_reports(database_url: str, tmp_path: Path) -> None:
    _, key = bootstrap(database_url)
    with (
        running_server(
            database_url, tmp_path / "server.log", "--rate-limit-per-minute", "0"
        ) as url,
        httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60
        ) as client,
    ):
        projects = {
            name: client.post("/v1/projects", json={"name": name}).json()["id"]
            for name in ("web", "backend")
        }

        runs = []
        for project, environment, files in PIPELINES:
            run = client.post(
                "/v1/runs",
                json={
                    "project_id": projects[project],
                    "environment": environment,
                    "commit_sha": "4f2a9c1",
                    "branch": "main",
                },
            ).json()
            for name in files:
                upload = client.post(
                    f"/v1/runs/{run['id']}/results",
                    params={"filename": Path(name).name},
                    content=(DORNY / name).read_bytes(),
                    headers={"Content-Type": "application/xml"},
                )
                assert upload.status_code == 201, upload.text
            completed = client.post(f"/v1/runs/{run['id']}/complete")
            assert completed.status_code == 200, completed.text
            runs.append(completed.json())

        created = {
            "organization": client.post(
                "/v1/reports", json={"scope": {"type": "organization"}, "range": "last_24_hours"}
            ).json(),
            "web": client.post(
                "/v1/reports",
                json={
                    "scope": {"type": "project", "project_id": projects["web"]},
                    "range": "last_7_days",
                },
            ).json(),
            "backend_staging": client.post(
                "/v1/reports",
                json={
                    "scope": {
                        "type": "environment",
                        "project_id": projects["backend"],
                        "environment": "staging",
                    },
                    "range": "last_24_hours",
                },
            ).json(),
        }
        ready = {name: wait_ready(client, report["id"]) for name, report in created.items()}

        by_project = client.get(
            "/v1/reports", params={"project_id": projects["web"], "source": "api"}
        )
        by_environment = client.get(
            "/v1/reports",
            params={"scope_type": "environment", "environment": "staging", "source": "api"},
        )
        staging_runs = client.get(
            "/v1/reports",
            params={"scope_type": "environment", "environment": "staging", "source": "run"},
        )
        overlapping_now = client.get(
            "/v1/reports",
            params={"source": "api", "from": runs[0]["created_at"], "to": "2999-01-01"},
        )
        long_ago = client.get("/v1/reports", params={"to": "2020-01-01"})
        run_reports = client.get("/v1/reports", params={"source": "run"})
        html = client.get(
            f"/v1/reports/{created['organization']['id']}/content", params={"format": "html"}
        )

    assert all(report["status"] == "ready" for report in ready.values())
    totals = sum(run["counts"]["total"] for run in runs)
    organization = ready["organization"]["summary"]
    assert organization["runs"]["total"] == 4
    assert organization["tests"]["total"] == totals
    assert organization["tests"]["failed"] == sum(run["counts"]["failed"] for run in runs)
    backend_staging = ready["backend_staging"]["summary"]
    assert backend_staging["runs"]["total"] == 1
    assert backend_staging["tests"]["total"] == runs[2]["counts"]["total"]

    assert [r["id"] for r in by_project.json()["data"]] == [created["web"]["id"]]
    assert [r["id"] for r in by_environment.json()["data"]] == [created["backend_staging"]["id"]]
    assert {r["id"] for r in overlapping_now.json()["data"]} == {r["id"] for r in created.values()}
    assert long_ago.json()["data"] == []
    assert len(run_reports.json()["data"]) == 4
    assert {r["run_id"] for r in staging_runs.json()["data"]} == {runs[0]["id"], runs[2]["id"]}

    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert "attachment" in html.headers["content-disposition"]
    assert "<script" not in html.text
    assert str(totals) in html.text
