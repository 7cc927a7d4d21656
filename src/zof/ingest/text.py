"""Decoding and repair of uploaded XML bytes before they reach the XML parser.

Result files from the field are often not quite XML: a file declared UTF-8 holds Latin-1
bytes copied from a console, test output contains ANSI escape characters that XML 1.0
forbids, or a character reference such as `&#27;` names one of them. libxml2 rejects all
of these, so this module turns the byte stream into text the parser accepts and records
a `characters_replaced` warning with the line of each repair:

- A byte-order mark (UTF-8, UTF-16) selects the encoding and is dropped.
- Otherwise the encoding named in the XML declaration is used. `utf8` and other spellings
  are resolved through Python's codec registry. An unknown name is an error.
- In UTF-8 input, every byte that is not part of a valid sequence is decoded as Latin-1.
- Characters that XML 1.0 does not allow, and character references to them, become U+FFFD.

The output is always UTF-8, and the XML declaration is rewritten to say so. Line breaks are
kept, so line numbers in the output are line numbers in the upload.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable

from zof.ingest.model import IngestError, WarningLog

# The XML declaration must fit in this many bytes before the encoding is chosen.
MAX_DECLARATION_BYTES = 1024

REPLACEMENT = "\ufffd"

_DECLARATION = re.compile(r"<\?xml[^>]*?\?>")
_DECLARED_ENCODING = re.compile(r"""encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']""")

# Characters outside the XML 1.0 `Char` production, apart from lone surrogates, which
# stand for undecodable bytes here (see `_surrogates_to_latin1`).
_FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]+")
_UNDECODABLE_BYTES = re.compile("[\udc80-\udcff]+")
_CHARACTER_REFERENCE = re.compile(r"&#(x[0-9a-fA-F]+|[0-9]+);")
# A character reference that a chunk boundary may have cut in two.
_REFERENCE_TAIL = re.compile(r"&(#[0-9a-fA-FxX]{0,10})?$")

_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class _LineFinder:
    """Line numbers of positions in one text, asked for in increasing order."""

    def __init__(self, text: str, first_line: int) -> None:
        self._text = text
        self._position = 0
        self._line = first_line

    def line_at(self, position: int) -> int:
        # Counting from the previous position keeps a pass over many matches linear.
        self._line += self._text.count("\n", self._position, position)
        self._position = position
        return self._line


def is_xml_character(code_point: int) -> bool:
    """Return whether XML 1.0 allows `code_point` in a document."""
    if code_point in (0x9, 0xA, 0xD):
        return True
    if 0x20 <= code_point <= 0xD7FF or 0xE000 <= code_point <= 0xFFFD:
        return True
    return 0x10000 <= code_point <= 0x10FFFF


