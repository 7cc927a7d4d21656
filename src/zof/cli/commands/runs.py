"""`zof runs`: list, get and cancel runs."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

import typer

from zof.client import Run, RunCounts

from .listing import LimitOption, take
from .output import Column, print_csv, print_details, print_json, print_table
from .session import ApiKeyOption, BaseUrlOption, JsonOption, open_client

app = typer.Typer(help="List, get and cancel runs.", no_args_is_help=True)

RunStatus = Literal["queued", "running", "passed", "failed", "error", "canceled"]
COUNT_NAMES = ("passed", "failed", "error", "skipped", "flaky", "total")

COLUMNS = [
    Column("ID", lambda run: run.id),
    Column("STATUS", lambda run: run.status),
    Column("ENV", lambda run: run.environment, shrinks=True),
    Column("BRANCH", lambda run: run.branch, shrinks=True),
    Column("FAILED", lambda run: run.counts.failed, numeric=True),
    Column("ERROR", lambda run: run.counts.error, numeric=True),
    Column("TOTAL", lambda run: run.counts.total, numeric=True),
    Column("CREATED", lambda run: run.created_at),
]

CSV_FIELDS = [
    ("id", lambda run: run.id),
    ("status", lambda run: run.status),
    ("project_id", lambda run: run.project_id),
    ("environment", lambda run: run.environment),
    ("suite", lambda run: run.suite),
    ("branch", lambda run: run.branch),
    ("commit_sha", lambda run: run.commit_sha),
    ("build_url", lambda run: run.build_url),
    *((name, lambda run, name=name: getattr(run.counts, name)) for name in COUNT_NAMES),
    ("duration_ms", lambda run: run.duration_ms),
    ("created_at", lambda run: run.created_at),
    ("completed_at", lambda run: run.completed_at),
]

RunId = Annotated[str, typer.Argument(help="Run id, run_...", show_default=False)]


def format_counts(counts: RunCounts) -> str:
    """Return `passed 10, failed 2, ..., total 13`."""
    return ", ".join(f"{name} {getattr(counts, name)}" for name in COUNT_NAMES)


def format_duration(milliseconds: int | None) -> str | None:
    if milliseconds is None:
        return None
    return f"{milliseconds / 1000:.1f} s"


def print_run(run: Run) -> None:
    """Print a run's fields, one per line."""
    print_details(
        [
            ("id", run.id),
            ("status", run.status),
            ("project_id", run.project_id),
            ("environment", run.environment),
            ("suite", run.suite),
            ("branch", run.branch),
            ("commit_sha", run.commit_sha),
            ("build_url", run.build_url),
            ("source", run.source),
            ("counts", format_counts(run.counts)),
            ("duration", format_duration(run.duration_ms)),
            ("created_at", run.created_at),
            ("started_at", run.started_at),
            ("completed_at", run.completed_at),
        ]
    )


@app.command("list")
def list_runs(
    project: Annotated[
        str | None, typer.Option("--project", help="Only this project's runs.")
    ] = None,
    environment: Annotated[
        str | None, typer.Option("--env", "--environment", help="Only runs in this environment.")
    ] = None,
    status: Annotated[
        RunStatus | None, typer.Option("--status", help="Only runs in this status.")
    ] = None,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Only runs created at or after this time: RFC 3339 with an offset, or a date.",
            show_default=False,
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Only runs created before this time: RFC 3339 with an offset, or a date.",
            show_default=False,
        ),
    ] = None,
    limit: LimitOption = 20,
    show_all: Annotated[bool, typer.Option("--all", help="Print every matching run.")] = False,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV on stdout.")] = False,
    api_key: ApiKeyOption = None,
    base_url: BaseUrlOption = None,
) -> None:
    """List runs, newest first."""
    if as_json and as_csv:
        raise typer.BadParameter("pass --json or --csv, not both.")
    with open_client(api_key, base_url) as client:
        list_matching = partial(
            client.runs.list,
            project_id=project,
            environment=environment,
            status=status,
            from_=from_,
            to=to,
        )
        runs = take(list_matching, None if show_all else limit, "runs")
    if as_json:
        print_json(runs)
    elif as_csv:
        print_csv(runs, CSV_FIELDS)
    else:
        print_table(runs, COLUMNS)


@app.command("get")
def get_run(
    run_id: RunId,
    as_json: JsonOption = False,
    api_key: ApiKeyOption = None,
    base_url: BaseUrlOption = None,
) -> None:
    """Print a run: status, counts, duration and where it came from."""
    with open_client(api_key, base_url) as client:
        run = client.runs.get(run_id)
    if as_json:
        print_json(run)
    else:
        print_run(run)


@app.command("cancel")
def cancel_run(
    run_id: RunId,
    as_json: JsonOption = False,
    api_key: ApiKeyOption = None,
    base_url: BaseUrlOption = None,
) -> None:
    """Cancel a queued or running run; a finished run is an error (run_not_cancelable)."""
    with open_client(api_key, base_url) as client:
        run = client.runs.cancel(run_id)
    if as_json:
        print_json(run)
    else:
        print_run(run)
