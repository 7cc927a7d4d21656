"""Result uploads: body sources, content types, compression and retries."""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import Any

import pytest

from zof.client import InternalServerError, ResultsUpload
from zof.client._uploads import CHUNK_SIZE, UploadBody

from .fake_api import RUN, HarnessFactory, error_reply, reply

JUNIT = b'<testsuite name="unit" tests="1"><testcase classname="a" name="b"/></testsuite>'
BIG_JUNIT = b"<testsuites>" + b'<testcase classname="a" name="b"/>' * 4000 + b"</testsuites>"
UPLOAD = {
    "object": "results_upload",
    "accepted": 1,
    "dialect": "pytest",
    "filename": "junit.xml",
    "warnings": [{"code": "count_mismatch", "message": "tests=2 but 1 case", "line": 1}],
    "run": {**RUN, "status": "running", "counts": {**RUN["counts"], "total": 1, "passed": 1}},
}


class NonSeekable(io.RawIOBase):
    """A pipe-like binary stream that can be read once."""

    def __init__(self, data: bytes) -> None:
        self._source = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def read(self, size: int = -1) -> bytes:
        return self._source.read(size)


def upload(file: Any, **options: Any) -> Any:
    return lambda client: client.runs.upload_results("run_1", file, **options)


@pytest.fixture
def junit_path(tmp_path: Path) -> Path:
    path = tmp_path / "junit.xml"
    path.write_bytes(JUNIT)
    return path


async def test_upload_bytes(make_harness: HarnessFactory) -> None:
    harness = make_harness(reply(200, UPLOAD))

    result = await harness.call(upload(JUNIT))

    request = harness.api.last
    assert request.method == "POST"
    assert request.url.path == "/v1/runs/run_1/results"
    assert "filename" not in request.url.params
    assert request.headers["content-type"] == "application/xml"
    assert "content-encoding" not in request.headers
    assert request.headers["idempotency-key"].startswith("zof-")
    assert request.content == JUNIT
    assert isinstance(result, ResultsUpload)
    assert result.accepted == 1
    assert result.warnings[0].line == 1
    assert result.run.counts.passed == 1


async def test_upload_path_is_streamed(make_harness: HarnessFactory, junit_path: Path) -> None:
    harness = make_harness(reply(200, UPLOAD))

    await harness.call(upload(junit_path))

    request = harness.api.last
    assert request.url.params["filename"] == "junit.xml"
    assert request.headers["content-length"] == str(len(JUNIT))
    assert request.content == JUNIT


async def test_upload_str_path(make_harness: HarnessFactory, junit_path: Path) -> None:
    harness = make_harness(reply(200, UPLOAD))

    await harness.call(upload(str(junit_path), filename="nightly.xml"))

    assert harness.api.last.url.params["filename"] == "nightly.xml"
    assert harness.api.last.content == JUNIT


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("results.json", "application/json"),
        ("RESULTS.JSON", "application/json"),
        ("junit.xml", "application/xml"),
        ("report.trx", "application/xml"),
        ("noextension", "application/xml"),
    ],
)
async def test_content_type_from_name(
    make_harness: HarnessFactory, filename: str, content_type: str
) -> None:
    harness = make_harness(reply(200, UPLOAD))

    await harness.call(upload(b"{}", filename=filename))

    assert harness.api.last.headers["content-type"] == content_type


async def test_content_type_argument_wins(make_harness: HarnessFactory) -> None:
    harness = make_harness(reply(200, UPLOAD))

    await harness.call(upload(b"<x/>", filename="a.json", content_type="text/xml"))

    assert harness.api.last.headers["content-type"] == "text/xml"


async def test_file_object_uses_its_name(make_harness: HarnessFactory, junit_path: Path) -> None:
    harness = make_harness(reply(200, UPLOAD))

    with junit_path.open("rb") as file:
        await harness.call(upload(file))

    assert harness.api.last.url.params["filename"] == "junit.xml"
    assert harness.api.last.content == JUNIT


