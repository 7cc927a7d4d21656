#!/usr/bin/env python3
"""Set up a virtual environment and run the server or the test suite.

Usage:
    python3 dev.py serve [zof serve options]   install the service, then start it on SQLite
    python3 dev.py test [pytest options]       install the dev tools, then lint, type-check and test

Only the Python standard library is used here, so the script works on a fresh clone
with nothing but python3 (3.11 or newer) and pip.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("ZOF_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"


def ensure_environment(extra: str) -> None:
    """Create the virtual environment and install the package with `extra`, once per pyproject."""
    if sys.version_info < (3, 11):
        sys.exit(f"zof needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print(f"Creating a virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)

    fingerprint = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = VENV / f".zof-installed-{extra or 'base'}"
    if stamp.exists() and stamp.read_text() == fingerprint:
        return

    target = f"{ROOT}[{extra}]" if extra else str(ROOT)
    print(f"Installing {target} into {VENV}", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "--editable", target], check=True)
    stamp.write_text(fingerprint)


def run(command: list[str]) -> int:
    print("$ " + " ".join(command), flush=True)
    return subprocess.run(command, cwd=ROOT).returncode


def serve(args: list[str]) -> int:
    ensure_environment("")
    return run([str(BIN / "zof"), "serve", *args])


def test(args: list[str]) -> int:
    ensure_environment("dev")
    checks = [
        [str(BIN / "ruff"), "check", "src", "tests", "bench"],
        [str(BIN / "mypy"), "src"],
        [str(BIN / "lint-imports"), "pyproject.toml"],
    ]
    for check in checks:
        if run(check) != 0:
            return 1
    return run([str(PYTHON), "-m", "pytest", *args])


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"serve", "test"}:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    command, args = sys.argv[1], sys.argv[2:]
    return serve(args) if command == "serve" else test(args)


if __name__ == "__main__":
    sys.exit(main())
