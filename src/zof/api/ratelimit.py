"""Token-bucket rate limits, in process memory for one node or in Redis for many.

Each request takes one token from the key's bucket and one from its organization's.
A bucket holds a minute's quota and refills continuously, so a client may spend the
whole minute at once (the burst allowance) and then gets one request every
60 / limit seconds. The organization's bucket is `ORGANIZATION_FACTOR` times larger,
so many keys of one tenant cannot together take more than that.

The libraries we looked at (`limits`, `pyrate-limiter`) offer fixed or sliding windows
or leaky buckets without the remaining-tokens and refill-time figures the
`X-RateLimit-*` headers need, so the bucket arithmetic is written out here. In Redis
it runs as one Lua script, which makes check-and-take atomic across server processes.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

ORGANIZATION_FACTOR = 10

log = logging.getLogger("zof.ratelimit")


@dataclass(frozen=True)
class Bucket:
    name: str
    capacity: int

    @property
    def refill_per_second(self) -> float:
        # A bucket of N tokens refills in one minute.
        return self.capacity / 60.0


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int
    retry_after: int

    def headers(self) -> dict[str, str]:
        """Build the `X-RateLimit-*` headers; a rejection adds `Retry-After` through its error."""
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }


class RateLimiter(Protocol):
    async def hit(self, buckets: Sequence[Bucket]) -> Decision: ...

    async def close(self) -> None: ...


def buckets_for(organization_id: str, key_id: str, per_minute: int) -> list[Bucket]:
    return [
        Bucket(f"key:{key_id}", per_minute),
        Bucket(f"org:{organization_id}", per_minute * ORGANIZATION_FACTOR),
    ]


def _decide(
    buckets: Sequence[Bucket], levels: Sequence[float], allowed: bool, now: float
) -> Decision:
    """Build the decision from the token levels left after the request, or before it if rejected."""
    # The headers describe the bucket closest to running out.
    index = min(range(len(buckets)), key=lambda i: levels[i] / buckets[i].capacity)
    bucket, tokens = buckets[index], levels[index]
    rate = bucket.refill_per_second
    reset = math.ceil(now + (bucket.capacity - tokens) / rate)
    retry_after = 0
    if not allowed:
        short = max((1.0 - levels[i]) / buckets[i].refill_per_second for i in range(len(buckets)))
        retry_after = max(1, math.ceil(short))
    return Decision(allowed, bucket.capacity, max(0, math.floor(tokens)), reset, retry_after)


class MemoryRateLimiter:
    """Buckets in this process's memory: right for one server process."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._state: dict[str, tuple[float, float]] = {}
        self._lock = asyncio.Lock()

    async def hit(self, buckets: Sequence[Bucket]) -> Decision:
        async with self._lock:
            now = self._clock()
            levels = []
            for bucket in buckets:
                tokens, updated = self._state.get(bucket.name, (float(bucket.capacity), now))
                elapsed = max(0.0, now - updated)
                levels.append(min(bucket.capacity, tokens + elapsed * bucket.refill_per_second))
            allowed = all(level >= 1.0 for level in levels)
            if allowed:
                levels = [level - 1.0 for level in levels]
            for bucket, level in zip(buckets, levels, strict=True):
                self._state[bucket.name] = (level, now)
            if len(self._state) > 100_000:
                self._forget_full_buckets(now)
            return _decide(buckets, levels, allowed, now)

    def _forget_full_buckets(self, now: float) -> None:
        # A bucket idle for a minute is full again, the same as a missing one.
        stale = [name for name, (_, updated) in self._state.items() if now - updated > 60]
        for name in stale:
            del self._state[name]

    async def close(self) -> None:
        return None


# KEYS: bucket names. ARGV: capacities, one per key. Uses the Redis server's clock, so
# every API node agrees on the time. Returns the allowed flag, the time, then the levels.
_LUA = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local levels = {}
local allowed = 1
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[i])
  local rate = capacity / 60.0
  local state = redis.call('HMGET', key, 'tokens', 'updated')
  local tokens = tonumber(state[1]) or capacity
  local updated = tonumber(state[2]) or now
  local elapsed = math.max(0, now - updated)
  tokens = math.min(capacity, tokens + elapsed * rate)
  levels[i] = tokens
  if tokens < 1 then allowed = 0 end
end
local result = {allowed, tostring(now)}
for i, key in ipairs(KEYS) do
  if allowed == 1 then levels[i] = levels[i] - 1 end
  redis.call('HSET', key, 'tokens', tostring(levels[i]), 'updated', tostring(now))
  redis.call('EXPIRE', key, 120)
  result[#result + 1] = tostring(levels[i])
end
return result
"""


class RedisRateLimiter:
    """Buckets in Redis, shared by every server process that points at the same server."""

    def __init__(self, url: str, prefix: str = "zof:ratelimit:") -> None:
        import redis.asyncio as redis

        self._redis: Any = redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        self._script = self._redis.register_script(_LUA)
        self._prefix = prefix
        # While Redis is unreachable each process limits on its own rather than failing
        # every request: the limit is then per process, not shared.
        self._fallback = MemoryRateLimiter()
        self._last_warning = 0.0

    async def hit(self, buckets: Sequence[Bucket]) -> Decision:
        from redis.exceptions import RedisError

        keys = [self._prefix + bucket.name for bucket in buckets]
        try:
            raw = await self._script(keys=keys, args=[bucket.capacity for bucket in buckets])
        except (RedisError, OSError) as error:
            now = time.monotonic()
            if now - self._last_warning > 30:
                self._last_warning = now
                log.warning("Redis rate limiter unavailable, limiting per process: %s", error)
            return await self._fallback.hit(buckets)
        allowed = int(raw[0]) == 1
        now = float(raw[1])
        levels = [float(value) for value in raw[2:]]
        return _decide(buckets, levels, allowed, now)

    async def close(self) -> None:
        await self._redis.aclose()


class DisabledRateLimiter:
    """Used when `ZOF_RATE_LIMIT_PER_MINUTE=0`: every request passes, and no headers are sent."""

    async def hit(self, buckets: Sequence[Bucket]) -> Decision:
        return Decision(True, 0, 0, 0, 0)

    async def close(self) -> None:
        return None
