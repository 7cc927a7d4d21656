"""Project-wide checks: layer contracts, the error catalog page and the OpenAPI document."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, Api
from zof.core.errors import CATALOG


def test_layers_are_kept_apart() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"

    result = subprocess.run(
        [str(lint_imports), "pyproject.toml"], cwd=REPO, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.split("Contracts:")[-1].replace("0 broken", "")


def test_error_catalog_page_lists_every_code() -> None:
    page = (REPO / "docs" / "errors.md").read_text()

    for code, spec in CATALOG.items():
        assert f"| `{code}` | {spec.status} | `{spec.type}` | {spec.description} |" in page


@pytest.mark.usefixtures("backend")
async def test_openapi_describes_routes_and_errors(api: Api) -> None:
    response = await api.client.get("/v1/openapi.json")

    document = response.json()
    assert response.status_code == 200
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert "HTTPValidationError" not in document["components"]["schemas"]
    paths = document["paths"]
    assert set(paths) >= {
        "/v1/projects",
        "/v1/projects/{project_id}",
        "/v1/api-keys",
        "/v1/api-keys/{key_id}",
    }
    list_projects = paths["/v1/projects"]["get"]
    assert {p["name"] for p in list_projects["parameters"]} >= {
        "limit",
        "starting_after",
        "created_after",
        "created_before",
    }
    for status in ("400", "401", "403", "429", "500"):
        assert status in list_projects["responses"]
    create = paths["/v1/projects"]["post"]
    assert {"409", "413", "415", "422"} <= set(create["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    ok_headers = create["responses"]["201"]["headers"]
    assert {"X-RateLimit-Limit", "X-Request-Id"} <= set(ok_headers)


@pytest.mark.usefixtures("backend")
async def test_no_page_loads_assets_from_other_hosts(api: Api) -> None:
    docs = await api.client.get("/v1/docs")
    oauth = await api.client.get("/docs/oauth2-redirect")

    assert docs.status_code == 404
    assert oauth.status_code == 404
    assert docs.json()["error"]["code"] == "route_not_found"
