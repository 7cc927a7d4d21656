"""Start real `zof serve` processes on loopback for tests that need real HTTP and processes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def zof_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "zof", *args]


def bootstrap(database_url: str, env: dict[str, str] | None = None) -> tuple[str, str]:
    """Create an organization with `zof admin bootstrap --json`; return its id and key."""
    output = subprocess.run(
        zof_command("admin", "bootstrap", "--json", "--database-url", database_url),
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    ).stdout
    created = json.loads(output)
    return created["organization_id"], created["api_key"]


class Server:
    """One `zof serve` process on a loopback port, which a test may kill and start again."""

    def __init__(
        self, database_url: str, log_path: Path, *extra_args: str, env: dict[str, str] | None = None
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.command = zof_command(
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--database-url",
            database_url,
            *extra_args,
        )
        self.env = {**os.environ, "ZOF_SECRET_KEY": "test-secret", **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, stdout=log, stderr=subprocess.STDOUT, env=self.env
            )
        wait_until_healthy(self.url, self.process, self.log_path)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a machine loses power."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextmanager
def running_server(
    database_url: str, log_path: Path, *extra_args: str, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Run `zof serve` until the block ends; yield its base URL."""
    server = Server(database_url, log_path, *extra_args, env=env)
    try:
        server.start()
        yield server.url
    finally:
        server.stop()


def wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"zof serve exited early:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"zof serve did not start in 60 s:\n{log_path.read_text()}")
