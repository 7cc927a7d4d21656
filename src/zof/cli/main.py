"""The `zof` command."""

from __future__ import annotations

import typer

from zof.cli import server

app = typer.Typer(
    name="zof",
    help="zof: ingest CI test results, generate reports, and list them by scope and time range.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("serve")(server.serve)
app.command("worker")(server.worker)
app.add_typer(server.admin, name="admin")


def main() -> None:
    app()
