"""The JSON batch format: zof's own upload format for case results.

A batch is one JSON object with a single key, `results`, holding a list of results:

    {"results": [
        {"name": "test_login", "status": "failed", "suite": "auth", "classname": "tests.auth",
         "duration_ms": 120, "message": "assert 401 == 200", "failure_type": "AssertionError",
         "output": "...", "flaky": false, "attempts": 1, "file": "tests/auth.py",
         "line": 42, "started_at": "2024-05-01T10:00:00Z"}
    ]}

`name` and `status` (passed, failed, error, skipped) are required; every other field may be
missing or null. `duration_ms` is a number >= 0, `attempts` and `line` are whole numbers
>= 1, and `started_at` is RFC 3339 with an offset. Unknown fields are errors, so a typo does
not drop data silently. An error names the field as a path such as `results[3].status`.

The whole body is buffered and parsed at `close()`. That is acceptable because the HTTP
route caps the body size before it reaches the parser.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from typing import Any

from zof.ingest.model import STATUSES, CaseResult, IngestError, Status, WarningLog

MAX_RESULTS = 50_000
MAX_NAME_CHARS = 2000
MAX_MESSAGE_CHARS = 8192

_TEXT_FIELDS = {
    "suite": MAX_NAME_CHARS,
    "classname": MAX_NAME_CHARS,
    "name": MAX_NAME_CHARS,
    "failure_type": MAX_NAME_CHARS,
    "file": MAX_NAME_CHARS,
    "message": MAX_MESSAGE_CHARS,
}
_FIELDS = frozenset(
    {*_TEXT_FIELDS, "status", "duration_ms", "output", "flaky", "attempts", "line", "started_at"}
)
_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


class JsonBatch:
    """A JSON batch upload, buffered until `close()`."""

    def __init__(self, warnings: WarningLog, max_output_chars: int) -> None:
        self._warnings = warnings
        self._max_output_chars = max_output_chars
        self._body = bytearray()

    def feed(self, data: bytes) -> list[CaseResult]:
        self._body += data
        return []

    def close(self) -> list[CaseResult]:
        """Parse the buffered body and return its results; raise IngestError if invalid."""
        document = self._load()
        if not isinstance(document, dict):
            raise _invalid("", f"the body must be a JSON object, not {_type_name(document)}")
        unknown = sorted(set(document) - {"results"})
        if unknown:
            raise _invalid(unknown[0], "is unknown; a batch has only the field 'results'")
        if "results" not in document:
            raise _invalid("results", "is missing")

        results = document["results"]
        if not isinstance(results, list):
            raise _invalid("results", f"must be a list, not {_type_name(results)}")
        if len(results) > MAX_RESULTS:
            raise _invalid(
                "results",
                f"has {len(results)} entries; a batch holds at most {MAX_RESULTS}. Split it.",
            )
        return [self._read_result(index, item) for index, item in enumerate(results)]

    def _load(self) -> Any:
        try:
            text = bytes(self._body).decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise IngestError(
                "invalid_json",
                f"The JSON body is not valid UTF-8 (byte {error.start} is invalid).",
            ) from None
        self._body = bytearray()
        try:
            return json.loads(text, parse_constant=_reject_constant)
        except RecursionError:
            # The C scanner recurses once per nesting level; a batch needs three levels.
            raise IngestError(
                "invalid_json", "The JSON body nests arrays or objects too deeply."
            ) from None
        except json.JSONDecodeError as error:
            raise IngestError(
                "invalid_json",
                f"The body is not valid JSON: {error.msg} at line {error.lineno}, "
                f"column {error.colno}.",
                error.lineno,
            ) from None

    def _read_result(self, index: int, item: Any) -> CaseResult:
        path = f"results[{index}]"
        if not isinstance(item, dict):
            raise _invalid(path, f"must be an object, not {_type_name(item)}")
        unknown = sorted(set(item) - _FIELDS)
        if unknown:
            raise _invalid(
                f"{path}.{unknown[0]}", f"is unknown; the fields are {', '.join(sorted(_FIELDS))}"
            )

        text = {key: _text(item, key, path, limit) for key, limit in _TEXT_FIELDS.items()}
        name = text["name"]
        if name is None or not name.strip():
            raise _invalid(f"{path}.name", "is required and must not be empty")

        status = item.get("status")
        if status not in STATUSES:
            raise _invalid(
                f"{path}.status", f"must be one of {', '.join(STATUSES)}, not {status!r}"
            )

        output = _text(item, "output", path, None)
        if output is not None and len(output) > self._max_output_chars:
            self._warnings.add(
                "output_truncated",
                f"{path}.output: {len(output)} characters were cut to {self._max_output_chars}.",
            )
            output = output[: self._max_output_chars]

        flaky = item.get("flaky")
        if flaky is not None and not isinstance(flaky, bool):
            raise _invalid(f"{path}.flaky", f"must be true or false, not {_type_name(flaky)}")

        return CaseResult(
            suite=text["suite"],
            classname=text["classname"],
            name=name,
            status=_status(status),
            duration_ms=_duration(item, path),
            message=text["message"],
            failure_type=text["failure_type"],
            output=output,
            flaky=bool(flaky),
            attempts=_whole_number(item, "attempts", path) or 1,
            file=text["file"],
            line=_whole_number(item, "line", path),
            started_at=_started_at(item, path),
            source_line=None,
        )


def _status(value: str) -> Status:
    for status in STATUSES:
        if status == value:
            return status
    raise AssertionError(value)  # pragma: no cover - checked by the caller


def _text(item: dict[str, Any], key: str, path: str, limit: int | None) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _invalid(f"{path}.{key}", f"must be a string, not {_type_name(value)}")
    if limit is not None and len(value) > limit:
        raise _invalid(f"{path}.{key}", f"is {len(value)} characters long; the limit is {limit}")
    return value


def _duration(item: dict[str, Any], path: str) -> int | None:
    value = item.get("duration_ms")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(f"{path}.duration_ms", f"must be a number, not {_type_name(value)}")
    if not math.isfinite(value) or value < 0 or value > 10**12:
        raise _invalid(f"{path}.duration_ms", f"must be between 0 and 10^12, not {value}")
    return round(value)


def _whole_number(item: dict[str, Any], key: str, path: str) -> int | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(f"{path}.{key}", f"must be a whole number, not {_type_name(value)}")
    if value < 1 or value > 10**9:
        raise _invalid(f"{path}.{key}", f"must be between 1 and 10^9, not {value}")
    return value


def _started_at(item: dict[str, Any], path: str) -> datetime | None:
    value = item.get("started_at")
    if value is None:
        return None
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise _invalid(
            f"{path}.started_at",
            f"must be an RFC 3339 date and time with an offset, such as "
            f"2024-05-01T10:00:00Z, not {value!r}",
        )
    try:
        return datetime.fromisoformat(value.upper().replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        raise _invalid(f"{path}.started_at", f"is not a valid date and time: {value!r}") from None


def _invalid(path: str, problem: str) -> IngestError:
    subject = f"The field {path}" if path else "The JSON body"
    return IngestError("invalid_json", f"{subject} {problem}.")


def _type_name(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    return "a number"


def _reject_constant(name: str) -> Any:
    raise IngestError("invalid_json", f"The JSON body contains {name}, which JSON does not allow.")
