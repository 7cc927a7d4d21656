"""Test data for console tests and screenshots, created through the HTTP API.

Every function takes an httpx.AsyncClient whose base URL is an in-process app or a real
`zof serve`, and an API key. JUnit XML documents are written inline: small, with a
failure, an error, a skipped case, a Surefire retry and a suite whose declared counts
disagree with its cases, so run pages have ingest warnings to show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import httpx

# Test names and messages that would run script in the page if the console printed them
# without escaping. The browser test checks that `window.zofInjected` stays undefined.
SCRIPT_NAME = "<script>window.zofInjected = 'name'</script>"
IMG_MESSAGE = "<img src=x onerror=\"window.zofInjected = 'message'\"> expected 200"
BOLD_CLASSNAME = "<b>tests.Markup</b>"
JAVASCRIPT_BUILD_URL = "javascript:window.zofInjected='link'"


@dataclass(frozen=True)
class Case:
    classname: str
    name: str
    status: str = "passed"  # passed, failed, error, skipped or flaky
    seconds: float = 0.1
    message: str | None = None
    failure_type: str | None = None


@dataclass
class Seeded:
    """Ids of what a seed function created."""

    projects: dict[str, str] = field(default_factory=dict)
    runs: list[str] = field(default_factory=list)


def junit_xml(suite: str, cases: list[Case], *, declared_tests: int | None = None) -> bytes:
    """Write a Surefire-style JUnit XML document; `declared_tests` can disagree on purpose."""
    tests = len(cases) if declared_tests is None else declared_tests
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuite name={quoteattr(suite)} tests="{tests}" timestamp="2026-12-01T08:00:00">',
    ]
    for case in cases:
        attributes = (
            f"classname={quoteattr(case.classname)} name={quoteattr(case.name)} "
            f'time="{case.seconds}"'
        )
        message = quoteattr(case.message or "")
        kind = quoteattr(case.failure_type or "AssertionError")
        body = escape(case.message or "")
        if case.status == "passed":
            lines.append(f"  <testcase {attributes}/>")
        elif case.status == "skipped":
            lines.append(f"  <testcase {attributes}><skipped/></testcase>")
        elif case.status == "flaky":
            lines.append(
                f"  <testcase {attributes}><flakyFailure message={message} type={kind}>"
                f"{body}</flakyFailure></testcase>"
            )
        else:
            tag = "failure" if case.status == "failed" else "error"
            lines.append(
                f"  <testcase {attributes}><{tag} message={message} type={kind}>{body}</{tag}>"
                "</testcase>"
            )
    lines.append("</testsuite>")
    return "\n".join(lines).encode()


def headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def create_project(client: httpx.AsyncClient, key: str, name: str) -> str:
    response = await client.post("/v1/projects", json={"name": name}, headers=headers(key))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def upload_run(
    client: httpx.AsyncClient,
    key: str,
    project_id: str,
    environment: str,
    documents: list[tuple[str, bytes]],
    **run_fields: Any,
) -> str:
    """Create a run, upload each (file name, XML) document into it, and complete it."""
    response = await client.post(
        "/v1/runs",
        json={"project_id": project_id, "environment": environment, **run_fields},
        headers=headers(key),
    )
    assert response.status_code == 201, response.text
    run_id = str(response.json()["id"])
    for filename, document in documents:
        response = await client.post(
            f"/v1/runs/{run_id}/results",
            params={"filename": filename},
            content=document,
            headers={**headers(key), "Content-Type": "application/xml"},
        )
        assert response.status_code == 201, response.text
    response = await client.post(f"/v1/runs/{run_id}/complete", json={}, headers=headers(key))
    assert response.status_code == 200, response.text
    return run_id


async def create_report(client: httpx.AsyncClient, key: str, body: dict[str, Any]) -> str:
    response = await client.post("/v1/reports", json=body, headers=headers(key))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def checkout_cases(*, failing: bool, flaky_retry: bool = False) -> list[Case]:
    """One run's cases of the `web` project's checkout suite."""
    cases = [
        Case("shop.CheckoutTest", "test_add_to_cart", seconds=0.42),
        Case("shop.CheckoutTest", "test_apply_coupon", seconds=0.18),
        Case("shop.CheckoutTest", "test_guest_checkout", seconds=2.7),
        Case("shop.SearchTest", "test_search_suggestions", seconds=1.3),
        Case("shop.SearchTest", "test_empty_query", status="skipped"),
    ]
    if failing:
        cases.append(
            Case(
                "shop.PaymentTest",
                "test_card_declined",
                status="failed",
                seconds=3.1,
                message="expected status 402 but got 500",
            )
        )
        cases.append(
            Case(
                "shop.PaymentTest",
                "test_refund",
                status="error",
                seconds=0.05,
                message="ConnectionResetError: [Errno 104] Connection reset by peer",
                failure_type="ConnectionResetError",
            )
        )
    else:
        cases.append(Case("shop.PaymentTest", "test_card_declined", seconds=2.9))
        cases.append(Case("shop.PaymentTest", "test_refund", seconds=0.3))
    cases.append(
        Case(
            "shop.InventoryTest",
            "test_reserve_stock",
            status="flaky" if flaky_retry else "passed",
            seconds=0.8,
            message="timed out after 500 ms waiting for the stock lock",
        )
    )
    return cases


async def seed_shop(client: httpx.AsyncClient, key: str, runs: int = 4) -> Seeded:
    """Create the `web` and `payments` projects and a few runs with mixed results."""
    seeded = Seeded()
    web = await create_project(client, key, "web")
    payments = await create_project(client, key, "payments")
    seeded.projects = {"web": web, "payments": payments}
    for index in range(runs):
        failing = index % 2 == 1
        document = junit_xml(
            "checkout",
            checkout_cases(failing=failing, flaky_retry=index == 2),
            declared_tests=9 if index == runs - 1 else None,
        )
        seeded.runs.append(
            await upload_run(
                client,
                key,
                web,
                "staging" if index % 3 else "production",
                [("TEST-checkout.xml", document)],
                suite="checkout",
                branch="main",
                commit_sha=f"{index // 2:040x}",
                build_url=f"https://ci.example.test/builds/{100 + index}",
                source="ci",
            )
        )
    ledger = [
        Case("payments.LedgerTest", "test_balance", seconds=0.02),
        Case("payments.LedgerTest", "test_transfer", seconds=0.06),
    ]
    seeded.runs.append(
        await upload_run(
            client, key, payments, "production", [("ledger.xml", junit_xml("ledger", ledger))]
        )
    )
    return seeded


async def seed_markup(client: httpx.AsyncClient, key: str, project_id: str) -> str:
    """Upload a failing run whose names, messages and build URL hold HTML and script."""
    cases = [
        Case(BOLD_CLASSNAME, SCRIPT_NAME, status="failed", message=IMG_MESSAGE),
        Case(BOLD_CLASSNAME, "test_plain", status="passed"),
    ]
    return await upload_run(
        client,
        key,
        project_id,
        "staging",
        [("<i>markup</i>.xml", junit_xml("<u>suite</u>", cases))],
        build_url=JAVASCRIPT_BUILD_URL,
        branch="<em>branch</em>",
    )
