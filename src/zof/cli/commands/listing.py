"""Lists with a total `--limit`: read pages lazily and stop once enough items are printed."""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from typing import Annotated, TypeVar

import typer

from zof.client import SyncPager, ZofObject

from .errors import print_warning

ItemT = TypeVar("ItemT", bound=ZofObject)

MAX_PAGE_SIZE = 100

LimitOption = Annotated[
    int,
    typer.Option(
        "--limit",
        min=1,
        help="Maximum number of items to print, newest first; pages are read as needed.",
    ),
]


def take(list_items: Callable[..., SyncPager[ItemT]], limit: int | None, noun: str) -> list[ItemT]:
    """Return up to `limit` items (every item when None) from `list_items(limit=page_size)`.

    One item past the limit is read too, so that the command can warn on stderr that
    more exist. With pages of `limit + 1` items, that costs no extra request below 100.
    """
    if limit is None:
        return list(list_items(limit=MAX_PAGE_SIZE))
    page_size = min(limit + 1, MAX_PAGE_SIZE)
    items = list(islice(list_items(limit=page_size), limit + 1))
    if len(items) > limit:
        print_warning(f"more {noun} match than the {limit} shown; pass --limit N or --all.")
        del items[limit:]
    return items
