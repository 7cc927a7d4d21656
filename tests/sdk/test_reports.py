"""Reports.wait polling and report content downloads."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from zof.client import (
    APIConnectionError,
    ConflictError,
    NotFoundError,
    Report,
    ReportFailedError,
    WaitTimeoutError,
)

from .fake_api import REPORT, HarnessFactory, error_reply, reply

CSV = b"test,status\ncart,failed\n"


def report(status: str, **fields: object) -> dict[str, object]:
    return {**REPORT, "status": status, **fields}


async def test_wait_returns_ready_report(make_harness: HarnessFactory) -> None:
    harness = make_harness(
        reply(200, report("queued")),
        reply(200, report("generating")),
        reply(200, report("ready", summary={"pass_rate": 0.9})),
    )

    ready = await harness.call(lambda c: c.reports.wait("rpt_1", poll_interval=2.0))

    assert isinstance(ready, Report)
    assert ready.summary == {"pass_rate": 0.9}
    assert harness.sleeps == [2.0, 2.0]
    assert all(r.url.path == "/v1/reports/rpt_1" for r in harness.api.requests)


async def test_wait_ready_at_once_does_not_sleep(make_harness: HarnessFactory) -> None:
    harness = make_harness(reply(200, report("ready")))

    await harness.call(lambda c: c.reports.wait("rpt_1"))

    assert harness.sleeps == []


async def test_wait_raises_on_failed_report(make_harness: HarnessFactory) -> None:
    error = {"code": "generation_failed", "message": "Database unavailable."}
    harness = make_harness(
        reply(200, report("generating")), reply(200, report("failed", error=error))
    )

    with pytest.raises(ReportFailedError) as caught:
        await harness.call(lambda c: c.reports.wait("rpt_1"))

    assert caught.value.report.error == error
    assert "rpt_1" in str(caught.value)
    assert str(caught.value) == "Report rpt_1 failed: generation_failed: Database unavailable."


async def test_wait_times_out(make_harness: HarnessFactory) -> None:
    harness = make_harness(reply(200, report("generating")))

    with pytest.raises(WaitTimeoutError) as caught:
        await harness.call(lambda c: c.reports.wait("rpt_1", timeout=3.0, poll_interval=1.0))

    assert caught.value.report_id == "rpt_1"
    assert caught.value.last_status == "generating"
    assert isinstance(caught.value, TimeoutError)
    assert harness.sleeps == [1.0, 1.0, 1.0]
    assert len(harness.api.requests) == 4


async def test_wait_shortens_last_sleep(make_harness: HarnessFactory) -> None:
    harness = make_harness(reply(200, report("queued")))

    with pytest.raises(WaitTimeoutError):
        await harness.call(lambda c: c.reports.wait("rpt_1", timeout=2.5, poll_interval=1.0))

    assert harness.sleeps == [1.0, 1.0, 0.5]


@pytest.mark.parametrize(
    ("timeout", "poll_interval", "argument"),
    [(-1.0, 1.0, "timeout"), (10.0, 0.0, "poll_interval")],
)
async def test_wait_rejects_bad_arguments(
    make_harness: HarnessFactory, timeout: float, poll_interval: float, argument: str
) -> None:
    harness = make_harness()

    with pytest.raises(ValueError, match=argument):
        await harness.call(
            lambda c: c.reports.wait("rpt_1", timeout=timeout, poll_interval=poll_interval)
        )

    assert harness.api.requests == []


async def test_wait_propagates_not_found(make_harness: HarnessFactory) -> None:
    harness = make_harness(error_reply(404, "not_found"))

    with pytest.raises(NotFoundError):
        await harness.call(lambda c: c.reports.wait("rpt_1"))


async def test_download_returns_bytes(make_harness: HarnessFactory) -> None:
    harness = make_harness(reply(200, CSV, {"Content-Type": "text/csv"}))

    content = await harness.call(lambda c: c.reports.download("rpt_1", "csv"))

    request = harness.api.last
    assert content == CSV
    assert request.url.path == "/v1/reports/rpt_1/content"
    assert dict(request.url.params) == {"format": "csv"}
    assert request.headers["accept"] == "*/*"


async def test_download_defaults_to_json(make_harness: HarnessFactory) -> None:
    harness = make_harness(reply(200, b"{}"))

    await harness.call(lambda c: c.reports.download("rpt_1"))

    assert harness.api.last.url.params["format"] == "json"


async def test_download_is_retried(make_harness: HarnessFactory) -> None:
    harness = make_harness(error_reply(503, "unavailable"), reply(200, CSV))

    content = await harness.call(lambda c: c.reports.download("rpt_1", "csv"))

    assert content == CSV
    assert len(harness.api.requests) == 2


async def test_download_to_writes_file(make_harness: HarnessFactory, tmp_path: Path) -> None:
    harness = make_harness(reply(200, CSV))
    target = tmp_path / "weekly.csv"

    written = await harness.call(lambda c: c.reports.download_to("rpt_1", target, "csv"))

    assert written == target
    assert target.read_bytes() == CSV
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weekly.csv"]


@pytest.mark.parametrize(
    ("disposition", "expected_name"),
    [
        ('attachment; filename="rpt_1-summary.csv"', "rpt_1-summary.csv"),
        ('attachment; filename="../../escape.csv"', "escape.csv"),
        (None, "rpt_1.csv"),
    ],
    ids=["server-name", "traversal", "no-header"],
)
async def test_download_to_folder(
    make_harness: HarnessFactory, tmp_path: Path, disposition: str | None, expected_name: str
) -> None:
    headers = {"Content-Disposition": disposition} if disposition else {}
    harness = make_harness(reply(200, CSV, headers))

    written = await harness.call(lambda c: c.reports.download_to("rpt_1", tmp_path, "csv"))

    assert written == tmp_path / expected_name
    assert written.read_bytes() == CSV


async def test_download_to_error_writes_nothing(
    make_harness: HarnessFactory, tmp_path: Path
) -> None:
    harness = make_harness(error_reply(409, "report_not_ready"))
    target = tmp_path / "weekly.csv"

    with pytest.raises(ConflictError):
        await harness.call(lambda c: c.reports.download_to("rpt_1", target, "csv"))

    assert list(tmp_path.iterdir()) == []


class BrokenStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body that fails after its first chunk, like a dropped connection."""

    def __iter__(self) -> Iterator[bytes]:
        yield b"test,status\n"
        raise httpx.ReadError("connection reset")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"test,status\n"
        raise httpx.ReadError("connection reset")


async def test_download_to_interrupted_leaves_nothing(
    make_harness: HarnessFactory, tmp_path: Path
) -> None:
    harness = make_harness(lambda request: httpx.Response(200, stream=BrokenStream()))
    target = tmp_path / "weekly.csv"

    with pytest.raises(APIConnectionError, match="rpt_1"):
        await harness.call(lambda c: c.reports.download_to("rpt_1", target, "csv"))

    assert list(tmp_path.iterdir()) == []
