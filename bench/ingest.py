"""Measure JUnit XML ingest: parsing alone, and upload-and-store through HTTP.

    python -m bench.ingest [--megabytes 200] [--upload-megabytes 40] [--seed 1]

Parsing: each parser reads the same generated file (`bench.ingest_memory.generate`) in a
fresh process, so its peak RSS is its own. The reference, the limit for any Python parser,
is the standard library's expat counting `testcase` start tags. Beside zof's
`UploadParser` (64 KiB chunks) run a plain 64 KiB read of the file (the I/O floor), lxml's
raw `iterparse` and junitparser (`bench/requirements.txt`), which loads the whole tree and
reads every case's result.

Upload-and-store: `zof serve` on a fresh SQLite file, one `POST /v1/runs`, then the smaller
upload file streamed to `POST /v1/runs/{id}/results` as `application/xml`. The time runs
from the first byte sent to the 201 and covers receiving, parsing and storing every result.
The server's peak RSS is read from /proc (VmHWM) before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import tempfile
import time
import xml.parsers.expat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
from lxml import etree

from bench.common import (
    free_port,
    machine,
    peak_rss_mb,
    print_table,
    ratio,
    run_path,
    running_server,
    write_result,
    zof_serve_command,
)
from bench.ingest_memory import generate as generate_junit
from zof.ingest import UploadParser
from zof.services.accounts import bootstrap
from zof.store.database import Database
from zof.store.migrate import upgrade

CHUNK_BYTES = 64 * 1024


def _chunks(path: str) -> Iterator[bytes]:
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK_BYTES):
            yield chunk


def read_only(path: str) -> int:
    for _ in _chunks(path):
        pass
    return 0


def expat_count(path: str) -> int:
    count = 0

    def start(name: str, _attributes: dict[str, str]) -> None:
        nonlocal count
        if name == "testcase":
            count += 1

    parser = xml.parsers.expat.ParserCreate()
    parser.StartElementHandler = start
    for chunk in _chunks(path):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return count


def lxml_iterparse(path: str) -> int:
    count = 0
    for _, element in etree.iterparse(path, events=("end",), tag="testcase"):
        count += 1
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]
    return count


def zof_upload_parser(path: str) -> int:
    parser = UploadParser(content_type="application/xml", filename="bench.xml")
    count = 0
    for chunk in _chunks(path):
        count += len(parser.feed(chunk))
    return count + len(parser.close())


def junitparser_results(path: str) -> int:
    from junitparser import JUnitXml

    count = 0
    for suite in JUnitXml.fromfile(path):
        for case in suite:
            count += 1
            case.result  # noqa: B018 - reading the result is the work being measured.
    return count


PARSERS: dict[str, Callable[[str], int]] = {
    "read 64 KiB chunks": read_only,
    "expat, count testcase": expat_count,
    "lxml iterparse": lxml_iterparse,
    "zof UploadParser": zof_upload_parser,
    "junitparser": junitparser_results,
}
REFERENCE = "expat, count testcase"


def _timed(name: str, path: str) -> tuple[int, float, float]:
    started = time.perf_counter()
    count = PARSERS[name](path)
    seconds = time.perf_counter() - started
    # In the child, RUSAGE_SELF is this parser's own peak; ru_maxrss is in KiB on Linux.
    return count, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_parser(name: str, path: Path) -> tuple[int, float, float]:
    """Run one parser in a fresh interpreter; return its cases, seconds and peak RSS in MiB."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_timed, (name, str(path)))


def measure_parsers(path: Path, expected: int) -> list[dict[str, Any]]:
    size_mb = path.stat().st_size / 1024 / 1024
    rows = []
    for name in PARSERS:
        count, seconds, peak = run_parser(name, path)
        if name != "read 64 KiB chunks" and count != expected:
            raise SystemExit(f"{name} counted {count} cases, not the {expected} generated")
        rows.append(
            {
                "parser": name,
                "cases": expected,
                "seconds": seconds,
                "cases_per_second": expected / seconds,
                "mb_per_second": size_mb / seconds,
                "peak_rss_mb": peak,
            }
        )
    return rows


async def _bootstrap(url: str) -> str:
    db = Database(url)
    try:
        return (await bootstrap(db, "ingest benchmark")).api_key
    finally:
        await db.dispose()


