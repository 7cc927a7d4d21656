"""Turn stored runs, uploads and results into the API's objects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from zof.api.serializers import ts
from zof.services.runs import RunDetail


def run(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "object": "run",
        "project_id": row["project_id"],
        "environment": row["environment"],
        "suite": row["suite"],
        "status": row["status"],
        "source": row["source"],
        "commit_sha": row["commit_sha"],
        "branch": row["branch"],
        "build_url": row["build_url"],
        "created_at": ts(row["created_at"]),
        "started_at": ts(row["started_at"]),
        "completed_at": ts(row["completed_at"]),
        "duration_ms": row["duration_ms"],
        "counts": {
            "total": row["count_total"],
            "passed": row["count_passed"],
            "failed": row["count_failed"],
            "error": row["count_error"],
            "skipped": row["count_skipped"],
            "flaky": row["count_flaky"],
        },
    }


def run_detail(detail: RunDetail) -> dict[str, Any]:
    """Return a run with its uploads, as responses about a single run show it."""
    return {**run(detail.run), "uploads": [upload_summary(row) for row in detail.uploads]}


def upload_summary(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "filename": row["filename"],
        "dialect": row["dialect"],
        "accepted": row["accepted"],
        "warnings": _warnings(row["warnings"]),
        "created_at": ts(row["created_at"]),
    }


def results_upload(upload: Mapping[Any, Any], run_row: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        "id": upload["id"],
        "object": "results_upload",
        "accepted": upload["accepted"],
        "dialect": upload["dialect"],
        "filename": upload["filename"],
        "warnings": _warnings(upload["warnings"]),
        "run": run(run_row),
    }


def result(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "object": "result",
        "run_id": row["run_id"],
        "project_id": row["project_id"],
        "environment": row["environment"],
        "suite": row["suite"],
        "classname": row["classname"],
        "name": row["name"],
        "status": row["status"],
        "duration_ms": row["duration_ms"],
        "message": row["message"],
        "failure_type": row["failure_type"],
        "flaky": bool(row["flaky"]),
        "attempts": row["attempts"],
        "file": row["file"],
        "line": row["line"],
        "created_at": ts(row["created_at"]),
    }


def result_detail(row: Mapping[Any, Any]) -> dict[str, Any]:
    """Return a result with its captured output, as `GET /v1/results/{id}` shows it."""
    return {**result(row), "output": row["output"]}


def _warnings(stored: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    return [
        {"code": item["code"], "message": item["message"], "line": item.get("line")}
        for item in stored or []
    ]
