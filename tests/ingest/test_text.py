"""Encoding repair: byte-order marks, declared encodings, Latin-1 bytes, control characters."""

from __future__ import annotations

import pytest
from ingest_helpers import parse, suite

CASE = '<testcase classname="c" name="{name}"/>'


def test_utf8_byte_order_mark_is_dropped() -> None:
    document = b"\xef\xbb\xbf" + suite(CASE.format(name="caf\u00e9")).encode()

    result = parse(document)

    assert result.cases[0].name == "caf\u00e9"
    assert result.codes() == []


@pytest.mark.parametrize("declared", ["utf8", "UTF-8", "utf-8", "Utf8"])
def test_utf8_spellings(declared: str) -> None:
    document = f'<?xml version="1.0" encoding="{declared}"?>\n<testsuite name="s">'
    document += '<testcase classname="c" name="\u00fc\u00df"/></testsuite>'

    result = parse(document.encode("utf-8"), chunk_size=3)

    assert result.cases[0].name == "\u00fc\u00df"
    assert result.codes() == []


def test_declared_latin1_is_honoured() -> None:
    document = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<testsuite name="s">'
    document += '<testcase classname="c" name="gr\u00fc\u00dfe"/></testsuite>'

    result = parse(document.encode("latin-1"))

    assert result.cases[0].name == "gr\u00fc\u00dfe"
    assert result.codes() == []


def test_utf16_with_byte_order_mark() -> None:
    document = '<?xml version="1.0" encoding="UTF-16"?>\n<testsuite name="s">'
    document += '<testcase classname="c" name="\u65e5\u672c"/></testsuite>'

    result = parse(document.encode("utf-16"), chunk_size=1)

    assert result.cases[0].name == "\u65e5\u672c"


def test_latin1_bytes_in_utf8_file_are_repaired() -> None:
    document = suite(CASE.format(name="ok"), CASE.format(name="caf@")).encode("utf-8")
    document = document.replace(b"caf@", b"caf\xe9")

    result = parse(document, chunk_size=1)

    assert result.case("caf\u00e9").status == "passed"
    assert result.codes() == ["characters_replaced"]
    assert result.warnings[0].line == 5
    assert "Latin-1" in result.warnings[0].message


def test_control_characters_are_replaced() -> None:
    document = suite(
        '<testcase classname="c" name="t"><failure message="a\x1bb">x\x00y\x07</failure></testcase>'
    )

    result = parse(document)

    case = result.case("t")
    assert case.message == "a\ufffdb"
    assert case.output == "x\ufffdy\ufffd"
    assert result.codes() == ["characters_replaced"] * 3
    assert all(warning.line == 4 for warning in result.warnings)


def test_references_to_control_characters_are_replaced() -> None:
    document = suite(
        '<testcase classname="c" name="t"><system-out>&#27;[31mred&#x1B;[0m &#233;</system-out>'
        "</testcase>"
    )

    whole = parse(document)
    byte_by_byte = parse(document, chunk_size=1)

    assert whole.case("t").output == "\ufffd[31mred\ufffd[0m \u00e9"
    assert byte_by_byte.cases == whole.cases
    assert whole.codes() == ["characters_replaced", "characters_replaced"]


def test_line_numbers_survive_multiline_declaration() -> None:
    document = '<?xml version="1.0"\n   encoding="utf-8"?>\n<testsuite name="s">\n<testcase/>'
    document += "</testsuite>"

    result = parse(document)

    assert result.cases[0].source_line == 4
