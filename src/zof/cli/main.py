"""The `zof` command.

The server commands (`serve`, `worker`, `admin`) import the whole server side: FastAPI,
SQLAlchemy and the services. They are loaded only when one of them runs or help lists
them, so that the client commands such as `zof upload` start quickly.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from zof.cli import commands

SERVER_COMMANDS = ("serve", "worker", "admin")


def _server_group() -> TyperGroup:
    from zof.cli import server

    server_app = typer.Typer()
    server_app.command("serve")(server.serve)
    server_app.command("worker")(server.worker)
    server_app.add_typer(server.admin, name="admin")
    return typer.main.get_group(server_app)


class ZofGroup(TyperGroup):
    """The top-level group, which loads the server commands on first use."""

    # Typer's Click types live in a private module, so the signatures use Any.
    def list_commands(self, ctx: Any) -> list[str]:
        return [*SERVER_COMMANDS, *super().list_commands(ctx)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in SERVER_COMMANDS:
            return _server_group().get_command(ctx, cmd_name)
        return super().get_command(ctx, cmd_name)


app = typer.Typer(
    name="zof",
    cls=ZofGroup,
    help="zof: ingest CI test results, generate reports, and list them by scope and time range.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
commands.register(app)


def main() -> None:
    app()
