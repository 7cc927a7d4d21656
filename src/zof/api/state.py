"""The state the HTTP layer shares across requests, kept on `app.state.zof`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from zof.core.cursors import CursorCodec
from zof.core.settings import Settings
from zof.store.database import Database

if TYPE_CHECKING:
    from zof.api.ratelimit import RateLimiter


@dataclass
class AppState:
    settings: Settings
    db: Database
    cursors: CursorCodec
    limiter: RateLimiter
    # Set when a request queues a job, so this process's worker starts it at once.
    job_signal: asyncio.Event = field(default_factory=asyncio.Event)
