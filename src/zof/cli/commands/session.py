"""Options every client command shares, and the SDK client they open."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from zof.client import Zof

from .errors import EXIT_USAGE, fail, reported_errors

DEFAULT_BASE_URL = "http://127.0.0.1:8080"

ApiKeyOption = Annotated[
    str | None,
    typer.Option(
        "--api-key",
        envvar="ZOF_API_KEY",
        show_envvar=True,
        show_default=False,
        help="Secret API key of the organization.",
        rich_help_panel="Connection",
    ),
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        envvar="ZOF_BASE_URL",
        show_envvar=True,
        show_default=False,
        help=f"Server root, without /v1; default {DEFAULT_BASE_URL}.",
        rich_help_panel="Connection",
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON on stdout instead of a table.")
]


@contextmanager
def open_client(api_key: str | None, base_url: str | None) -> Iterator[Zof]:
    """Open an SDK client, and report any SDK error raised inside the block.

    The client keeps the SDK's retries (two, with backoff) and its idempotency key per
    POST, so a retried request never creates a second run, report or key.
    """
    url = base_url or os.environ.get("ZOF_BASE_URL") or DEFAULT_BASE_URL
    key = api_key or os.environ.get("ZOF_API_KEY")
    if not key:
        fail("no API key: pass --api-key or set ZOF_API_KEY.", EXIT_USAGE)
    with reported_errors(url), Zof(api_key=key, base_url=url) as client:
        yield client
