"""Pages of list results and lazy iterators over all pages.

A list endpoint returns one page: `{"object": "list", "data", "has_more", "next_cursor"}`.
The pagers below request the next page, with `starting_after=next_cursor`, only when the
caller has consumed every item of the current one, and stop once `has_more` is false.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ._models import ZofObject

ModelT = TypeVar("ModelT", bound=ZofObject)


@dataclass(frozen=True)
class Page(Generic[ModelT]):
    """One page of a list.

    Attributes:
        data: the items of this page, newest first.
        has_more: whether another page follows.
        next_cursor: the value to pass as `starting_after` for the next page, or None.
    """

    data: list[ModelT]
    has_more: bool
    next_cursor: str | None

    def __iter__(self) -> Iterator[ModelT]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    @property
    def is_last(self) -> bool:
        """Whether no page follows this one."""
        return not self.has_more or not self.next_cursor


def parse_page(model: type[ModelT], body: Any) -> Page[ModelT]:
    """Build a `Page` from a decoded list envelope."""
    return Page(
        data=[model.model_validate(item) for item in body["data"]],
        has_more=bool(body.get("has_more", False)),
        next_cursor=body.get("next_cursor"),
    )


class SyncPager(Generic[ModelT]):
    """Iterate over every item of a list, fetching one page at a time when needed.

    Each `for` loop starts again from the first page. Use `pages()` to work page by page
    and `first_page()` to fetch a single page, for instance to resume from a saved cursor
    passed as `starting_after` to `list()`.
    """

    def __init__(
        self, fetch: Callable[[str | None], Page[ModelT]], starting_after: str | None = None
    ) -> None:
        self._fetch = fetch
        self._starting_after = starting_after

    def __iter__(self) -> Iterator[ModelT]:
        for page in self.pages():
            yield from page.data

    def pages(self) -> Iterator[Page[ModelT]]:
        """Yield the pages in order, requesting each one only when the caller asks for it."""
        cursor = self._starting_after
        while True:
            page = self._fetch(cursor)
            yield page
            if page.is_last:
                return
            cursor = page.next_cursor

    def first_page(self) -> Page[ModelT]:
        """Fetch and return only the first page."""
        return self._fetch(self._starting_after)


class AsyncPager(Generic[ModelT]):
    """The async variant of `SyncPager`: use `async for`, `pages()` and `await first_page()`."""

    def __init__(
        self,
        fetch: Callable[[str | None], Awaitable[Page[ModelT]]],
        starting_after: str | None = None,
    ) -> None:
        self._fetch = fetch
        self._starting_after = starting_after

    async def __aiter__(self) -> AsyncIterator[ModelT]:
        async for page in self.pages():
            for item in page.data:
                yield item

    async def pages(self) -> AsyncIterator[Page[ModelT]]:
        """Yield the pages in order, requesting each one only when the caller asks for it."""
        cursor = self._starting_after
        while True:
            page = await self._fetch(cursor)
            yield page
            if page.is_last:
                return
            cursor = page.next_cursor

    async def first_page(self) -> Page[ModelT]:
        """Fetch and return only the first page."""
        return await self._fetch(self._starting_after)
