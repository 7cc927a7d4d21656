"""Client commands of `zof`: they talk to a zof server through the SDK, never to a database.

Nothing here imports the server side (`zof.api`, `zof.services`, `zof.store`), so that
`zof upload` starts quickly on a CI runner.
"""

from __future__ import annotations

import typer

from . import keys, projects, reports, runs, upload


def register(app: typer.Typer) -> None:
    """Add the client commands to the `zof` application."""
    app.command("upload")(upload.upload)
    app.add_typer(runs.app, name="runs")
    app.add_typer(reports.app, name="reports")
    app.add_typer(projects.app, name="projects")
    app.add_typer(keys.app, name="keys")
