from __future__ import annotations

from tests.bench.runner import run_script


def test_reports_times_pipeline_and_generation() -> None:
    output = run_script("bench.reports")

    assert "from folder to HTML" in output
    assert "compute_summary" in output
