from __future__ import annotations

from tests.bench.runner import run_script


def test_ingest_compares_parsers_and_upload() -> None:
    output = run_script("bench.ingest")

    assert "zof UploadParser" in output
    assert "junitparser" in output
    assert "HTTP, SQLite" in output
