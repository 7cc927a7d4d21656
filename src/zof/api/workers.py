"""Run background workers inside the API process, as `zof serve` does by default."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from zof.api.state import AppState
from zof.services.worker import Worker

Stopper = Callable[[], Awaitable[None]]


def in_process_workers(
    count: int = 1, poll_interval: float = 1.0
) -> Callable[[AppState], Awaitable[Stopper]]:
    """Build a start-up hook that runs `count` workers until the app shuts down."""

    async def start(state: AppState) -> Stopper:
        stop = asyncio.Event()
        workers = [
            Worker(
                state.db,
                retention_days=state.settings.retention_days,
                poll_interval=poll_interval,
                wakeup=state.job_signal,
                lock_seconds=state.settings.job_lock_seconds,
            )
            for _ in range(max(1, count))
        ]
        tasks = [asyncio.create_task(worker.run(stop)) for worker in workers]

        async def stop_workers() -> None:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)

        return stop_workers

    return start
