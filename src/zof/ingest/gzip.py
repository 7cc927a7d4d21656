"""Bounded gzip decompression for request bodies sent with `Content-Encoding: gzip`."""

from __future__ import annotations

import zlib

from zof.ingest.model import IngestError

# zlib's window size 16 + 15 reads a gzip header and trailer (RFC 1952) around the stream.
_GZIP_WINDOW = 16 + zlib.MAX_WBITS


class GzipDecoder:
    """Incremental gzip decoder that stops as soon as the output passes `max_output_bytes`.

    Each call inflates at most `max_output_bytes - produced + 1` bytes, so a gzip bomb costs
    no more than the bound plus one chunk of input. Concatenated gzip members (RFC 1952
    allows several) are decoded one after another. Usage:

        decoder = GzipDecoder(max_output_bytes=64 * 1024 * 1024)
        for chunk in body_chunks:
            parser.feed(decoder.decompress(chunk))
        parser.feed(decoder.flush())
    """

    def __init__(self, max_output_bytes: int) -> None:
        self._max_output_bytes = max_output_bytes
        self._produced = 0
        self._inflater = zlib.decompressobj(_GZIP_WINDOW)
        self._seen_input = False

    def decompress(self, chunk: bytes) -> bytes:
        """Return the bytes that `chunk` inflates to."""
        if chunk:
            self._seen_input = True
        output = []
        data = chunk
        while data:
            output.append(self._inflate(data))
            if not self._inflater.eof:
                data = self._inflater.unconsumed_tail
                if data and len(output[-1]) == 0:
                    break
                continue
            # One member ended; what follows is either another member or padding.
            data = self._inflater.unused_data
            if data.strip(b"\x00"):
                self._inflater = zlib.decompressobj(_GZIP_WINDOW)
            else:
                data = b""
        return b"".join(output)

    def flush(self) -> bytes:
        """Return the remaining output; raise if the stream ended before its trailer."""
        if not self._seen_input:
            return b""
        tail = self._inflate(b"")
        if not self._inflater.eof:
            raise IngestError(
                "invalid_gzip",
                "The gzip stream is cut off: it ends before the end of its last member.",
            )
        return tail

    def _inflate(self, data: bytes) -> bytes:
        room = self._max_output_bytes - self._produced + 1
        try:
            output = self._inflater.decompress(data, room)
        except zlib.error as error:
            raise IngestError(
                "invalid_gzip",
                f"The body is not valid gzip data ({error}). Send it uncompressed, or "
                "compressed with gzip as a whole.",
            ) from None
        self._produced += len(output)
        if self._produced > self._max_output_bytes:
            raise IngestError(
                "decompressed_too_large",
                f"The gzip body inflates to more than {self._max_output_bytes} bytes, the "
                "upload limit.",
            )
        return output
