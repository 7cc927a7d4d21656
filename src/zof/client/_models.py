"""Typed objects returned by the API.

Every model accepts fields it does not declare (`extra="allow"`), so a newer server that
adds fields never breaks an older SDK; undeclared fields are readable as attributes and
appear in `model_dump()`. Timestamps are parsed into timezone-aware datetimes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ZofObject(BaseModel):
    """Base class of every API object."""

    model_config = ConfigDict(extra="allow")


class Project(ZofObject):
    """A project: the tests of one code base, reported by CI."""

    id: str
    object: str = "project"
    name: str
    description: str | None = None
    created_at: datetime
    updated_at: datetime | None = None


class ApiKey(ZofObject):
    """An API key, without its secret.

    `permissions` is None when the key has every permission of its role, and otherwise
    the narrower list it was created with.
    """

    id: str
    object: str = "api_key"
    name: str
    role: str
    permissions: list[str] | None = None
    prefix: str | None = None
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class CreatedApiKey(ApiKey):
    """A newly created API key with its `secret`, which the server shows only once."""

    secret: str


class RunCounts(ZofObject):
    """Case results of a run counted by status."""

    total: int = 0
    passed: int = 0
    failed: int = 0
    error: int = 0
    skipped: int = 0
    flaky: int = 0


class Run(ZofObject):
    """One execution of a project's tests in one environment."""

    id: str
    object: str = "run"
    project_id: str
    environment: str
    suite: str | None = None
    status: str
    source: str | None = None
    commit_sha: str | None = None
    branch: str | None = None
    build_url: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    completed_at: datetime | None = None
    duration_ms: int | None = None
    counts: RunCounts = Field(default_factory=RunCounts)


class UploadWarning(ZofObject):
    """Something the server repaired or ignored in an uploaded file."""

    code: str
    message: str
    line: int | None = None


class ResultsUpload(ZofObject):
    """The outcome of one results upload, with the run and its updated counts."""

    object: str = "results_upload"
    accepted: int
    dialect: str
    filename: str | None = None
    warnings: list[UploadWarning] = Field(default_factory=list)
    run: Run


class Result(ZofObject):
    """One execution of one test case."""

    id: str
    object: str = "result"
    run_id: str
    project_id: str
    environment: str | None = None
    suite: str | None = None
    classname: str | None = None
    name: str
    status: str
    duration_ms: int | None = None
    message: str | None = None
    failure_type: str | None = None
    flaky: bool = False
    attempts: int = 1
    file: str | None = None
    line: int | None = None
    created_at: datetime


class ReportScope(ZofObject):
    """The subject of a report: the whole organization, or one project, environment or suite."""

    type: str
    project_id: str | None = None
    environment: str | None = None
    suite: str | None = None


class ReportPeriod(ZofObject):
    """A half-open time range `[start, end)`."""

    start: datetime
    end: datetime


class Report(ZofObject):
    """A generated summary of the runs and results in a scope and a period.

    `summary` is set once the status is `ready` and `error` once it is `failed`. The
    summary is a plain dict because its sections grow with the server.
    """

    id: str
    object: str = "report"
    kind: str
    status: str
    scope: ReportScope
    period: ReportPeriod | None = None
    source: str | None = None
    created_at: datetime
    completed_at: datetime | None = None
    expires_at: datetime | None = None
    summary: dict[str, Any] | None = None
    error: Any = None


class DeletedObject(ZofObject):
    """The response to a deletion: the id and object type of the deleted resource."""

    id: str
    object: str
    deleted: bool = True


class ReportSchedule(ZofObject):
    """A cron schedule that generates a report each time it fires."""

    id: str
    object: str = "report_schedule"
    name: str
    cron: str
    kind: str
    scope: ReportScope
    range: str
    enabled: bool
    next_run_at: datetime | None = None
    created_at: datetime
    updated_at: datetime | None = None
