"""The `Zof` and `AsyncZof` clients: configuration, authentication and the retry loop."""

from __future__ import annotations

import asyncio
import logging
import os
import random as random_module
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from ._errors import APIConnectionError, APITimeoutError, ZofError, make_api_error
from ._models import ZofObject
from ._pagination import Page, parse_page
from ._request import RequestSpec
from ._retry import RetryDecision, RetryPolicy
from ._version import VERSION
from .resources.api_keys import ApiKeys, AsyncApiKeys
from .resources.projects import AsyncProjects, Projects
from .resources.report_schedules import AsyncReportSchedules, ReportSchedules
from .resources.reports import AsyncReports, Reports
from .resources.results import AsyncResults, Results
from .resources.runs import AsyncRuns, Runs

DEFAULT_BASE_URL = "http://127.0.0.1:8080"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 2

logger = logging.getLogger("zof.client")

ModelT = TypeVar("ModelT", bound=ZofObject)


class _ClientConfig:
    """Settings shared by the sync and async clients."""

    def __init__(
        self,
        api_key: str | None,
        base_url: str | None,
        timeout: float | httpx.Timeout,
        max_retries: int,
        random: Callable[[], float],
        clock: Callable[[], float],
        monotonic: Callable[[], float],
    ) -> None:
        api_key = api_key or os.environ.get("ZOF_API_KEY")
        if not api_key:
            raise ZofError(
                "No API key: pass api_key= to the client or set the ZOF_API_KEY "
                "environment variable."
            )
        base_url = base_url or os.environ.get("ZOF_BASE_URL") or DEFAULT_BASE_URL
        self.api_url = base_url.rstrip("/") + "/v1"
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.policy = RetryPolicy(max_retries, random=random, clock=clock)
        self.monotonic = monotonic
        self.default_headers = {
            "Authorization": f"Bearer {api_key}",
            "User-Agent": f"zof-python/{VERSION}",
            "Accept": "application/json",
        }

    def request_kwargs(self, spec: RequestSpec) -> dict[str, Any]:
        headers = dict(self.default_headers)
        if spec.idempotency_key is not None:
            headers["Idempotency-Key"] = spec.idempotency_key
        if spec.upload is not None:
            headers.update(spec.upload.headers)
        headers.update(spec.headers)
        return {
            "method": spec.method,
            "url": self.api_url + spec.path,
            "params": spec.params,
            "json": spec.json,
            "headers": headers,
            "timeout": self.timeout,
        }

    def decide(
        self, spec: RequestSpec, retries_done: int, outcome: httpx.Response | httpx.HTTPError
    ) -> RetryDecision:
        has_key = spec.idempotency_key is not None
        if isinstance(outcome, httpx.Response):
            decision = self.policy.after_response(spec.method, has_key, retries_done, outcome)
        else:
            decision = self.policy.after_exception(spec.method, has_key, retries_done, outcome)
        if decision.should_retry and spec.upload is not None and not spec.upload.replayable:
            return RetryDecision(None, decision.reason, decision.retry_after)
        return decision

    def log_retry(
        self, spec: RequestSpec, retries_done: int, decision: RetryDecision, request_id: str | None
    ) -> None:
        logger.info(
            "Retrying %s /v1%s in %.2f s (retry %d of %d) after %s, request_id=%s",
            spec.method,
            spec.path,
            decision.wait,
            retries_done + 1,
            self.policy.max_retries,
            decision.reason,
            request_id or "-",
        )


def _transport_error(error: httpx.HTTPError, spec: RequestSpec) -> APIConnectionError:
    target = f"{spec.method} /v1{spec.path}"
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(f"{target} timed out: {error}")
    return APIConnectionError(f"{target} failed without a response: {error}")


