"""Measure paging through reports with the SDK against a plain httpx loop.

    python -m bench.sdk [--reports 10000] [--rounds 5] [--seed 1]

One organization with `--reports` generated reports on SQLite, served by `zof serve`. Each
round walks the whole list, 100 reports a page, twice: with `zof.client.Zof.reports.list()`
(typed pydantic objects, lazily fetched pages) and with the reference, an `httpx.Client`
loop that follows `next_cursor` and decodes each page with `Response.json()`. The two walks
alternate, and the figures are the medians over the rounds. Both sides share the server,
so the ratio is the client-side cost of the SDK plus the server time, which is the same
for both.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import (
    free_port,
    machine,
    print_table,
    ratio,
    run_path,
    running_server,
    write_result,
    zof_serve_command,
)
from bench.generate import Sizes, generate
from zof.client import Zof

PAGE = 100


def walk_with_sdk(base_url: str, api_key: str) -> int:
    with Zof(api_key=api_key, base_url=base_url) as client:
        return sum(1 for _ in client.reports.list(limit=PAGE))


def walk_with_httpx(base_url: str, api_key: str) -> int:
    headers = {"Authorization": f"Bearer {api_key}"}
    count = 0
    params: dict[str, Any] = {"limit": PAGE}
    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as client:
        while True:
            page = client.get("/v1/reports", params=params).raise_for_status().json()
            count += len(page["data"])
            if not page["has_more"]:
                return count
            params = {"limit": PAGE, "starting_after": page["next_cursor"]}


def measure(base_url: str, api_key: str, expected: int, rounds: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {"httpx loop": [], "zof SDK": []}
    walks = {"httpx loop": walk_with_httpx, "zof SDK": walk_with_sdk}
    walk_with_httpx(base_url, api_key)  # warm the server's caches
    for _ in range(rounds):
        for name, walk in walks.items():
            started = time.perf_counter()
            count = walk(base_url, api_key)
            timings[name].append(time.perf_counter() - started)
            if count != expected:
                raise SystemExit(f"{name} listed {count} reports, not {expected}")
    return timings


def main() -> None:
    options = argparse.ArgumentParser(description="Benchmark SDK pagination against httpx.")
    options.add_argument("--reports", type=int, default=10_000, help="reports to page through")
    options.add_argument("--rounds", type=int, default=5, help="walks of each client")
    options.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    options.add_argument("--quick", action="store_true", help="toy sizes, for the smoke test")
    arguments = options.parse_args()
    if arguments.quick:
        arguments.reports, arguments.rounds = 250, 1

    with tempfile.TemporaryDirectory() as name:
        url = f"sqlite:///{Path(name) / 'sdk.db'}"
        sizes = Sizes(organizations=1, projects_per_organization=1, reports=arguments.reports)
        manifest = generate(url, sizes, arguments.seed)
        api_key = manifest.organizations[0].api_key
        port = free_port()
        command = zof_serve_command(url, port)
        with running_server(command, port, run_path("sdk-serve.log")) as server:
            timings = measure(server.url, api_key, arguments.reports, arguments.rounds)

    medians = {name: statistics.median(values) for name, values in timings.items()}
    reference = medians["httpx loop"]
    rows = [
        [name, arguments.reports, seconds, arguments.reports / seconds, ratio(seconds, reference)]
        for name, seconds in medians.items()
    ]
    print_table(["client", "reports", "median s", "reports/s", "time ratio"], rows)
    path = write_result(
        "sdk",
        {
            "machine": machine(),
            "seed": arguments.seed,
            "reports": arguments.reports,
            "timings_seconds": timings,
            "median_seconds": medians,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
