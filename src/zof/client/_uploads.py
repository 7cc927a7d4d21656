"""Request bodies for result uploads: bytes, a path, or a binary file object.

Paths and file objects are streamed in chunks instead of being read whole. A body can be
gzip-compressed on the fly; a file whose name ends in `.gz` is taken as already
compressed and sent unchanged with `Content-Encoding: gzip`.
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import IO

FileInput = bytes | str | os.PathLike[str] | IO[bytes]

# Bodies above this size are gzip-compressed when the caller leaves `compress` unset.
# JUnit XML shrinks several times under gzip, and below this size the saving is small.
GZIP_THRESHOLD = 64 * 1024
CHUNK_SIZE = 64 * 1024

JSON_CONTENT_TYPE = "application/json"
XML_CONTENT_TYPE = "application/xml"


class UploadBody:
    """A results file ready to send, as many times as the retries need when possible.

    Attributes:
        filename: the name sent as the `filename` query parameter, or None.
        headers: Content-Type, and Content-Encoding or Content-Length where they apply.
        replayable: whether the body can be sent again after a failed attempt. A
            non-seekable file object is read once, so its upload is never retried.
    """

    def __init__(
        self,
        file: FileInput,
        *,
        filename: str | None,
        content_type: str | None,
        compress: bool | None,
    ) -> None:
        self._data: bytes | None = None
        self._path: Path | None = None
        self._file: IO[bytes] | None = None
        self._start = 0
        size: int | None

        if isinstance(file, bytes | bytearray | memoryview):
            self._data = bytes(file)
            size = len(self._data)
            self.replayable = True
        elif isinstance(file, str | os.PathLike):
            self._path = Path(file)
            size = self._path.stat().st_size
            filename = filename or self._path.name
            self.replayable = True
        else:
            self._file = file
            filename = filename or _file_object_name(file)
            self.replayable = _is_seekable(file)
            size = None
            if self.replayable:
                self._start = file.tell()
                size = file.seek(0, io.SEEK_END) - self._start
                file.seek(self._start)

        self.filename = filename
        already_compressed = bool(filename and filename.lower().endswith(".gz"))
        if already_compressed:
            self._compress = False
        elif compress is None:
            self._compress = size is not None and size > GZIP_THRESHOLD
        else:
            self._compress = compress

        self.headers = {"Content-Type": content_type or infer_content_type(filename)}
        if already_compressed or self._compress:
            self.headers["Content-Encoding"] = "gzip"
        elif self._data is None and size is not None:
            self.headers["Content-Length"] = str(size)

        if self._data is not None and self._compress:
            # mtime=0 keeps the bytes identical on every attempt of one upload.
            self._data = gzip.compress(self._data, mtime=0)

    def sync_content(self) -> bytes | Iterator[bytes]:
        """Return the body for one attempt."""
        if self._data is not None:
            return self._data
        chunks = self._chunks()
        return _gzip_chunks(chunks) if self._compress else chunks

    def async_content(self) -> bytes | AsyncIterator[bytes]:
        """Return the body for one attempt of an async request."""
        content = self.sync_content()
        if isinstance(content, bytes):
            return content
        return _as_async(content)

    def _chunks(self) -> Iterator[bytes]:
        if self._path is not None:
            return _read_path(self._path)
        assert self._file is not None
        if self.replayable:
            self._file.seek(self._start)
        return _read_file(self._file)


def infer_content_type(filename: str | None) -> str:
    """Return `application/json` for a `.json` name (with or without `.gz`), else XML."""
    name = (filename or "").lower().removesuffix(".gz")
    return JSON_CONTENT_TYPE if name.endswith(".json") else XML_CONTENT_TYPE


def _file_object_name(file: IO[bytes]) -> str | None:
    name = getattr(file, "name", None)
    return os.path.basename(name) if isinstance(name, str) and name else None


def _is_seekable(file: IO[bytes]) -> bool:
    try:
        return bool(file.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _read_path(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        yield from _read_file(file)


def _read_file(file: IO[bytes]) -> Iterator[bytes]:
    while chunk := file.read(CHUNK_SIZE):
        if not isinstance(chunk, bytes):
            raise TypeError("The results file must be opened in binary mode ('rb').")
        yield chunk


def _gzip_chunks(chunks: Iterable[bytes]) -> Iterator[bytes]:
    compressor = zlib.compressobj(wbits=31)  # 31 selects the gzip container.
    for chunk in chunks:
        compressed = compressor.compress(chunk)
        if compressed:
            yield compressed
    yield compressor.flush()


async def _as_async(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    # NOTE: the file is read with blocking calls, one 64 KiB chunk at a time, which
    # pauses the event loop only briefly on local disks.
    for chunk in chunks:
        yield chunk
