"""The entry point of the ingest layer: one parser per uploaded file."""

from __future__ import annotations

from zof.ingest.detect import GZIP_MAGIC
from zof.ingest.jsonbatch import JsonBatch
from zof.ingest.model import CaseResult, IngestError, IngestWarning, WarningLog
from zof.ingest.stream import XmlDocument

JSON_CONTENT_TYPES = frozenset({"application/json"})


class UploadParser:
    """Parse one uploaded result file, fed in chunks of any size.

    `content_type` "application/json" (parameters such as charset are ignored) selects the
    JSON batch format; anything else is read as XML, and the document decides its dialect.
    `filename` is kept for messages only. Outputs longer than `max_output_chars` are cut,
    with an `output_truncated` warning. Usage:

        parser = UploadParser(content_type="application/xml", filename="report.xml")
        for chunk in body_chunks:
            store(parser.feed(chunk))
        store(parser.close())

    `feed` and `close` raise IngestError as soon as the input is known to be invalid; the
    caller should then store nothing of the upload.
    """

    def __init__(
        self,
        content_type: str | None = None,
        filename: str | None = None,
        max_output_chars: int = 65536,
    ) -> None:
        if max_output_chars < 1:
            raise ValueError(f"max_output_chars must be at least 1, not {max_output_chars}.")
        self.filename = filename
        self._warnings = WarningLog()
        self._head = b""
        self._closed = False
        self.case_count = 0

        media_type = (content_type or "").split(";", 1)[0].strip().lower()
        self._format: JsonBatch | XmlDocument
        if media_type in JSON_CONTENT_TYPES:
            self._format = JsonBatch(self._warnings, max_output_chars)
        else:
            self._format = XmlDocument(self._warnings, max_output_chars)

    @property
    def dialect(self) -> str:
        """The detected format: "json", "junit/<generator>", or "empty" for an empty file."""
        if isinstance(self._format, JsonBatch):
            return "json"
        return self._format.dialect

    @property
    def warnings(self) -> list[IngestWarning]:
        """What was repaired or ignored so far, at most 20 per code plus a summary."""
        return self._warnings.as_list()

    def feed(self, chunk: bytes) -> list[CaseResult]:
        """Parse the next chunk of the body and return the cases completed so far."""
        if self._closed:
            raise RuntimeError("UploadParser.feed() was called after close().")

        # The first two bytes are held until it is clear whether they are a gzip header.
        if len(self._head) < len(GZIP_MAGIC):
            self._head += chunk
            if len(self._head) < len(GZIP_MAGIC):
                return []
            chunk, self._head = self._head, self._head[: len(GZIP_MAGIC)]
            _reject_gzip(chunk)
        return self._count(self._format.feed(chunk))

    def close(self) -> list[CaseResult]:
        """Parse what is left and return the remaining cases; raise if the file is incomplete."""
        if self._closed:
            raise RuntimeError("UploadParser.close() was called twice.")
        self._closed = True
        cases: list[CaseResult] = []
        if len(self._head) < len(GZIP_MAGIC):
            cases = self._format.feed(self._head)
        return self._count(cases + self._format.close())

    def _count(self, cases: list[CaseResult]) -> list[CaseResult]:
        self.case_count += len(cases)
        return cases


def _reject_gzip(head: bytes) -> None:
    if head.startswith(GZIP_MAGIC):
        raise IngestError(
            "unsupported_format",
            "The file is gzip-compressed. Send it with the header Content-Encoding: gzip, or "
            "decompress it before uploading.",
            None,
        )