async def test_large_body_is_gzipped(make_harness: HarnessFactory, tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    path.write_bytes(BIG_JUNIT)
    harness = make_harness(reply(200, UPLOAD))

    await harness.call(upload(path))
    await harness.call(upload(BIG_JUNIT))

    for request in harness.api.requests:
        assert request.headers["content-encoding"] == "gzip"
        assert gzip.decompress(request.content) == BIG_JUNIT
        assert len(request.content) < len(BIG_JUNIT)


@pytest.mark.parametrize(
    ("body", "compress", "gzipped"),
    [(JUNIT, True, True), (BIG_JUNIT, False, False), (JUNIT, None, False)],
    ids=["forced", "disabled", "small"],
)
async def test_compress_argument(
    make_harness: HarnessFactory, body: bytes, compress: bool | None, gzipped: bool
) -> None:
    harness = make_harness(reply(200, UPLOAD))

    await harness.call(upload(body, compress=compress))

    request = harness.api.last
    assert (request.headers.get("content-encoding") == "gzip") is gzipped
    sent = gzip.decompress(request.content) if gzipped else request.content
    assert sent == body


async def test_gz_file_sent_unchanged(make_harness: HarnessFactory, tmp_path: Path) -> None:
    path = tmp_path / "results.json.gz"
    compressed = gzip.compress(b'{"results": []}')
    path.write_bytes(compressed)
    harness = make_harness(reply(200, UPLOAD))

    await harness.call(upload(path, compress=True))

    request = harness.api.last
    assert request.headers["content-encoding"] == "gzip"
    assert request.headers["content-type"] == "application/json"
    assert request.url.params["filename"] == "results.json.gz"
    assert request.content == compressed


async def test_retry_resends_whole_path(make_harness: HarnessFactory, junit_path: Path) -> None:
    harness = make_harness(error_reply(503, "unavailable"), reply(200, UPLOAD))

    await harness.call(upload(junit_path))

    assert [r.content for r in harness.api.requests] == [JUNIT, JUNIT]
    keys = {r.headers["idempotency-key"] for r in harness.api.requests}
    assert len(keys) == 1


async def test_retry_rewinds_file_object(make_harness: HarnessFactory) -> None:
    file = io.BytesIO(b"HEADER" + JUNIT)
    file.seek(len(b"HEADER"))
    harness = make_harness(error_reply(503, "unavailable"), reply(200, UPLOAD))

    await harness.call(upload(file))

    assert [r.content for r in harness.api.requests] == [JUNIT, JUNIT]
    assert harness.api.requests[0].headers["content-length"] == str(len(JUNIT))


async def test_non_seekable_file_not_retried(make_harness: HarnessFactory) -> None:
    harness = make_harness(error_reply(503, "unavailable"), reply(200, UPLOAD))

    with pytest.raises(InternalServerError):
        await harness.call(upload(NonSeekable(JUNIT)))

    assert len(harness.api.requests) == 1
    assert harness.api.last.content == JUNIT


async def test_text_mode_file_is_rejected(make_harness: HarnessFactory, junit_path: Path) -> None:
    harness = make_harness(reply(200, UPLOAD))

    with junit_path.open("r") as file, pytest.raises(TypeError, match="binary mode"):
        await harness.call(upload(file))


async def test_missing_path_fails_before_sending(
    make_harness: HarnessFactory, tmp_path: Path
) -> None:
    harness = make_harness(reply(200, UPLOAD))

    with pytest.raises(FileNotFoundError):
        await harness.call(upload(tmp_path / "absent.xml"))

    assert harness.api.requests == []


def test_path_body_is_read_in_chunks(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    path.write_bytes(BIG_JUNIT)

    content = UploadBody(path, filename=None, content_type=None, compress=False).sync_content()

    assert not isinstance(content, bytes)
    chunks = list(content)
    assert len(chunks) == -(-len(BIG_JUNIT) // CHUNK_SIZE)
    assert max(len(chunk) for chunk in chunks) == CHUNK_SIZE
    assert b"".join(chunks) == BIG_JUNIT


async def test_async_path_body_is_iterated(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    path.write_bytes(BIG_JUNIT)

    content = UploadBody(path, filename=None, content_type=None, compress=False).async_content()

    assert not isinstance(content, bytes)
    assert b"".join([chunk async for chunk in content]) == BIG_JUNIT
