"""A bounded mixed workload against one `zof serve` on loopback, for the reliability record.

Starts its own server on a fresh database, seeds projects, then runs a fixed mix of
requests from concurrent clients for `--duration` seconds, and reports requests per
second, latency percentiles per operation, the error count by status, and the server's
memory (resident set size) over time.

    python bench/load_mixed.py --duration 600                      # SQLite, 10 minutes
    python bench/load_mixed.py --database-url postgresql://postgres@127.0.0.1:5432/zof_load
    python bench/load_mixed.py --quick                             # a 10-second smoke run

Every request goes to 127.0.0.1; the loop stops by itself after the duration.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.server import Server, bootstrap  # noqa: E402

# Operation name, weight. Reads dominate, as they do for a reporting service.
MIX = [
    ("list_reports", 35),
    ("list_reports_by_scope", 15),
    ("get_report", 10),
    ("list_runs", 10),
    ("list_results", 8),
    ("upload", 10),
    ("create_report", 5),
    ("download_html", 5),
    ("bad_request", 2),
]


def junit(rng: random.Random, cases: int) -> bytes:
    lines = ['<?xml version="1.0"?>', '<testsuite name="load">']
    for index in range(cases):
        outcome = rng.random()
        body = ""
        if outcome < 0.05:
            body = '<failure message="assertion failed">trace</failure>'
        elif outcome < 0.08:
            body = "<skipped/>"
        lines.append(
            f'<testcase classname="pkg.mod{index % 7}" name="test {index}" '
            f'time="{rng.random():.3f}">{body}</testcase>'
        )
    lines.append("</testsuite>")
    return "\n".join(lines).encode()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Load:
    def __init__(self, base_url: str, key: str, seed: int) -> None:
        self.client = httpx.AsyncClient(
            base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=60
        )
        self.rng = random.Random(seed)
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter[int] = Counter()
        self.projects: list[str] = []
        self.reports: list[str] = []
        self.runs: list[str] = []

    async def seed(self) -> None:
        for name in ("web", "backend", "mobile"):
            response = await self.client.post("/v1/projects", json={"name": name})
            self.projects.append(response.json()["id"])
        for _ in range(6):
            await self.upload()
        for _ in range(5):
            await self.create_report()

    async def upload(self) -> httpx.Response:
        project = self.rng.choice(self.projects)
        environment = self.rng.choice(["staging", "production"])
        run = await self.client.post(
            "/v1/runs",
            json={"project_id": project, "environment": environment,
                  "commit_sha": f"{self.rng.randrange(16**7):07x}"},
        )
        run_id = run.json()["id"]
        self.runs.append(run_id)
        response = await self.client.post(
            f"/v1/runs/{run_id}/results",
            content=junit(self.rng, self.rng.randrange(50, 400)),
            headers={"Content-Type": "application/xml"},
        )
        await self.client.post(f"/v1/runs/{run_id}/complete")
        return response

    async def create_report(self) -> httpx.Response:
        body: dict[str, Any] = {"range": self.rng.choice(["last_24_hours", "last_7_days"])}
        if self.rng.random() < 0.5:
            body["scope"] = {"type": "organization"}
        else:
            body["scope"] = {"type": "project", "project_id": self.rng.choice(self.projects)}
        response = await self.client.post("/v1/reports", json=body)
        if response.status_code == 201:
            self.reports.append(response.json()["id"])
        return response

    async def one(self, operation: str) -> httpx.Response:
        rng = self.rng
        if operation == "list_reports":
            return await self.client.get("/v1/reports", params={"limit": 20})
        if operation == "list_reports_by_scope":
            return await self.client.get(
                "/v1/reports",
                params={"project_id": rng.choice(self.projects), "from": "2026-01-01", "limit": 50},
            )
        if operation == "get_report":
            return await self.client.get(f"/v1/reports/{rng.choice(self.reports)}")
        if operation == "list_runs":
            return await self.client.get("/v1/runs", params={"status": "failed"})
        if operation == "list_results":
            return await self.client.get(
                "/v1/results", params={"run_id": rng.choice(self.runs), "status": "failed"}
            )
        if operation == "upload":
            return await self.upload()
        if operation == "create_report":
            return await self.create_report()
        if operation == "download_html":
            report_id = rng.choice(self.reports)
            return await self.client.get(
                f"/v1/reports/{report_id}/content", params={"format": "html"}
            )
        return await self.client.get("/v1/reports", params={"limit": "0"})

    async def worker(self, deadline: float) -> None:
        names = [name for name, _ in MIX]
        weights = [weight for _, weight in MIX]
        while time.monotonic() < deadline:
            operation = self.rng.choices(names, weights)[0]
            started = time.perf_counter()
            response = await self.one(operation)
            self.latencies[operation].append((time.perf_counter() - started) * 1000)
            self.statuses[response.status_code] += 1


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="zof-load-"))
    database_url = args.database_url or f"sqlite+aiosqlite:///{folder / 'zof.db'}"
    _, key = bootstrap(database_url)
    server = Server(database_url, folder / "server.log", "--rate-limit-per-minute", "0")
    server.start()
    assert server.process is not None
    pid = server.process.pid
    load = Load(server.url, key, args.seed)
    memory: list[tuple[float, int]] = []
    try:
        await load.seed()
        start = time.monotonic()
        deadline = start + args.duration
        memory.append((0.0, rss_kib(pid)))

        async def sample_memory() -> None:
            while time.monotonic() < deadline:
                await asyncio.sleep(min(10, args.duration / 10))
                memory.append((time.monotonic() - start, rss_kib(pid)))

        await asyncio.gather(sample_memory(), *(load.worker(deadline) for _ in range(args.clients)))
        elapsed = time.monotonic() - start
    finally:
        await load.client.aclose()
        server.stop()

    total = sum(load.statuses.values())
    log = server.log_path.read_text()
    result = {
        "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
        "duration_s": round(elapsed, 1),
        "clients": args.clients,
        "requests": total,
        "requests_per_s": round(total / elapsed, 1),
        "statuses": dict(sorted(load.statuses.items())),
        "server_errors": sum(n for status, n in load.statuses.items() if status >= 500),
        "tracebacks_in_log": log.count("Traceback"),
        "rss_kib_start": memory[0][1],
        "rss_kib_end": memory[-1][1],
        "rss_kib_max": max(value for _, value in memory),
        "operations": {
            name: {
                "count": len(values),
                "p50_ms": round(statistics.median(values), 1),
                "p95_ms": round(percentile(values, 95), 1),
                "p99_ms": round(percentile(values, 99), 1),
            }
            for name, values in sorted(load.latencies.items())
        },
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=600, help="seconds of load")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL; SQLite by default")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="10 seconds, 2 clients")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "out" / "load_mixed.json")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.clients = 10, 2
    result = asyncio.run(run(args))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    if result["server_errors"] or result["tracebacks_in_log"]:
        sys.exit(1)


if __name__ == "__main__":
    os.environ.setdefault("ZOF_LOG_FORMAT", "text")
    main()
