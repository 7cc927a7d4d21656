"""Terminal output of the client commands: tables, details, JSON and CSV.

Data goes to stdout; progress, warnings and errors go to stderr, so `--json` and `--csv`
output can be piped into another program. Consoles are built per command, not at import,
so that they see the environment of the command that runs (`COLUMNS`, `NO_COLOR`).
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from zof.client import ZofObject


def _width() -> int | None:
    """Return the width set by `COLUMNS`, or None to let Rich measure the terminal."""
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else None


def stdout_console(min_width: int = 0) -> Console:
    """Return a console on the current stdout, `COLUMNS` wide when that is set.

    `min_width` widens it for content that must not be cut, such as a table of ids.
    """
    console = Console(file=sys.stdout, width=_width(), soft_wrap=False, highlight=False)
    console.width = max(console.width, min_width)
    return console


def stderr_console() -> Console:
    """Return a console on the current stderr, for progress, warnings and errors."""
    return Console(file=sys.stderr, width=_width(), highlight=False)


def format_time(value: datetime | None, *, seconds: bool = True) -> str:
    """Format a timestamp in UTC as `2026-12-01 08:30:00`, or to the minute in tables."""
    if value is None:
        return "-"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def format_value(value: Any, *, seconds: bool = True) -> str:
    """Format one cell: times in UTC, lists comma-separated, None as `-`."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return format_time(value, seconds=seconds)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(format_value(item) for item in value) if value else "-"
    return str(value)


@dataclass(frozen=True)
class Column:
    """A table column: its header, how to read the cell from an object, and its layout."""

    header: str
    read: Callable[[Any], Any]
    numeric: bool = False
    shrinks: bool = False
    wraps: bool = False


def print_table(objects: Sequence[Any], columns: Sequence[Column]) -> None:
    """Print objects as a borderless table; an empty list prints only the header.

    When the table is wider than the console, the columns marked `wraps` break into
    several lines and those marked `shrinks` are cut with an ellipsis. The others (ids,
    statuses, numbers and times) are always shown whole, even if the lines then get
    longer than the console is wide.
    """
    rows = [
        [format_value(column.read(item), seconds=False) for column in columns] for item in objects
    ]
    cells = [[column.header, *(row[index] for row in rows)] for index, column in enumerate(columns)]
    desired = [max(len(cell) for cell in column_cells) for column_cells in cells]
    minimum = [
        _min_width(column, column_cells, width)
        for column, column_cells, width in zip(columns, cells, desired, strict=True)
    ]
    gaps = 2 * (len(columns) - 1)
    console = stdout_console(min_width=sum(minimum) + gaps)
    widths = _share_width(desired, minimum, console.width - gaps)

    # Rich narrows every column of a table that is too wide, ids included, so the
    # widths are settled here and the table always fits.
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column, width in zip(columns, widths, strict=True):
        table.add_column(
            column.header,
            justify="right" if column.numeric else "left",
            no_wrap=not column.wraps,
            overflow="fold" if column.wraps else "ellipsis",
            max_width=width,
        )
    for row in rows:
        table.add_row(*row)
    _print_trimmed(console, table)


def _min_width(column: Column, cells: list[str], desired: int) -> int:
    if column.shrinks:
        return len(column.header)
    if column.wraps:
        # Break between words only, so that an id is never split across lines.
        return max(len(word) for cell in cells for word in cell.split())
    return desired


def _share_width(desired: list[int], minimum: list[int], available: int) -> list[int]:
    """Give each column its minimum, then the spare width one character at a time."""
    widths = list(minimum)
    spare = available - sum(minimum)
    while spare > 0:
        growing = [index for index, width in enumerate(widths) if width < desired[index]]
        if not growing:
            break
        for index in growing[:spare]:
            widths[index] += 1
        spare -= min(spare, len(growing))
    return widths


def print_details(rows: Iterable[tuple[str, Any]]) -> None:
    """Print one object as `field  value` lines."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for name, value in rows:
        table.add_row(name, format_value(value))
    _print_trimmed(stdout_console(), table)


def _print_trimmed(console: Console, renderable: Table) -> None:
    """Print without the spaces that pad each line to the table's width."""
    with console.capture() as capture:
        console.print(renderable)
    lines = capture.get().splitlines()
    console.file.write("".join(line.rstrip() + "\n" for line in lines))


def to_json(value: Any) -> Any:
    """Return the JSON form of an SDK object, or of lists and dicts of them."""
    if isinstance(value, ZofObject):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    return value


def print_json(value: Any) -> None:
    """Print a value as indented JSON on stdout, with nothing else on that stream."""
    sys.stdout.write(json.dumps(to_json(value), indent=2, ensure_ascii=False) + "\n")


def print_csv(objects: Sequence[Any], fields: Sequence[tuple[str, Callable[[Any], Any]]]) -> None:
    """Print objects as CSV on stdout: a header row, then one row per object.

    Times are RFC 3339 in UTC with `Z`, so a spreadsheet or a script reads them back
    exactly; an absent value is an empty cell.
    """
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow([name for name, _ in fields])
    for item in objects:
        writer.writerow([_csv_cell(read(item)) for _, read in fields])


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
