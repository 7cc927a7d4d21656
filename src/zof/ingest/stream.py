"""The streaming XML pipeline: repaired text, the prolog guard, lxml, then a format reader.

lxml's `XMLPullParser` runs with entity resolution, DTD loading and network access off, and
without `huge_tree`, so libxml2 keeps its own bounds: 10,000,000 bytes for one text node or
attribute value (libxml2 2.14, XML_MAX_TEXT_LENGTH). A value beyond that is rejected with
`value_too_large` rather than truncated, because libxml2 stops parsing at that point.
"""

from __future__ import annotations

import re
from typing import cast

from lxml import etree

from zof.ingest.detect import FOREIGN_ROOTS
from zof.ingest.junit import JUnitReader, source_line_of
from zof.ingest.model import CaseResult, IngestError, WarningLog
from zof.ingest.prolog import PrologGuard
from zof.ingest.text import TextRepair

# No test report nests this deep; the bound stops deeply nested input before it costs
# time or stack.
MAX_DEPTH = 256

_LIBXML2_POSITION = re.compile(r",? line \d+, column \d+.*$", re.DOTALL)


class XmlDocument:
    """One uploaded XML document, fed as bytes and read as case results."""

    def __init__(self, warnings: WarningLog, max_output_chars: int) -> None:
        self._warnings = warnings
        self._text = TextRepair(warnings)
        self._prolog = PrologGuard()
        self._parser = etree.XMLPullParser(
            events=("start", "end"),
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        self._open: list[tuple[str, int | None]] = []
        self._last_line = 1
        self._last_line_chars = 0
        self._reader: JUnitReader | None = None
        self._max_output_chars = max_output_chars

    @property
    def dialect(self) -> str:
        if self._reader is not None:
            return self._reader.guesser.dialect
        return "empty"

    def feed(self, data: bytes) -> list[CaseResult]:
        """Parse `data` and return the cases that are final."""
        return self._feed_text(self._text.feed(data))

    def close(self) -> list[CaseResult]:
        """Parse the rest and return the remaining cases; raise if the document is incomplete."""
        cases = self._feed_text(self._text.finish())
        self._prolog.finish()
        if not self._prolog.root_started:
            return cases

        try:
            self._parser.close()
        except etree.XMLSyntaxError as error:
            # lxml closes the open elements after such an error, so their end events are
            # not real and are not read.
            raise self._syntax_error(error, at_end=True) from None
        cases.extend(self._read_events())

        assert self._reader is not None
        cases.extend(self._reader.finish())
        return cases

    def _feed_text(self, text: str) -> list[CaseResult]:
        text = self._prolog.feed(text)
        if not text:
            return []

        line_breaks = text.count("\n")
        if line_breaks:
            self._last_line += line_breaks
            self._last_line_chars = len(text) - text.rindex("\n") - 1
        else:
            self._last_line_chars += len(text)
        try:
            self._parser.feed(text.encode("utf-8"))
        except etree.XMLSyntaxError as error:
            # Events before the error may carry a clearer rejection, such as the depth bound.
            self._read_events()
            raise self._syntax_error(error, at_end=False) from None
        return self._read_events()

    def _read_events(self) -> list[CaseResult]:
        cases: list[CaseResult] = []
        for event, item in self._parser.read_events():
            element = cast(etree._Element, item)
            if event == "start":
                depth = len(self._open) + 1
                if depth > MAX_DEPTH:
                    raise IngestError(
                        "nesting_too_deep",
                        f"Line {source_line_of(element)}: elements are nested more than "
                        f"{MAX_DEPTH} levels deep, which no test report needs.",
                        source_line_of(element),
                    )
                self._open.append((str(element.tag), source_line_of(element)))
                if depth == 1:
                    self._reader = self._choose_reader(element)
                assert self._reader is not None
                self._reader.start(element, depth)
            else:
                assert self._reader is not None
                cases.extend(self._reader.end(element, len(self._open)))
                self._open.pop()
        return cases

    def _choose_reader(self, root: etree._Element) -> JUnitReader:
        tag = etree.QName(root).localname
        line = source_line_of(root)
        if tag in ("testsuites", "testsuite"):
            return JUnitReader(self._warnings, self._max_output_chars)
        if tag in FOREIGN_ROOTS:
            raise IngestError(
                "unsupported_format",
                f"The file is a {FOREIGN_ROOTS[tag]} report (root element <{tag}> on line "
                f"{line}), which zof does not read. Convert it to JUnit XML and upload "
                "that instead.",
                line,
            )
        raise IngestError(
            "not_a_test_report",
            f"The root element is <{tag}> on line {line}, so this is not a test report. "
            "JUnit XML starts with <testsuites> or <testsuite>.",
            line,
        )

    def _syntax_error(self, error: etree.XMLSyntaxError, at_end: bool) -> IngestError:
        reason = error.msg or str(error)
        line = error.lineno
        column = error.position[1] if error.position else 0

        # At close, lxml may raise a generic "no element found" while libxml2's own first
        # error sits in the error log with its real position.
        last = getattr(error.error_log, "last_error", None)
        if reason == "no element found" and last is not None:
            reason, line, column = str(last.message), int(last.line), int(last.column)
        if "Excessive depth" in reason:
            return IngestError(
                "nesting_too_deep",
                f"Line {line}: elements are nested more than {MAX_DEPTH} levels deep, which "
                "no test report needs.",
                line,
            )
        if "Resource limit exceeded" in reason or "huge" in reason or "too long" in reason:
            return IngestError(
                "value_too_large",
                f"Line {line}: a text or attribute value is longer than 10,000,000 bytes, "
                "the limit for a single value. Shorten the captured output.",
                line,
            )
        at_last_character = (line, column) >= (self._last_line, self._last_line_chars)
        if at_end and self._open and at_last_character:
            tag, opened_on = self._open[-1]
            return IngestError(
                "malformed_xml",
                f"The XML is cut off: element <{etree.QName(tag).localname}> opened on line "
                f"{opened_on} is never closed.",
                opened_on,
            )

        reason = _LIBXML2_POSITION.sub("", reason).strip().rstrip(".")
        where = f"line {line}, column {column}" if column else f"line {line}"
        return IngestError("malformed_xml", f"The XML is malformed at {where}: {reason}.", line)
