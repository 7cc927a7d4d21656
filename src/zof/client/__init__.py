"""Python SDK of the zof API.

Example::

    from zof.client import Zof

    with Zof(api_key="...", base_url="http://127.0.0.1:8080") as zof:
        run = zof.runs.create("proj_123", "staging", commit_sha="4f2a9c1")
        zof.runs.upload_results(run.id, "build/test-results/junit.xml")
        run = zof.runs.complete(run.id)
        print(run.status, run.counts)

This package imports nothing from the server side of zof, so it works on its own.
"""

from ._client import AsyncZof, Zof
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    InternalServerError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ReportFailedError,
    UnprocessableEntityError,
    WaitTimeoutError,
    ZofError,
)
from ._models import (
    ApiKey,
    CreatedApiKey,
    DeletedObject,
    Project,
    Report,
    ReportPeriod,
    ReportSchedule,
    ReportScope,
    Result,
    ResultsUpload,
    Run,
    RunCounts,
    UploadWarning,
    ZofObject,
)
from ._pagination import AsyncPager, Page, SyncPager
from ._version import VERSION

__version__ = VERSION

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "ApiKey",
    "AsyncPager",
    "AsyncZof",
    "AuthenticationError",
    "ConflictError",
    "CreatedApiKey",
    "DeletedObject",
    "InternalServerError",
    "InvalidRequestError",
    "NotFoundError",
    "Page",
    "PermissionDeniedError",
    "Project",
    "RateLimitError",
    "Report",
    "ReportFailedError",
    "ReportPeriod",
    "ReportSchedule",
    "ReportScope",
    "Result",
    "ResultsUpload",
    "Run",
    "RunCounts",
    "SyncPager",
    "UnprocessableEntityError",
    "UploadWarning",
    "WaitTimeoutError",
    "Zof",
    "ZofError",
    "ZofObject",
]
