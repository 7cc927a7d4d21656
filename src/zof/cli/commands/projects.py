"""`zof projects`: list, create, get and update projects."""

from __future__ import annotations

from typing import Annotated

import typer

from zof.client import Project

from .listing import LimitOption, take
from .output import Column, print_details, print_json, print_table
from .session import ApiKeyOption, BaseUrlOption, JsonOption, open_client

app = typer.Typer(help="List, create, get and update projects.", no_args_is_help=True)

COLUMNS = [
    Column("ID", lambda project: project.id),
    Column("NAME", lambda project: project.name, shrinks=True),
    Column("DESCRIPTION", lambda project: project.description, shrinks=True),
    Column("CREATED", lambda project: project.created_at),
]

ProjectId = Annotated[str, typer.Argument(help="Project id, proj_...", show_default=False)]
DescriptionOption = Annotated[
    str | None, typer.Option("--description", help="Free text shown with the project.")
]


def _print_project(project: Project, as_json: bool) -> None:
    if as_json:
        print_json(project)
        return
    print_details(
        [
            ("id", project.id),
            ("name", project.name),
            ("description", project.description),
            ("created_at", project.created_at),
            ("updated_at", project.updated_at),
        ]
    )


@app.command("list")
def list_projects(
    limit: LimitOption = 20,
    show_all: Annotated[bool, typer.Option("--all", help="Print every project.")] = False,
    as_json: JsonOption = False,
    api_key: ApiKeyOption = None,
    base_url: BaseUrlOption = None,
) -> None:
    """List projects, newest first."""
    with open_client(api_key, base_url) as client:
        limit_or_none = None if show_all else limit
        projects = take(client.projects.list, limit_or_none, "projects")
    if as_json:
        print_json(projects)
    else:
        print_table(projects, COLUMNS)


@app.command("create")
def create_project(
    name: Annotated[str, typer.Argument(help="Project name.", show_default=False)],
    description: DescriptionOption = None,
    as_json: JsonOption = False,
    api_key: ApiKeyOption = None,
    base_url: BaseUrlOption = None,
) -> None:
    """Create a project and print it."""
    with open_client(api_key, base_url) as client:
        project = client.projects.create(name, description=description)
    _print_project(project, as_json)


@app.command("get")
def get_project(
    project_id: ProjectId,
    as_json: JsonOption = False,
    api_key: ApiKeyOption = None,
    base_url: BaseUrlOption = None,
) -> None:
    """Print one project."""
    with open_client(api_key, base_url) as client:
        project = client.projects.get(project_id)
    _print_project(project, as_json)


@app.command("update")
def update_project(
    project_id: ProjectId,
    name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    description: DescriptionOption = None,
    as_json: JsonOption = False,
    api_key: ApiKeyOption = None,
    base_url: BaseUrlOption = None,
) -> None:
    """Change a project's name or description; options left out stay unchanged."""
    if name is None and description is None:
        raise typer.BadParameter("pass --name, --description or both.")
    with open_client(api_key, base_url) as client:
        project = client.projects.update(project_id, name=name, description=description)
    _print_project(project, as_json)
