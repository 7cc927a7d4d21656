"""Request bodies and response shapes of reports and report schedules."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from zof.api.params import Timestamp
from zof.api.schemas import Body, ListEnvelope

ScopeType = Literal["organization", "project", "environment", "suite"]
RangePreset = Literal[
    "last_24_hours",
    "last_7_days",
    "last_30_days",
    "previous_day",
    "previous_week",
    "previous_month",
]
ReportKind = Literal["summary"]
ReportStatus = Literal["queued", "generating", "ready", "failed"]
ReportSource = Literal["api", "schedule", "run"]
ContentFormat = Literal["json", "csv", "html"]


class ScopeBody(Body):
    type: ScopeType
    project_id: str | None = Field(default=None, min_length=1, max_length=64)
    environment: str | None = Field(default=None, min_length=1, max_length=100)
    suite: str | None = Field(default=None, min_length=1, max_length=200)


class PeriodBody(Body):
    start: Timestamp
    end: Timestamp


class ReportCreate(Body):
    kind: ReportKind = "summary"
    scope: ScopeBody
    period: PeriodBody | None = Field(
        default=None, description="A half-open [start, end) period; give this or `range`."
    )
    range: RangePreset | None = Field(
        default=None, description="A preset resolved at creation time, in UTC."
    )


class ScopeOut(BaseModel):
    type: ScopeType
    project_id: str | None
    environment: str | None
    suite: str | None


class PeriodOut(BaseModel):
    start: str
    end: str


class ReportLinks(BaseModel):
    self: str
    content: dict[str, str]


class Report(BaseModel):
    id: str
    object: Literal["report"]
    kind: ReportKind
    status: ReportStatus
    scope: ScopeOut
    period: PeriodOut
    range: RangePreset | None
    source: ReportSource
    schedule_id: str | None
    run_id: str | None
    created_at: str
    completed_at: str | None
    expires_at: str
    summary: dict[str, Any] | None = Field(description="The figures, once `ready`.")
    error: dict[str, Any] | None = Field(description="What went wrong, once `failed`.")
    links: ReportLinks


class ReportList(ListEnvelope):
    data: list[Report]


class DeletedReport(BaseModel):
    id: str
    object: Literal["report"]
    deleted: Literal[True]


class ScheduleCreate(Body):
    name: str = Field(min_length=1, max_length=200)
    cron: str = Field(
        min_length=9, max_length=100, description="Five cron fields, evaluated in UTC."
    )
    kind: ReportKind = "summary"
    scope: ScopeBody
    range: RangePreset
    enabled: bool = True


class ScheduleUpdate(Body):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    cron: str | None = Field(default=None, min_length=9, max_length=100)
    scope: ScopeBody | None = None
    range: RangePreset | None = None
    enabled: bool | None = None


class Schedule(BaseModel):
    id: str
    object: Literal["report_schedule"]
    name: str
    cron: str
    kind: ReportKind
    scope: ScopeOut
    range: RangePreset
    enabled: bool
    next_run_at: str | None
    last_run_at: str | None
    created_at: str
    updated_at: str


class ScheduleList(ListEnvelope):
    data: list[Schedule]
