"""Tenant isolation, property-based: whatever two organizations hold, neither reaches the other."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Api
from zof.services.worker import drain

pytestmark = pytest.mark.usefixtures("backend")

STATUSES = ["passed", "failed", "error", "skipped"]

tenant_data = st.fixed_dictionaries(
    {
        "projects": st.integers(min_value=1, max_value=2),
        "environments": st.lists(
            st.sampled_from(["staging", "production", "qa"]), min_size=1, max_size=2, unique=True
        ),
        "cases": st.lists(
            st.tuples(
                st.text(alphabet="abcxyz<>&'\" ", min_size=1, max_size=12).filter(
                    lambda name: name.strip() == name
                ),
                st.sampled_from(STATUSES),
            ),
            min_size=1,
            max_size=6,
        ),
        "complete": st.booleans(),
    }
)


async def populate(api: Api, key: str, data: dict[str, Any]) -> dict[str, list[str]]:
    """Create projects, runs with results, reports and a schedule; return every id made."""
    ids: dict[str, list[str]] = {
        "project": [],
        "run": [],
        "result": [],
        "report": [],
        "schedule": [],
        "key": [],
    }
    for index in range(data["projects"]):
        project = (await api.post("/v1/projects", {"name": f"p{index}"}, key=key)).json()
        ids["project"].append(project["id"])
        for environment in data["environments"]:
            run = (
                await api.post(
                    "/v1/runs",
                    {"project_id": project["id"], "environment": environment, "commit_sha": "abc"},
                    key=key,
                )
            ).json()
            ids["run"].append(run["id"])
            batch = {
                "results": [{"name": name, "status": status} for name, status in data["cases"]]
            }
            upload = await api.post(f"/v1/runs/{run['id']}/results", batch, key=key)
            assert upload.status_code == 201, upload.text
            if data["complete"]:
                await api.post(f"/v1/runs/{run['id']}/complete", key=key)
        report = await api.post(
            "/v1/reports",
            {"scope": {"type": "project", "project_id": project["id"]}, "range": "last_24_hours"},
            key=key,
        )
        ids["report"].append(report.json()["id"])
    results = (await api.get("/v1/results", key=key, params={"limit": 100})).json()["data"]
    ids["result"] = [item["id"] for item in results]
    schedule = await api.post(
        "/v1/report-schedules",
        {
            "name": "s",
            "cron": "0 6 * * *",
            "scope": {"type": "organization"},
            "range": "previous_day",
        },
        key=key,
    )
    ids["schedule"].append(schedule.json()["id"])
    created_key = await api.post("/v1/api-keys", {"name": "k", "role": "viewer"}, key=key)
    ids["key"].append(created_key.json()["id"])
    return ids


async def all_ids(api: Api, key: str, path: str, **params: str) -> set[str]:
    seen: set[str] = set()
    cursor = None
    while True:
        query: dict[str, Any] = {"limit": 100, **params}
        if cursor:
            query["starting_after"] = cursor
        body = (await api.get(path, key=key, params=query)).json()
        seen |= {item["id"] for item in body["data"]}
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return seen


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(ours=tenant_data, theirs=tenant_data)
async def test_no_route_reaches_another_organization(
    api: Api, ours: dict[str, Any], theirs: dict[str, Any]
) -> None:
    _, key_a = await api.bootstrap("A")
    _, key_b = await api.bootstrap("B")
    a = await populate(api, key_a, ours)
    b = await populate(api, key_b, theirs)
    await drain(api.db)

    # Lists and filters: A gets exactly its own items, even when filtering by B's ids.
    for path, kind in [
        ("/v1/projects", "project"),
        ("/v1/runs", "run"),
        ("/v1/results", "result"),
        ("/v1/reports", "report"),
        ("/v1/report-schedules", "schedule"),
    ]:
        listed = await all_ids(api, key_a, path)
        assert not listed & set(b[kind]), path
        assert set(a[kind]) <= listed, path
    for project_id in b["project"]:
        assert await all_ids(api, key_a, "/v1/runs", project_id=project_id) == set()
        assert await all_ids(api, key_a, "/v1/reports", project_id=project_id) == set()
        assert await all_ids(api, key_a, "/v1/results", project_id=project_id) == set()
    for run_id in b["run"]:
        assert await all_ids(api, key_a, "/v1/results", run_id=run_id) == set()

    # B's cursors are refused for A.
    b_page = (await api.get("/v1/results", key=key_b, params={"limit": 1})).json()
    if b_page["next_cursor"]:
        refused = await api.get(
            "/v1/results", key=key_a, params={"starting_after": b_page["next_cursor"]}
        )
        assert refused.status_code == 400

    # Every item route returns 404 for B's ids and changes nothing.
    before = {
        kind: await all_ids(api, key_b, path)
        for path, kind in [
            ("/v1/runs", "run"),
            ("/v1/reports", "report"),
            ("/v1/report-schedules", "schedule"),
        ]
    }
    attempts = []
    for project_id in b["project"]:
        attempts += [
            ("GET", f"/v1/projects/{project_id}", None),
            ("PATCH", f"/v1/projects/{project_id}", {"name": "taken"}),
            ("POST", "/v1/runs", {"project_id": project_id, "environment": "x"}),
            (
                "POST",
                "/v1/reports",
                {"scope": {"type": "project", "project_id": project_id}, "range": "last_7_days"},
            ),
        ]
    for run_id in b["run"]:
        attempts += [
            ("GET", f"/v1/runs/{run_id}", None),
            ("POST", f"/v1/runs/{run_id}/complete", None),
            ("POST", f"/v1/runs/{run_id}/cancel", None),
            (
                "POST",
                f"/v1/runs/{run_id}/results",
                {"results": [{"name": "x", "status": "passed"}]},
            ),
        ]
    for result_id in b["result"][:3]:
        attempts.append(("GET", f"/v1/results/{result_id}", None))
    for report_id in b["report"]:
        attempts += [
            ("GET", f"/v1/reports/{report_id}", None),
            ("GET", f"/v1/reports/{report_id}/content?format=html", None),
            ("DELETE", f"/v1/reports/{report_id}", None),
        ]
    for schedule_id in b["schedule"]:
        attempts += [
            ("GET", f"/v1/report-schedules/{schedule_id}", None),
            ("PATCH", f"/v1/report-schedules/{schedule_id}", {"enabled": False}),
            ("DELETE", f"/v1/report-schedules/{schedule_id}", None),
        ]
    for key_id in b["key"]:
        attempts.append(("DELETE", f"/v1/api-keys/{key_id}", None))

    for method, path, body in attempts:
        response = await api.client.request(method, path, json=body, headers=api.headers(key_a))
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["error"]["code"] == "resource_not_found"

    after = {
        kind: await all_ids(api, key_b, path)
        for path, kind in [
            ("/v1/runs", "run"),
            ("/v1/reports", "report"),
            ("/v1/report-schedules", "schedule"),
        ]
    }
    assert after == before
    for project_id in b["project"]:
        project = (await api.get(f"/v1/projects/{project_id}", key=key_b)).json()
        assert project["name"] != "taken"
    keys_of_b = await all_ids(api, key_b, "/v1/api-keys")
    assert set(b["key"]) <= keys_of_b
