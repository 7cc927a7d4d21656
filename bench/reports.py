"""Measure the way from a folder of JUnit files to a finished summary report.

    python -m bench.reports [--cases 100000] [--files 100] [--stored-results 1000000]

Pipeline: zof serve (with its worker) on a fresh SQLite file receives every file of the
folder in one run, completes the run, generates a `project` report over the last 24
hours and returns its HTML. The time runs from the first upload to the last byte of the
HTML. The peer tools build their own HTML reports from the same folder:

- junit2html (PyPI): `--merge` into one file, then render it;
- Allure Report 2 (npm `allure-commandline`, on Java 17) and Allure 3 (npm `allure`):
  `allure generate`. Install both with `npm install --prefix bench/out/tools
  allure-commandline allure`; a tool that is missing or fails is recorded, not fatal.

Peak memory is each tool's process tree as `os.wait4` returns it. For zof it is the VmHWM
of the server process, read just before it stops, because its report worker runs inside it.

Generation alone: `compute_summary` over `--stored-results` generated results in one
organization, against the floor of one aggregate scan over the same rows
(`SELECT status, count(*) ... GROUP BY status`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bench.common import (
    REPO,
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
from bench.generate import Sizes, generate
from zof.reports.scope import Period, Scope
from zof.reports.summary import compute_summary

TOOLS = REPO / "bench" / "out" / "tools" / "node_modules"
CASES_PER_SUITE = 200


def write_folder(folder: Path, cases: int, files: int, seed: int) -> None:
    """Write `cases` test cases spread over `files` JUnit XML files."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    per_file = -(-cases // files)
    written = 0
    for number in range(files):
        count = min(per_file, cases - written)
        lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>"]
        for first in range(0, count, CASES_PER_SUITE):
            suite = f"pkg.module{number}.Suite{first // CASES_PER_SUITE}"
            size = min(CASES_PER_SUITE, count - first)
            lines.append(f'<testsuite name="{suite}" tests="{size}">')
            for index in range(size):
                attributes = f'classname="{suite}" name="test_{index}" time="{rng.random():.3f}"'
                roll = rng.random()
                if roll < 0.05:
                    trace = "\n".join(f"  at {suite}.fn{n}(Mod.java:{n})" for n in range(10))
                    lines.append(
                        f'<testcase {attributes}><failure message="expected 1" '
                        f'type="AssertionError">{trace}</failure>'
                        f"<system-out>{'log line ' * rng.randint(5, 50)}</system-out></testcase>"
                    )
                elif roll < 0.08:
                    lines.append(f'<testcase {attributes}><skipped message="off"/></testcase>')
                else:
                    lines.append(f"<testcase {attributes}/>")
            lines.append("</testsuite>")
        lines.append("</testsuites>\n")
        (folder / f"TEST-{number:04d}.xml").write_text("\n".join(lines), encoding="utf-8")
        written += count


def run_tool(command: list[str], cwd: Path, log_path: Path) -> dict[str, Any]:
    """Run one peer tool and return its wall time, peak RSS of its process tree, and exit."""
    started = time.perf_counter()
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    # wait4's rusage covers the child and every descendant it waited for (java, node).
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return {
        "seconds": time.perf_counter() - started,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "exit_code": process.returncode,
    }


def peer_tools(folder: Path, work: Path) -> list[dict[str, Any]]:
    junit2html = REPO / ".venv" / "bin" / "junit2html"
    allure2 = TOOLS / "allure-commandline" / "dist" / "bin" / "allure"
    allure3 = TOOLS / "allure" / "cli.js"
    steps: dict[str, tuple[Path, list[list[str]]]] = {
        "junit2html": (
            junit2html,
            [
                [str(junit2html), "--merge", str(work / "merged.xml"), str(folder)],
                [str(junit2html), str(work / "merged.xml"), str(work / "junit2html.html")],
            ],
        ),
        "Allure Report 2": (
            allure2,
            [[str(allure2), "generate", str(folder), "-o", str(work / "allure2"), "--clean"]],
        ),
        "Allure 3": (
            allure3,
            [["node", str(allure3), "generate", str(folder), "-o", str(work / "allure3")]],
        ),
    }
    rows = []
    for name, (executable, commands) in steps.items():
        if not executable.exists():
            rows.append({"tool": name, "error": f"not installed: {executable} is missing"})
            continue
        # The log outlives the temporary folder, so a failure's message is kept.
        log_path = run_path(f"{name.lower().replace(' ', '-')}.log")
        seconds, peak, failure = 0.0, 0.0, None
        for command in commands:
            outcome = run_tool(command, work, log_path)
            seconds += outcome["seconds"]
            peak = max(peak, outcome["peak_rss_mb"])
            if outcome["exit_code"] != 0:
                failure = f"exit code {outcome['exit_code']}; see {log_path}"
                break
        rows.append({"tool": name, "seconds": seconds, "peak_rss_mb": peak, "error": failure})
    return rows


