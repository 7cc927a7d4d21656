"""The CSV download: the whole report as one flat table with a `section` column.

Each row belongs to one section, and only the columns that section uses are filled:

- `report`: `metric` (id, kind, scope and period fields) and `value`.
- `headline`: `metric` (such as `runs.total`, `tests.flaky`, `pass_rate`,
  `duration_ms.p95`), `value` for the period and `previous_value` for the previous one.
- `daily`: `date`, `runs`, `tests`, `passed`, `failed`, `error`, `skipped`, `pass_rate`.
- `top_failures`, `flaky_tests`, `slowest_tests`, `new_failures`: the test's identity
  (`test_key`, `project_id`, `suite`, `classname`, `name`) and the section's own fields,
  under the same names as in the JSON summary. Flaky `signals` are joined by spaces.

Empty cells are missing values. A text cell that a spreadsheet could read as a formula
(it starts with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

COLUMNS = [
    "section",
    "metric",
    "value",
    "previous_value",
    "date",
    "test_key",
    "project_id",
    "suite",
    "classname",
    "name",
    "runs",
    "tests",
    "passed",
    "failed",
    "error",
    "skipped",
    "pass_rate",
    "failures",
    "executions",
    "flaky_executions",
    "flake_rate",
    "signals",
    "avg_duration_ms",
    "max_duration_ms",
    "first_failed_at",
    "last_failed_at",
    "last_seen_at",
    "last_message",
    "last_failure_type",
    "message",
    "failure_type",
]

TEST_SECTIONS = ("top_failures", "flaky_tests", "slowest_tests", "new_failures")
HEADLINE_GROUPS = ("runs", "tests", "duration_ms")
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formula(text: str) -> str:
    """Prefix `'` to text that a spreadsheet would evaluate as a formula."""
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def _cell(value: Any) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list):
        value = " ".join(str(item) for item in value)
    return neutralize_formula(str(value))


def _report_rows(report: dict[str, Any]) -> Iterator[dict[str, Any]]:
    scope = report.get("scope") or {}
    period = report.get("period") or {}
    fields = [
        ("id", report.get("id")),
        ("kind", report.get("kind")),
        ("scope.type", scope.get("type")),
        ("scope.project_id", scope.get("project_id")),
        ("scope.environment", scope.get("environment")),
        ("scope.suite", scope.get("suite")),
        ("period.start", period.get("start")),
        ("period.end", period.get("end")),
        ("created_at", report.get("created_at")),
        ("completed_at", report.get("completed_at")),
    ]
    for metric, value in fields:
        yield {"section": "report", "metric": metric, "value": value}


def _headline_rows(summary: dict[str, Any]) -> Iterator[dict[str, Any]]:
    previous = summary.get("previous_period") or {}
    for group in HEADLINE_GROUPS:
        for name, value in summary[group].items():
            yield {
                "section": "headline",
                "metric": f"{group}.{name}",
                "value": value,
                "previous_value": (previous.get(group) or {}).get(name),
            }
    yield {
        "section": "headline",
        "metric": "pass_rate",
        "value": summary["pass_rate"],
        "previous_value": previous.get("pass_rate"),
    }


def _rows(report: dict[str, Any]) -> Iterator[dict[str, Any]]:
    summary = report.get("summary")
    if summary is None:
        raise ValueError("The report has no summary; only a ready report can be rendered.")

    yield from _report_rows(report)
    yield from _headline_rows(summary)
    for day in summary["daily"]:
        yield {"section": "daily", **day}
    for section in TEST_SECTIONS:
        for entry in summary[section]:
            yield {"section": section, **entry}


def render_csv(report: dict[str, Any]) -> bytes:
    """Render the report as UTF-8 CSV with a header row; see the module docstring."""
    buffer = io.StringIO()
    # extrasaction="ignore" lets the summary grow new fields without breaking the CSV.
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in _rows(report):
        writer.writerow({column: _cell(value) for column, value in row.items()})
    return buffer.getvalue().encode()
