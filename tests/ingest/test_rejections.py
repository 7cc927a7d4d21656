"""Uploads that must be rejected: code, line and message of each IngestError."""

from __future__ import annotations

import time

import pytest
from ingest_helpers import parse, rejection, suite

from zof.ingest import IngestError, UploadParser


def test_cut_off_names_the_open_element() -> None:
    document = suite('<testcase classname="c" name="t">', "<failure>partial")
    document = document[: document.index("partial") + len("partial")]

    error = rejection(document)

    assert error.code == "malformed_xml"
    assert error.line == 5
    assert str(error) == "The XML is cut off: element <failure> opened on line 5 is never closed."


def test_cut_off_inside_testcase() -> None:
    error = rejection('<testsuites>\n<testsuite name="s">\n<testcase name="t">\n')

    assert error.code == "malformed_xml"
    assert error.line == 3
    assert "element <testcase> opened on line 3 is never closed" in error.message


def test_cut_off_inside_start_tag() -> None:
    error = rejection('<testsuites>\n<testsuite name="s">\n<testcase name="t')

    assert error.code == "malformed_xml"
    assert "<testsuite> opened on line 2 is never closed" in error.message


def test_mismatched_tag_names_line_and_column() -> None:
    error = rejection("<testsuites>\n<testsuite>\n</testsuites>\n")

    assert error.code == "malformed_xml"
    assert error.line == 3
    assert error.message.startswith("The XML is malformed at line 3, column")


def test_not_a_test_report_names_root() -> None:
    error = rejection('<?xml version="1.0"?>\n<html><body/></html>')

    assert error.code == "not_a_test_report"
    assert error.line == 2
    assert "<html>" in error.message


def test_plain_text_is_rejected() -> None:
    error = rejection("\n\nAll 12 tests passed\n")

    assert error.code == "not_a_test_report"
    assert error.line == 3
    assert "'All 12 tests passed'" in error.message


def test_json_sent_as_xml_points_to_content_type() -> None:
    error = rejection('{"results": []}')

    assert error.code == "not_a_test_report"
    assert "application/json" in error.message


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE testsuites SYSTEM "http://example.invalid/x.dtd">',
        '<!DOCTYPE testsuites [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        "<!doctype testsuites>",
    ],
)
def test_any_doctype_is_rejected(doctype: str) -> None:
    error = rejection(f'<?xml version="1.0"?>\n<!-- c -->\n{doctype}\n<testsuites>&x;</testsuites>')

    assert error.code == "dtd_not_allowed"
    assert error.line == 3
    assert "DOCTYPE" in error.message


def test_entity_bomb_is_rejected_fast() -> None:
    entities = "".join(f'<!ENTITY e{n} "{f"&e{n - 1};" * 10 if n else "lol"}">' for n in range(10))
    document = f"<!DOCTYPE testsuites [{entities}]>\n<testsuites>&e9;</testsuites>"

    started = time.monotonic()
    error = rejection(document, chunk_size=1)

    assert error.code == "dtd_not_allowed"
    assert error.line == 1
    assert time.monotonic() - started < 2


def test_undefined_entity_is_malformed() -> None:
    error = rejection("<testsuites>\n<testsuite name='&x;'/></testsuites>")

    assert error.code == "malformed_xml"
    assert error.line == 2


@pytest.mark.parametrize("chunk_size", [None, 1])
def test_deep_nesting_is_rejected_fast(chunk_size: int | None) -> None:
    document = "<testsuites>" + "<testsuite>" * 100_000

    started = time.monotonic()
    error = rejection(document, chunk_size=chunk_size)

    assert error.code == "nesting_too_deep"
    assert error.line == 1
    assert "256" in error.message
    assert time.monotonic() - started < 2


def test_nesting_below_bound_is_accepted() -> None:
    depth = 200
    document = "<testsuites>" + '<testsuite name="n">' * depth
    document += '<testcase name="t"/>' + "</testsuite>" * depth + "</testsuites>"

    assert parse(document).case("t").suite == "n"


def test_text_node_over_limit_is_rejected() -> None:
    parser = UploadParser(content_type="application/xml")
    parser.feed(b'<testsuites><testsuite name="s"><testcase name="t"><system-out>')
    chunk = b"z" * (1024 * 1024)

    def feed_eleven_megabytes() -> None:
        for _ in range(11):
            parser.feed(chunk)

    with pytest.raises(IngestError, match="10,000,000 bytes") as raised:
        feed_eleven_megabytes()

    assert raised.value.code == "value_too_large"
    assert raised.value.line == 1


@pytest.mark.parametrize(
    ("root", "format_name"),
    [
        ('<test-run id="2" testcasecount="0">', "NUnit 3"),
        ('<TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">', "TRX"),
        ("<assemblies>", "xUnit.net v2"),
        ("<testng-results>", "TestNG"),
    ],
)
def test_other_report_formats_are_unsupported(root: str, format_name: str) -> None:
    tag = root[1:].split(">")[0].split(" ")[0]

    error = rejection(f'<?xml version="1.0"?>\n{root}</{tag}>')

    assert error.code == "unsupported_format"
    assert error.line == 2
    assert format_name in error.message


def test_gzip_bytes_sent_as_xml() -> None:
    error = rejection(b"\x1f\x8b\x08\x00" + b"\x00" * 20, chunk_size=1)

    assert error.code == "unsupported_format"
    assert "Content-Encoding: gzip" in error.message


def test_unknown_declared_encoding() -> None:
    error = rejection('<?xml version="1.0" encoding="klingon-8"?>\n<testsuites/>')

    assert error.code == "malformed_xml"
    assert error.line == 1
    assert "'klingon-8'" in error.message


def test_two_roots_are_malformed() -> None:
    error = rejection("<testsuites/>\n<testsuites/>")

    assert error.code == "malformed_xml"
    assert error.line == 2


def test_unclosed_comment_in_prolog() -> None:
    error = rejection('<?xml version="1.0"?>\n<!-- never closed')

    assert error.code == "malformed_xml"
    assert "never closed" in error.message


def test_feed_after_close_is_a_programming_error() -> None:
    parser = UploadParser(content_type="application/xml")
    parser.close()

    with pytest.raises(RuntimeError, match="after close"):
        parser.feed(b"<testsuites/>")
