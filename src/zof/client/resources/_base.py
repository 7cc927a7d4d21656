"""Base classes of the resource groups (`client.runs`, `client.reports`, ...)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._params import without_none

if TYPE_CHECKING:
    from .._client import AsyncZof, Zof


class SyncResource:
    def __init__(self, client: Zof) -> None:
        self._client = client


class AsyncResource:
    def __init__(self, client: AsyncZof) -> None:
        self._client = client


def list_params(
    filters: Mapping[str, Any], limit: int | None, starting_after: str | None
) -> dict[str, Any]:
    """Return the query of one list page: the filters set, `limit` and the cursor."""
    return without_none({**filters, "limit": limit, "starting_after": starting_after})
