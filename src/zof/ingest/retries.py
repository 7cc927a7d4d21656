"""Merging of a case that one file reports more than once, once per attempt.

Runners that retry failed tests (TestNG, jest with retries, Playwright, pytest-rerunfailures
in some modes) write the same case again for each attempt. One result per case is stored,
with the attempts summed, the status of the last attempt, and `flaky` set when one attempt
passed and another failed.

A runner retries only a case that did not pass, so a repeat after a passed report is a
separate execution, not a retry: data-driven tests in TestNG and `test.each` in jest write
many passed cases under one name, and each of them stays its own result. A repeat after a
failed or error report is merged. So is a passed, failed or error report after a skipped
one, because TestNG's retry analyzer reports each retried attempt as skipped; two skipped
reports in a row are separate skipped executions.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace

from zof.ingest.model import CaseResult, WarningLog

CaseKey = tuple[str | None, str | None, str]

# Cases wait here until their top-level suite ends, because a retry may come later in that
# suite. These bounds keep a huge single suite from holding the whole file in memory.
MAX_PENDING_CASES = 10_000
MAX_PENDING_CHARS = 32 * 1024 * 1024


def merge_attempts(first: CaseResult, last: CaseResult) -> CaseResult:
    """Return one result for two reports of the same case, `last` being the later one."""
    passed = first.status == "passed" or last.status == "passed"
    failed = first.status in ("failed", "error") or last.status in ("failed", "error")
    flaky = first.flaky or last.flaky or (passed and failed)

    # A flaky case that passed at last keeps the failure of the earlier attempt, which is
    # what a reader wants to see.
    message, failure_type, output = last.message, last.failure_type, last.output
    if flaky and last.status == "passed" and message is None and failure_type is None:
        message, failure_type = first.message, first.failure_type
        output = output or first.output

    return replace(
        last,
        flaky=flaky,
        attempts=first.attempts + last.attempts,
        message=message,
        failure_type=failure_type,
        output=output,
        file=last.file or first.file,
        line=last.line or first.line,
        started_at=first.started_at or last.started_at,
        source_line=first.source_line,
    )


class RetryMerger:
    """Hold cases of the current top-level suite and merge retries of failed ones."""

    def __init__(self, warnings: WarningLog) -> None:
        self._warnings = warnings
        self._pending: OrderedDict[CaseKey, CaseResult] = OrderedDict()
        self._pending_chars = 0

    def add(self, case: CaseResult) -> list[CaseResult]:
        """Take a case; return cases that must leave early because the bounds were hit."""
        key = (case.suite, case.classname, case.name)
        earlier = self._pending.get(key)
        released: list[CaseResult] = []
        if earlier is None or not _is_retry(earlier, case):
            if earlier is not None:
                released.append(self._pending.pop(key))
                self._pending_chars -= _size(earlier)
            self._pending[key] = case
            self._pending_chars += _size(case)
        else:
            self._warnings.add(
                "retries_merged",
                f"Line {case.source_line}: the case {_describe(key)} was already reported on "
                f"line {earlier.source_line}; both are merged into one result with "
                f"{earlier.attempts + case.attempts} attempts.",
                case.source_line,
            )
            merged = merge_attempts(earlier, case)
            self._pending[key] = merged
            self._pending_chars += _size(merged) - _size(earlier)

        # NOTE: a case released here is no longer merged with a retry that comes later in
        # the same suite; such a retry is stored as a second result.
        while self._pending and (
            len(self._pending) > MAX_PENDING_CASES or self._pending_chars > MAX_PENDING_CHARS
        ):
            _, oldest = self._pending.popitem(last=False)
            self._pending_chars -= _size(oldest)
            released.append(oldest)
        return released

    def release_all(self) -> list[CaseResult]:
        """Return every held case, in the order the cases were first reported."""
        released = list(self._pending.values())
        self._pending.clear()
        self._pending_chars = 0
        return released


def _is_retry(earlier: CaseResult, later: CaseResult) -> bool:
    if earlier.status in ("failed", "error"):
        return True
    return earlier.status == "skipped" and later.status != "skipped"


def _size(case: CaseResult) -> int:
    return len(case.output or "") + len(case.message or "") + len(case.name)


def _describe(key: CaseKey) -> str:
    suite, classname, name = key
    return " / ".join(repr(part) for part in (suite, classname, name) if part is not None)
