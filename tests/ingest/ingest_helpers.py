"""Shared helpers for the ingest tests: parsing documents and locating real inputs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from zof.ingest import CaseResult, IngestError, IngestWarning, UploadParser

# The real inputs live beside the repository clone, in shared/real-inputs.
REAL_INPUTS = Path(__file__).resolve().parents[2] / ".." / "shared" / "real-inputs"


@dataclass
class Parsed:
    cases: list[CaseResult]
    dialect: str
    warnings: list[IngestWarning]
    case_count: int
    statuses: Counter[str] = field(default_factory=Counter)

    def codes(self) -> list[str]:
        return [warning.code for warning in self.warnings]

    def case(self, name: str) -> CaseResult:
        matches = [case for case in self.cases if case.name == name]
        assert len(matches) == 1, f"{len(matches)} cases named {name!r}"
        return matches[0]


def parse(
    document: bytes | str,
    chunk_size: int | None = None,
    content_type: str = "application/xml",
    max_output_chars: int = 65536,
) -> Parsed:
    """Feed `document` to an UploadParser in chunks of `chunk_size` (all at once if None)."""
    data = document.encode("utf-8") if isinstance(document, str) else document
    parser = UploadParser(
        content_type=content_type, filename="report.xml", max_output_chars=max_output_chars
    )
    size = chunk_size or max(len(data), 1)
    cases: list[CaseResult] = []
    for start in range(0, len(data), size):
        cases.extend(parser.feed(data[start : start + size]))
    cases.extend(parser.close())
    return Parsed(
        cases, parser.dialect, parser.warnings, parser.case_count, Counter(c.status for c in cases)
    )


def rejection(document: bytes | str, chunk_size: int | None = None, **options: str) -> IngestError:
    """Parse `document` and return the IngestError it raises."""
    try:
        parse(document, chunk_size, **options)
    except IngestError as error:
        return error
    raise AssertionError("the document was accepted")


def suite(*cases: str, attributes: str = 'name="s"') -> str:
    """Wrap testcase markup in a testsuites/testsuite document."""
    body = "\n".join(cases)
    return (
        '<?xml version="1.0"?>\n<testsuites>\n'
        f"<testsuite {attributes}>\n{body}\n</testsuite>\n</testsuites>\n"
    )
