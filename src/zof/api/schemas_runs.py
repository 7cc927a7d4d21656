"""Request bodies and response shapes of runs, results uploads and results."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from zof.api.params import Timestamp
from zof.api.schemas import Body, ListEnvelope

RunStatus = Literal["queued", "running", "passed", "failed", "error", "canceled"]
CompletedStatus = Literal["passed", "failed", "error"]
ResultStatus = Literal["passed", "failed", "error", "skipped"]


def _plain_text(value: str | None) -> str | None:
    """Reject text that cannot be stored or shown as a label: control characters, padding."""
    if value is None:
        return None
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise ValueError("must not contain control characters")
    if value != value.strip():
        raise ValueError("must not start or end with whitespace")
    return value


class RunCreate(Body):
    project_id: str = Field(min_length=1, max_length=64, description="A project id, `proj_...`.")
    environment: str = Field(
        min_length=1, max_length=100, description="Where the tests ran, such as `staging`."
    )
    suite: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The suite, if a project has several.",
    )
    commit_sha: str | None = Field(default=None, min_length=1, max_length=64)
    branch: str | None = Field(default=None, min_length=1, max_length=255)
    build_url: str | None = Field(
        default=None, min_length=1, max_length=2048, description="A link to the CI build."
    )
    source: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="What reported the run, such as `github-actions`.",
    )
    started_at: Timestamp | None = Field(
        default=None,
        description="When the tests started; `duration_ms` counts from here, else from "
        "`created_at`.",
    )

    @field_validator(
        "project_id", "environment", "suite", "commit_sha", "branch", "build_url", "source"
    )
    @classmethod
    def _check_text(cls, value: str | None) -> str | None:
        return _plain_text(value)


class RunComplete(Body):
    status: CompletedStatus | None = Field(
        default=None,
        description="The final status; without it, `error` if any result errored, else "
        "`failed` if any failed, else `passed`.",
    )


class RunCounts(BaseModel):
    total: int
    passed: int
    failed: int
    error: int
    skipped: int
    flaky: int


class UploadWarning(BaseModel):
    code: str
    message: str
    line: int | None


class UploadSummary(BaseModel):
    id: str
    filename: str | None
    dialect: str
    accepted: int
    warnings: list[UploadWarning]
    created_at: str


class Run(BaseModel):
    id: str
    object: Literal["run"]
    project_id: str
    environment: str
    suite: str | None
    status: RunStatus
    source: str | None
    commit_sha: str | None
    branch: str | None
    build_url: str | None
    created_at: str
    started_at: str | None
    completed_at: str | None
    duration_ms: int | None
    counts: RunCounts


class RunDetail(Run):
    uploads: list[UploadSummary] = Field(
        description="Provenance of every results upload into the run, oldest first."
    )


class RunList(ListEnvelope):
    data: list[Run]


class ResultsUpload(BaseModel):
    id: str
    object: Literal["results_upload"]
    accepted: int = Field(description="How many case results were stored.")
    dialect: str = Field(description="The format detected, such as `junit/pytest` or `json`.")
    filename: str | None
    warnings: list[UploadWarning] = Field(
        description="What was repaired or ignored, with the line where it happened."
    )
    run: Run


class Result(BaseModel):
    id: str
    object: Literal["result"]
    run_id: str
    project_id: str
    environment: str
    suite: str | None
    classname: str | None
    name: str
    status: ResultStatus
    duration_ms: int | None
    message: str | None
    failure_type: str | None
    flaky: bool
    attempts: int
    file: str | None
    line: int | None
    created_at: str


class ResultDetail(Result):
    output: str | None = Field(
        description="Captured output, cut to 65,536 characters; left out of list items."
    )


class ResultList(ListEnvelope):
    data: list[Result]


# The JSON batch upload. These models only describe the format in the OpenAPI document;
# zof.ingest reads the body itself, with the same rules.


class BatchResult(BaseModel):
    name: str = Field(min_length=1, max_length=2000)
    status: ResultStatus
    suite: str | None = Field(default=None, max_length=2000)
    classname: str | None = Field(default=None, max_length=2000)
    duration_ms: float | None = Field(default=None, ge=0, le=10**12)
    message: str | None = Field(default=None, max_length=8192)
    failure_type: str | None = Field(default=None, max_length=2000)
    output: str | None = Field(default=None, description="Cut to 65,536 characters.")
    flaky: bool | None = None
    attempts: int | None = Field(default=None, ge=1, le=10**9)
    file: str | None = Field(default=None, max_length=2000)
    line: int | None = Field(default=None, ge=1, le=10**9)
    started_at: str | None = Field(
        default=None, description="RFC 3339 with an offset, such as 2024-05-01T10:00:00Z."
    )

    model_config = {"extra": "forbid"}


class ResultBatch(BaseModel):
    results: list[BatchResult] = Field(max_length=50_000)

    model_config = {"extra": "forbid"}


def batch_json_schema() -> dict[str, Any]:
    """Return the JSON batch schema with its definitions inlined.

    In OpenAPI 3.1 a `$ref` resolves against the whole document, so the `#/$defs/...`
    references pydantic writes would point nowhere inside a request body.
    """
    schema = ResultBatch.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str) and reference.startswith("#/$defs/"):
                return inline(definitions[reference.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    inlined: dict[str, Any] = inline(schema)
    return inlined