class TextRepair:
    """Incremental decoder from uploaded bytes to repaired text, fed chunk by chunk."""

    def __init__(self, warnings: WarningLog) -> None:
        self._warnings = warnings
        self._head = b""
        self._decode: Callable[[bytes, bool], str] | None = None
        self._tail = ""
        self._line = 1
        self._first_text = True
        self._opening = ""
        self.encoding: str | None = None

    def feed(self, data: bytes) -> str:
        """Decode `data` and return the repaired text that is complete so far."""
        if self._decode is None:
            self._head += data
            if not self._choose_encoding(final=False):
                return ""
            data, self._head = self._head, b""
        assert self._decode is not None
        return self._repair(self._decode(data, False), final=False)

    def finish(self) -> str:
        """Return the rest of the text at the end of the upload."""
        if self._decode is None:
            self._choose_encoding(final=True)
            data, self._head = self._head, b""
        else:
            data = b""
        assert self._decode is not None
        return self._repair(self._decode(data, True), final=True)

    # Encoding

    def _choose_encoding(self, final: bool) -> bool:
        """Pick the decoder once the byte-order mark and XML declaration are in `_head`."""
        head = self._head
        for mark, name in _BYTE_ORDER_MARKS:
            if head.startswith(mark):
                self._head = head[len(mark) :]
                self._use_codec(name)
                return True
            if mark.startswith(head) and not final:
                return False

        if head.startswith((b"<\x00?\x00", b"\x00<\x00?")):
            self._use_codec("utf-16-le" if head[0] == 0x3C else "utf-16-be")
            return True

        declaration_end = head.find(b"?>")
        if head.startswith(b"<?xml") and declaration_end == -1:
            if len(head) < MAX_DECLARATION_BYTES and not final:
                return False
            raise IngestError(
                "malformed_xml",
                "The XML declaration on line 1 is never closed with '?>'.",
                1,
            )
        if b"<?xml".startswith(head) and head and not final:
            return False

        name = "utf-8"
        if head.startswith(b"<?xml"):
            declaration = head[: declaration_end + 2].decode("ascii", errors="replace")
            match = _DECLARED_ENCODING.search(declaration)
            if match:
                name = self._resolve_declared(match.group(1))
        self._use_codec(name)
        return True

    def _resolve_declared(self, declared: str) -> str:
        try:
            info = codecs.lookup(declared)
        except LookupError:
            raise IngestError(
                "malformed_xml",
                f"The XML declaration names the encoding '{declared}', which is not known. "
                "Save the file as UTF-8.",
                1,
            ) from None

        # The declaration itself was readable as ASCII, so a declared UTF-16 or UTF-32 is
        # wrong about the bytes; libxml2 makes the same call and reads them as UTF-8.
        if info.name.startswith(("utf-16", "utf-32")):
            return "utf-8"
        return info.name

    def _use_codec(self, name: str) -> None:
        self.encoding = name
        # surrogateescape turns each undecodable UTF-8 byte into one lone surrogate, which
        # `_surrogates_to_latin1` then reads as Latin-1 with a warning.
        # NOTE: in other declared encodings an undecodable byte becomes U+FFFD without a
        # warning, because the codec does not report where it replaced one.
        errors = "surrogateescape" if name == "utf-8" else "replace"
        self._decode = codecs.getincrementaldecoder(name)(errors=errors).decode

    # Repair

    def _repair(self, text: str, final: bool) -> str:
        text = self._tail + text
        self._tail = ""
        if not final:
            tail = _REFERENCE_TAIL.search(text[-12:])
            if tail:
                cut = len(text) - (len(text[-12:]) - tail.start())
                text, self._tail = text[:cut], text[cut:]

        if self._first_text:
            # The declaration is rewritten whole, so a part of it is held back.
            self._opening += text
            opening = self._opening.removeprefix("\ufeff")
            complete = "?>" in opening or not "<?xml".startswith(opening[:5])
            if not (complete or final or len(opening) > MAX_DECLARATION_BYTES):
                return ""
            self._first_text = False
            self._opening = ""
            text = self._rewrite_declaration(opening)

        start_line = self._line
        if "&#" in text:
            text = _CHARACTER_REFERENCE.sub(self._replace_reference(text, start_line), text)
        if _UNDECODABLE_BYTES.search(text):
            text = self._surrogates_to_latin1(text, start_line)
        if _FORBIDDEN_CHARACTERS.search(text):
            text = _FORBIDDEN_CHARACTERS.sub(self._replace_forbidden(text, start_line), text)

        self._line += text.count("\n")
        return text

    def _rewrite_declaration(self, text: str) -> str:
        """Replace the XML declaration by a UTF-8 one, keeping its line breaks."""
        match = _DECLARATION.match(text)
        if match is None:
            return text
        line_breaks = "\n" * match.group().count("\n")
        return '<?xml version="1.0" encoding="UTF-8"?>' + line_breaks + text[match.end() :]

    def _replace_reference(self, text: str, start_line: int) -> Callable[[re.Match[str]], str]:
        lines = _LineFinder(text, start_line)

        def replace(match: re.Match[str]) -> str:
            digits = match.group(1)
            code_point = int(digits[1:], 16) if digits[0] == "x" else int(digits)
            if is_xml_character(code_point):
                return match.group()
            line = lines.line_at(match.start())
            self._warnings.add(
                "characters_replaced",
                f"Line {line}: the character reference {match.group()} names a character "
                "that XML does not allow; it was replaced with U+FFFD.",
                line,
            )
            return REPLACEMENT

        return replace

    def _surrogates_to_latin1(self, text: str, start_line: int) -> str:
        lines = _LineFinder(text, start_line)

        def replace(match: re.Match[str]) -> str:
            line = lines.line_at(match.start())
            self._warnings.add(
                "characters_replaced",
                f"Line {line}: bytes that are not valid UTF-8 were decoded as Latin-1.",
                line,
            )
            return "".join(chr(ord(char) - 0xDC00) for char in match.group())

        return _UNDECODABLE_BYTES.sub(replace, text)

    def _replace_forbidden(self, text: str, start_line: int) -> Callable[[re.Match[str]], str]:
        lines = _LineFinder(text, start_line)

        def replace(match: re.Match[str]) -> str:
            line = lines.line_at(match.start())
            codes = ", ".join(f"U+{ord(char):04X}" for char in match.group()[:5])
            self._warnings.add(
                "characters_replaced",
                f"Line {line}: control characters that XML does not allow ({codes}) "
                "were replaced with U+FFFD.",
                line,
            )
            return REPLACEMENT * len(match.group())

        return replace
