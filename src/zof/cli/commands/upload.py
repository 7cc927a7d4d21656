"""`zof upload`: create a run, upload result files into it, complete it and print its counts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from zof.client import (
    APIConnectionError,
    APIError,
    InvalidRequestError,
    ResultsUpload,
    Run,
    Zof,
    ZofError,
)

from .errors import EXIT_FAILURE, EXIT_USAGE, describe_api_error, fail, print_error, print_warning
from .output import print_json, stderr_console
from .runs import format_counts
from .session import ApiKeyOption, BaseUrlOption, JsonOption, open_client

# Names of result files taken from a folder; `.gz` files are sent compressed as they are.
RESULT_PATTERNS = ("*.xml", "*.json", "*.xml.gz", "*.json.gz")
FAILED_STATUSES = frozenset({"failed", "error"})


def collect_files(arguments: Sequence[Path]) -> list[Path]:
    """Return the files to upload: each file given, and the result files inside each folder.

    Folders are searched recursively and their files sorted by path, so uploads run in a
    stable order. A path given twice is uploaded once.
    """
    files: list[Path] = []
    for argument in arguments:
        if argument.is_dir():
            found = sorted(
                {path for pattern in RESULT_PATTERNS for path in argument.rglob(pattern)}
            )
            found = [path for path in found if path.is_file()]
            if not found:
                fail(f"no result files (*.xml, *.json) in folder {argument}.", EXIT_USAGE)
            files.extend(found)
        elif argument.is_file():
            files.append(argument)
        elif argument.exists():
            fail(f"{argument} is not a regular file or folder.", EXIT_USAGE)
        else:
            fail(f"no such file or folder: {argument}.", EXIT_USAGE)
    unique: dict[Path, Path] = {}
    for path in files:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def _cancel_run(client: Zof, run_id: str, reason: str) -> None:
    """Cancel a run that cannot be completed, so that it does not stay `running`."""
    try:
        client.runs.cancel(run_id)
    except ZofError as error:
        print_warning(
            f"could not cancel run {run_id} ({error}); cancel it with `zof runs cancel {run_id}`."
        )
        return
    stderr_console().print(f"Canceled run {run_id} because {escape(reason)}.", soft_wrap=True)


def _report_upload(path: Path, upload: ResultsUpload) -> None:
    console = stderr_console()
    noun = "result" if upload.accepted == 1 else "results"
    warnings = len(upload.warnings)
    suffix = f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""
    console.print(
        f"Uploaded {escape(str(path))}: {upload.accepted} {noun} ({upload.dialect}){suffix}",
        soft_wrap=True,
    )
    for warning in upload.warnings:
        where, message = str(path), warning.message
        if warning.line is not None:
            where = f"{path}:{warning.line}"
            # The location is already in front, so drop the server's own "Line N: " prefix.
            message = message.removeprefix(f"Line {warning.line}: ")
        console.print(
            f"{escape(where)}: [yellow]warning:[/yellow] {escape(warning.code)}: {escape(message)}",
            soft_wrap=True,
        )


@contextmanager
def _progress(total: int) -> Iterator[tuple[Progress, Any]]:
    """Show a progress bar on stderr, one step per file, when stderr is a terminal."""
    console = stderr_console()
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    with progress:
        yield progress, progress.add_task("Uploading", total=total)


def upload_files(client: Zof, run: Run, paths: Sequence[Path]) -> list[tuple[Path, ResultsUpload]]:
    """Upload each file into the run; on any failure cancel the run and exit.

    A file the server rejects (400, 413 or 415) exits with 2, because the input needs
    fixing; any other failure exits with 1. Files uploaded before the failure stay in
    the canceled run.
    """
    uploads: list[tuple[Path, ResultsUpload]] = []
    with _progress(len(paths)) as (progress, task):
        for path in paths:
            progress.update(task, description=f"Uploading {escape(path.name)}")
            try:
                upload = client.runs.upload_results(run.id, path)
            except InvalidRequestError as error:
                print_error(describe_api_error(error))
                _cancel_run(client, run.id, f"the server rejected {path}")
                raise typer.Exit(EXIT_USAGE) from None
            except (APIError, APIConnectionError, OSError, KeyboardInterrupt) as error:
                _cancel_run(client, run.id, f"the upload of {path} failed")
                if isinstance(error, OSError):
                    fail(f"cannot read {path}: {error.strerror or error}.", EXIT_FAILURE)
                raise
            uploads.append((path, upload))
            _report_upload(path, upload)
            progress.advance(task)
    return uploads


def _json_output(run: Run, uploads: list[tuple[Path, ResultsUpload]]) -> dict[str, Any]:
    return {
        "run": run,
        "uploads": [
            {"file": str(path), **upload.model_dump(mode="json", exclude={"run"})}
            for path, upload in uploads
        ],
    }


def upload(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Result files (JUnit XML or the JSON batch, optionally .gz) or folders; "
            "a folder adds every *.xml and *.json file inside it.",
            show_default=False,
        ),
    ],
    project: Annotated[
        str, typer.Option("--project", help="Project id, proj_...", show_default=False)
    ],
    environment: Annotated[
        str,
        typer.Option(
            "--env", "--environment", help="Environment the tests ran in.", show_default=False
        ),
    ],
    suite: Annotated[str | None, typer.Option("--suite", help="Suite name.")] = None,
    commit: Annotated[str | None, typer.Option("--commit", help="Commit SHA tested.")] = None,
    branch: Annotated[str | None, typer.Option("--branch", help="Branch tested.")] = None,
    build_url: Annotated[
        str | None, typer.Option("--build-url", help="Link to the CI build.")
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="What reported the run, such as a CI name.")
    ] = None,
    fail_on_failure: Annotated[
        bool,
        typer.Option("--fail-on-failure", help="Exit 1 when the run ends failed or error."),
    ] = False,
    as_json: JsonOption = False,
    api_key: ApiKeyOption = None,
    base_url: BaseUrlOption = None,
) -> None:
    """Create a run, upload result files into it, complete it and print its counts.

    If the server rejects a file, the run is canceled and the command exits with 2.
    """
    paths = collect_files(files)
    with open_client(api_key, base_url) as client:
        run = client.runs.create(
            project,
            environment,
            suite=suite,
            commit_sha=commit,
            branch=branch,
            build_url=build_url,
            source=source,
        )
        uploads = upload_files(client, run, paths)
        run = client.runs.complete(run.id)

    if as_json:
        print_json(_json_output(run, uploads))
    else:
        typer.echo(f"Run {run.id} {run.status}: {format_counts(run.counts)}")
    if fail_on_failure and run.status in FAILED_STATUSES:
        print_error(f"run {run.id} ended {run.status}.")
        raise typer.Exit(EXIT_FAILURE)
