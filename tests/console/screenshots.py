"""Take the console screenshots in docs/screenshots/.

    python -m tests.console.screenshots [--output docs/screenshots]

Two weeks of runs are uploaded through the API of an in-process app whose clock is
pinned to each day in turn, so the daily chart and the previous-period changes have
data. Then a real `zof serve` takes over the same SQLite file, and Debian's Chromium
signs in and photographs each page on a desktop screen and on a 375-pixel phone.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from tests.console import seed
from tests.console.live import DESKTOP, PHONE, launch, sign_in, wait_until_ready
from tests.server import running_server
from zof.api.app import create_app
from zof.core import clock
from zof.core.settings import Settings
from zof.services import accounts
from zof.services.worker import drain

DAYS = 14
REPO = Path(__file__).resolve().parents[2]

# (class name, test name, mean seconds, chance of failing on a given run)
CHECKOUT_TESTS = [
    ("shop.CartTest", "test_add_item", 0.4, 0.0),
    ("shop.CartTest", "test_remove_item", 0.3, 0.0),
    ("shop.CartTest", "test_apply_coupon", 0.6, 0.05),
    ("shop.CheckoutTest", "test_guest_checkout", 4.2, 0.1),
    ("shop.CheckoutTest", "test_saved_address", 1.8, 0.0),
    ("shop.PaymentTest", "test_card_declined", 3.1, 0.35),
    ("shop.PaymentTest", "test_refund", 0.9, 0.15),
    ("shop.SearchTest", "test_suggestions", 2.4, 0.0),
    ("shop.SearchTest", "test_filters", 1.2, 0.0),
    ("shop.InventoryTest", "test_reserve_stock", 0.8, 0.0),
]
# test name: (failure type, message)
FAILURES = {
    "test_card_declined": ("AssertionError", "expected status 402 but got 500"),
    "test_refund": ("ConnectionResetError", "[Errno 104] Connection reset by peer"),
    "test_guest_checkout": ("TimeoutError", "waited 30000 ms for selector '#confirm'"),
    "test_apply_coupon": ("AssertionError", "18.00 != 20.00"),
    "test_reserve_stock": ("TimeoutError", "lock wait timed out after 500 ms"),
}


@dataclass(frozen=True)
class Demo:
    key: str
    web: str
    web_report: str
    failing_run: str


def run_cases(rng: random.Random, day: int) -> list[seed.Case]:
    """One run's results; the payment tests fail more often in the second week."""
    cases = []
    for classname, name, seconds, chance in CHECKOUT_TESTS:
        if day < 7 and name == "test_card_declined":
            chance /= 3
        status = "failed" if rng.random() < chance else "passed"
        if name == "test_reserve_stock" and rng.random() < 0.3:
            status = "flaky"
        failure_type, message = FAILURES.get(name, ("AssertionError", "assertion failed"))
        cases.append(
            seed.Case(
                classname,
                name,
                status=status,
                seconds=round(seconds * rng.uniform(0.7, 1.4), 2),
                message=message,
                failure_type=failure_type,
            )
        )
    cases.append(seed.Case("shop.LegacyTest", "test_old_checkout", status="skipped"))
    return cases


async def upload_history(client: httpx.AsyncClient, key: str, now: datetime) -> Demo:
    rng = random.Random(7)
    web = await seed.create_project(client, key, "web")
    payments = await seed.create_project(client, key, "payments")
    failing_run = ""
    for day in range(DAYS, 0, -1):
        for hour, environment in ((9, "staging"), (15, "production")):
            moment = now - timedelta(days=day - 1, hours=24 - hour)
            clock.set_clock(lambda moment=moment: moment)
            cases = run_cases(rng, DAYS - day)
            document = seed.junit_xml(
                "checkout", cases, declared_tests=len(cases) + 1 if day == 2 else None
            )
            run_id = await seed.upload_run(
                client,
                key,
                web,
                environment,
                [("TEST-checkout.xml", document)],
                suite="checkout",
                branch="main",
                commit_sha=f"{rng.getrandbits(160):040x}",
                build_url=f"https://ci.example.test/builds/{4000 + day * 2}",
                source="ci",
                started_at=(moment - timedelta(minutes=rng.randint(3, 9))).isoformat(),
            )
            if any(case.status == "failed" for case in cases):
                failing_run = run_id
        ledger = [seed.Case("payments.LedgerTest", "test_balance", seconds=0.02)]
        await seed.upload_run(
            client, key, payments, "production", [("ledger.xml", seed.junit_xml("ledger", ledger))]
        )
    clock.set_clock(None)

    web_report = await seed.create_report(
        client,
        key,
        {
            "kind": "summary",
            "scope": {"type": "project", "project_id": web},
            "range": "last_7_days",
        },
    )
    await seed.create_report(
        client, key, {"kind": "summary", "scope": {"type": "organization"}, "range": "last_7_days"}
    )
    return Demo(key=key, web=web, web_report=web_report, failing_run=failing_run)


async def prepare(database_url: str, folder: Path) -> Demo:
    """Migrate the database and fill it in-process, with the clock pinned per day."""
    settings = Settings(
        data_dir=folder, database_url=database_url, rate_limit_per_minute=0, secret_key="shots"
    )
    app = create_app(settings, migrate=True)
    async with app.router.lifespan_context(app):
        db = app.state.zof.db
        created = await accounts.bootstrap(db, "Acme")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://screenshots") as client:
            demo = await upload_history(client, created.api_key, clock.utcnow())
        await drain(db, limit=10_000)
    return demo


def photograph(url: str, demo: Demo, output: Path) -> list[Path]:
    saved: list[Path] = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        shots = [
            (DESKTOP, "/console/reports?source=api", "reports-list.png"),
            (DESKTOP, f"/console/reports/{demo.web_report}", "report.png"),
            (DESKTOP, f"/console/runs/{demo.failing_run}", "run.png"),
            (DESKTOP, "/console/reports/new", "generate-form.png"),
            (PHONE, "/console/reports?source=api", "reports-list-phone.png"),
            (PHONE, f"/console/reports/{demo.web_report}", "report-phone.png"),
        ]
        for viewport, path, name in shots:
            context = browser.new_context(viewport=viewport, device_scale_factor=1)
            page = context.new_page()
            sign_in(page, url, demo.key)
            page.goto(url + path)
            target = output / name
            page.screenshot(path=str(target), full_page=True)
            saved.append(target)
            context.close()
        browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output",
        type=Path,
        default=REPO / "docs" / "screenshots",
        help="Folder for the PNG files [default: docs/screenshots].",
    )
    arguments = parser.parse_args()
    arguments.output.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="zof-screenshots-") as temporary:
        folder = Path(temporary)
        database_url = f"sqlite+aiosqlite:///{folder / 'zof.db'}"
        demo = asyncio.run(prepare(database_url, folder))
        with running_server(database_url, folder / "server.log") as url:
            wait_until_ready(url, demo.key, demo.web_report)
            for path in photograph(url, demo, arguments.output):
                print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)


if __name__ == "__main__":
    main()
