"""Results uploads: parse one file into a run and store the batch whole or not at all.

The body arrives here already received in full, in a spool file, so the write
transaction lasts as long as parsing and inserting take and never waits on a slow
client. Inside that one transaction the run row is locked, the body is parsed in 64 KiB
chunks, results are inserted 1,000 rows per executemany, the batch's counts are added to
the run's, and the upload's provenance row is written. A rejected file raises
before the commit, so nothing of it is stored, and a process killed half-way never
commits either.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from zof.core.clock import utcnow
from zof.core.errors import ZofError, not_found
from zof.core.ids import new_id
from zof.ingest import CaseResult, GzipDecoder, IngestError, IngestWarning, UploadParser
from zof.ingest.model import WarningLog
from zof.reports.identity import test_key
from zof.services.runs import TERMINAL_STATUSES, lock_run
from zof.store import results as result_store
from zof.store import runs as run_store
from zof.store.database import Database

log = logging.getLogger("zof.uploads")

# The run counters an upload adds to, besides `count_total`.
_COUNTED = ("passed", "failed", "error", "skipped", "flaky")

# Captured output is cut to this many characters per result, with an `output_truncated`
# warning, so that one test that logs heavily cannot fill the database.
MAX_OUTPUT_CHARS = 65536
INSERT_BATCH_ROWS = 1000
READ_CHUNK_BYTES = 64 * 1024

# Widths of `results` columns that the parsers' own bound of 2,000 characters can pass.
_COLUMN_CHARS = {"suite": 1000, "classname": 1000, "failure_type": 1000}
_TEXT_FIELDS = ("suite", "classname", "name", "message", "failure_type", "output", "file")
# JSON can carry U+0000 and unpaired surrogates, which PostgreSQL text and UTF-8 cannot
# hold; XML cannot carry them, so only JSON batches are checked.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_REPLACEMENT = "\ufffd"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class UploadOutcome:
    """The stored upload row and the run as it is after the upload."""

    upload: Mapping[Any, Any]
    run: Mapping[Any, Any]


async def check_run_accepts_results(db: Database, organization_id: str, run_id: str) -> None:
    """Raise the 404 or 409 an upload into this run would get, before its body is read."""
    async with db.read() as conn:
        run = await run_store.get_run(conn, organization_id, run_id)
    if run is None:
        raise not_found("run", run_id)
    _check_accepts_results(run)


async def upload_results(
    db: Database,
    organization_id: str,
    run_id: str,
    body: IO[bytes],
    *,
    media_type: str,
    gzip: bool,
    filename: str | None,
    byte_size: int,
    max_decompressed_bytes: int,
) -> UploadOutcome:
    """Parse `body` from its current position and store its results in the run.

    Raises ZofError 404 for an unknown run, 409 for a run in a terminal status, and the
    ingest error's own code (400, or 413 for a gzip body that inflates past the limit)
    for a file that cannot be ingested.
    """
    async with db.write() as conn:
        run = await lock_run(conn, organization_id, run_id)
        _check_accepts_results(run)
        upload_id = new_id("upl")
        created_at = utcnow()
        reader = _UploadReader(
            run,
            upload_id,
            created_at,
            media_type=media_type,
            filename=filename,
            decoder=GzipDecoder(max_decompressed_bytes) if gzip else None,
        )

        pending: list[dict[str, Any]] = []
        tally: Counter[str] = Counter()
        more = True
        try:
            while more:
                rows, more = reader.read_chunk(body)
                for row in rows:
                    tally[row["status"]] += 1
                    tally["flaky"] += bool(row["flaky"])
                pending.extend(rows)
                if len(pending) >= INSERT_BATCH_ROWS or not more:
                    await result_store.insert_results(conn, pending)
                    pending = []
                else:
                    # Parsing does not await, so yield to let other requests run between chunks.
                    await asyncio.sleep(0)
        except IngestError as error:
            raise _rejection(error) from None

        # The run row is locked for this transaction, so adding this batch's counts to the
        # stored ones is exact. Recounting every stored result instead would make each
        # upload into a large run cost time in proportion to the run.
        changes: dict[str, Any] = {
            f"count_{name}": run[f"count_{name}"] + tally[name] for name in _COUNTED
        }
        changes["count_total"] = run["count_total"] + sum(
            tally[name] for name in _COUNTED if name != "flaky"
        )
        if run["status"] == "queued":
            changes["status"] = "running"
        await run_store.update_run(conn, organization_id, run_id, changes)

        upload = {
            "id": upload_id,
            "organization_id": organization_id,
            "run_id": run_id,
            "filename": filename,
            "content_type": media_type,
            "dialect": reader.dialect,
            "accepted": reader.accepted,
            "byte_size": byte_size,
            "warnings": [_warning_object(warning) for warning in reader.warnings],
            "created_at": created_at,
        }
        await result_store.insert_upload(conn, upload)
        updated = await run_store.get_run(conn, organization_id, run_id)
    assert updated is not None
    log.info(
        "upload %s stored %d results (%s) in run %s",
        upload_id,
        reader.accepted,
        reader.dialect,
        run_id,
    )
    return UploadOutcome(upload=upload, run=updated)


def _check_accepts_results(run: Mapping[Any, Any]) -> None:
    if run["status"] in TERMINAL_STATUSES:
        raise ZofError(
            "run_not_accepting_results",
            f"The run is already {run['status']}, so it takes no more results. "
            "Create a new run for these results.",
        )


def _rejection(error: IngestError) -> ZofError:
    """Turn a parser's rejection into the API error, keeping its line in the message."""
    message = error.message
    if error.line is not None and f"line {error.line}" not in message.lower():
        message = f"{message} (line {error.line})"
    return ZofError(error.code, message)


