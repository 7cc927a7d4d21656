"""GzipDecoder: round trips, corrupt streams and gzip bombs."""

from __future__ import annotations

import gzip
import os

import pytest

from zof.ingest import GzipDecoder, IngestError, detect_format


def decode(data: bytes, chunk_size: int, bound: int = 10**9) -> bytes:
    decoder = GzipDecoder(max_output_bytes=bound)
    parts = [decoder.decompress(data[i : i + chunk_size]) for i in range(0, len(data), chunk_size)]
    parts.append(decoder.flush())
    return b"".join(parts)


@pytest.mark.parametrize("chunk_size", [1, 7, 65536])
def test_round_trip(chunk_size: int) -> None:
    original = os.urandom(5000) + b"<testsuites/>" * 1000

    assert decode(gzip.compress(original), chunk_size) == original


def test_concatenated_members() -> None:
    data = gzip.compress(b"first ") + gzip.compress(b"second")

    assert decode(data, 3) == b"first second"


def test_empty_input() -> None:
    assert decode(b"", 1) == b""


def test_corrupt_stream_is_invalid_gzip() -> None:
    data = bytearray(gzip.compress(b"hello world" * 100))
    data[15] ^= 0xFF

    with pytest.raises(IngestError) as raised:
        decode(bytes(data), 4)

    assert raised.value.code == "invalid_gzip"


def test_not_gzip_is_invalid_gzip() -> None:
    with pytest.raises(IngestError) as raised:
        decode(b"<testsuites/>", 100)

    assert raised.value.code == "invalid_gzip"


def test_truncated_stream_is_invalid_gzip() -> None:
    data = gzip.compress(b"hello world" * 100)

    with pytest.raises(IngestError, match="cut off") as raised:
        decode(data[:-6], 10)

    assert raised.value.code == "invalid_gzip"


def test_bomb_stops_at_bound() -> None:
    bomb = gzip.compress(b"\x00" * (64 * 1024 * 1024))
    decoder = GzipDecoder(max_output_bytes=1024 * 1024)
    produced = []

    def feed_all() -> None:
        for start in range(0, len(bomb), 4096):
            produced.append(len(decoder.decompress(bomb[start : start + 4096])))

    with pytest.raises(IngestError) as raised:
        feed_all()

    assert raised.value.code == "decompressed_too_large"
    assert sum(produced) <= 1024 * 1024


def test_output_at_bound_is_accepted() -> None:
    data = gzip.compress(b"a" * 1000)

    assert decode(data, 50, bound=1000) == b"a" * 1000


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x1f\x8b\x08", "gzip"),
        (b'  {"results": []}', "json"),
        (b"", "empty"),
        (b"PASS all", "text"),
        (b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- x -->\n<testsuites>', "junit"),
        (b"<testsuite name='a'>", "junit"),
        (b'<?xml version="1.0"?><test-run id="1">', "nunit3"),
        (b'<TestRun xmlns="x">', "trx"),
        (b"<html>", "xml"),
    ],
)
def test_detect_format(head: bytes, expected: str) -> None:
    assert detect_format(head) == expected
