"""Parsers that turn uploaded test-result files into normalized case results.

This package is a pure layer: it knows nothing of HTTP, SQL or the rest of zof. The route
feeds an `UploadParser` with the request body and stores the `CaseResult`s it returns,
together with the parser's `dialect` and `warnings` as the upload's provenance.
"""

from zof.ingest.detect import detect_format
from zof.ingest.gzip import GzipDecoder
from zof.ingest.model import CaseResult, IngestError, IngestWarning, Status
from zof.ingest.upload import UploadParser

__all__ = [
    "CaseResult",
    "GzipDecoder",
    "IngestError",
    "IngestWarning",
    "Status",
    "UploadParser",
    "detect_format",
]