class Zof:
    """Synchronous client of the zof API.

    Args:
        api_key: the secret API key; defaults to the `ZOF_API_KEY` environment variable.
        base_url: the server root, without `/v1`; defaults to `ZOF_BASE_URL`, then to
            `http://127.0.0.1:8080`.
        timeout: seconds allowed for each attempt (connect, read, write and pool), or an
            `httpx.Timeout`; default 30. It applies to a supplied `http_client` too.
        max_retries: retries after the first attempt on transient failures; default 2,
            0 turns retrying off.
        http_client: an `httpx.Client` to send with, for proxies or custom TLS. The
            caller keeps ownership: `close()` leaves a supplied client open.
        sleep: called with the seconds to wait between attempts; for tests.
        random: returns a float in [0, 1) for the backoff jitter; for tests.
        clock: returns the Unix time, to read `Retry-After` dates; for tests.
        monotonic: returns a monotonic time in seconds, for `Reports.wait`; for tests.

    Raises:
        ZofError: no API key was given and `ZOF_API_KEY` is unset.

    Example::

        with Zof() as zof:
            for run in zof.runs.list(project_id="proj_123", status="failed"):
                print(run.id, run.counts.failed)
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] = random_module.random,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = _ClientConfig(
            api_key, base_url, timeout, max_retries, random, clock, monotonic
        )
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.Client()
        self._sleep = sleep

        self.projects = Projects(self)
        self.api_keys = ApiKeys(self)
        self.runs = Runs(self)
        self.results = Results(self)
        self.reports = Reports(self)
        self.report_schedules = ReportSchedules(self)

    @property
    def base_url(self) -> str:
        """The API root, ending in `/v1`."""
        return self._config.api_url

    def close(self) -> None:
        """Close the HTTP connections, unless the caller supplied the `http_client`."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _request(self, model: type[ModelT], spec: RequestSpec) -> ModelT:
        response = self._send(spec)
        return model.model_validate(response.json())

    def _request_page(self, model: type[ModelT], spec: RequestSpec) -> Page[ModelT]:
        return parse_page(model, self._send(spec).json())

    def _send(self, spec: RequestSpec, *, stream: bool = False) -> httpx.Response:
        """Send `spec` with retries and return the 2xx response.

        With `stream=True` the body of the returned response is unread and the caller
        must close it; otherwise it is read and the connection released.
        """
        retries_done = 0
        while True:
            request = self._http.build_request(
                **self._config.request_kwargs(spec),
                content=spec.upload.sync_content() if spec.upload else None,
            )
            try:
                response = self._http.send(request, stream=True)
                if not (stream and response.is_success):
                    try:
                        response.read()
                    finally:
                        response.close()
            except httpx.RequestError as error:
                decision = self._config.decide(spec, retries_done, error)
                if not decision.should_retry:
                    raise _transport_error(error, spec) from error
                request_id = None
            else:
                if response.is_success:
                    return response
                decision = self._config.decide(spec, retries_done, response)
                if not decision.should_retry:
                    raise make_api_error(response, decision.retry_after)
                request_id = response.headers.get("x-request-id")

            assert decision.wait is not None
            self._config.log_retry(spec, retries_done, decision, request_id)
            self._sleep(decision.wait)
            retries_done += 1


class AsyncZof:
    """Asynchronous client of the zof API.

    It takes the same arguments as `Zof`, except that `http_client` is an
    `httpx.AsyncClient` and `sleep` is a coroutine function (default `asyncio.sleep`).
    Methods are coroutines, and `list()` returns an async iterator.

    Example::

        async with AsyncZof() as zof:
            report = await zof.reports.create(scope={"type": "organization"},
                                              range="last_7_days")
            report = await zof.reports.wait(report.id)
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        random: Callable[[], float] = random_module.random,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = _ClientConfig(
            api_key, base_url, timeout, max_retries, random, clock, monotonic
        )
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient()
        self._sleep = sleep

        self.projects = AsyncProjects(self)
        self.api_keys = AsyncApiKeys(self)
        self.runs = AsyncRuns(self)
        self.results = AsyncResults(self)
        self.reports = AsyncReports(self)
        self.report_schedules = AsyncReportSchedules(self)

    @property
    def base_url(self) -> str:
        """The API root, ending in `/v1`."""
        return self._config.api_url

    async def close(self) -> None:
        """Close the HTTP connections, unless the caller supplied the `http_client`."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def _request(self, model: type[ModelT], spec: RequestSpec) -> ModelT:
        response = await self._send(spec)
        return model.model_validate(response.json())

    async def _request_page(self, model: type[ModelT], spec: RequestSpec) -> Page[ModelT]:
        response = await self._send(spec)
        return parse_page(model, response.json())

    async def _send(self, spec: RequestSpec, *, stream: bool = False) -> httpx.Response:
        """Send `spec` with retries and return the 2xx response; see `Zof._send`."""
        retries_done = 0
        while True:
            request = self._http.build_request(
                **self._config.request_kwargs(spec),
                content=spec.upload.async_content() if spec.upload else None,
            )
            try:
                response = await self._http.send(request, stream=True)
                if not (stream and response.is_success):
                    try:
                        await response.aread()
                    finally:
                        await response.aclose()
            except httpx.RequestError as error:
                decision = self._config.decide(spec, retries_done, error)
                if not decision.should_retry:
                    raise _transport_error(error, spec) from error
                request_id = None
            else:
                if response.is_success:
                    return response
                decision = self._config.decide(spec, retries_done, response)
                if not decision.should_retry:
                    raise make_api_error(response, decision.retry_after)
                request_id = response.headers.get("x-request-id")

            assert decision.wait is not None
            self._config.log_retry(spec, retries_done, decision, request_id)
            await self._sleep(decision.wait)
            retries_done += 1
