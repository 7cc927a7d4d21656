"""Error reporting of the client commands: one line on stderr and an exit code, no traceback.

Exit code 1 means an API error, a failed connection, a failed report, or a failed run
under `--fail-on-failure`. Exit code 2 means a usage error, as Click reports its own, or a
result file the server rejected. Exit code 130 follows Ctrl-C.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.markup import escape

from zof.client import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ReportFailedError,
    WaitTimeoutError,
    ZofError,
)

from .output import stderr_console

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def print_error(message: str) -> None:
    """Print `error: <message>` on stderr."""
    stderr_console().print(f"[bold red]error:[/bold red] {escape(message)}", soft_wrap=True)


def print_warning(message: str) -> None:
    """Print `warning: <message>` on stderr."""
    stderr_console().print(f"[yellow]warning:[/yellow] {escape(message)}", soft_wrap=True)


def describe_api_error(error: APIError) -> str:
    """Return `<code>: <message> (param=..., request_id=...)` for an API error."""
    code = error.code or f"HTTP {error.status_code}"
    details = []
    if error.param:
        details.append(f"param={error.param}")
    if error.request_id:
        details.append(f"request_id={error.request_id}")
    suffix = f" ({', '.join(details)})" if details else ""
    return f"{code}: {error.message}{suffix}"


def describe_connection_error(error: APIConnectionError, base_url: str) -> str:
    """Return a message that names the server, so a wrong `ZOF_BASE_URL` is easy to spot."""
    if isinstance(error, APITimeoutError):
        return f"the zof server at {base_url} did not answer in time: {error}"
    return (
        f"cannot reach the zof server at {base_url}: {error}. "
        "Check --base-url or ZOF_BASE_URL, and that the server is running."
    )


def fail(message: str, exit_code: int = EXIT_FAILURE) -> NoReturn:
    """Print an error and leave the command with `exit_code`."""
    print_error(message)
    raise typer.Exit(exit_code)


@contextmanager
def reported_errors(base_url: str) -> Iterator[None]:
    """Turn the SDK's expected exceptions into an error line and an exit code."""
    try:
        yield
    except APIError as error:
        fail(describe_api_error(error))
    except APIConnectionError as error:
        fail(describe_connection_error(error, base_url))
    except ReportFailedError as error:
        fail(str(error))
    except WaitTimeoutError as error:
        fail(str(error))
    except ZofError as error:
        fail(str(error), EXIT_USAGE)
    except KeyboardInterrupt:
        fail("interrupted", EXIT_INTERRUPTED)
