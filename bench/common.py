"""Helpers every benchmark shares: servers on loopback, a bounded load loop, and reporting.

Benchmarks run from the repository root as modules (`python -m bench.listing`). Each one
compares zof with a reference measured in the same run, because the machines we measure on
are shared and their absolute speed drifts from one run to the next.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import platform
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out"
# Every process a benchmark starts gets this secret, so cursors can be minted offline.
SECRET_KEY = "bench-secret"
# Files of one run (databases, server logs) go to a folder of their own, because the smoke
# tests may run a benchmark while another one is running from the same tree.
RUN_ID = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}"


def run_path(name: str) -> Path:
    """Return `bench/out/<run id>/<name>`, creating the folder."""
    folder = OUT / RUN_ID
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def zof_serve_command(database_url: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "zof",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--database-url",
        database_url,
        "--rate-limit-per-minute",
        "0",
        "--no-workers",
    ]


@dataclass(frozen=True)
class Server:
    url: str
    pid: int


@contextmanager
def running_server(command: Sequence[str], port: int, log_path: Path) -> Iterator[Server]:
    """Run `command` until the block ends; yield it once `/healthz` returns 200."""
    environment = {**os.environ, "ZOF_SECRET_KEY": SECRET_KEY, "ZOF_LOG_FORMAT": "text"}
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            list(command), stdout=log, stderr=subprocess.STDOUT, env=environment, cwd=REPO
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base_url, process, log_path)
        yield Server(base_url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early; its log:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server did not return 200 on /healthz within 120 s; see {log_path}")


@dataclass(frozen=True)
class Target:
    """One request of a load: a URL and its headers."""

    url: str
    headers: dict[str, str]


@dataclass
class LoadSample:
    """The raw outcome of one bounded load."""

    latencies: list[float]
    seconds: float
    errors: int
    response_bytes: int


@dataclass(frozen=True)
class LoadResult:
    requests: int
    errors: int
    seconds: float
    median_ms: float
    p99_ms: float
    requests_per_second: float
    mean_response_bytes: float
    # CPU time of the server process alone (not the database's), which other tenants of
    # a shared machine disturb much less than they disturb latency.
    server_cpu_ms_per_request: float


class LoadClient:
    """A separate process that sends bounded loads, so the client's CPU time is not charged
    to the server's event loop. Use it as a context manager; it serves many loads."""

    def __enter__(self) -> LoadClient:
        self._pool = multiprocessing.get_context("spawn").Pool(1)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._pool.terminate()
        self._pool.join()

    def run(
        self, targets: Sequence[Target], *, requests: int, concurrency: int, time_limit: float
    ) -> LoadSample:
        """Send up to `requests` GETs, cycling through `targets`, with `concurrency` in flight.

        The load stops early after `time_limit` seconds. Any response other than 200 counts
        as an error.
        """
        arguments = (list(targets), requests, concurrency, time_limit)
        return self._pool.apply(_load_process, arguments)

    def compare(
        self,
        servers: Sequence[tuple[Server, Sequence[Target]]],
        *,
        requests: int,
        concurrency: int,
        time_limit: float,
        blocks: int = 10,
    ) -> list[LoadResult]:
        """Load each server in turn, `blocks` times with a share of the requests each, so
        that a burst of noise on the machine falls on every server alike."""
        samples: list[list[LoadSample]] = [[] for _ in servers]
        cpu = [0.0 for _ in servers]
        per_block = max(1, requests // blocks)
        for _ in range(blocks):
            for index, (server, targets) in enumerate(servers):
                before = cpu_seconds(server.pid)
                samples[index].append(
                    self.run(
                        targets,
                        requests=per_block,
                        concurrency=concurrency,
                        time_limit=time_limit / blocks,
                    )
                )
                cpu[index] += cpu_seconds(server.pid) - before
        return [_summarize(parts, seconds) for parts, seconds in zip(samples, cpu, strict=True)]


def _summarize(samples: Sequence[LoadSample], cpu: float) -> LoadResult:
    latencies = [latency for sample in samples for latency in sample.latencies]
    seconds = sum(sample.seconds for sample in samples)
    count = len(latencies)
    return LoadResult(
        requests=count,
        errors=sum(sample.errors for sample in samples),
        seconds=seconds,
        median_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        requests_per_second=count / seconds if seconds else 0.0,
        mean_response_bytes=sum(s.response_bytes for s in samples) / count if count else 0.0,
        server_cpu_ms_per_request=cpu / count * 1000 if count else 0.0,
    )


def _load_process(
    targets: list[Target], requests: int, concurrency: int, time_limit: float
) -> LoadSample:
    return asyncio.run(_load(targets, requests, concurrency, time_limit))


async def _load(
    targets: list[Target], requests: int, concurrency: int, time_limit: float
) -> LoadSample:
    latencies: list[float] = []
    response_bytes = 0
    errors = 0
    issued = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        # One warm-up request per connection opens it before the clock starts.
        for target in targets[:concurrency]:
            await client.get(target.url, headers=target.headers)
        started = time.perf_counter()
        deadline = started + time_limit

        async def worker() -> None:
            nonlocal errors, issued, response_bytes
            while issued < requests and time.perf_counter() < deadline:
                target = targets[issued % len(targets)]
                issued += 1
                sent = time.perf_counter()
                response = await client.get(target.url, headers=target.headers)
                latencies.append(time.perf_counter() - sent)
                response_bytes += len(response.content)
                if response.status_code != 200:
                    errors += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - started

    return LoadSample(latencies, seconds, errors, response_bytes)


def cpu_seconds(pid: int) -> float:
    """Return the user plus system CPU time a process has used so far, in seconds."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        # Fields 14 and 15 (utime, stime) follow the command name, which may hold spaces.
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """Return the peak resident memory of a running process, in MiB (Linux's VmHWM)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"/proc/{pid}/status has no VmHWM line")


def percentile(values: Sequence[float], rank: float) -> float:
    """Return the nearest-rank percentile of `values` (0.0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(rank / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def ratio(value: float, reference: float) -> float | None:
    return value / reference if reference else None


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max(len(str(h)), *(len(row[i]) for row in cells)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(value.rjust(w) for value, w in zip(row, widths, strict=True)))


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def machine(postgres_version: str | None = None) -> dict[str, Any]:
    """Describe the machine and the software versions a result was measured with."""
    memory_kib = 0
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres_version,
        "platform": platform.platform(),
    }


def write_result(name: str, payload: dict[str, Any]) -> Path:
    """Write `payload` to `bench/out/<name>-<run id>.json` and return the path."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}-{RUN_ID}.json"
    path.write_text(json.dumps(payload, indent=2, default=_json_default) + "\n")
    return path


def _json_default(value: object) -> object:
    if isinstance(value, LoadResult | LoadSample):
        return asdict(value)
    if isinstance(value, datetime | Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to a result file")
