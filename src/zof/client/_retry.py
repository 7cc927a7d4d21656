"""When to retry a request and how long to wait first.

The policy is pure: it looks at the method, the response headers or the transport
exception, and the number of retries already made, and returns a decision. The sync and
async clients share it and only differ in how they sleep.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime

import httpx

from ._errors import read_error_body

# Maximum server-requested delay the SDK waits for. A longer one raises at once, so a
# script does not sleep silently for minutes on a single request.
MAX_RETRY_AFTER = 60.0

# Full jitter bounds: the n-th retry (counting from 0) waits uniform(0, min(8, 0.5 * 2**n)).
INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

# GET and DELETE are idempotent in HTTP semantics (RFC 9110, section 9.2.2). POST and
# PATCH are safe to repeat only when they carry an Idempotency-Key.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})

_DELAY_SECONDS = re.compile(r"\d+(\.\d+)?")


@dataclass(frozen=True)
class RetryDecision:
    """The outcome of one failed attempt.

    Attributes:
        wait: seconds to sleep before the next attempt, or None to stop and raise.
        reason: what failed, for the log line.
        retry_after: the delay the server asked for, in seconds, or None.
    """

    wait: float | None
    reason: str
    retry_after: float | None = None

    @property
    def should_retry(self) -> bool:
        return self.wait is not None


class RetryPolicy:
    """Decide whether and when to repeat a failed attempt.

    Args:
        max_retries: retries after the first attempt; 0 turns retrying off.
        random: returns a float in [0, 1), used for the jitter.
        clock: returns the current Unix time in seconds, used for `Retry-After` dates.
    """

    def __init__(
        self,
        max_retries: int,
        random: Callable[[], float],
        clock: Callable[[], float],
    ) -> None:
        if max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, got {max_retries}.")
        self.max_retries = max_retries
        self._random = random
        self._clock = clock

    def backoff(self, retries_done: int) -> float:
        """Return a full-jitter delay for the retry that follows `retries_done` retries."""
        ceiling = min(MAX_BACKOFF, INITIAL_BACKOFF * 2.0**retries_done)
        return self._random() * ceiling

    def after_response(
        self, method: str, has_idempotency_key: bool, retries_done: int, response: httpx.Response
    ) -> RetryDecision:
        """Decide after a non-2xx response, which must already be read."""
        reason = f"HTTP {response.status_code}"
        code = _error_code(response)
        if code:
            reason += f" {code}"
        retry_after = parse_retry_after(response.headers, self._clock())

        override = response.headers.get("x-should-retry", "").strip().lower()
        if override == "true":
            retryable = True
        elif override == "false":
            retryable = False
        else:
            retryable = response.status_code in RETRYABLE_STATUSES or (
                response.status_code == 409 and code == "idempotency_key_in_use"
            )

        if not retryable or not self._may_repeat(method, has_idempotency_key, retries_done):
            return RetryDecision(None, reason, retry_after)
        if retry_after is None:
            return RetryDecision(self.backoff(retries_done), reason)
        if retry_after > MAX_RETRY_AFTER:
            return RetryDecision(None, reason, retry_after)
        return RetryDecision(retry_after, reason, retry_after)

    def after_exception(
        self, method: str, has_idempotency_key: bool, retries_done: int, error: httpx.HTTPError
    ) -> RetryDecision:
        """Decide after a transport failure that produced no response."""
        reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        # A bad URL scheme or a request that httpx rejects fails the same way every time.
        transient = isinstance(
            error, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError
        )
        if not transient or not self._may_repeat(method, has_idempotency_key, retries_done):
            return RetryDecision(None, reason)
        return RetryDecision(self.backoff(retries_done), reason)

    def _may_repeat(self, method: str, has_idempotency_key: bool, retries_done: int) -> bool:
        if retries_done >= self.max_retries:
            return False
        return method.upper() in IDEMPOTENT_METHODS or has_idempotency_key


def parse_retry_after(headers: httpx.Headers, now: float) -> float | None:
    """Return the delay the server asked for, in seconds, or None when absent or malformed.

    `retry-after-ms` (milliseconds) wins over `Retry-After`, which contains either seconds or
    an HTTP date. A date in the past means no delay.
    """
    milliseconds = _parse_delay(headers.get("retry-after-ms"))
    if milliseconds is not None:
        return milliseconds / 1000

    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _parse_delay(value)
    if seconds is not None:
        return seconds

    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        # RFC 5322 writes an unknown zone as -0000; HTTP dates are always GMT.
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, moment.timestamp() - now)


def _parse_delay(value: str | None) -> float | None:
    if value is None or not _DELAY_SECONDS.fullmatch(value.strip()):
        return None
    delay = float(value)
    return delay if math.isfinite(delay) else None


def _error_code(response: httpx.Response) -> str | None:
    _, error = read_error_body(response)
    code = error.get("code")
    return code if isinstance(code, str) else None
