"""Every real result file from public projects, uploaded over HTTP into a run.

The expected counts are the ingest tests' table (tests/ingest/test_real_inputs.py), where
each file was read by hand. It is read from that module's source rather than imported,
because the ingest tests import their helpers as a top-level module.
"""

from __future__ import annotations

import ast
import gzip
from pathlib import Path
from typing import Any

import pytest

from tests.api.test_runs import create_run, get_run, upload
from tests.conftest import REAL_INPUTS, REPO, Api

pytestmark = pytest.mark.usefixtures("backend")

ROOT = REAL_INPUTS / "dorny-test-reporter"
NOT_INPUTS = {"COMMIT", "LICENSE"}


def _ingest_table(name: str) -> dict[str, Any]:
    source = (REPO / "tests" / "ingest" / "test_real_inputs.py").read_text()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in node.targets
        ):
            table: dict[str, Any] = ast.literal_eval(node.value)
            return table
    raise AssertionError(f"{name} is not defined in the ingest tests")


# path: (passed, failed, error, skipped, flaky)
EXPECTED_COUNTS: dict[str, tuple[int, int, int, int, int]] = _ingest_table("EXPECTED_COUNTS")
# path: the format name the rejection message must contain
EXPECTED_REJECTIONS: dict[str, str] = _ingest_table("EXPECTED_REJECTIONS")


def real_input_paths() -> list[str]:
    return sorted(
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*")
        if path.is_file() and path.name not in NOT_INPUTS
    )


def test_every_real_input_has_an_expectation() -> None:
    assert ROOT.is_dir(), f"{ROOT} must sit beside the repository"

    assert set(real_input_paths()) == set(EXPECTED_COUNTS) | set(EXPECTED_REJECTIONS)


@pytest.mark.parametrize("relative", sorted(EXPECTED_COUNTS))
async def test_real_input_counts(api: Api, relative: str) -> None:
    passed, failed, error, skipped, flaky = EXPECTED_COUNTS[relative]
    run = await create_run(api)

    response = await upload(
        api, run["id"], (ROOT / relative).read_bytes(), filename=Path(relative).name
    )

    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["accepted"] == passed + failed + error + skipped
    assert answer["filename"] == Path(relative).name
    assert answer["run"]["counts"] == {
        "total": passed + failed + error + skipped,
        "passed": passed,
        "failed": failed,
        "error": error,
        "skipped": skipped,
        "flaky": flaky,
    }
    detail = await get_run(api, run["id"])
    assert detail["counts"] == answer["run"]["counts"]
    assert detail["uploads"][0]["dialect"] == answer["dialect"]


async def test_real_inputs_into_one_run(api: Api) -> None:
    run = await create_run(api)
    totals = [0, 0, 0, 0, 0]
    for relative, counts in sorted(EXPECTED_COUNTS.items()):
        body = gzip.compress((ROOT / relative).read_bytes())
        response = await upload(api, run["id"], body, headers={"Content-Encoding": "gzip"})
        assert response.status_code == 201, f"{relative}: {response.text}"
        totals = [total + count for total, count in zip(totals, counts, strict=True)]

    detail = await get_run(api, run["id"])

    passed, failed, error, skipped, flaky = totals
    assert detail["counts"] == {
        "total": passed + failed + error + skipped,
        "passed": passed,
        "failed": failed,
        "error": error,
        "skipped": skipped,
        "flaky": flaky,
    }
    assert len(detail["uploads"]) == len(EXPECTED_COUNTS)


@pytest.mark.parametrize("relative", sorted(EXPECTED_REJECTIONS))
async def test_real_input_rejections(api: Api, relative: str) -> None:
    run = await create_run(api)

    response = await upload(api, run["id"], (ROOT / relative).read_bytes())

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unsupported_format"
    assert error["param"] is None
    assert EXPECTED_REJECTIONS[relative] in error["message"]
    assert "line 2" in error["message"]
    assert "JUnit XML" in error["message"]
    detail = await get_run(api, run["id"])
    assert detail["counts"]["total"] == 0
    assert detail["uploads"] == []
    assert detail["status"] == "queued"
