"""Keyset pagination over `(created_at, id)`, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from zof.core.cursors import Position


@dataclass(frozen=True)
class Page:
    rows: Sequence[sa.RowMapping]
    has_more: bool

    @property
    def last_position(self) -> Position | None:
        if not self.rows:
            return None
        last = self.rows[-1]
        return Position(created_at=last["created_at"], id=last["id"])


async def fetch_page(
    conn: AsyncConnection,
    table: sa.Table,
    conditions: Sequence[sa.ColumnElement[bool]],
    *,
    limit: int,
    after: Position | None,
    columns: Sequence[Any] | None = None,
) -> Page:
    """Fetch up to `limit` rows after `after` in `(created_at desc, id desc)` order.

    The row-value comparison lets PostgreSQL and SQLite seek straight into the
    `(organization_id, ..., created_at, id)` index, so page 5,000 costs what page 1 costs.
    One extra row is read to tell whether another page follows.
    """
    selected: Sequence[Any] = columns or [table]
    stmt = sa.select(*selected).where(*conditions)
    if after is not None:
        stmt = stmt.where(
            sa.tuple_(table.c.created_at, table.c.id)
            < sa.tuple_(
                sa.literal(after.created_at, table.c.created_at.type),
                sa.literal(after.id, table.c.id.type),
            )
        )
    stmt = stmt.order_by(table.c.created_at.desc(), table.c.id.desc()).limit(limit + 1)
    rows = (await conn.execute(stmt)).mappings().all()
    return Page(rows=rows[:limit], has_more=len(rows) > limit)
