"""Run benchmark scripts at toy sizes, so the scripts keep working; nothing here is timed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run_script(module: str, *arguments: str, timeout: float = 60) -> str:
    """Run `python -m <module> --quick ...` from the repository root; return its output."""
    completed = subprocess.run(
        [sys.executable, "-m", module, "--quick", *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if completed.returncode != 0:
        pytest.fail(f"{module} exited with {completed.returncode}:\n{completed.stderr}")
    return completed.stdout
