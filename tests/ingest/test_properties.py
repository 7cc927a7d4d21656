"""Property-based tests: generated documents come back as the cases they were made from."""

from __future__ import annotations

import json
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from hypothesis import given, settings
from hypothesis import strategies as st
from ingest_helpers import parse

from zof.ingest import IngestError

# Attribute values lose tabs and line breaks to XML attribute normalization, and XML 1.0
# forbids control characters, surrogates and U+FFFE/U+FFFF, so names avoid all of them.
name_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cn")),
    min_size=1,
    max_size=20,
).filter(lambda text: text.strip() != "")

STATUS_ELEMENTS = {"passed": "", "failed": "failure", "error": "error", "skipped": "skipped"}


@dataclass(frozen=True)
class GeneratedCase:
    classname: str
    name: str
    status: str
    duration_ms: int
    message: str | None


cases = st.builds(
    GeneratedCase,
    classname=name_text,
    name=name_text,
    status=st.sampled_from(sorted(STATUS_ELEMENTS)),
    duration_ms=st.integers(min_value=0, max_value=10**7),
    message=st.none() | name_text,
)
suites = st.lists(st.tuples(name_text, st.lists(cases, max_size=6)), min_size=1, max_size=4)


def render(generated: list[tuple[str, list[GeneratedCase]]]) -> str:
    lines = ["<?xml version='1.0' encoding='UTF-8'?>", "<testsuites>"]
    for suite_index, (suite_name, suite_cases) in enumerate(generated):
        lines.append(f"<testsuite name={quoteattr(f'{suite_name} {suite_index}')}>")
        for index, case in enumerate(suite_cases):
            # The index keeps every case distinct, so no retries are merged.
            attributes = (
                f"classname={quoteattr(case.classname)} name={quoteattr(f'{case.name} {index}')} "
                f'time="{case.duration_ms / 1000:.3f}"'
            )
            element = STATUS_ELEMENTS[case.status]
            if not element:
                lines.append(f"<testcase {attributes}/>")
                continue
            message = f" message={quoteattr(case.message)}" if case.message else ""
            lines.append(
                f"<testcase {attributes}><{element}{message}>{escape('detail & <more>')}"
                f"</{element}></testcase>"
            )
        lines.append("</testsuite>")
    lines.append("</testsuites>")
    return "\n".join(lines)


@settings(max_examples=100, deadline=None)
@given(generated=suites, chunk_size=st.integers(min_value=1, max_value=64))
def test_generated_junit_round_trips(
    generated: list[tuple[str, list[GeneratedCase]]], chunk_size: int
) -> None:
    result = parse(render(generated), chunk_size=chunk_size)

    expected = [
        (f"{suite_name} {suite_index}", case, f"{case.name} {index}")
        for suite_index, (suite_name, suite_cases) in enumerate(generated)
        for index, case in enumerate(suite_cases)
    ]
    assert result.case_count == len(expected)
    assert result.codes() == []
    for parsed, (suite_name, case, name) in zip(result.cases, expected, strict=True):
        assert parsed.suite == suite_name
        assert parsed.classname == case.classname
        assert parsed.name == name
        assert parsed.status == case.status
        assert parsed.duration_ms == case.duration_ms
        if case.status == "passed":
            assert parsed.message is None
        else:
            assert parsed.message == (case.message or "detail & <more>")
            assert parsed.output == "detail & <more>"


json_text = st.text(max_size=30)
json_results = st.lists(
    st.fixed_dictionaries(
        {"name": name_text, "status": st.sampled_from(sorted(STATUS_ELEMENTS))},
        optional={
            "suite": st.none() | json_text,
            "classname": st.none() | json_text,
            "duration_ms": st.none() | st.integers(min_value=0, max_value=10**9),
            "message": st.none() | json_text,
            "failure_type": st.none() | json_text,
            "output": st.none() | json_text,
            "flaky": st.none() | st.booleans(),
            "attempts": st.none() | st.integers(min_value=1, max_value=100),
            "file": st.none() | json_text,
            "line": st.none() | st.integers(min_value=1, max_value=10**6),
        },
    ),
    max_size=20,
)


@settings(max_examples=100, deadline=None)
@given(results=json_results, chunk_size=st.integers(min_value=1, max_value=64))
def test_generated_json_batch_round_trips(
    results: list[dict[str, object]], chunk_size: int
) -> None:
    document = json.dumps({"results": results}, ensure_ascii=False).encode("utf-8")

    parsed = parse(document, chunk_size=chunk_size, content_type="application/json")

    assert parsed.case_count == len(results)
    for case, source in zip(parsed.cases, results, strict=True):
        assert case.name == source["name"]
        assert case.status == source["status"]
        for field in ("suite", "classname", "duration_ms", "message", "failure_type", "output"):
            assert getattr(case, field) == source.get(field)
        assert case.file == source.get("file")
        assert case.line == source.get("line")
        assert case.flaky is bool(source.get("flaky"))
        assert case.attempts == (source.get("attempts") or 1)


@settings(max_examples=50, deadline=None)
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    code = None
    try:
        parse(b"<testsuites><testsuite name='s'><testcase name='" + data, chunk_size=5)
    except IngestError as error:
        code = error.code

    assert code in {None, "malformed_xml", "value_too_large", "nesting_too_deep"}
