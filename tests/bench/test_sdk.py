from __future__ import annotations

from tests.bench.runner import run_script


def test_sdk_walk_matches_httpx_loop() -> None:
    output = run_script("bench.sdk")

    assert "zof SDK" in output
    assert "httpx loop" in output
