"""`POST /v1/runs/{id}/results`: formats, gzip, provenance, limits and rejections."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.api.test_runs import (
    case,
    count_rows,
    create_run,
    get_run,
    junit,
    upload,
)
from tests.conftest import Api
from zof.core.settings import Settings
from zof.reports.identity import test_key
from zof.store import results as result_store
from zof.store.tables import results, uploads

pytestmark = pytest.mark.usefixtures("backend")

UPLOAD_FIELDS = {"id", "object", "accepted", "dialect", "filename", "warnings", "run"}


async def stored_results(api: Api, run_id: str) -> list[dict[str, Any]]:
    async with api.db.read() as conn:
        rows = await conn.execute(
            sa.select(results).where(results.c.run_id == run_id).order_by(results.c.id)
        )
        return [dict(row) for row in rows.mappings()]


async def stored_uploads(api: Api, run_id: str) -> list[dict[str, Any]]:
    async with api.db.read() as conn:
        rows = await conn.execute(sa.select(uploads).where(uploads.c.run_id == run_id))
        return [dict(row) for row in rows.mappings()]


def json_batch(*items: dict[str, Any]) -> bytes:
    return json.dumps({"results": list(items)}).encode()


# Accepted uploads


async def test_xml_upload_stores_results(api: Api) -> None:
    run = await create_run(api, suite="nightly")
    document = junit(case("test_a"), case("test_b", "failed"), case("test_c", "skipped"))

    response = await upload(api, run["id"], document, filename="TEST-unit.xml")

    assert response.status_code == 201
    answer = response.json()
    assert set(answer) == UPLOAD_FIELDS
    assert answer["object"] == "results_upload"
    assert answer["id"].startswith("upl_")
    assert answer["accepted"] == 3
    assert answer["dialect"].startswith("junit/")
    assert answer["filename"] == "TEST-unit.xml"
    assert answer["warnings"] == []
    assert answer["run"]["status"] == "running"
    assert answer["run"]["counts"] == {
        "total": 3,
        "passed": 1,
        "failed": 1,
        "error": 0,
        "skipped": 1,
        "flaky": 0,
    }
    assert "uploads" not in answer["run"]


async def test_xml_rows_carry_run_and_upload(api: Api) -> None:
    run = await create_run(api, environment="production")

    answer = (await upload(api, run["id"], junit(case("test_b", "failed")))).json()

    (row,) = await stored_results(api, run["id"])
    assert row["id"].startswith("res_")
    assert row["organization_id"] == api.org_id
    assert row["upload_id"] == answer["id"]
    assert row["project_id"] == run["project_id"]
    assert row["environment"] == "production"
    assert row["suite"] == "unit"
    assert row["classname"] == "tests.unit"
    assert row["name"] == "test_b"
    assert row["test_key"] == test_key(run["project_id"], "unit", "tests.unit", "test_b")
    assert row["status"] == "failed"
    assert row["duration_ms"] == 250
    assert row["message"] == "boom"
    assert row["failure_type"] == "AssertionError"
    assert row["output"] is None or "trace" in row["output"]
    assert row["attempts"] == 1
    assert row["flaky"] is False


@pytest.mark.parametrize(
    "content_type", ["application/xml", "text/xml", "Application/XML; charset=utf-8"]
)
async def test_xml_content_types_accepted(api: Api, content_type: str) -> None:
    run = await create_run(api)

    response = await upload(api, run["id"], junit(case("t")), content_type)

    assert response.status_code == 201
    assert response.json()["accepted"] == 1


async def test_json_batch_upload(api: Api) -> None:
    run = await create_run(api, suite="api")
    body = json_batch(
        {
            "name": "test_login",
            "status": "failed",
            "classname": "tests.auth",
            "duration_ms": 120,
            "message": "assert 401 == 200",
            "failure_type": "AssertionError",
            "output": "log line",
            "flaky": True,
            "attempts": 2,
            "file": "tests/auth.py",
            "line": 42,
            "started_at": "2026-12-01T10:00:00Z",
        },
        {"name": "test_logout", "status": "passed", "suite": "session"},
    )

    response = await upload(api, run["id"], body, "application/json", filename="batch.json")

    assert response.status_code == 201
    answer = response.json()
    assert answer["dialect"] == "json"
    assert answer["accepted"] == 2
    assert answer["run"]["counts"]["flaky"] == 1
    assert answer["run"]["counts"]["failed"] == 1
    login, logout = await stored_results(api, run["id"])
    assert login["suite"] == "api"
    assert logout["suite"] == "session"
    assert login["file"] == "tests/auth.py"
    assert login["line"] == 42
    assert login["attempts"] == 2
    assert login["flaky"] is True
    assert login["output"] == "log line"
    assert login["started_at"].isoformat() == "2026-12-01T10:00:00+00:00"


async def test_gzip_upload_matches_plain(api: Api) -> None:
    run = await create_run(api)
    document = junit(*(case(f"t{index}") for index in range(50)))
    compressed = gzip.compress(document)

    response = await upload(
        api, run["id"], compressed, headers={"Content-Encoding": "gzip"}, filename="r.xml.gz"
    )

    assert response.status_code == 201
    assert response.json()["accepted"] == 50
    (stored,) = await stored_uploads(api, run["id"])
    assert stored["byte_size"] == len(compressed)
    assert stored["content_type"] == "application/xml"
    assert stored["filename"] == "r.xml.gz"


async def test_gzip_json_batch(api: Api) -> None:
    run = await create_run(api)
    body = gzip.compress(json_batch({"name": "t", "status": "error"}))

    response = await upload(
        api, run["id"], body, "application/json", headers={"Content-Encoding": "GZIP"}
    )

    assert response.status_code == 201
    assert response.json()["run"]["counts"]["error"] == 1


async def test_empty_body_is_empty_upload(api: Api) -> None:
    run = await create_run(api)

    response = await upload(api, run["id"], b"")

    assert response.status_code == 201
    assert response.json()["accepted"] == 0
    assert response.json()["dialect"] == "empty"
    assert response.json()["run"]["status"] == "running"


async def test_warnings_show_on_upload_and_run(api: Api) -> None:
    run = await create_run(api)
    document = (
        b'<testsuites>\n<testsuite name="s" tests="5">\n'
        b'<testcase classname="c" name="a" time="abc"/>\n</testsuite>\n</testsuites>\n'
    )

    answer = (await upload(api, run["id"], document, filename="odd.xml")).json()
    detail = await get_run(api, run["id"])

    warnings = {warning["code"]: warning for warning in answer["warnings"]}
    assert warnings["time_invalid"]["line"] == 3
    assert "Line 3" in warnings["time_invalid"]["message"]
    assert warnings["counts_disagree"]["line"] == 2
    (summary,) = detail["uploads"]
    assert summary["id"] == answer["id"]
    assert summary["filename"] == "odd.xml"
    assert summary["dialect"] == answer["dialect"]
    assert summary["accepted"] == 1
    assert summary["warnings"] == answer["warnings"]
    assert set(summary) == {"id", "filename", "dialect", "accepted", "warnings", "created_at"}


async def test_counts_add_up_across_uploads(api: Api) -> None:
    run = await create_run(api)
    await upload(api, run["id"], junit(case("a"), case("b", "failed")))
    flaky = json_batch({"name": "c", "status": "passed", "flaky": True})
    await upload(api, run["id"], flaky, "application/json")

    detail = await get_run(api, run["id"])

    assert detail["counts"] == {
        "total": 3,
        "passed": 2,
        "failed": 1,
        "error": 0,
        "skipped": 0,
        "flaky": 1,
    }
    assert [summary["accepted"] for summary in detail["uploads"]] == [2, 1]
    assert detail["status"] == "running"


async def test_json_unstorable_characters_replaced(api: Api) -> None:
    run = await create_run(api)
    body = (
        b'{"results": [{"name": "a\\u0000b\\ud800c", "status": "passed", "message": "m\\u0000"}]}'
    )

    response = await upload(api, run["id"], body, "application/json")

    assert response.status_code == 201
    (row,) = await stored_results(api, run["id"])
    assert row["name"] == "a\ufffdb\ufffdc"
    assert row["message"] == "m\ufffd"
    codes = [warning["code"] for warning in response.json()["warnings"]]
    assert codes == ["characters_replaced", "characters_replaced"]
    assert "results[0]" in response.json()["warnings"][0]["message"]


async def test_long_classname_is_cut_to_column(api: Api) -> None:
    run = await create_run(api)
    body = json_batch({"name": "t", "status": "passed", "classname": "c" * 1500})

    response = await upload(api, run["id"], body, "application/json")

    assert response.status_code == 201
    (row,) = await stored_results(api, run["id"])
    assert row["classname"] == "c" * 1000
    (warning,) = response.json()["warnings"]
    assert warning["code"] == "value_truncated"
    assert "1500" in warning["message"]


# Rejections: nothing of a rejected upload is stored.


async def assert_nothing_stored(api: Api, run_id: str, before: dict[str, Any]) -> None:
    assert await count_rows(api, results) == before["counts"]["total"]
    assert len(await stored_uploads(api, run_id)) == len(before["uploads"])
    assert await get_run(api, run_id) == before


async def run_with_one_upload(api: Api) -> dict[str, Any]:
    run = await create_run(api)
    first = await upload(api, run["id"], junit(case("kept"), case("kept_too", "failed")))
    assert first.status_code == 201
    return await get_run(api, run["id"])


CUT_OFF = b'<testsuites>\n<testsuite name="s">\n<testcase classname="c" name="t">\n<failure>'
DEEP = b"<testsuites>" + b"<testsuite>" * 5000
ENTITY_BOMB = (
    "<!DOCTYPE testsuites ["
    + "".join(f'<!ENTITY e{n} "{f"&e{n - 1};" * 10 if n else "lol"}">' for n in range(10))
    + "]>\n<testsuites>&e9;</testsuites>"
).encode()


@pytest.mark.parametrize(
    ("body", "content_type", "code", "line"),
    [
        (CUT_OFF, "application/xml", "malformed_xml", 4),
        (b"<testsuites>\n<testsuite>\n</testsuites>\n", "application/xml", "malformed_xml", 3),
        (b'<?xml version="1.0"?>\n<html><body/></html>', "text/xml", "not_a_test_report", 2),
        (b"\n\nAll 12 tests passed\n", "application/xml", "not_a_test_report", 3),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE testsuites SYSTEM "http://127.0.0.1:9/x.dtd">\n'
            b"<testsuites/>",
            "application/xml",
            "dtd_not_allowed",
            2,
        ),
        (ENTITY_BOMB, "application/xml", "dtd_not_allowed", 1),
        (DEEP, "application/xml", "nesting_too_deep", 1),
        (
            b'<?xml version="1.0"?>\n<test-run id="2" testcasecount="0"></test-run>',
            "application/xml",
            "unsupported_format",
            2,
        ),
        (b'{"results": [\n{"name": "t"', "application/json", "invalid_json", 2),
        (
            b'{"results": [{"name": "t", "status": "green"}]}',
            "application/json",
            "invalid_json",
            None,
        ),
    ],
)
async def test_rejected_file_stores_nothing(
    api: Api, body: bytes, content_type: str, code: str, line: int | None
) -> None:
    before = await run_with_one_upload(api)

    started = time.monotonic()
    response = await upload(api, before["id"], body, content_type)
    elapsed = time.monotonic() - started

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert error["type"] == "invalid_request_error"
    assert error["param"] is None
    if line is not None:
        assert f"line {line}" in error["message"].lower()
    assert elapsed < 2
    await assert_nothing_stored(api, before["id"], before)


async def test_external_entity_reads_no_file(api: Api, tmp_path: Path) -> None:
    # Opening a FIFO without a writer blocks, so a parser that tried to read the entity
    # would hang this request instead of returning at once.
    fifo = tmp_path / "secret"
    os.mkfifo(fifo)
    secret = tmp_path / "plain-secret"
    secret.write_text("TOP-SECRET-VALUE")
    before = await run_with_one_upload(api)
    document = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE testsuites [<!ENTITY a SYSTEM "file://{fifo}">'
        f'<!ENTITY b SYSTEM "file://{secret}">]>\n'
        '<testsuites><testsuite name="&a;&b;"><testcase name="&b;"/></testsuite></testsuites>'
    ).encode()

    try:
        response = await asyncio.wait_for(upload(api, before["id"], document), timeout=10)
    finally:
        _release_fifo_readers(fifo)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "dtd_not_allowed"
    assert "TOP-SECRET-VALUE" not in response.text
    await assert_nothing_stored(api, before["id"], before)


def _release_fifo_readers(fifo: Path) -> None:
    try:
        descriptor = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return  # No reader is waiting, which is the expected case.
    os.close(descriptor)


async def test_failure_after_many_cases_stores_nothing(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = await run_with_one_upload(api)
    inserted: list[int] = []
    insert_results = result_store.insert_results

    async def counting_insert(conn: Any, rows: Any) -> None:
        inserted.append(len(rows))
        await insert_results(conn, rows)

    monkeypatch.setattr(result_store, "insert_results", counting_insert)
    # The parser releases cases when their top-level suite ends, so suite "a" is
    # inserted before the file breaks off.
    lines = ["<testsuites>"]
    for suite in ("a", "b"):
        cases = [case(f"t{index}", "passed" if index % 3 else "failed") for index in range(2500)]
        lines += [f'<testsuite name="{suite}">', *cases, "</testsuite>"]
    lines.append("<testsuite name='c'><testcase name='x'></testsuites>")

    response = await upload(api, before["id"], "\n".join(lines).encode())

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "malformed_xml"
    assert f"line {len(lines)}" in error["message"]
    assert sum(inserted) >= 2500
    await assert_nothing_stored(api, before["id"], before)


async def test_invalid_gzip_stores_nothing(api: Api) -> None:
    before = await run_with_one_upload(api)

    response = await upload(
        api, before["id"], junit(case("t")), headers={"Content-Encoding": "gzip"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_gzip"
    await assert_nothing_stored(api, before["id"], before)


async def test_cut_off_gzip_stores_nothing(api: Api) -> None:
    before = await run_with_one_upload(api)
    compressed = gzip.compress(junit(case("t")))

    response = await upload(
        api, before["id"], compressed[:-6], headers={"Content-Encoding": "gzip"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_gzip"
    await assert_nothing_stored(api, before["id"], before)


async def test_gzip_bomb_is_413_fast(api: Api) -> None:
    before = await run_with_one_upload(api)
    bomb = gzip.compress(b" " * (40 * 1024 * 1024), compresslevel=9)

    started = time.monotonic()
    response = await upload(api, before["id"], bomb, headers={"Content-Encoding": "gzip"})

    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "decompressed_too_large"
    assert str(5 * 1024 * 1024) in error["message"]
    assert time.monotonic() - started < 2
    await assert_nothing_stored(api, before["id"], before)


async def test_gzip_xml_sent_plain_is_rejected(api: Api) -> None:
    before = await run_with_one_upload(api)

    response = await upload(api, before["id"], gzip.compress(junit(case("t"))))

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unsupported_format"
    assert "Content-Encoding: gzip" in error["message"]
    await assert_nothing_stored(api, before["id"], before)


async def test_value_over_libxml2_limit_is_rejected(make_api: Any, settings: Settings) -> None:
    api: Api = await make_api(settings.with_overrides(max_upload_bytes=12 * 1024 * 1024))
    before = await run_with_one_upload(api)
    document = (
        b'<testsuites><testsuite name="s"><testcase name="t"><system-out>'
        + b"z" * (11 * 1024 * 1024)
        + b"</system-out></testcase></testsuite></testsuites>"
    )

    response = await upload(api, before["id"], document)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "value_too_large"
    assert "line 1" in error["message"].lower()
    await assert_nothing_stored(api, before["id"], before)


async def test_body_over_limit_by_content_length(api: Api) -> None:
    before = await run_with_one_upload(api)
    body = junit(*(case(f"t{index}" * 100) for index in range(20_000)))
    assert len(body) > 5 * 1024 * 1024

    response = await upload(api, before["id"], body)

    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "body_too_large"
    assert str(5 * 1024 * 1024) in error["message"]
    await assert_nothing_stored(api, before["id"], before)


async def test_body_over_limit_while_streaming(api: Api) -> None:
    before = await run_with_one_upload(api)

    async def chunks() -> AsyncIterator[bytes]:
        yield b'<testsuites><testsuite name="s">'
        for index in range(200_000):
            yield case(f"t{index}").encode()

    response = await api.client.post(
        f"/v1/runs/{before['id']}/results",
        content=chunks(),
        headers=api.headers(**{"Content-Type": "application/xml"}),
    )

    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"
    await assert_nothing_stored(api, before["id"], before)


async def test_chunked_body_under_limit_is_stored(api: Api) -> None:
    run = await create_run(api)

    async def chunks() -> AsyncIterator[bytes]:
        document = junit(*(case(f"t{index}") for index in range(300)))
        for start in range(0, len(document), 1000):
            yield document[start : start + 1000]

    response = await api.client.post(
        f"/v1/runs/{run['id']}/results",
        content=chunks(),
        headers=api.headers(**{"Content-Type": "application/xml"}),
    )

    assert response.status_code == 201
    assert response.json()["accepted"] == 300


@pytest.mark.parametrize(
    "content_type", ["text/plain", "multipart/form-data", "", "application/x-junit"]
)
async def test_other_content_type_is_415(api: Api, content_type: str) -> None:
    before = await run_with_one_upload(api)

    response = await upload(api, before["id"], junit(case("t")), content_type)

    assert response.status_code == 415
    error = response.json()["error"]
    assert error["code"] == "unsupported_media_type"
    assert error["param"] == "Content-Type"
    assert "application/xml" in error["message"]
    await assert_nothing_stored(api, before["id"], before)


@pytest.mark.parametrize("encoding", ["br", "deflate", "gzip, gzip"])
async def test_other_content_encoding_is_415(api: Api, encoding: str) -> None:
    before = await run_with_one_upload(api)

    response = await upload(
        api, before["id"], junit(case("t")), headers={"Content-Encoding": encoding}
    )

    assert response.status_code == 415
    error = response.json()["error"]
    assert error["code"] == "unsupported_media_type"
    assert error["param"] == "Content-Encoding"
    await assert_nothing_stored(api, before["id"], before)


@pytest.mark.parametrize("terminal", ["passed", "failed", "error", "canceled"])
async def test_terminal_run_takes_no_results(api: Api, terminal: str) -> None:
    run = await create_run(api)
    if terminal == "canceled":
        await api.post(f"/v1/runs/{run['id']}/cancel")
    else:
        await api.post(f"/v1/runs/{run['id']}/complete", {"status": terminal})
    before = await get_run(api, run["id"])

    response = await upload(api, run["id"], junit(case("t")))

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "run_not_accepting_results"
    assert terminal in error["message"]
    await assert_nothing_stored(api, run["id"], before)


async def test_upload_to_foreign_run_is_404(api: Api) -> None:
    _, other_key = await api.bootstrap("Other")
    foreign = await create_run(api, key=other_key)

    response = await upload(api, foreign["id"], junit(case("t")))
    missing = await upload(api, "run_missing", junit(case("t")))

    assert response.status_code == 404
    assert missing.status_code == 404
    assert response.json()["error"]["code"] == "resource_not_found"
    assert await count_rows(api, results) == 0
    other = await api.get(f"/v1/runs/{foreign['id']}", key=other_key)
    assert other.json()["counts"]["total"] == 0


async def test_viewer_cannot_upload(api: Api) -> None:
    run = await create_run(api)
    viewer = await api.create_key("viewer")

    response = await upload(api, run["id"], junit(case("t")), key=viewer)

    assert response.status_code == 403
    assert "runs:create" in response.json()["error"]["message"]
    assert await count_rows(api, results) == 0


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"filename": "a\x01b.xml"}, "invalid_parameter"),
        ({"filename": ""}, "invalid_parameter"),
        ({"filename": "f" * 513}, "invalid_parameter"),
        ({"name": "r.xml"}, "unknown_parameter"),
    ],
)
async def test_bad_query_is_400(api: Api, params: dict[str, str], code: str) -> None:
    run = await create_run(api)

    response = await api.client.post(
        f"/v1/runs/{run['id']}/results",
        content=junit(case("t")),
        params=params,
        headers=api.headers(**{"Content-Type": "application/xml"}),
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert error["param"] in {"filename", "name"}
    assert await count_rows(api, results) == 0


async def test_idempotent_upload_is_stored_once(api: Api) -> None:
    run = await create_run(api)
    headers = {"Idempotency-Key": "upload-1"}
    body = gzip.compress(junit(case("a"), case("b", "failed")))

    first = await upload(
        api, run["id"], body, headers={**headers, "Content-Encoding": "gzip"}, filename="r.xml"
    )
    second = await upload(
        api, run["id"], body, headers={**headers, "Content-Encoding": "gzip"}, filename="r.xml"
    )

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert await count_rows(api, results) == 2
    assert len(await stored_uploads(api, run["id"])) == 1
    assert (await get_run(api, run["id"]))["counts"]["total"] == 2


async def test_idempotent_rejection_replays(api: Api) -> None:
    run = await create_run(api)
    headers = {"Idempotency-Key": "upload-bad"}

    first = await upload(api, run["id"], CUT_OFF, headers=headers)
    second = await upload(api, run["id"], CUT_OFF, headers=headers)

    assert first.status_code == second.status_code == 400
    assert second.content == first.content
    assert await count_rows(api, results) == 0


async def test_openapi_documents_upload_body(api: Api) -> None:
    document = (await api.client.get("/v1/openapi.json")).json()

    operation = document["paths"]["/v1/runs/{run_id}/results"]["post"]
    content = operation["requestBody"]["content"]
    assert set(content) == {"application/xml", "text/xml", "application/json"}
    batch = content["application/json"]["schema"]
    assert "$ref" not in json.dumps(batch)
    assert batch["required"] == ["results"]
    assert batch["additionalProperties"] is False
    item = batch["properties"]["results"]["items"]
    assert set(item["required"]) == {"name", "status"}
    assert item["properties"]["status"]["enum"] == ["passed", "failed", "error", "skipped"]
    parameters = {parameter["name"] for parameter in operation["parameters"]}
    assert {"run_id", "filename", "Content-Encoding", "Idempotency-Key"} <= parameters
    assert set(operation["responses"]) >= {"201", "400", "404", "409", "413", "415"}


async def test_concurrent_uploads_all_counted(api: Api) -> None:
    run = await create_run(api)
    documents = [
        junit(
            *(
                case(f"u{upload_index}_t{index}", "failed" if index == 0 else "passed")
                for index in range(40)
            )
        )
        for upload_index in range(8)
    ]

    responses = await asyncio.gather(*(upload(api, run["id"], body) for body in documents))

    assert [response.status_code for response in responses] == [201] * 8
    detail = await get_run(api, run["id"])
    assert detail["counts"]["total"] == 320
    assert detail["counts"]["failed"] == 8
    assert len(detail["uploads"]) == 8
    assert max(response.json()["run"]["counts"]["total"] for response in responses) == 320


async def test_run_counters_match_a_recount(api: Api) -> None:
    from zof.store import runs as run_store

    run = await create_run(api)
    batches = [
        [{"name": "a", "status": "passed"}, {"name": "b", "status": "failed"}],
        [
            {"name": "c", "status": "passed", "flaky": True, "attempts": 2},
            {"name": "d", "status": "skipped"},
            {"name": "e", "status": "error"},
        ],
        [{"name": f"f{index}", "status": "passed"} for index in range(7)],
    ]
    for batch in batches:
        response = await api.client.post(
            f"/v1/runs/{run['id']}/results",
            content=json_batch(*batch),
            headers=api.headers(**{"Content-Type": "application/json"}),
        )
        assert response.status_code == 201

    counts = (await get_run(api, run["id"]))["counts"]
    async with api.db.read() as conn:
        recount = await run_store.count_results(conn, api.org_id, run["id"])

    assert counts == {"total": 12, "passed": 9, "failed": 1, "error": 1, "skipped": 1, "flaky": 1}
    assert {f"count_{name}": value for name, value in counts.items()} == recount
