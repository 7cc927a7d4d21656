"""Faults: concurrent writers on SQLite, SIGKILL mid-upload and mid-generation, database outages.

Each test runs real `zof serve` processes on loopback ports and checks that nothing is lost
or half-stored, and that no fault surfaces as a 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import POSTGRES_URL
from tests.server import Server, bootstrap, free_port

pytestmark = pytest.mark.server


def junit(cases: int, prefix: str = "case") -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<testsuite name="load" tests="{cases}">']
    for index in range(cases):
        status = '<failure message="boom">trace</failure>' if index % 10 == 0 else ""
        lines.append(
            f'<testcase classname="pkg.{prefix}" name="{prefix} {index}" time="0.01">'
            f"{status}</testcase>"
        )
    lines.append("</testsuite>")
    return "\n".join(lines).encode()


async def test_parallel_uploads_into_sqlite_never_fail_with_500(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'zof.db'}"
    _, key = bootstrap(database_url)
    server = Server(database_url, tmp_path / "server.log", "--rate-limit-per-minute", "0")
    server.start()
    try:
        headers = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=120) as client:
            project = (await client.post("/v1/projects", json={"name": "web"})).json()["id"]
            runs = [
                (
                    await client.post("/v1/runs", json={"project_id": project, "environment": "ci"})
                ).json()["id"]
                for _ in range(20)
            ]
            body = junit(2000)
            statuses: list[int] = []

            async def upload(run_id: str) -> int:
                while True:
                    response = await client.post(
                        f"/v1/runs/{run_id}/results",
                        content=body,
                        headers={"Content-Type": "application/xml"},
                    )
                    statuses.append(response.status_code)
                    if response.status_code != 503:
                        return response.status_code
                    assert response.json()["error"]["code"] == "database_busy"
                    await asyncio.sleep(int(response.headers["Retry-After"]))

            final = await asyncio.gather(*(upload(run_id) for run_id in runs))
            counts = [
                (await client.get(f"/v1/runs/{run_id}")).json()["counts"]["total"]
                for run_id in runs
            ]
    finally:
        server.stop()

    assert set(statuses) <= {201, 503}
    assert final == [201] * 20
    assert counts == [2000] * 20
    assert "Traceback" not in server.log_path.read_text()


@pytest.mark.usefixtures("backend")
def test_upload_killed_midway_leaves_nothing(database_url: str, tmp_path: Path) -> None:
    _, key = bootstrap(database_url)
    server = Server(database_url, tmp_path / "server.log", "--rate-limit-per-minute", "0")
    server.start()
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
        project = client.post("/v1/projects", json={"name": "web"}).json()["id"]
        run_id = client.post("/v1/runs", json={"project_id": project, "environment": "ci"}).json()[
            "id"
        ]
    sent = threading.Event()

    def slow_body() -> Iterator[bytes]:
        yield b'<?xml version="1.0"?>\n<testsuites><testsuite name="big">\n'
        for index in range(200_000):
            yield f'<testcase classname="a" name="t{index}" time="0.1"/>\n'.encode()
            if index == 20_000:
                sent.set()
                time.sleep(0.5)
        yield b"</testsuite></testsuites>"

    def upload() -> None:
        # The server dies mid-request, so the client sees a broken connection.
        with contextlib.suppress(httpx.TransportError):
            httpx.post(
                f"{server.url}/v1/runs/{run_id}/results",
                content=slow_body(),
                headers={**headers, "Content-Type": "application/xml"},
                timeout=30,
            )

    thread = threading.Thread(target=upload)
    thread.start()
    assert sent.wait(30)
    time.sleep(0.2)
    server.kill()
    thread.join(30)

    server.start()
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            run = client.get(f"/v1/runs/{run_id}").json()
            results = client.get("/v1/results", params={"run_id": run_id}).json()
            retry = client.post(
                f"/v1/runs/{run_id}/results",
                content=junit(5),
                headers={"Content-Type": "application/xml"},
            )
    finally:
        server.stop()

    assert run["counts"]["total"] == 0
    assert run["status"] == "queued"
    assert run["uploads"] == []
    assert results["data"] == []
    assert retry.status_code == 201
    assert retry.json()["run"]["counts"]["total"] == 5


@pytest.mark.usefixtures("backend")
def test_reports_are_generated_after_a_killed_server_restarts(
    database_url: str, tmp_path: Path
) -> None:
    _, key = bootstrap(database_url)
    env = {"ZOF_JOB_LOCK_SECONDS": "2"}
    server = Server(database_url, tmp_path / "server.log", "--rate-limit-per-minute", "0", env=env)
    server.start()
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
        project = client.post("/v1/projects", json={"name": "web"}).json()["id"]
        run_id = client.post("/v1/runs", json={"project_id": project, "environment": "ci"}).json()[
            "id"
        ]
        client.post(
            f"/v1/runs/{run_id}/results",
            content=junit(5000),
            headers={"Content-Type": "application/xml"},
        )
        report_ids = [
            client.post(
                "/v1/reports", json={"scope": {"type": "organization"}, "range": "last_24_hours"}
            ).json()["id"]
            for _ in range(15)
        ]
        # Kill once the worker is under way: some reports done, the others queued or
        # being generated.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            first = client.get(f"/v1/reports/{report_ids[0]}").json()["status"]
            last = client.get(f"/v1/reports/{report_ids[-1]}").json()["status"]
            if first == "ready" or last != "queued":
                break
            time.sleep(0.05)
        unfinished = [
            rid
            for rid in report_ids
            if client.get(f"/v1/reports/{rid}").json()["status"] != "ready"
        ]
    server.kill()
    assert unfinished, "every report was ready before the kill; the test proves nothing"

    server.start()
    try:
        deadline = time.monotonic() + 60
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
            while time.monotonic() < deadline:
                statuses = [client.get(f"/v1/reports/{rid}").json()["status"] for rid in report_ids]
                if all(status == "ready" for status in statuses):
                    break
                time.sleep(0.3)
            summaries = [client.get(f"/v1/reports/{rid}").json()["summary"] for rid in report_ids]
    finally:
        server.stop()

    assert statuses == ["ready"] * 15, server.log_path.read_text()[-3000:]
    totals = {summary["tests"]["total"] for summary in summaries}
    assert totals == {5000}


class TcpProxy:
    """A loopback TCP proxy that a test can cut and restore, to play a database outage."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Close the listener and every open connection, as a crashed database would."""
        with self._lock:
            if self._listener is not None:
                # close() alone leaves a thread blocked in accept() still accepting on
                # Linux; shutdown() wakes it and stops the listening.
                with contextlib.suppress(OSError):
                    self._listener.shutdown(socket.SHUT_RDWR)
                self._listener.close()
                self._listener = None
            for conn in self._connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self._connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._connections += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


