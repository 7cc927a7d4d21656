"""Background workers: report generation jobs, schedule firings and retention.

`zof serve` runs one worker in its own process; `zof worker` runs them alone. A worker
claims one job at a time and holds it with a lock that a heartbeat keeps extending, so
a worker that dies (SIGKILL, lost machine) lets another claim the job once the lock has
run out, after at most `lock_seconds` (`ZOF_JOB_LOCK_SECONDS`, 30 by default).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from zof.core.clock import utcnow
from zof.core.ids import new_id
from zof.services import reports, schedules
from zof.store import idempotency, jobs
from zof.store import reports as report_store
from zof.store.database import Database

log = logging.getLogger("zof.worker")

LOCK_SECONDS = 30
MAX_ATTEMPTS = 5
RETENTION_EVERY_SECONDS = 3600
FINISHED_JOBS_KEPT = timedelta(days=7)

Handler = Callable[[Database, dict[str, Any]], Awaitable[None]]


async def _generate(db: Database, payload: dict[str, Any]) -> None:
    await reports.generate_report(db, payload["report_id"])


async def _give_up_generate(db: Database, payload: dict[str, Any], message: str) -> None:
    await reports.fail_report(db, payload["report_id"], message)


HANDLERS: dict[str, Handler] = {reports.GENERATE_JOB: _generate}
GIVE_UP: dict[str, Callable[[Database, dict[str, Any], str], Awaitable[None]]] = {
    reports.GENERATE_JOB: _give_up_generate
}


class Worker:
    """One worker loop over the shared job table."""

    def __init__(
        self,
        db: Database,
        *,
        retention_days: int,
        poll_interval: float = 1.0,
        wakeup: asyncio.Event | None = None,
        lock_seconds: int = LOCK_SECONDS,
    ) -> None:
        self.db = db
        self.lock_for = timedelta(seconds=lock_seconds)
        # Renew three times per lock period, so one late heartbeat does not lose the job.
        self.heartbeat_seconds = lock_seconds / 3
        self.retention_days = retention_days
        self.poll_interval = poll_interval
        self.wakeup = wakeup or asyncio.Event()
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{new_id('job')[-8:]}"
        self._last_retention = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        log.info("worker %s started", self.worker_id)
        while not stop.is_set():
            try:
                await self.tick()
                if await self.run_one():
                    continue
            except Exception:
                log.exception("worker %s: iteration failed; retrying", self.worker_id)
            self.wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wait(stop), self.poll_interval)
        log.info("worker %s stopped", self.worker_id)

    async def _wait(self, stop: asyncio.Event) -> None:
        waiters = [asyncio.ensure_future(self.wakeup.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def tick(self) -> None:
        """Fire due schedules, and run retention once an hour."""
        await schedules.fire_due_schedules(self.db, self.retention_days)
        if time.monotonic() - self._last_retention >= RETENTION_EVERY_SECONDS:
            self._last_retention = time.monotonic()
            await self.apply_retention()

    async def apply_retention(self) -> int:
        """Delete expired reports, idempotency records and old finished jobs."""
        now = utcnow()
        deleted = 0
        while True:
            async with self.db.write() as conn:
                count = await report_store.delete_expired_reports(conn, now)
            deleted += count
            if count < 1000:
                break
        async with self.db.write() as conn:
            await idempotency.delete_expired(conn, now)
            await jobs.delete_finished_before(conn, now - FINISHED_JOBS_KEPT)
        if deleted:
            log.info("retention deleted %d expired reports", deleted)
        return deleted

    async def run_one(self) -> bool:
        """Claim and run one due job; return whether there was one."""
        now = utcnow()
        async with self.db.write() as conn:
            job = await jobs.claim(
                conn, worker_id=self.worker_id, now=now, lock_for=self.lock_for
            )
        if job is None:
            return False

        handler = HANDLERS.get(job["kind"])
        heartbeat = asyncio.create_task(self._heartbeat(job["id"]))
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {job['kind']!r}")
            await handler(self.db, dict(job["payload"]))
        except Exception as error:
            heartbeat.cancel()
            await self._after_failure(job, error)
        else:
            heartbeat.cancel()
            async with self.db.write() as conn:
                await jobs.finish(conn, job["id"], worker_id=self.worker_id, now=utcnow())
        return True

    async def _after_failure(self, job: Any, error: Exception) -> None:
        message = f"{type(error).__name__}: {error}"
        attempts = int(job["attempts"])
        final = attempts >= MAX_ATTEMPTS
        log.error(
            "job %s (%s) failed on attempt %d%s: %s",
            job["id"],
            job["kind"],
            attempts,
            "; giving up" if final else "",
            message,
            exc_info=error,
        )
        now = utcnow()
        retry_at = None if final else now + timedelta(seconds=min(300, 2**attempts))
        async with self.db.write() as conn:
            await jobs.retry_or_fail(
                conn, job["id"], worker_id=self.worker_id, error=message, now=now, retry_at=retry_at
            )
        give_up = GIVE_UP.get(job["kind"])
        if final and give_up is not None:
            await give_up(self.db, dict(job["payload"]), "The report could not be generated.")

    async def _heartbeat(self, job_id: str) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            try:
                async with self.db.write() as conn:
                    await jobs.extend_lock(
                        conn,
                        job_id,
                        worker_id=self.worker_id,
                        until=utcnow() + self.lock_for,
                    )
            except Exception:
                log.exception("heartbeat for job %s failed", job_id)


async def drain(db: Database, retention_days: int = 90, limit: int = 1000) -> int:
    """Run due schedules and jobs until none is left; for tests and one-off runs."""
    worker = Worker(db, retention_days=retention_days)
    await worker.tick()
    ran = 0
    while ran < limit and await worker.run_one():
        ran += 1
    return ran
