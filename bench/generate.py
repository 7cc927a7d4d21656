"""Write a seeded dataset straight into a zof database, for the benchmarks to read.

    python -m bench.generate --database-url sqlite:///bench/out/zof.db --reports 200000

The schema comes from zof's own migrations. Organizations and their admin keys come from
`zof.services.accounts.bootstrap`, so a server accepts the keys. Their ids and keys are
random, but everything else (projects, runs, results and reports) is drawn from `--seed`.
Rows go in with SQLAlchemy Core bulk inserts, and on PostgreSQL with asyncpg's binary COPY.

Organization 0 is the large tenant with 60% of the rows (`Sizes.large_share`), and in
every organization project 0 has 90% of its organization's rows
(`Sizes.main_project_share`), so one project list is thousands of pages deep. The
manifest (`--manifest`) lists every organization with its key and project ids.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from bench.common import OUT
from zof.core.settings import normalize_database_url
from zof.reports.identity import test_key
from zof.services.accounts import bootstrap
from zof.store.database import Database
from zof.store.migrate import upgrade
from zof.store.tables import projects, reports, results, runs

BATCH_ROWS = 10_000
ENVIRONMENTS = ("production", "staging", "ci")
SUITES = ("unit", "integration", "e2e")
TESTS_PER_PROJECT = 2_000
# Assumed shares of report scopes and sources; no real usage was measured.
SCOPE_WEIGHTS = {"organization": 0.1, "project": 0.4, "environment": 0.35, "suite": 0.15}
SOURCE_WEIGHTS = {"schedule": 0.6, "api": 0.25, "run": 0.15}
PRESETS = {"previous_day": 1, "previous_week": 7, "previous_month": 30, "last_7_days": 7}
RESULT_STATUSES = {"passed": 0.9, "failed": 0.05, "error": 0.01, "skipped": 0.04}
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass
class Organization:
    id: str
    api_key: str
    project_ids: list[str] = field(default_factory=list)


@dataclass
class Manifest:
    database_url: str
    seed: int
    now: str
    counts: dict[str, int]
    organizations: list[Organization]

    @classmethod
    def load(cls, path: Path) -> Manifest:
        data = json.loads(path.read_text())
        data["organizations"] = [Organization(**o) for o in data["organizations"]]
        return cls(**data)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")


@dataclass(frozen=True)
class Sizes:
    organizations: int = 100
    projects_per_organization: int = 10
    reports: int = 1_000_000
    runs: int = 1_000
    results_per_run: int = 10
    large_share: float = 0.6
    main_project_share: float = 0.9
    days: int = 365


def seeded_id(rng: random.Random, prefix: str, at: datetime) -> str:
    """Return an id shaped like zof's: 48 bits of milliseconds, then 80 bits from `rng`."""
    millis = int(at.timestamp() * 1000)
    value = (millis << 80) | rng.getrandbits(80)
    digits = []
    for _ in range(26):
        digits.append(_CROCKFORD[value & 31])
        value >>= 5
    return f"{prefix}_{''.join(reversed(digits))}"


class Placement:
    """A random choice of organization and project for each row, with the configured skew."""

    def __init__(self, rng: random.Random, organizations: list[Organization], sizes: Sizes):
        self._rng = rng
        self._organizations = organizations
        rest = (1 - sizes.large_share) / max(1, len(organizations) - 1)
        self._organization_weights = [sizes.large_share] + [rest] * (len(organizations) - 1)
        count = sizes.projects_per_organization
        other = (1 - sizes.main_project_share) / max(1, count - 1)
        self._project_weights = [sizes.main_project_share] + [other] * (count - 1)

    def draw(self) -> tuple[Organization, str]:
        organization = self._rng.choices(self._organizations, self._organization_weights)[0]
        project = self._rng.choices(organization.project_ids, self._project_weights)[0]
        return organization, project


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _millis(value: datetime) -> datetime:
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


