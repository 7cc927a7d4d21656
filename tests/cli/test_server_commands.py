"""`zof serve`, `zof admin migrate` and `zof admin bootstrap` as an operator runs them."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from tests.server import bootstrap, running_server, zof_command

pytestmark = pytest.mark.server


def run_zof(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        zof_command(*args),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_migrate_creates_schema_in_data_dir(tmp_path: Path) -> None:
    output = run_zof("admin", "migrate", env={"ZOF_DATA_DIR": str(tmp_path / "data")})

    assert "up to date" in output
    assert (tmp_path / "data" / "zof.db").exists()


@pytest.mark.usefixtures("backend")
async def test_bootstrap_json_creates_a_new_organization_each_call(database_url: str) -> None:
    first = json.loads(run_zof("admin", "bootstrap", "--json", "--database-url", database_url))
    second = json.loads(
        run_zof(
            "admin", "bootstrap", "--json", "--org-name", "Beta", "--database-url", database_url
        )
    )

    assert set(first) == {"organization_id", "api_key"}
    assert first["organization_id"].startswith("org_")
    assert first["organization_id"] != second["organization_id"]
    assert first["api_key"].startswith("zof_sk_")
    engine = create_async_engine(database_url)
    async with engine.connect() as conn:
        names = (
            await conn.execute(sa.text("SELECT name FROM organizations ORDER BY name"))
        ).scalars()
        assert list(names) == ["Beta", "Default organization"]
    await engine.dispose()


@pytest.mark.usefixtures("backend")
def test_bootstrap_works_while_a_server_runs(database_url: str, tmp_path: Path) -> None:
    _, first_key = bootstrap(database_url)
    with running_server(database_url, tmp_path / "server.log") as url:
        _, second_key = bootstrap(database_url)

        response = httpx.get(
            f"{url}/v1/projects", headers={"Authorization": f"Bearer {second_key}"}
        )

    assert response.status_code == 200
    assert first_key != second_key


def test_first_serve_prints_url_and_admin_key(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'zof.db'}"
    log = tmp_path / "serve.log"

    with running_server(database_url, log) as url:
        printed = log.read_text()
        key = re.search(r"zof_sk_[A-Za-z0-9_-]+", printed)
        assert key is not None
        response = httpx.get(
            f"{url}/v1/projects", headers={"Authorization": f"Bearer {key.group()}"}
        )
    with running_server(database_url, log):
        pass

    assert url in printed
    assert response.status_code == 200
    assert set(re.findall(r"zof_sk_[A-Za-z0-9_-]+", log.read_text())) == {key.group()}
    assert f"export ZOF_API_KEY={key.group()} ZOF_BASE_URL={url}" in printed
