"""The JSON batch format: accepted documents and the field path in each rejection."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from ingest_helpers import parse, rejection

JSON = "application/json"


def batch(*results: dict[str, Any]) -> bytes:
    return json.dumps({"results": list(results)}).encode()


def test_full_result_is_read() -> None:
    document = batch(
        {
            "name": "test_login",
            "status": "failed",
            "suite": "auth",
            "classname": "tests.auth",
            "duration_ms": 120.4,
            "message": "assert 401 == 200",
            "failure_type": "AssertionError",
            "output": "log",
            "flaky": True,
            "attempts": 3,
            "file": "tests/auth.py",
            "line": 42,
            "started_at": "2024-05-01T12:00:00+02:00",
        }
    )

    result = parse(document, chunk_size=7, content_type=JSON)

    (case,) = result.cases
    assert result.dialect == "json"
    assert case.name == "test_login"
    assert case.status == "failed"
    assert case.suite == "auth"
    assert case.classname == "tests.auth"
    assert case.duration_ms == 120
    assert case.message == "assert 401 == 200"
    assert case.failure_type == "AssertionError"
    assert case.output == "log"
    assert case.flaky is True
    assert case.attempts == 3
    assert case.file == "tests/auth.py"
    assert case.line == 42
    assert case.started_at == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert case.source_line is None


def test_minimal_result_has_defaults() -> None:
    (case,) = parse(batch({"name": "t", "status": "skipped"}), content_type=JSON).cases

    assert case.attempts == 1
    assert case.flaky is False
    assert case.suite is None
    assert case.duration_ms is None


def test_content_type_parameters_are_ignored() -> None:
    result = parse(
        batch({"name": "t", "status": "passed"}), content_type="application/json; charset=utf-8"
    )

    assert result.case_count == 1


def test_empty_results_list() -> None:
    assert parse(b'{"results": []}', content_type=JSON).cases == []


def test_long_output_is_truncated_with_warning() -> None:
    result = parse(
        batch({"name": "t", "status": "passed", "output": "o" * 50}),
        content_type=JSON,
        max_output_chars=10,
    )

    assert result.cases[0].output == "o" * 10
    assert result.codes() == ["output_truncated"]


@pytest.mark.parametrize(
    ("document", "path"),
    [
        (batch({"status": "passed"}), "results[0].name"),
        (batch({"name": "", "status": "passed"}), "results[0].name"),
        (
            batch({"name": "a", "status": "passed"}, {"name": "b", "status": "ok"}),
            "results[1].status",
        ),
        (batch({"name": "a", "status": "passed", "duration_ms": -1}), "results[0].duration_ms"),
        (batch({"name": "a", "status": "passed", "duration_ms": "5"}), "results[0].duration_ms"),
        (batch({"name": "a", "status": "passed", "attempts": 0}), "results[0].attempts"),
        (batch({"name": "a", "status": "passed", "attempts": 1.5}), "results[0].attempts"),
        (batch({"name": "a", "status": "passed", "line": True}), "results[0].line"),
        (batch({"name": "a", "status": "passed", "flaky": "yes"}), "results[0].flaky"),
        (batch({"name": 5, "status": "passed"}), "results[0].name"),
        (batch({"name": "a", "status": "passed", "colour": "red"}), "results[0].colour"),
        (batch({"name": "a", "status": "passed", "suite": "s" * 3000}), "results[0].suite"),
        (
            batch({"name": "a", "status": "passed", "started_at": "2024-05-01T10:00:00"}),
            "results[0].started_at",
        ),
        (
            batch({"name": "a", "status": "passed", "started_at": "2024-13-01T10:00:00Z"}),
            "results[0].started_at",
        ),
        (batch("not an object"), "results[0]"),  # type: ignore[arg-type]
        (b'{"results": {}}', "results"),
        (b"{}", "results"),
        (b'{"results": [], "extra": 1}', "extra"),
    ],
)
def test_invalid_field_names_its_path(document: bytes, path: str) -> None:
    error = rejection(document, content_type=JSON)

    assert error.code == "invalid_json"
    assert f"The field {path} " in error.message


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        (b"", "not valid JSON"),
        (b'{"results": [', "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"results": [\xff]}', "not valid UTF-8"),
        (b'{"results": [NaN]}', "NaN"),
        (b"[" * 100_000 + b"]" * 100_000, "too deeply"),
    ],
)
def test_invalid_json_body(document: bytes, fragment: str) -> None:
    error = rejection(document, content_type=JSON)

    assert error.code == "invalid_json"
    assert fragment in error.message


def test_syntax_error_has_line() -> None:
    error = rejection(b'{"results": [\n{"name": "a",\n"status": }]}', content_type=JSON)

    assert error.line == 3


def test_too_many_results(monkeypatch: pytest.MonkeyPatch) -> None:
    from zof.ingest import jsonbatch

    monkeypatch.setattr(jsonbatch, "MAX_RESULTS", 2)
    document = batch(*({"name": f"t{n}", "status": "passed"} for n in range(3)))

    error = rejection(document, content_type=JSON)

    assert error.code == "invalid_json"
    assert "at most 2" in error.message
