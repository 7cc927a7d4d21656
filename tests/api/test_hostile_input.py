"""Hostile uploads are refused cleanly and quickly, and store nothing.

Each case asserts the status, the error code, an upper bound on the time the server
took, and that no result, upload or count change was stored. The bounds are generous
(the suite runs on shared two-core machines); they catch quadratic or unbounded work,
not small regressions, which `bench/` measures.
"""

from __future__ import annotations

import gzip
import time
from dataclasses import replace
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import Api
from zof.core.settings import Settings
from zof.store.tables import results, uploads

pytestmark = pytest.mark.usefixtures("backend")

LIMIT = 64 * 1024 * 1024


@pytest.fixture
async def roomy(make_api: Any, settings: Settings) -> Api:
    """An app whose upload limit admits the 50 MB cases."""
    return await make_api(replace(settings, max_upload_bytes=LIMIT))  # type: ignore[no-any-return]


async def new_run(api: Api) -> str:
    project = (await api.post("/v1/projects", {"name": "web"})).json()["id"]
    run = await api.post("/v1/runs", {"project_id": project, "environment": "ci"})
    return str(run.json()["id"])


async def send(api: Api, run_id: str, body: bytes, **headers: str) -> tuple[Any, float]:
    started = time.perf_counter()
    response = await api.client.post(
        f"/v1/runs/{run_id}/results",
        content=body,
        headers=api.headers(**{"Content-Type": "application/xml", **headers}),
    )
    return response, time.perf_counter() - started


async def assert_nothing_stored(api: Api, run_id: str) -> None:
    async with api.db.read() as conn:
        stored = (
            await conn.execute(
                sa.select(sa.func.count()).select_from(results).where(results.c.run_id == run_id)
            )
        ).scalar()
        provenance = (
            await conn.execute(
                sa.select(sa.func.count()).select_from(uploads).where(uploads.c.run_id == run_id)
            )
        ).scalar()
    run = (await api.get(f"/v1/runs/{run_id}")).json()
    assert stored == 0
    assert provenance == 0
    assert run["counts"]["total"] == 0
    assert run["status"] == "queued"


def entity_bomb(levels: int = 10) -> bytes:
    entities = "".join(
        f'<!ENTITY e{n} "{(f"&e{n - 1};" * 10) if n else "ha"}">' for n in range(levels)
    )
    return f"<!DOCTYPE testsuites [{entities}]>\n<testsuites>&e{levels - 1};</testsuites>".encode()


HOSTILE = {
    "entity_bomb": (entity_bomb(), "dtd_not_allowed", 400, 2.0),
    "external_entity": (
        b'<?xml version="1.0"?>\n<!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        b"<testsuites><testsuite><testcase name='&x;'/></testsuite></testsuites>",
        "dtd_not_allowed",
        400,
        2.0,
    ),
    "parameter_entity": (
        b'<!DOCTYPE t [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]><testsuites/>',
        "dtd_not_allowed",
        400,
        2.0,
    ),
    "nesting_100000": (
        b"<testsuites>" + b"<testsuite>" * 100_000 + b"</testsuite>" * 100_000 + b"</testsuites>",
        "nesting_too_deep",
        400,
        3.0,
    ),
    "attribute_50mb": (
        b'<testsuites><testsuite name="s"><testcase name="'
        + b"a" * (50 * 1024 * 1024)
        + b'"/></testsuite></testsuites>',
        "value_too_large",
        400,
        15.0,
    ),
    "not_xml_binary": (bytes(range(256)) * 100, "not_a_test_report", 400, 2.0),
}


@pytest.mark.parametrize("name", list(HOSTILE))
async def test_hostile_xml_is_refused_fast(roomy: Api, name: str) -> None:
    body, code, status, bound = HOSTILE[name]
    run_id = await new_run(roomy)

    response, elapsed = await send(roomy, run_id, body)

    assert response.status_code == status, response.text[:300]
    assert response.json()["error"]["code"] == code
    assert elapsed < bound
    assert len(response.text) < 2000
    await assert_nothing_stored(roomy, run_id)


async def test_gzip_bomb_is_refused_fast(roomy: Api) -> None:
    run_id = await new_run(roomy)
    bomb = gzip.compress(b"<testsuites>" + b" " * (200 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 1024 * 1024

    response, elapsed = await send(roomy, run_id, bomb, **{"Content-Encoding": "gzip"})

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "decompressed_too_large"
    assert elapsed < 10.0
    await assert_nothing_stored(roomy, run_id)


async def test_invalid_utf8_in_xml_is_repaired_with_warning(api: Api) -> None:
    run_id = await new_run(api)
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="s">\n'
        b'<testcase classname="c" name="caf\xe9 \xff\xfe"/>\n</testsuite>'
    )

    response, elapsed = await send(api, run_id, body)

    assert response.status_code == 201
    assert elapsed < 2.0
    assert response.json()["accepted"] == 1
    codes = {warning["code"] for warning in response.json()["warnings"]}
    assert "characters_replaced" in codes
    lines = {w["line"] for w in response.json()["warnings"] if w["code"] == "characters_replaced"}
    assert lines == {3}


async def test_invalid_utf8_in_json_batch_is_refused(api: Api) -> None:
    run_id = await new_run(api)

    response, _ = await send(
        api,
        run_id,
        b'{"results": [{"name": "\xff", "status": "passed"}]}',
        **{"Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"
    await assert_nothing_stored(api, run_id)


async def test_upload_over_limit_is_413_before_reading(api: Api) -> None:
    run_id = await new_run(api)
    body = b"<testsuites>" + b" " * (6 * 1024 * 1024)

    response, elapsed = await send(api, run_id, body)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"
    assert elapsed < 5.0
    await assert_nothing_stored(api, run_id)
