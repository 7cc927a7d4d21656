from __future__ import annotations

import json
from pathlib import Path

from tests.bench.runner import run_script


def test_generate_writes_manifest(tmp_path: Path) -> None:
    manifest = tmp_path / "dataset.json"
    database = tmp_path / "zof.db"

    run_script(
        "bench.generate", "--database-url", f"sqlite:///{database}", "--manifest", str(manifest)
    )

    written = json.loads(manifest.read_text())
    assert written["counts"]["reports"] == 500
    assert len(written["organizations"]) == 3
    assert written["organizations"][0]["api_key"].startswith("zof_sk_")


def test_listing_compares_zof_with_reference() -> None:
    output = run_script("bench.listing")

    assert "first page, every organization" in output
    assert "wrote " in output
    assert "errors:" not in output
