"""Normalized case results, ingest warnings and the ingest error."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Status = Literal["passed", "failed", "error", "skipped"]

STATUSES: tuple[Status, ...] = ("passed", "failed", "error", "skipped")

# A hostile file can repeat one oddity millions of times, so each warning code keeps
# its first few occurrences and the rest are folded into one summary warning.
MAX_WARNINGS_PER_CODE = 20


@dataclass(frozen=True, slots=True)
class CaseResult:
    """One case execution read from an upload, before it is stored."""

    suite: str | None
    classname: str | None
    name: str
    status: Status
    duration_ms: int | None
    message: str | None
    failure_type: str | None
    output: str | None
    flaky: bool
    attempts: int
    file: str | None
    line: int | None
    started_at: datetime | None
    source_line: int | None


@dataclass(frozen=True, slots=True)
class IngestWarning:
    """Something the parser repaired or ignored, with the line it happened on."""

    code: str
    message: str
    line: int | None = None


class IngestError(Exception):
    """An upload that cannot be ingested; nothing of it should be stored.

    `code` is one of: malformed_xml, not_a_test_report, dtd_not_allowed, unsupported_format,
    invalid_json, invalid_gzip, decompressed_too_large, nesting_too_deep, value_too_large.
    `line` is the 1-based line in the decoded document, or None when no line applies.
    """

    def __init__(self, code: str, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"IngestError(code={self.code!r}, message={self.message!r}, line={self.line!r})"


class WarningLog:
    """Warnings of one upload, with at most MAX_WARNINGS_PER_CODE kept for each code."""

    def __init__(self) -> None:
        self._kept: list[IngestWarning] = []
        self._counts: Counter[str] = Counter()

    def add(self, code: str, message: str, line: int | None = None) -> None:
        self._counts[code] += 1
        if self._counts[code] <= MAX_WARNINGS_PER_CODE:
            self._kept.append(IngestWarning(code, message, line))

    def count(self, code: str) -> int:
        """Return how many warnings of `code` were added, including those left out."""
        return self._counts[code]

    def as_list(self) -> list[IngestWarning]:
        """Return the kept warnings followed by one summary per code that overflowed."""
        warnings = list(self._kept)
        for code, count in self._counts.items():
            left_out = count - MAX_WARNINGS_PER_CODE
            if left_out > 0:
                warnings.append(
                    IngestWarning(
                        code,
                        f"{left_out} more warnings of this kind were left out ({count} in total).",
                    )
                )
        return warnings
