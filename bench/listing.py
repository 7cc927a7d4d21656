"""Measure `GET /v1/reports?limit=100&project_id=...` against a bare ASGI reference.

    python -m bench.listing                    # PostgreSQL, then SQLite
    python -m bench.listing --backend sqlite --quick

For each database the script fills a fresh database with `bench.generate` and starts
`zof serve` and the bare reference (`bench.bare_app`) side by side on loopback ports. A
separate process sends each the same bounded loads, alternating between the two, so that
noise from other jobs on the machine falls on both:

- the first page of every organization's main project, at concurrency 1 and 16;
- the first page and the deep page (5,000th by default) of the large organization's main
  project, at concurrency 1. Deep cursors are minted from the row at that depth, with the
  server secret that `bench.common` sets, and checked against what the servers return.

The PostgreSQL database is created on `--postgres-admin-url` and dropped at the end, and the
SQLite file removed, unless `--keep` is given.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg
import httpx

from bench.bare_app import bare_app_command, bare_cursor
from bench.common import (
    SECRET_KEY,
    LoadClient,
    LoadResult,
    Server,
    Target,
    free_port,
    machine,
    print_table,
    ratio,
    run_path,
    running_server,
    write_result,
    zof_serve_command,
)
from bench.generate import Manifest, Sizes, generate
from zof.core.cursors import CursorCodec, Position
from zof.store.reports import ReportFilters

PAGE = 100


@dataclass(frozen=True)
class Plan:
    reports: int
    organizations: int
    requests: int
    deep_page: int
    time_limit: float
    blocks: int


def plan_for(backend: str, quick: bool, arguments: argparse.Namespace) -> Plan:
    if quick:
        return Plan(reports=600, organizations=3, requests=10, deep_page=3, time_limit=10, blocks=2)
    reports = arguments.postgres_reports if backend == "postgres" else arguments.sqlite_reports
    return Plan(
        reports=reports,
        organizations=100,
        requests=arguments.requests,
        deep_page=arguments.deep_page,
        time_limit=arguments.time_limit,
        blocks=10,
    )


async def _admin(admin_url: str, statement: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def create_database(backend: str, arguments: argparse.Namespace) -> str:
    """Create an empty database for this run and return its URL."""
    if backend == "sqlite":
        return f"sqlite:///{run_path('listing.db')}"
    name = arguments.postgres_database
    asyncio.run(_admin(arguments.postgres_admin_url, f'DROP DATABASE IF EXISTS "{name}"'))
    asyncio.run(_admin(arguments.postgres_admin_url, f'CREATE DATABASE "{name}"'))
    return arguments.postgres_admin_url.rstrip("/") + "/" + name


def drop_database(backend: str, url: str, arguments: argparse.Namespace) -> None:
    if backend == "sqlite":
        path = url.split(":///", 1)[1]
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    statement = f'DROP DATABASE IF EXISTS "{arguments.postgres_database}" WITH (FORCE)'
    asyncio.run(_admin(arguments.postgres_admin_url, statement))


async def _row_at(url: str, organization_id: str, project_id: str, offset: int) -> tuple[Any, str]:
    """Return `(created_at, id)` of the row at `offset` in the list the benchmark pages."""
    sql = (
        "SELECT created_at, id FROM reports WHERE organization_id = {0} AND project_id = {1} "
        "ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET {2}"
    )
    if url.startswith("sqlite"):
        async with aiosqlite.connect(url.split(":///", 1)[1]) as conn:
            parameters = (organization_id, project_id, offset)
            cursor = await conn.execute(sql.format("?", "?", "?"), parameters)
            created_text, report_id = await cursor.fetchone()
            return datetime.fromisoformat(created_text).replace(tzinfo=UTC), report_id
    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        row = await conn.fetchrow(sql.format("$1", "$2", "$3"), organization_id, project_id, offset)
    finally:
        await conn.close()
    return row["created_at"], row["id"]


async def _count(url: str, organization_id: str, project_id: str) -> int:
    sql = "SELECT count(*) FROM reports WHERE organization_id = {0} AND project_id = {1}"
    if url.startswith("sqlite"):
        async with aiosqlite.connect(url.split(":///", 1)[1]) as conn:
            cursor = await conn.execute(sql.format("?", "?"), (organization_id, project_id))
            (count,) = await cursor.fetchone()
            return int(count)
    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        return int(await conn.fetchval(sql.format("$1", "$2"), organization_id, project_id))
    finally:
        await conn.close()


@dataclass(frozen=True)
class Lists:
    """The requests of one run, for zof and for the reference."""

    every_organization: tuple[list[Target], list[Target]]
    first_page: tuple[Target, Target]
    deep_page: tuple[Target, Target]
    deep_page_number: int
    deep_first_id: str


def build_lists(manifest: Manifest, zof_url: str, bare_url: str, deep_page: int) -> Lists:
    def target(base: str, key: str, project_id: str, cursor: str | None = None) -> Target:
        url = f"{base}/v1/reports?limit={PAGE}&project_id={project_id}"
        if cursor is not None:
            url += f"&starting_after={cursor}"
        return Target(url, {"Authorization": f"Bearer {key}"})

    every_zof, every_bare = [], []
    for organization in manifest.organizations:
        project_id = organization.project_ids[0]
        every_zof.append(target(zof_url, organization.api_key, project_id))
        every_bare.append(target(bare_url, organization.api_key, project_id))

    large = manifest.organizations[0]
    project_id = large.project_ids[0]
    available = asyncio.run(_count(manifest.database_url, large.id, project_id))
    page_number = max(2, min(deep_page, available // PAGE))
    created_at, last_id = asyncio.run(
        _row_at(manifest.database_url, large.id, project_id, (page_number - 1) * PAGE - 1)
    )
    _, first_id = asyncio.run(
        _row_at(manifest.database_url, large.id, project_id, (page_number - 1) * PAGE)
    )
    zof_cursor = CursorCodec(SECRET_KEY).encode(
        Position(created_at, last_id),
        organization_id=large.id,
        scope="reports",
        filters=vars(ReportFilters(project_id=project_id)),
    )
    return Lists(
        every_organization=(every_zof, every_bare),
        first_page=(
            target(zof_url, large.api_key, project_id),
            target(bare_url, large.api_key, project_id),
        ),
        deep_page=(
            target(zof_url, large.api_key, project_id, zof_cursor),
            target(bare_url, large.api_key, project_id, bare_cursor(created_at, last_id)),
        ),
        deep_page_number=page_number,
        deep_first_id=first_id,
    )


def _listed_ids(target: Target) -> list[str]:
    response = httpx.get(target.url, headers=target.headers, timeout=60)
    response.raise_for_status()
    return [item["id"] for item in response.json()["data"]]


def check_pages(lists: Lists) -> None:
    """Fail unless zof and the reference list the same reports on the pages measured."""
    first = [_listed_ids(target) for target in lists.first_page]
    deep = [_listed_ids(target) for target in lists.deep_page]
    for zof_ids, bare_ids in (first, deep):
        if zof_ids != bare_ids or len(zof_ids) != PAGE:
            raise SystemExit(f"zof and the reference listed different pages: {zof_ids, bare_ids}")
    if deep[0][0] != lists.deep_first_id:
        raise SystemExit(f"the deep page starts at {deep[0][0]}, not {lists.deep_first_id}")


def measure(
    client: LoadClient, servers: tuple[Server, Server], lists: Lists, plan: Plan
) -> list[dict[str, Any]]:
    """Run every case on zof and on the reference, alternating, and return the rows."""
    deep = f"page {lists.deep_page_number:,}, large organization"
    cases = [
        ("first page, every organization", lists.every_organization, 1, plan.requests),
        ("first page, every organization", lists.every_organization, 16, plan.requests * 3),
        ("first page, large organization", tuple([t] for t in lists.first_page), 1, plan.requests),
        (deep, tuple([t] for t in lists.deep_page), 1, plan.requests),
    ]
    rows = []
    for name, (zof_targets, bare_targets), concurrency, requests in cases:
        zof, bare = client.compare(
            [(servers[0], zof_targets), (servers[1], bare_targets)],
            requests=requests,
            concurrency=concurrency,
            time_limit=plan.time_limit,
            blocks=plan.blocks,
        )
        rows.append({"case": name, "concurrency": concurrency, "zof": zof, "bare": bare})
    return rows


def run_backend(backend: str, arguments: argparse.Namespace) -> dict[str, Any]:
    plan = plan_for(backend, arguments.quick, arguments)
    url = create_database(backend, arguments)
    try:
        print(f"{backend}: generating {plan.reports:,} reports", flush=True)
        sizes = Sizes(
            organizations=plan.organizations,
            projects_per_organization=2 if arguments.quick else 10,
            reports=plan.reports,
            runs=20 if arguments.quick else 1_000,
        )
        manifest = generate(url, sizes, arguments.seed)
        zof_port, bare_port = free_port(), free_port()
        bare_command = bare_app_command(url, bare_port)
        zof_command = zof_serve_command(url, zof_port)
        with (
            running_server(zof_command, zof_port, run_path("zof-serve.log")) as zof,
            running_server(bare_command, bare_port, run_path("bare-app.log")) as bare,
            LoadClient() as client,
        ):
            lists = build_lists(manifest, zof.url, bare.url, plan.deep_page)
            check_pages(lists)
            rows = measure(client, (zof, bare), lists, plan)
        version = asyncio.run(_server_version(url)) if backend == "postgres" else None
    finally:
        if not arguments.keep:
            drop_database(backend, url, arguments)
    return {"backend": backend, "plan": vars(plan), "server_version": version, "cases": rows}


async def _server_version(url: str) -> str:
    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


def report(results: list[dict[str, Any]]) -> None:
    headers = [
        "database", "case", "conc.", "server", "requests", "median ms", "p99 ms", "req/s",
        "CPU ms/req", "median ratio", "req/s ratio", "CPU ratio",
    ]  # fmt: skip
    table = []
    for result in results:
        for case in result["cases"]:
            zof: LoadResult = case["zof"]
            bare: LoadResult = case["bare"]
            for label, load in (("bare", bare), ("zof", zof)):
                table.append(
                    [
                        result["backend"], case["case"], case["concurrency"], label,
                        load.requests - load.errors, load.median_ms, load.p99_ms,
                        load.requests_per_second, load.server_cpu_ms_per_request,
                        ratio(load.median_ms, bare.median_ms),
                        ratio(load.requests_per_second, bare.requests_per_second),
                        ratio(load.server_cpu_ms_per_request, bare.server_cpu_ms_per_request),
                    ]
                )  # fmt: skip
            if zof.errors or bare.errors:
                print(f"errors: zof {zof.errors}, bare {bare.errors} in {case['case']}")
    print_table(headers, table)
    for result in results:
        first, deep = result["cases"][2], result["cases"][3]
        for label in ("zof", "bare"):
            page_ratio = ratio(deep[label].median_ms, first[label].median_ms)
            case = f"{result['backend']} {label}: {deep['case']} / first page"
            print(f"{case}, median: {page_ratio:.2f}")


def main() -> None:
    options = argparse.ArgumentParser(description="Benchmark GET /v1/reports against a bare app.")
    options.add_argument("--backend", choices=["postgres", "sqlite", "both"], default="both")
    options.add_argument(
        "--postgres-admin-url",
        default="postgresql://postgres@127.0.0.1:5432/",
        help="PostgreSQL server on which the benchmark database is created",
    )
    options.add_argument("--postgres-database", default="zof_bench", help="database to create")
    options.add_argument("--postgres-reports", type=int, default=1_000_000, help="report rows")
    options.add_argument("--sqlite-reports", type=int, default=200_000, help="report rows")
    options.add_argument(
        "--requests", type=int, default=1_000, help="requests per case (3 times as many at 16)"
    )
    options.add_argument("--deep-page", type=int, default=5_000, help="number of the deep page")
    options.add_argument("--time-limit", type=float, default=60.0, help="seconds per case at most")
    options.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    options.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    options.add_argument("--quick", action="store_true", help="toy sizes, for the smoke test")
    arguments = options.parse_args()
    if arguments.quick and arguments.backend == "both":
        arguments.backend = "sqlite"

    backends = ["postgres", "sqlite"] if arguments.backend == "both" else [arguments.backend]
    results = [run_backend(backend, arguments) for backend in backends]
    report(results)
    payload = {
        "machine": machine(results[0]["server_version"]),
        "seed": arguments.seed,
        "results": results,
    }
    path = write_result("listing", payload)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