def zof_pipeline(folder: Path, work: Path) -> dict[str, Any]:
    """Upload the folder into one run, report on it, and download the HTML; return timings."""
    url = f"sqlite+aiosqlite:///{work / 'pipeline.db'}"
    port = free_port()
    command = [arg for arg in zof_serve_command(url, port) if arg != "--no-workers"]
    log_path = run_path("reports-serve.log")
    with running_server(command, port, log_path) as server:
        key = _first_key(log_path)
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=600
        ) as client:
            started = time.perf_counter()
            project = client.post("/v1/projects", json={"name": "bench"}).raise_for_status()
            project_id = project.json()["id"]
            run = client.post("/v1/runs", json={"project_id": project_id, "environment": "ci"})
            run_id = run.raise_for_status().json()["id"]
            for path in sorted(folder.iterdir()):
                client.post(
                    f"/v1/runs/{run_id}/results",
                    content=path.read_bytes(),
                    headers={"Content-Type": "application/xml"},
                ).raise_for_status()
            client.post(f"/v1/runs/{run_id}/complete").raise_for_status()
            uploaded = time.perf_counter()

            scope = {"type": "project", "project_id": project_id}
            created = client.post("/v1/reports", json={"scope": scope, "range": "last_24_hours"})
            report_id = created.raise_for_status().json()["id"]
            status = "queued"
            while status in {"queued", "generating"}:
                time.sleep(0.05)
                status = client.get(f"/v1/reports/{report_id}").json()["status"]
            if status != "ready":
                raise SystemExit(f"report {report_id} ended {status}")
            generated = time.perf_counter()

            html = client.get(f"/v1/reports/{report_id}/content", params={"format": "html"})
            (work / "zof.html").write_bytes(html.raise_for_status().content)
            finished = time.perf_counter()
        peak = peak_rss_mb(server.pid)
    return {
        "tool": "zof",
        "seconds": finished - started,
        "upload_seconds": uploaded - started,
        "generate_seconds": generated - uploaded,
        "download_seconds": finished - generated,
        "peak_rss_mb": peak,
        "html_bytes": len(html.content),
        "error": None,
    }


def _first_key(log_path: Path) -> str:
    # The first `zof serve` on an empty database bootstraps an organization and prints its key.
    for line in log_path.read_text().splitlines()[::-1]:
        if "Admin API key" in line:
            return line.rsplit(" ", 1)[-1]
    raise SystemExit(f"no admin key in {log_path}")


async def _time_generation(url: str, organization_id: str) -> dict[str, Any]:
    engine = create_async_engine(url)
    now = datetime.now(UTC)
    period = Period(now - timedelta(days=366), now)
    try:
        async with engine.connect() as conn:
            started = time.perf_counter()
            floor = await conn.execute(
                sa.text(
                    "SELECT status, count(*) FROM results WHERE organization_id = :org "
                    "GROUP BY status"
                ),
                {"org": organization_id},
            )
            counted = sum(row[1] for row in floor)
            scan_seconds = time.perf_counter() - started

            started = time.perf_counter()
            summary = await compute_summary(conn, organization_id, Scope("organization"), period)
            summary_seconds = time.perf_counter() - started
    finally:
        await engine.dispose()
    return {
        "results": counted,
        "summarized_results": summary["tests"]["total"],
        "scan_seconds": scan_seconds,
        "summary_seconds": summary_seconds,
    }


def generation_alone(stored_results: int, seed: int, work: Path) -> dict[str, Any]:
    """Time `compute_summary` over `stored_results` generated results on SQLite."""
    runs = max(1, stored_results // 100)
    sizes = Sizes(organizations=1, reports=0, runs=runs, results_per_run=stored_results // runs)
    manifest = generate(f"sqlite:///{work / 'stored.db'}", sizes, seed)
    organization_id = manifest.organizations[0].id
    return asyncio.run(_time_generation(manifest.database_url, organization_id))


def report(pipeline: list[dict[str, Any]], alone: dict[str, Any], cases: int) -> None:
    reference = pipeline[0]
    rows = []
    for row in pipeline:
        failed = row.get("error")
        rows.append(
            [
                row["tool"],
                cases,
                None if failed and "seconds" not in row else row.get("seconds"),
                row.get("peak_rss_mb"),
                None if failed else ratio(row["seconds"], reference["seconds"]),
                failed or "",
            ]
        )
    headers = ["from folder to HTML", "cases", "seconds", "peak RSS MiB", "time ratio", "error"]
    print_table(headers, rows)
    print(
        f"zof: upload {reference['upload_seconds']:.1f} s, generate "
        f"{reference['generate_seconds']:.1f} s, download {reference['download_seconds']:.2f} s"
    )
    print()
    print_table(
        ["generation alone", "results", "seconds", "ratio"],
        [
            ["one GROUP BY scan", alone["results"], alone["scan_seconds"], 1.0],
            [
                "compute_summary",
                alone["summarized_results"],
                alone["summary_seconds"],
                ratio(alone["summary_seconds"], alone["scan_seconds"]),
            ],
        ],
    )


def main() -> None:
    options = argparse.ArgumentParser(description="Benchmark folder-to-report against peers.")
    options.add_argument("--cases", type=int, default=100_000, help="test cases in the folder")
    options.add_argument("--files", type=int, default=100, help="JUnit files in the folder")
    options.add_argument(
        "--stored-results", type=int, default=1_000_000, help="results for generation alone"
    )
    options.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    options.add_argument("--quick", action="store_true", help="toy sizes, for the smoke test")
    arguments = options.parse_args()
    if arguments.quick:
        arguments.cases, arguments.files, arguments.stored_results = 400, 2, 400

    with tempfile.TemporaryDirectory() as name:
        work = Path(name)
        folder = work / "junit"
        write_folder(folder, arguments.cases, arguments.files, arguments.seed)
        pipeline = [zof_pipeline(folder, work)]
        if not arguments.quick:
            pipeline += peer_tools(folder, work)
        alone = generation_alone(arguments.stored_results, arguments.seed, work)

    report(pipeline, alone, arguments.cases)
    path = write_result(
        "reports",
        {
            "machine": machine(),
            "seed": arguments.seed,
            "cases": arguments.cases,
            "files": arguments.files,
            "pipeline": pipeline,
            "generation_alone": alone,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
