"""`zof reports`: list reports by scope and time range, generate, wait for and download them."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from zof.client import Report, ReportFailedError, ReportPeriod, ReportScope, Zof

from .errors import EXIT_USAGE, fail
from .listing import LimitOption, take
from .output import (
    Column,
    format_value,
    print_csv,
    print_details,
    print_json,
    print_table,
    stderr_console,
)
from .session import ApiKeyOption, BaseUrlOption, JsonOption, open_client

app = typer.Typer(
    help="List reports by scope and time range; generate, wait for and download them.",
    no_args_is_help=True,
)

ScopeType = Literal["organization", "project", "environment", "suite"]
Kind = Literal["summary"]
ReportStatus = Literal["queued", "generating", "ready", "failed"]
Source = Literal["api", "schedule", "run"]
RangePreset = Literal[
    "last_24_hours",
    "last_7_days",
    "last_30_days",
    "previous_day",
    "previous_week",
    "previous_month",
]
ContentFormat = Literal["json", "csv", "html"]
DEFAULT_WAIT_SECONDS = 300.0


def format_scope(scope: ReportScope) -> str:
    """Return the scope type and its values, such as `environment proj_123/staging`."""
    values = [value for value in (scope.project_id, scope.environment, scope.suite) if value]
    return f"{scope.type} {'/'.join(values)}" if values else scope.type


def _format_length(start: datetime, end: datetime) -> str:
    seconds = int((end - start).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def format_period_start(period: ReportPeriod | None) -> str | None:
    """Return the period as its first day and its length, such as `2026-11-01 +30d`."""
    if period is None:
        return None
    start = period.start.astimezone(UTC).strftime("%Y-%m-%d")
    return f"{start} +{_format_length(period.start, period.end)}"


def format_period(period: ReportPeriod | None) -> str | None:
    """Return the half-open period `[start, end)` in UTC as `start .. end`."""
    if period is None:
        return None
    return f"{format_value(period.start)} .. {format_value(period.end)}"


def _pass_rate(report: Report) -> str | None:
    rate = (report.summary or {}).get("pass_rate")
    return f"{rate * 100:.1f}%" if isinstance(rate, int | float) else None


COLUMNS = [
    Column("ID", lambda report: report.id),
    Column("STATUS", lambda report: report.status),
    Column("SCOPE", lambda report: format_scope(report.scope), wraps=True),
    Column("PERIOD", lambda report: format_period_start(report.period)),
    Column("PASS RATE", _pass_rate, numeric=True),
]


def _summary_figure(section: str, name: str) -> Any:
    def read(report: Report) -> Any:
        figures = (report.summary or {}).get(section)
        return figures.get(name) if isinstance(figures, dict) else None

    return read


CSV_FIELDS = [
    ("id", lambda report: report.id),
    ("status", lambda report: report.status),
    ("kind", lambda report: report.kind),
    ("scope_type", lambda report: report.scope.type),
    ("project_id", lambda report: report.scope.project_id),
    ("environment", lambda report: report.scope.environment),
    ("suite", lambda report: report.scope.suite),
    ("period_start", lambda report: report.period.start if report.period else None),
    ("period_end", lambda report: report.period.end if report.period else None),
    ("source", lambda report: report.source),
    ("pass_rate", lambda report: (report.summary or {}).get("pass_rate")),
    ("runs_total", _summary_figure("runs", "total")),
    ("tests_total", _summary_figure("tests", "total")),
    ("tests_failed", _summary_figure("tests", "failed")),
    ("created_at", lambda report: report.created_at),
    ("completed_at", lambda report: report.completed_at),
    ("expires_at", lambda report: report.expires_at),
]


def _failure(report: Report) -> str | None:
    if isinstance(report.error, dict):
        code, message = report.error.get("code"), report.error.get("message")
        return f"{code}: {message}" if code else str(message)
    return None if report.error is None else str(report.error)


# The order of the headline figures; PostgreSQL's jsonb does not keep the server's order.
FIGURE_ORDER = ("total", "passed", "failed", "error", "skipped", "flaky", "canceled")


def _figures(report: Report, section: str) -> str | None:
    figures = (report.summary or {}).get(section)
    if not isinstance(figures, dict):
        return None
    known = [name for name in FIGURE_ORDER if name in figures]
    names = known + sorted(name for name in figures if name not in FIGURE_ORDER)
    return ", ".join(f"{name} {format_value(figures[name])}" for name in names)


def print_report(report: Report, as_json: bool) -> None:
    """Print a report: JSON, or its fields and headline figures one per line."""
    if as_json:
        print_json(report)
        return
    rows: list[tuple[str, Any]] = [
        ("id", report.id),
        ("status", report.status),
        ("kind", report.kind),
        ("scope", format_scope(report.scope)),
        ("period", format_period(report.period)),
        ("source", report.source),
        ("created_at", report.created_at),
        ("completed_at", report.completed_at),
        ("expires_at", report.expires_at),
    ]
    if report.summary is not None:
        rows += [
            ("pass_rate", _pass_rate(report)),
            ("runs", _figures(report, "runs")),
            ("tests", _figures(report, "tests")),
        ]
    if report.error is not None:
        rows.append(("error", _failure(report)))
    print_details(rows)


def _wait(client: Zof, report: Report, timeout: float, as_json: bool) -> Report:
    """Wait under a spinner until the report is ready; on failure print it and exit 1."""
    console = stderr_console()
    try:
        with console.status(f"Generating report {report.id}..."):
            return client.reports.wait(report.id, timeout=timeout)
    except ReportFailedError as error:
        print_report(error.report, as_json)
        fail(f"report {error.report.id} failed: {_failure(error.report) or 'no reason given'}")


ScopeTypeOption = Annotated[
    ScopeType | None,
    typer.Option(
        "--scope-type",
        help="Scope type; by default the narrowest one the other scope options name.",
        show_default=False,
    ),
]
ProjectOption = Annotated[str | None, typer.Option("--project", help="Project id, proj_...")]
EnvironmentOption = Annotated[
    str | None, typer.Option("--env", "--environment", help="Environment name.")
]
SuiteOption = Annotated[str | None, typer.Option("--suite", help="Suite name.")]
TimeHelp = "RFC 3339 with an offset, or a date"
TimeoutOption = Annotated[
    float,
    typer.Option("--timeout", min=0, help="Seconds to wait for the report to be ready."),
]


def _time_option(name: str, help_text: str) -> Any:
    return typer.Option(name, help=f"{help_text} ({TimeHelp}).", show_default=False)


@app.command("list")
def list_reports(
    scope_type: Annotated[
        ScopeType | None,
        typer.Option("--scope-type", help="Only reports of this scope type.", show_default=False),
    ] = None,
    project: ProjectOption = None,
    environment: EnvironmentOption = None,
    suite: SuiteOption = None,
    kind: Annotated[Kind | None, typer.Option("--kind", help="Only reports of this kind.")] = None,
    status: Annotated[
        ReportStatus | None, typer.Option("--status", help="Only reports in this status.")
    ] = None,
    source: Annotated[
        Source | None, typer.Option("--source", help="Only reports created this way.")
    ] = None,
    from_: Annotated[
        str | None, _time_option("--from", "Only reports whose period ends after this time")
    ] = None,
    to: Annotated[
        str | None, _time_option("--to", "Only reports whose period starts before this time")
    ] = None,
    created_after: Annotated[
        str | None,
        _time_option("--created-after", "Only reports created at or after this time"),
    ] = None,
    created_before: Annotated[
        str | None, _time_option("--created-before", "Only reports created before this time")
    ] = None,
    limit: LimitOption = 20,
    show_all: Annotated[bool, typer.Option("--all", help="Print every matching report.")] = False,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV on stdout.")] = False,
    api_key: ApiKeyOption = None,
    base_url: BaseUrlOption = None,
) -> None:
    """List reports by scope and time range, newest first.

    --from and --to select reports whose period overlaps [from, to).
    """
    if as_json and as_csv:
        raise typer.BadParameter("pass --json or --csv, not both.")
    with open_client(api_key, base_url) as client:
        list_matching = partial(
            client.reports.list,
            scope_type=scope_type,
            project_id=project,
            environment=environment,
            suite=suite,
            kind=kind,
            status=status,
            source=source,
            from_=from_,
            to=to,
            created_after=created_after,
            created_before=created_before,
        )
        reports = take(list_matching, None if show_all else limit, "reports")
    if as_json:
        print_json(reports)
    elif as_csv:
        print_csv(reports, CSV_FIELDS)
    else:
        print_table(reports, COLUMNS)


def _scope(
    scope_type: ScopeType | None,
    project: str | None,
    environment: str | None,
    suite: str | None,
) -> dict[str, str | None]:
    resolved: str | None = scope_type
    if resolved is None:
        named = [("suite", suite), ("environment", environment), ("project", project)]
        resolved = next((name for name, value in named if value), "organization")
    return {
        "type": resolved,
        "project_id": project,
        "environment": environment,
        "suite": suite,
    }


@app.command("create")
def create_report(
    scope_type: ScopeTypeOption = None,
    project: ProjectOption = None,
    environment: EnvironmentOption = None,
    suite: SuiteOption = None,
    kind: Annotated[Kind, typer.Option("--kind", help="Report kind.")] = "summary",
    range_preset: Annotated[
        RangePreset | None,
        typer.Option("--range", help="A period relative to now, in UTC.", show_default=False),
    ] = None,
    from_: Annotated[str | None, _time_option("--from", "Start of the period")] = None,
    to: Annotated[str | None, _time_option("--to", "End of the period, excluded")] = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="Wait until the report is ready, then print it.")
    ] = False,
    timeout: TimeoutOption = DEFAULT_WAIT_SECONDS,
    as_json: JsonOption = False,
    api_key: ApiKeyOption = None,
    base_url: BaseUrlOption = None,
) -> None:
    """Generate a report over a scope and a period (--range, or --from and --to).

    The scope type defaults to the narrowest one named: --suite, then --env, then
    --project, else the whole organization.
    """
    period = None
    if range_preset is not None and (from_ is not None or to is not None):
        raise typer.BadParameter("pass --range or --from with --to, not both.")
    if range_preset is None:
        if from_ is None or to is None:
            raise typer.BadParameter("pass --range, or both --from and --to.")
        period = {"start": from_, "end": to}
    scope = _scope(scope_type, project, environment, suite)
    with open_client(api_key, base_url) as client:
        report = client.reports.create(scope, kind=kind, period=period, range=range_preset)
        if wait:
            report = _wait(client, report, timeout, as_json)
    print_report(report, as_json)


@app.command("get")
def get_report(
    report_id: Annotated[str, typer.Argument(help="Report id, rpt_...", show_default=False)],
    as_json: JsonOption = False,
    api_key: ApiKeyOption = None,
    base_url: BaseUrlOption = None,
) -> None:
    """Print a report with its headline figures."""
    with open_client(api_key, base_url) as client:
        report = client.reports.get(report_id)
    print_report(report, as_json)


@app.command("wait")
def wait_for_report(
    report_id: Annotated[str, typer.Argument(help="Report id, rpt_...", show_default=False)],
    timeout: TimeoutOption = DEFAULT_WAIT_SECONDS,
    as_json: JsonOption = False,
    api_key: ApiKeyOption = None,
    base_url: BaseUrlOption = None,
) -> None:
    """Wait until a report is ready and print it; exit 1 if it failed or time ran out."""
    with open_client(api_key, base_url) as client:
        report = _wait(client, client.reports.get(report_id), timeout, as_json)
    print_report(report, as_json)


@app.command("download")
def download_report(
    report_id: Annotated[str, typer.Argument(help="Report id, rpt_...", show_default=False)],
    content_format: Annotated[
        ContentFormat, typer.Option("--format", help="File format.")
    ] = "json",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write, or a folder to write the server's file name into, or - for "
            "stdout; default the current folder.",
            show_default=False,
        ),
    ] = None,
    api_key: ApiKeyOption = None,
    base_url: BaseUrlOption = None,
) -> None:
    """Download a ready report as JSON, CSV or HTML, and print the file's path."""
    if output is not None and str(output) == "-":
        with open_client(api_key, base_url) as client:
            content = client.reports.download(report_id, content_format)
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    target = output if output is not None else Path.cwd()
    if not target.is_dir() and not target.parent.is_dir():
        fail(f"folder {target.parent} does not exist.", EXIT_USAGE)
    with open_client(api_key, base_url) as client:
        path = client.reports.download_to(report_id, target, content_format)
    typer.echo(str(path))


@app.command("delete")
def delete_report(
    report_id: Annotated[str, typer.Argument(help="Report id, rpt_...", show_default=False)],
    api_key: ApiKeyOption = None,
    base_url: BaseUrlOption = None,
) -> None:
    """Delete a report."""
    with open_client(api_key, base_url) as client:
        client.reports.delete(report_id)
    typer.echo(f"Deleted report {report_id}.")
