"""`zof keys`: list, create and revoke API keys; these need `api_keys:manage`."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Literal

import typer

from zof.client import ApiKey, CreatedApiKey

from .errors import print_warning
from .listing import LimitOption, take
from .output import Column, print_details, print_json, print_table
from .session import ApiKeyOption, BaseUrlOption, JsonOption, open_client

app = typer.Typer(help="List, create and revoke API keys.", no_args_is_help=True)

Role = Literal["admin", "qa_lead", "engineer", "viewer"]


class Permission(StrEnum):
    """A permission that narrows a key within its role."""

    REPORTS_READ = "reports:read"
    REPORTS_CREATE = "reports:create"
    REPORTS_DELETE = "reports:delete"
    RUNS_READ = "runs:read"
    RUNS_CREATE = "runs:create"
    RUNS_CANCEL = "runs:cancel"
    RESULTS_READ = "results:read"
    PROJECTS_READ = "projects:read"
    PROJECTS_WRITE = "projects:write"
    API_KEYS_MANAGE = "api_keys:manage"
    SCHEDULES_MANAGE = "schedules:manage"
    WEBHOOKS_MANAGE = "webhooks:manage"


def key_state(key: ApiKey) -> str:
    """Return `revoked`, `expired` or `active`."""
    if key.revoked_at is not None:
        return "revoked"
    if key.expires_at is not None and key.expires_at <= datetime.now(UTC):
        return "expired"
    return "active"


COLUMNS = [
    Column("ID", lambda key: key.id),
    Column("NAME", lambda key: key.name, shrinks=True),
    Column("ROLE", lambda key: key.role),
    Column("PERMISSIONS", lambda key: key.permissions or "all of the role", shrinks=True),
    Column("CREATED", lambda key: key.created_at),
    Column("STATE", lambda key: key_state(key)),
]


def _detail_rows(key: ApiKey) -> list[tuple[str, object]]:
    return [
        ("id", key.id),
        ("name", key.name),
        ("role", key.role),
        ("permissions", key.permissions or "all of the role"),
        ("prefix", key.prefix),
        ("created_at", key.created_at),
        ("expires_at", key.expires_at),
        ("revoked_at", key.revoked_at),
        ("last_used_at", key.last_used_at),
    ]


@app.command("list")
def list_keys(
    limit: LimitOption = 20,
    show_all: Annotated[bool, typer.Option("--all", help="Print every key.")] = False,
    as_json: JsonOption = False,
    api_key: ApiKeyOption = None,
    base_url: BaseUrlOption = None,
) -> None:
    """List API keys, revoked ones included, newest first. Secrets are never shown."""
    with open_client(api_key, base_url) as client:
        keys = take(client.api_keys.list, None if show_all else limit, "keys")
    if as_json:
        print_json(keys)
    else:
        print_table(keys, COLUMNS)


@app.command("create")
def create_key(
    name: Annotated[str, typer.Argument(help="A label for the key.", show_default=False)],
    role: Annotated[Role, typer.Option("--role", help="Role of the key.", show_default=False)],
    permissions: Annotated[
        list[Permission] | None,
        typer.Option(
            "--permission",
            help="Narrow the key to this permission of its role; repeat for several.",
            show_default=False,
        ),
    ] = None,
    expires_at: Annotated[
        str | None,
        typer.Option(
            "--expires-at",
            help="Expiry as RFC 3339 with an offset, or a date (midnight UTC).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
    api_key: ApiKeyOption = None,
    base_url: BaseUrlOption = None,
) -> None:
    """Create an API key and print its secret, which is shown only this once."""
    with open_client(api_key, base_url) as client:
        created: CreatedApiKey = client.api_keys.create(
            name,
            role,
            permissions=[str(permission) for permission in permissions or []] or None,
            expires_at=expires_at,
        )
    print_warning("the secret is shown only now; store it in a secret store before you go on.")
    if as_json:
        print_json(created)
        return
    print_details([("secret", created.secret), *_detail_rows(created)])


@app.command("revoke")
def revoke_key(
    key_id: Annotated[str, typer.Argument(help="Key id, key_...", show_default=False)],
    as_json: JsonOption = False,
    api_key: ApiKeyOption = None,
    base_url: BaseUrlOption = None,
) -> None:
    """Revoke an API key at once; requests with it then get 401."""
    with open_client(api_key, base_url) as client:
        revoked = client.api_keys.revoke(key_id)
    if as_json:
        print_json(revoked)
        return
    print_details(_detail_rows(revoked))