def measure_upload(path: Path, expected: int, folder: Path) -> dict[str, Any]:
    """Upload `path` into a new run of a fresh server and return the timings."""
    url = f"sqlite+aiosqlite:///{folder / 'ingest.db'}"
    upgrade(url)
    key = asyncio.run(_bootstrap(url))
    port = free_port()
    size = path.stat().st_size
    command = [*zof_serve_command(url, port), "--max-upload-bytes", str(size + 1)]
    with running_server(command, port, run_path("ingest-serve.log")) as server:
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=600) as client:
            project = client.post("/v1/projects", json={"name": "ingest"}).raise_for_status()
            run = client.post(
                "/v1/runs", json={"project_id": project.json()["id"], "environment": "bench"}
            ).raise_for_status()
            rss_before = peak_rss_mb(server.pid)
            started = time.perf_counter()
            upload = client.post(
                f"/v1/runs/{run.json()['id']}/results",
                content=_chunks(str(path)),
                headers={"Content-Type": "application/xml", "Content-Length": str(size)},
            ).raise_for_status()
            seconds = time.perf_counter() - started
            rss_after = peak_rss_mb(server.pid)
    accepted = upload.json()["accepted"]
    if accepted != expected:
        raise SystemExit(f"the server accepted {accepted} cases, not the {expected} generated")
    return {
        "cases": accepted,
        "seconds": seconds,
        "cases_per_second": accepted / seconds,
        "mb_per_second": size / 1024 / 1024 / seconds,
        "server_peak_rss_mb_before": rss_before,
        "server_peak_rss_mb_after": rss_after,
    }


def report(parsing: list[dict[str, Any]], upload: dict[str, Any], upload_expat: float) -> None:
    reference = next(row for row in parsing if row["parser"] == REFERENCE)
    print_table(
        ["parser", "cases", "seconds", "cases/s", "MB/s", "peak RSS MiB", "cases/s ratio"],
        [
            [
                row["parser"],
                row["cases"],
                row["seconds"],
                row["cases_per_second"],
                row["mb_per_second"],
                row["peak_rss_mb"],
                ratio(row["cases_per_second"], reference["cases_per_second"]),
            ]
            for row in parsing
        ],
    )
    print()
    print_table(
        ["upload and store", "cases", "seconds", "cases/s", "MB/s", "server peak MiB", "ratio"],
        [
            [
                "HTTP, SQLite",
                upload["cases"],
                upload["seconds"],
                upload["cases_per_second"],
                upload["mb_per_second"],
                upload["server_peak_rss_mb_after"],
                ratio(upload["cases_per_second"], upload_expat),
            ]
        ],
    )
    print(f"(ratio against expat on the same {upload['cases']:,} cases: {upload_expat:,.0f}/s)")


def main() -> None:
    options = argparse.ArgumentParser(description="Benchmark JUnit XML parsing and uploads.")
    options.add_argument("--megabytes", type=int, default=200, help="size of the parsed file")
    options.add_argument(
        "--upload-megabytes", type=int, default=40, help="size of the uploaded file"
    )
    options.add_argument("--seed", type=int, default=1, help="seed of the generated files")
    options.add_argument("--quick", action="store_true", help="toy sizes, for the smoke test")
    arguments = options.parse_args()
    if arguments.quick:
        arguments.megabytes, arguments.upload_megabytes = 1, 1

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        parsed, uploaded = folder / "parsed.xml", folder / "uploaded.xml"
        parsed_cases = generate_junit(parsed, arguments.megabytes, arguments.seed)
        uploaded_cases = generate_junit(uploaded, arguments.upload_megabytes, arguments.seed)
        parsing = measure_parsers(parsed, parsed_cases)
        upload = measure_upload(uploaded, uploaded_cases, folder)
        _, expat_seconds, _ = run_parser(REFERENCE, uploaded)

    report(parsing, upload, uploaded_cases / expat_seconds)
    path = write_result(
        "ingest",
        {
            "machine": machine(),
            "seed": arguments.seed,
            "parsed_megabytes": arguments.megabytes,
            "uploaded_megabytes": arguments.upload_megabytes,
            "parsing": parsing,
            "upload": upload,
            "upload_expat_cases_per_second": uploaded_cases / expat_seconds,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
