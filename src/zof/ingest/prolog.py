"""The guard that reads the XML prolog before the XML parser sees any of it.

A document type declaration is where entities are declared, so it is the door to entity
expansion bombs and to external entities that fetch files or URLs. No test report needs
one, so the guard rejects any `<!DOCTYPE` before a single byte of it reaches libxml2: nothing
is expanded, loaded or fetched. The guard also rejects input that is not XML at all, which
gives a clearer message than the parser's "Start tag expected".
"""

from __future__ import annotations

from zof.ingest.model import IngestError

# Comments and processing instructions before the root element must fit in this many
# characters; a prolog larger than this is no test report.
MAX_PROLOG_CHARS = 1024 * 1024

_WHITESPACE = " \t\r\n"


class PrologGuard:
    """Hold back text until the root element starts, rejecting DTDs and non-XML input."""

    def __init__(self) -> None:
        self._buffer = ""
        self._position = 0
        self.root_started = False

    def feed(self, text: str) -> str:
        """Return the text that may go to the XML parser, or "" while the prolog is open."""
        if self.root_started:
            return text
        self._buffer += text
        if self._scan():
            self.root_started = True
            released, self._buffer = self._buffer, ""
            return released
        if len(self._buffer) > MAX_PROLOG_CHARS:
            raise IngestError(
                "malformed_xml",
                f"The XML prolog before the root element is longer than {MAX_PROLOG_CHARS} "
                "characters.",
                self._line(),
            )
        return ""

    def finish(self) -> str:
        """Return held text at the end of input; a prolog without a root is an empty file."""
        if self.root_started:
            return ""
        if self._buffer[self._position :].strip(_WHITESPACE):
            raise IngestError(
                "malformed_xml",
                f"The XML is cut off in the prolog on line {self._line()}: a comment or "
                "processing instruction is never closed.",
                self._line(),
            )
        return ""

    def _scan(self) -> bool:
        """Advance over complete prolog items; return True once the root element starts."""
        buffer = self._buffer
        while True:
            while self._position < len(buffer) and buffer[self._position] in _WHITESPACE:
                self._position += 1
            rest = buffer[self._position : self._position + 10]
            if not rest:
                return False

            if not rest.startswith("<"):
                raise IngestError(
                    "not_a_test_report",
                    f"The file is not XML: line {self._line()} starts with "
                    f"{_preview(buffer[self._position :])}. Send JUnit XML, or a JSON batch "
                    "with the content type application/json.",
                    self._line(),
                )

            if rest.startswith("<?"):
                end = buffer.find("?>", self._position + 2)
                if end == -1:
                    return False
                self._position = end + 2
            elif rest.startswith("<!--"):
                end = buffer.find("-->", self._position + 4)
                if end == -1:
                    return False
                self._position = end + 3
            elif "<!--".startswith(rest) or "<!DOCTYPE".startswith(rest.upper()):
                return False
            elif rest.upper().startswith("<!DOCTYPE"):
                raise IngestError(
                    "dtd_not_allowed",
                    f"Line {self._line()} has a document type declaration (<!DOCTYPE>). "
                    "DTDs and entity declarations are not allowed in uploads; remove it.",
                    self._line(),
                )
            elif rest[1] == "!" or rest[1] in _WHITESPACE or rest[1] in "<>/=\"'":
                raise IngestError(
                    "malformed_xml",
                    f"Line {self._line()} starts with {_preview(buffer[self._position :])}, "
                    "where the root element was expected.",
                    self._line(),
                )
            else:
                return True

    def _line(self) -> int:
        return self._buffer.count("\n", 0, self._position) + 1


def _preview(text: str) -> str:
    first_line = text.split("\n", 1)[0].strip()
    if len(first_line) > 40:
        first_line = first_line[:40] + "..."
    return repr(first_line)