class Generator:
    """Rows drawn from one seeded random generator, in the order they are inserted."""

    def __init__(self, sizes: Sizes, seed: int, now: datetime) -> None:
        self.sizes = sizes
        self.rng = random.Random(seed)
        self.now = now
        self.runs_by_project: dict[str, list[tuple[str, datetime]]] = {}

    def _moment(self) -> datetime:
        return _millis(self.now - timedelta(days=self.rng.random() * self.sizes.days))

    def project_rows(self, organizations: list[Organization]) -> list[dict[str, Any]]:
        rows = []
        created = self.now - timedelta(days=self.sizes.days + 1)
        for organization in organizations:
            for index in range(self.sizes.projects_per_organization):
                project_id = seeded_id(self.rng, "proj", created)
                organization.project_ids.append(project_id)
                rows.append(
                    {
                        "id": project_id,
                        "organization_id": organization.id,
                        "name": f"project-{index}",
                        "description": None,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
        return rows

    def run_rows(
        self, placement: Placement
    ) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
        """Yield each run with its results."""
        for _ in range(self.sizes.runs):
            organization, project_id = placement.draw()
            created = self._moment()
            run_id = seeded_id(self.rng, "run", created)
            environment = self.rng.choice(ENVIRONMENTS)
            suite = self.rng.choice(SUITES)
            self.runs_by_project.setdefault(project_id, []).append((run_id, created))
            common = {
                "organization_id": organization.id,
                "run_id": run_id,
                "project_id": project_id,
                "environment": environment,
                "suite": suite,
                "created_at": created,
            }
            results_of_run = [
                self._result(common, index) for index in range(self.sizes.results_per_run)
            ]
            counts = {status: 0 for status in RESULT_STATUSES}
            for result in results_of_run:
                counts[result["status"]] += 1
            duration = sum(result["duration_ms"] for result in results_of_run)
            run = {
                "id": run_id,
                "organization_id": organization.id,
                "project_id": project_id,
                "environment": environment,
                "suite": suite,
                "status": "failed" if counts["failed"] + counts["error"] else "passed",
                "source": "bench",
                "commit_sha": f"{self.rng.getrandbits(160):040x}",
                "branch": "main",
                "build_url": None,
                "created_at": created,
                "started_at": created,
                "completed_at": created + timedelta(milliseconds=duration),
                "duration_ms": duration,
                "count_total": len(results_of_run),
                "count_passed": counts["passed"],
                "count_failed": counts["failed"],
                "count_error": counts["error"],
                "count_skipped": counts["skipped"],
                "count_flaky": sum(1 for result in results_of_run if result["flaky"]),
            }
            yield run, results_of_run

    def _result(self, common: dict[str, Any], index: int) -> dict[str, Any]:
        test = self.rng.randrange(TESTS_PER_PROJECT)
        classname = f"pkg.module{test % 50}.TestCase{test % 7}"
        name = f"test_{test}"
        status = _pick(self.rng, RESULT_STATUSES)
        failing = status in {"failed", "error"}
        return {
            **common,
            "id": seeded_id(self.rng, "res", common["created_at"]),
            "upload_id": None,
            "classname": classname,
            "name": name,
            "test_key": test_key(common["project_id"], common["suite"], classname, name),
            "status": status,
            "duration_ms": self.rng.randint(1, 5_000),
            "message": f"expected {index} but was {index + 1}" if failing else None,
            "failure_type": "AssertionError" if failing else None,
            "output": None,
            "flaky": failing and self.rng.random() < 0.1,
            "attempts": 1,
            "file": None,
            "line": None,
            "started_at": common["created_at"],
        }

    def report_rows(self, placement: Placement) -> Iterator[dict[str, Any]]:
        for _ in range(self.sizes.reports):
            organization, project_id = placement.draw()
            created = self._moment()
            scope_type = _pick(self.rng, SCOPE_WEIGHTS)
            source = _pick(self.rng, SOURCE_WEIGHTS)
            preset = self.rng.choice(list(PRESETS))
            end = created
            if preset != "last_7_days":
                end = created.replace(hour=0, minute=0, second=0, microsecond=0)
            run_id = None
            if source == "run":
                candidates = self.runs_by_project.get(project_id)
                if candidates and scope_type in {"environment", "suite"}:
                    run_id = self.rng.choice(candidates)[0]
                else:
                    source = "api"
            total = self.rng.randint(50, 5_000)
            failed = self.rng.randint(0, total // 20)
            yield {
                "id": seeded_id(self.rng, "rpt", created),
                "organization_id": organization.id,
                "kind": "summary",
                "status": "ready",
                "scope_type": scope_type,
                "project_id": None if scope_type == "organization" else project_id,
                "environment": self.rng.choice(ENVIRONMENTS)
                if scope_type == "environment"
                else None,
                "suite": self.rng.choice(SUITES) if scope_type == "suite" else None,
                "period_start": end - timedelta(days=PRESETS[preset]),
                "period_end": end,
                "range_preset": preset,
                "source": source,
                "schedule_id": seeded_id(self.rng, "rsch", end) if source == "schedule" else None,
                "run_id": run_id,
                "created_at": created,
                "completed_at": created + timedelta(seconds=2),
                "expires_at": created + timedelta(days=3650),
                "summary": {
                    "runs": {"total": total // 100 + 1, "failed": failed // 50},
                    "tests": {"total": total, "passed": total - failed, "failed": failed},
                    "pass_rate": round((total - failed) / total, 4),
                    "duration_ms": {"p50": total * 3, "p95": total * 7, "max": total * 9},
                },
                "error": None,
            }


async def _insert(conn: AsyncConnection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` with COPY on PostgreSQL and an executemany INSERT elsewhere."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        await conn.execute(table.insert(), list(rows))
        return
    columns = [column.name for column in table.columns]
    json_columns = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
    records = [
        tuple(
            orjson.dumps(row[name]).decode()
            if name in json_columns and row[name] is not None
            else row.get(name)
            for name in columns
        )
        for row in rows
    ]
    raw = await conn.get_raw_connection()
    await raw.driver_connection.copy_records_to_table(table.name, records=records, columns=columns)


def _batches(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


async def _fill(url: str, sizes: Sizes, seed: int, now: datetime) -> list[Organization]:
    db = Database(url)
    try:
        organizations = []
        for index in range(sizes.organizations):
            created = await bootstrap(db, f"bench organization {index}")
            organizations.append(Organization(created.organization_id, created.api_key))
    finally:
        await db.dispose()

    generator = Generator(sizes, seed, now)
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await _insert(conn, projects, generator.project_rows(organizations))
        placement = Placement(generator.rng, organizations, sizes)
        runs_per_batch = max(1, BATCH_ROWS // (sizes.results_per_run + 1))
        for batch in _batches(generator.run_rows(placement), runs_per_batch):
            async with engine.begin() as conn:
                await _insert(conn, runs, [run for run, _ in batch])
                await _insert(conn, results, [r for _, of_run in batch for r in of_run])
        for batch in _batches(generator.report_rows(placement), BATCH_ROWS):
            async with engine.begin() as conn:
                await _insert(conn, reports, batch)
        if engine.dialect.name == "postgresql":
            async with engine.begin() as conn:
                for table in (projects, runs, results, reports):
                    await conn.execute(sa.text(f"ANALYZE {table.name}"))
    finally:
        await engine.dispose()
    return organizations


def generate(database_url: str, sizes: Sizes, seed: int, now: datetime | None = None) -> Manifest:
    """Migrate the database at `database_url`, fill it, and return the manifest."""
    url = normalize_database_url(database_url)
    upgrade(url)
    moment = _millis(now or datetime.now(UTC))
    organizations = asyncio.run(_fill(url, sizes, seed, moment))
    counts = {
        "organizations": sizes.organizations,
        "projects": sizes.organizations * sizes.projects_per_organization,
        "runs": sizes.runs,
        "results": sizes.runs * sizes.results_per_run,
        "reports": sizes.reports,
    }
    return Manifest(url, seed, moment.isoformat(), counts, organizations)


def main() -> None:
    options = argparse.ArgumentParser(description="Fill a zof database with seeded rows.")
    options.add_argument(
        "--database-url", required=True, help="sqlite:///PATH or postgresql://USER@HOST/DB"
    )
    options.add_argument("--organizations", type=int, default=100, help="organizations to create")
    options.add_argument("--projects", type=int, default=10, help="projects per organization")
    options.add_argument("--reports", type=int, default=1_000_000, help="report rows")
    options.add_argument("--runs", type=int, default=1_000, help="run rows")
    options.add_argument("--results-per-run", type=int, default=10, help="result rows per run")
    options.add_argument("--seed", type=int, default=1, help="seed of every drawn value")
    options.add_argument(
        "--manifest", type=Path, default=OUT / "dataset.json", help="where to write the manifest"
    )
    options.add_argument("--quick", action="store_true", help="a toy dataset for smoke tests")
    arguments = options.parse_args()

    sizes = Sizes(
        organizations=arguments.organizations,
        projects_per_organization=arguments.projects,
        reports=arguments.reports,
        runs=arguments.runs,
        results_per_run=arguments.results_per_run,
    )
    if arguments.quick:
        sizes = Sizes(organizations=3, projects_per_organization=2, reports=500, runs=20)
    manifest = generate(arguments.database_url, sizes, arguments.seed)
    manifest.save(arguments.manifest)
    print(f"wrote {manifest.counts} to {manifest.database_url}; manifest {arguments.manifest}")


if __name__ == "__main__":
    main()
