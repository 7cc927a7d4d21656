"""JUnit XML: from streamed lxml elements to case results.

JUnit XML has no single specification. This reader takes what Ant, Maven Surefire, Gradle,
pytest (xunit1 and xunit2), unittest-xml-reporting, jest-junit, mocha-junit-reporter,
Cypress, Playwright, go-junit-report, gotestsum, PHPUnit, Bazel, ctest, GoogleTest and
Scalatest write:

- The root is `testsuites` or `testsuite`; suites nest to any depth (up to the nesting
  bound), and a case's suite is its innermost named `testsuite`.
- A case is passed unless it has a result element. `error` beats `failure`, which beats
  `skipped`. pytest's `skipped type="pytest.xfail"` is skipped and `type="pytest.xpass"` is
  passed. A case without result element whose `status` is "notrun" or "disabled"
  (GoogleTest, ctest) is skipped.
- Surefire's `flakyFailure`/`flakyError` mean the case passed on a rerun: passed, flaky,
  one attempt per element plus the passing one. `rerunFailure`/`rerunError` mean every
  rerun failed too: failed or error, not flaky, attempts counted the same way.
- A result element's `message` attribute is the message; without one, the first line of
  its text is. The text, then the case's `system-out` and `system-err`, form the output.
- Suite counters (`tests`, `failures`, `errors`, `skipped`) that disagree with the cases
  produce a `counts_disagree` warning; the cases win.

Each finished case and each finished child of a suite is cleared from the tree, so memory
stays bounded by the largest single case, whatever the file size. libxml2 bounds a single
text node or attribute value to 10,000,000 bytes (see `stream.py`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from zof.ingest.dialect import DialectGuesser
from zof.ingest.model import CaseResult, Status, WarningLog
from zof.ingest.retries import RetryMerger
from zof.ingest.values import (
    InvalidValue,
    parse_count,
    parse_line_number,
    parse_seconds,
    parse_timestamp,
)

# Names, class names, suites, files and failure types longer than this are truncated.
MAX_NAME_CHARS = 2000
# Messages are one line or a short paragraph; the full text goes to `output`.
MAX_MESSAGE_CHARS = 8192

_RESULT_TAGS = frozenset({"failure", "error", "skipped"})
_FLAKY_TAGS = frozenset({"flakyFailure", "flakyError"})
_RERUN_TAGS = frozenset({"rerunFailure", "rerunError"})
_OUTPUT_TAGS = frozenset({"system-out", "system-err"})
_SUITE_CHILD_TAGS = frozenset({"properties", "system-out", "system-err"})
_SKIPPED_CASE_STATUSES = frozenset({"notrun", "disabled", "skipped"})


@dataclass
class _Suite:
    """An open `testsuite` or `testsuites` element and the cases counted inside it."""

    tag: str
    attributes: Mapping[str, str]
    line: int | None
    depth: int
    name: str | None
    file: str | None
    started_at: datetime | None
    counts: Counter[str] = field(default_factory=Counter)


@dataclass
class _ResultElement:
    tag: str
    message: str | None
    failure_type: str | None
    text: str


class JUnitReader:
    """Turn start and end events of a JUnit document into case results."""

    def __init__(self, warnings: WarningLog, max_output_chars: int) -> None:
        self._warnings = warnings
        self._max_output_chars = max_output_chars
        self._suites: list[_Suite] = []
        self._case_depth: int | None = None
        self._case_ordinal = 0
        self._merger = RetryMerger(warnings)
        self.guesser = DialectGuesser()

    # Events

    def start(self, element: etree._Element, depth: int) -> None:
        """Take the start of `element`, whose attributes are complete but children are not."""
        if self._case_depth is not None:
            return
        tag = _local_name(element.tag)
        if tag == "testcase":
            self._case_depth = depth
        elif tag in ("testsuite", "testsuites"):
            self._open_suite(tag, element, depth)

    def end(self, element: etree._Element, depth: int) -> list[CaseResult]:
        """Take the end of `element`; return the cases that are final now.

        A case is final once the top-level suite around it ends, because a retry of it may
        follow anywhere in that suite (see `retries.py`).
        """
        if self._case_depth is not None and depth > self._case_depth:
            return []

        tag = _local_name(element.tag)
        final: list[CaseResult] = []
        if tag == "testcase":
            self._case_depth = None
            final = self._merger.add(self._read_case(element))
        elif tag in ("testsuite", "testsuites") and self._suites[-1:] and self._is_open(depth):
            self._close_suite(self._suites.pop())
            if depth <= 2:
                final = self._merger.release_all()
        elif self._suites and depth == self._suites[-1].depth + 1:
            self._read_suite_child(tag, element)
        else:
            # Deeper elements, such as a property, are freed with their suite's child.
            return final

        _discard(element)
        return final

    def _is_open(self, depth: int) -> bool:
        return self._suites[-1].depth == depth

    def finish(self) -> list[CaseResult]:
        """Return the cases still held at the end of the document."""
        return self._merger.release_all()

    # Suites

    def _open_suite(self, tag: str, element: etree._Element, depth: int) -> None:
        attributes = _attributes_of(element)
        line = source_line_of(element)
        if depth == 1:
            self.guesser.observe_root(tag, attributes)
        if tag == "testsuite":
            self.guesser.observe_suite(attributes)

        parent = self._suites[-1] if self._suites else None
        name = self._bounded(attributes.get("name"), line) if tag == "testsuite" else None
        if not name and parent is not None:
            name = parent.name

        started_at = parent.started_at if parent else None
        if "timestamp" in attributes:
            started_at = self._timestamp(attributes["timestamp"], line) or started_at

        file = attributes.get("file") or (parent.file if parent else None)
        self._suites.append(
            _Suite(tag, attributes, line, depth, name, self._bounded(file, line), started_at)
        )

    def _close_suite(self, suite: _Suite) -> None:
        declared = {
            "tests": ("total", "test case"),
            "failures": ("failed", "failure"),
            "errors": ("error", "error"),
            "skipped": ("skipped", "skipped case"),
        }
        differences = []
        for attribute, (counter, noun) in declared.items():
            expected = parse_count(suite.attributes.get(attribute))
            if expected is not None and expected != suite.counts[counter]:
                differences.append(
                    f"{attribute}={expected} but {suite.counts[counter]} {noun}(s) were found"
                )
        if differences:
            label = f" {suite.name!r}" if suite.tag == "testsuite" and suite.name else ""
            self._warnings.add(
                "counts_disagree",
                f"Line {suite.line}: <{suite.tag}>{label} declares "
                + "; ".join(differences)
                + ". The test cases are used.",
                suite.line,
            )
        if self._suites:
            self._suites[-1].counts.update(suite.counts)

    def _read_suite_child(self, tag: str, element: etree._Element) -> None:
        if tag == "properties":
            suite = self._suites[-1]
            for prop in element.iterchildren("property", "{*}property"):
                self.guesser.observe_property(str(prop.get("name", "")), suite.attributes)
        elif tag not in _SUITE_CHILD_TAGS and isinstance(element.tag, str):
            self._ignore(element, f"inside <{self._suites[-1].tag}>")

    # Cases

    def _read_case(self, element: etree._Element) -> CaseResult:
        self._case_ordinal += 1
        attributes = _attributes_of(element)
        line = source_line_of(element)
        suite = self._suites[-1] if self._suites else None

        name = self._bounded(attributes.get("name"), line)
        if not name or not name.strip():
            name = f"(unnamed case {self._case_ordinal})"
            self._warnings.add(
                "name_missing",
                f"Line {line}: a <testcase> has no name; it is stored as {name!r}.",
                line,
            )
        classname = attributes.get("classname")
        if classname is None:
            classname = attributes.get("class")
        if classname is None:
            self._warnings.add(
                "name_missing",
                f"Line {line}: the <testcase> {name!r} has no classname; it is stored without one.",
                line,
            )
        classname = self._bounded(classname, line) or None

        results, flaky, reruns, outputs = self._read_case_children(element)
        status, decisive = _decide_status(attributes, results, reruns)
        flaky_passed = status == "passed" and bool(flaky)
        if flaky_passed and decisive is None:
            decisive = flaky[0]

        message = failure_type = None
        parts = []
        if decisive is not None:
            message = decisive.message or _first_line(decisive.text)
            failure_type = decisive.failure_type
            parts.append(decisive.text.strip())
        parts.extend(text.strip() for text in outputs)
        output = "\n\n".join(part for part in parts if part) or None

        self.guesser.observe_case(attributes, [result.failure_type or "" for result in results])
        if suite is not None:
            suite.counts["total"] += 1
            suite.counts[status] += 1

        return CaseResult(
            suite=suite.name if suite else None,
            classname=classname,
            name=name,
            status=status,
            duration_ms=self._duration(attributes.get("time"), line),
            message=self._truncated(message, MAX_MESSAGE_CHARS, "message", line),
            failure_type=self._bounded(failure_type, line) or None,
            output=self._truncated(output, self._max_output_chars, "output", line),
            flaky=flaky_passed,
            attempts=1 + len(flaky) + len(reruns),
            file=self._bounded(attributes.get("file"), line) or (suite.file if suite else None),
            line=self._line_number(attributes.get("line"), line),
            started_at=self._case_timestamp(attributes, line, suite),
            source_line=line,
        )

    def _read_case_children(
        self, element: etree._Element
    ) -> tuple[list[_ResultElement], list[_ResultElement], list[_ResultElement], list[str]]:
        results: list[_ResultElement] = []
        flaky: list[_ResultElement] = []
        reruns: list[_ResultElement] = []
        outputs: list[str] = []
        for child in element.iterchildren():
            if not isinstance(child.tag, str):
                continue
            tag = _local_name(child.tag)
            if tag in _RESULT_TAGS:
                results.append(_result_element(tag, child))
            elif tag in _FLAKY_TAGS:
                flaky.append(_result_element(tag, child))
            elif tag in _RERUN_TAGS:
                reruns.append(_result_element(tag, child))
            elif tag in _OUTPUT_TAGS:
                outputs.append(_text_of(child))
            elif tag != "properties":
                self._ignore(child, "inside <testcase>")
            if tag in _FLAKY_TAGS or tag in _RERUN_TAGS:
                self.guesser.observe_result_element(tag)
        return results, flaky, reruns, outputs

    # Values

    def _duration(self, value: str | None, line: int | None) -> int | None:
        if value is None:
            return None
        try:
            return parse_seconds(value)
        except InvalidValue as error:
            self._warnings.add(
                "time_invalid", f"Line {line}: {error}; the duration is left empty.", line
            )
            return None

    def _case_timestamp(
        self, attributes: Mapping[str, str], line: int | None, suite: _Suite | None
    ) -> datetime | None:
        if "timestamp" in attributes:
            return self._timestamp(attributes["timestamp"], line)
        return suite.started_at if suite else None

    def _timestamp(self, value: str, line: int | None) -> datetime | None:
        try:
            parsed, had_zone = parse_timestamp(value)
        except InvalidValue as error:
            self._warnings.add(
                "time_invalid", f"Line {line}: {error}; the start time is left empty.", line
            )
            return None
        if not had_zone:
            self._warnings.add(
                "timestamp_without_zone",
                f"Line {line}: the timestamp {value!r} has no time zone; it is taken as UTC.",
                line,
            )
        return parsed

    def _line_number(self, value: str | None, line: int | None) -> int | None:
        if value is None:
            return None
        try:
            return parse_line_number(value)
        except InvalidValue as error:
            self._warnings.add("line_invalid", f"Line {line}: {error}; it is left empty.", line)
            return None

    def _bounded(self, value: str | None, line: int | None) -> str | None:
        return self._truncated(value, MAX_NAME_CHARS, "attribute", line)

    def _truncated(self, value: str | None, limit: int, what: str, line: int | None) -> str | None:
        if value is None or len(value) <= limit:
            return value
        self._warnings.add(
            "output_truncated",
            f"Line {line}: the {what} of {len(value)} characters was cut to {limit}.",
            line,
        )
        return value[:limit]

    def _ignore(self, element: etree._Element, where: str) -> None:
        line = source_line_of(element)
        self._warnings.add(
            "element_ignored",
            f"Line {line}: the element <{_local_name(element.tag)}> {where} is not part of "
            "JUnit XML and was ignored.",
            line,
        )


def _decide_status(
    attributes: Mapping[str, str],
    results: list[_ResultElement],
    reruns: list[_ResultElement],
) -> tuple[Status, _ResultElement | None]:
    """Return the case status and the result element that decided it."""
    by_tag = {}
    for result in reversed(results):
        by_tag[result.tag] = result

    if "error" in by_tag:
        return "error", by_tag["error"]
    if "failure" in by_tag:
        return "failed", by_tag["failure"]
    if reruns:
        return ("error" if reruns[0].tag == "rerunError" else "failed"), reruns[0]
    if "skipped" in by_tag:
        skipped = by_tag["skipped"]
        if skipped.failure_type == "pytest.xpass":
            return "passed", skipped
        return "skipped", skipped
    if attributes.get("status", "").lower() in _SKIPPED_CASE_STATUSES:
        return "skipped", None
    return "passed", None


def _result_element(tag: str, element: etree._Element) -> _ResultElement:
    # Surefire puts the stack trace of a rerun into a child element, so the text of the
    # whole subtree is read.
    return _ResultElement(
        tag=tag,
        message=str(element.get("message", "")) or None,
        failure_type=str(element.get("type", "")) or None,
        text=_text_of(element),
    )


def _first_line(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return None


def source_line_of(element: etree._Element) -> int | None:
    line: object = element.sourceline
    return line if isinstance(line, int) else None


def _attributes_of(element: etree._Element) -> dict[str, str]:
    return {str(key): str(value) for key, value in element.attrib.items()}


def _text_of(element: etree._Element) -> str:
    return "".join(str(text) for text in element.itertext())


def _local_name(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def _discard(element: etree._Element) -> None:
    """Free a finished element and the siblings before it, which are finished too."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]