def _warning_object(warning: IngestWarning) -> dict[str, Any]:
    return {"code": warning.code, "message": warning.message, "line": warning.line}


class _UploadReader:
    """Read one upload's body chunk by chunk and turn its cases into `results` rows.

    It runs on the event loop's thread. Feeding one lxml parser from asyncio.to_thread
    workers aborted the test process once (lxml 6.2, libxml2 2.14.6), and lxml ties a
    parser's string dictionary to the thread that created it.
    """

    def __init__(
        self,
        run: Mapping[Any, Any],
        upload_id: str,
        created_at: datetime,
        *,
        media_type: str,
        filename: str | None,
        decoder: GzipDecoder | None,
    ) -> None:
        self._decoder = decoder
        self._parser = UploadParser(
            content_type=media_type, filename=filename, max_output_chars=MAX_OUTPUT_CHARS
        )
        self._is_json = self._parser.dialect == "json"
        self._project_id: str = run["project_id"]
        self._run_suite: str | None = run["suite"]
        self._common = {
            "organization_id": run["organization_id"],
            "run_id": run["id"],
            "upload_id": upload_id,
            "project_id": run["project_id"],
            "environment": run["environment"],
            "created_at": created_at,
        }
        self._ids = _SequentialIds("res")
        self._warnings = WarningLog()
        self.accepted = 0

    @property
    def dialect(self) -> str:
        return self._parser.dialect

    @property
    def warnings(self) -> list[IngestWarning]:
        """The parser's warnings, then the ones added while storing, each in file order."""
        return self._parser.warnings + self._warnings.as_list()

    def read_chunk(self, body: IO[bytes]) -> tuple[list[dict[str, Any]], bool]:
        """Parse the next chunk of `body`; return its rows and whether more may follow."""
        chunk = body.read(READ_CHUNK_BYTES)
        if not chunk:
            tail = self._decoder.flush() if self._decoder is not None else b""
            cases = self._parser.feed(tail) if tail else []
            cases += self._parser.close()
            return self._rows(cases), False
        data = self._decoder.decompress(chunk) if self._decoder is not None else chunk
        return self._rows(self._parser.feed(data) if data else []), True

    def _rows(self, cases: list[CaseResult]) -> list[dict[str, Any]]:
        return [self._row(case) for case in cases]

    def _row(self, case: CaseResult) -> dict[str, Any]:
        self.accepted += 1
        text: dict[str, str | None] = {
            "suite": case.suite if case.suite is not None else self._run_suite,
            "classname": case.classname,
            "name": case.name,
            "message": case.message,
            "failure_type": case.failure_type,
            "output": case.output,
            "file": case.file,
        }
        if self._is_json:
            self._replace_unstorable(text)
        for field, limit in _COLUMN_CHARS.items():
            value = text[field]
            if value is not None and len(value) > limit:
                text[field] = value[:limit]
                self._warnings.add(
                    "value_truncated",
                    f"{self._where(case)}: the {field} is {len(value)} characters long; "
                    f"it was cut to {limit}.",
                    case.source_line,
                )
        name = text["name"]
        assert name is not None
        return {
            **self._common,
            **text,
            "id": self._ids.next(),
            "test_key": test_key(self._project_id, text["suite"], text["classname"], name),
            "status": case.status,
            "duration_ms": case.duration_ms,
            "flaky": case.flaky,
            "attempts": case.attempts,
            "line": case.line,
            "started_at": case.started_at,
        }

    def _replace_unstorable(self, text: dict[str, str | None]) -> None:
        for field in _TEXT_FIELDS:
            value = text[field]
            if value is not None and _UNSTORABLE.search(value):
                text[field] = _UNSTORABLE.sub(_REPLACEMENT, value)
                self._warnings.add(
                    "characters_replaced",
                    f"{self._where(None)}: the {field} holds U+0000 or an unpaired "
                    "surrogate, which cannot be stored; they were replaced with U+FFFD.",
                )

    def _where(self, case: CaseResult | None) -> str:
        """Name the current case: its line in XML, its position in a JSON batch."""
        if case is not None and case.source_line is not None:
            return f"Line {case.source_line}"
        return f"results[{self.accepted - 1}]"


class _SequentialIds:
    """Ids for one upload's results that sort in the order the file lists the results.

    Results of one upload share `created_at`, so their ids alone give the list order.
    Each id keeps the time part and first 40 random bits of one `new_id`, and counts up
    in the last 40 bits (8 base32 characters) instead of drawing them at random.
    """

    def __init__(self, prefix: str) -> None:
        first = new_id(prefix)
        self._stem = first[: len(first) - 8]
        self._count = 0

    def next(self) -> str:
        value = self._count
        self._count += 1
        digits = []
        for _ in range(8):
            digits.append(_CROCKFORD[value & 31])
            value >>= 5
        return self._stem + "".join(reversed(digits))