@pytest.mark.skipif(not POSTGRES_URL, reason="ZOF_TEST_POSTGRES_URL is not set")
def test_database_outage_gives_503_and_recovers(postgres_database: str, tmp_path: Path) -> None:
    proxy = TcpProxy(("127.0.0.1", 5432))
    proxy.start()
    through_proxy = postgres_database.replace("@127.0.0.1:5432/", f"@127.0.0.1:{proxy.port}/")
    assert through_proxy != postgres_database
    _, key = bootstrap(postgres_database)
    server = Server(through_proxy, tmp_path / "server.log", "--rate-limit-per-minute", "0")
    server.start()
    headers = {"Authorization": f"Bearer {key}"}
    outage: list[Any] = []
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            assert client.get("/v1/projects").status_code == 200

            proxy.cut()
            for _ in range(5):
                response = client.get("/v1/projects")
                outage.append(
                    (
                        response.status_code,
                        response.headers.get("Retry-After"),
                        response.json()["error"]["code"] if response.status_code >= 400 else None,
                    )
                )

            proxy.start()
            deadline = time.monotonic() + 20
            recovered = None
            while time.monotonic() < deadline:
                recovered = client.get("/v1/projects")
                if recovered.status_code == 200:
                    break
                assert recovered.status_code == 503
                time.sleep(0.2)
    finally:
        server.stop()
        proxy.cut()

    assert all(status == 503 for status, _, _ in outage), outage
    assert all(retry_after is not None and int(retry_after) >= 1 for _, retry_after, _ in outage)
    assert {code for _, _, code in outage} == {"database_unavailable"}
    assert recovered is not None
    assert recovered.status_code == 200
