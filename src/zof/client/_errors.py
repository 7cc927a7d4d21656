"""Exceptions raised by the zof SDK.

Every exception the SDK raises on purpose derives from `ZofError`::

    ZofError
    ├── APIError                      the server returned a non-2xx status
    │   ├── InvalidRequestError       400, 413, 415
    │   ├── AuthenticationError       401
    │   ├── PermissionDeniedError     403
    │   ├── NotFoundError             404
    │   ├── ConflictError             409
    │   ├── UnprocessableEntityError  422
    │   ├── RateLimitError            429
    │   └── InternalServerError       5xx
    ├── APIConnectionError            no response: DNS, refused connection, reset, ...
    │   └── APITimeoutError           the request timed out
    ├── ReportFailedError             Reports.wait: the report ended as `failed`
    └── WaitTimeoutError              Reports.wait: the report was not ready in time

Other 4xx statuses (405, 408, ...) raise a plain `APIError`. Invalid arguments, such as
a naive datetime, raise `ValueError` before any request is sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from ._models import Report

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "ConflictError",
    "InternalServerError",
    "InvalidRequestError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ReportFailedError",
    "UnprocessableEntityError",
    "WaitTimeoutError",
    "ZofError",
]


class ZofError(Exception):
    """Base class of every exception the SDK raises on purpose."""


class APIError(ZofError):
    """The server returned a non-2xx status.

    Attributes:
        status_code: HTTP status of the response.
        code: stable snake_case error code from the body, such as `run_not_cancelable`,
            or None when the body is not the zof error envelope (a proxy page, say).
        param: the query parameter, header or body field at fault, or None.
        message: the human-readable message from the body.
        request_id: the `X-Request-Id` the server assigned, to quote in bug reports.
        body: the decoded JSON body, or the raw text when it is not JSON.
        retry_after: the delay in seconds that the server asked for with `Retry-After`
            or `retry-after-ms`, or None when it sent neither.
        response: the `httpx.Response`, already read and closed.
    """

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        code: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
        body: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.response = response
        self.status_code = response.status_code
        self.code = code
        self.param = param
        self.request_id = request_id
        self.body = body
        self.retry_after = retry_after

    def __str__(self) -> str:
        prefix = self.code if self.code else f"HTTP {self.status_code}"
        text = f"{prefix}: {self.message}"
        if self.request_id:
            text += f" (request_id={self.request_id})"
        return text


class InvalidRequestError(APIError):
    """The request was rejected as invalid (400), too large (413) or of the wrong type (415)."""


class AuthenticationError(APIError):
    """The API key is missing, malformed, unknown, revoked or expired (401)."""


class PermissionDeniedError(APIError):
    """The API key lacks the permission that the route needs (403)."""


class NotFoundError(APIError):
    """The resource does not exist or belongs to another organization (404)."""


class ConflictError(APIError):
    """The resource is in a state that forbids the request (409)."""


class UnprocessableEntityError(APIError):
    """The idempotency key was already used for another request (422)."""


class RateLimitError(APIError):
    """Too many requests (429). `retry_after` is the delay to wait, in seconds."""


class InternalServerError(APIError):
    """The server failed (5xx)."""


class APIConnectionError(ZofError):
    """The request got no HTTP response: connection refused or reset, DNS failure, ..."""


class APITimeoutError(APIConnectionError):
    """The request timed out before a complete response arrived."""


class ReportFailedError(ZofError):
    """`Reports.wait` saw the report end with status `failed`.

    Attributes:
        report: the failed report. `report.error` contains the server's reason.
    """

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__(f"Report {report.id} failed: {_failure_reason(report.error)}")


class WaitTimeoutError(ZofError, TimeoutError):
    """`Reports.wait` gave up before the report became `ready` or `failed`.

    Attributes:
        report_id: the report waited for.
        timeout: the time waited, in seconds.
        last_status: the status seen on the last poll.
    """

    def __init__(self, report_id: str, timeout: float, last_status: str) -> None:
        self.report_id = report_id
        self.timeout = timeout
        self.last_status = last_status
        super().__init__(
            f"Report {report_id} is still {last_status} after {timeout:g} s; "
            "call wait() again or pass a longer timeout."
        )


_CLASS_BY_STATUS: dict[int, type[APIError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: InvalidRequestError,
    415: InvalidRequestError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def read_error_body(response: httpx.Response) -> tuple[Any, dict[str, Any]]:
    """Return the decoded body and its `error` object, which is empty when absent."""
    try:
        body: Any = response.json()
    except ValueError:
        return response.text, {}
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body, body["error"]
    return body, {}


def make_api_error(response: httpx.Response, retry_after: float | None = None) -> APIError:
    """Build the `APIError` subclass that matches a non-2xx response, which must be read."""
    body, error = read_error_body(response)
    message = error.get("message")
    if not isinstance(message, str) or not message:
        message = response.reason_phrase or "Request failed."
    request_id = error.get("request_id") or response.headers.get("x-request-id")

    if response.status_code >= 500:
        error_class: type[APIError] = InternalServerError
    else:
        error_class = _CLASS_BY_STATUS.get(response.status_code, APIError)

    return error_class(
        message,
        response=response,
        code=_optional_str(error.get("code")),
        param=_optional_str(error.get("param")),
        request_id=_optional_str(request_id),
        body=body,
        retry_after=retry_after,
    )


def _failure_reason(error: Any) -> str:
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        code = error.get("code")
        return f"{code}: {error['message']}" if isinstance(code, str) else error["message"]
    return "no reason given" if error is None else str(error)


def _optional_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
