"""Server-side commands: `serve`, `worker` and `admin`. They talk to the database directly."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from zof.api.app import BackgroundStarter
from zof.core import logs
from zof.core.settings import Settings, SettingsError, normalize_database_url
from zof.services import accounts
from zof.store.database import Database
from zof.store.migrate import upgrade

admin = typer.Typer(
    help="Operator commands that work on the database directly.", no_args_is_help=True
)
err = Console(stderr=True)
out = Console(soft_wrap=True)


def _settings(**overrides: object) -> Settings:
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        err.print(f"[red]Invalid configuration:[/red] {error}")
        raise typer.Exit(2) from None
    return settings.with_overrides(**overrides)


DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database-url", help="Database URL; overrides ZOF_DATABASE_URL.", show_default=False
    ),
]
DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Folder for the embedded SQLite database; overrides ZOF_DATA_DIR.",
        show_default=False,
    ),
]


def serve(
    host: Annotated[
        str | None,
        typer.Option(
            help="Address to listen on [default: 127.0.0.1; env ZOF_HOST].", show_default=False
        ),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(help="Port to listen on [default: 8080; env ZOF_PORT].", show_default=False),
    ] = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
    redis_url: Annotated[
        str | None,
        typer.Option(
            help="Redis URL for rate limits shared by several processes; overrides ZOF_REDIS_URL.",
            show_default=False,
        ),
    ] = None,
    rate_limit_per_minute: Annotated[
        int | None,
        typer.Option(
            help="Requests per minute per API key, 0 for no limit; "
            "overrides ZOF_RATE_LIMIT_PER_MINUTE.",
            show_default=False,
        ),
    ] = None,
    max_upload_bytes: Annotated[
        int | None,
        typer.Option(
            help="Largest accepted upload in bytes; overrides ZOF_MAX_UPLOAD_BYTES.",
            show_default=False,
        ),
    ] = None,
    retention_days: Annotated[
        int | None,
        typer.Option(
            help="Days a report is kept; overrides ZOF_RETENTION_DAYS.", show_default=False
        ),
    ] = None,
    log_format: Annotated[
        str | None, typer.Option(help="text or json; overrides ZOF_LOG_FORMAT.", show_default=False)
    ] = None,
    no_workers: Annotated[
        bool, typer.Option("--no-workers", help="Serve the API only; run `zof worker` elsewhere.")
    ] = False,
) -> None:
    """Run the API, the console and the background workers."""
    import uvicorn

    from zof.api.app import create_app
    from zof.console import mount as mount_console

    settings = _settings(
        host=host,
        port=port,
        database_url=normalize_database_url(database_url) if database_url else None,
        data_dir=data_dir,
        redis_url=redis_url,
        rate_limit_per_minute=rate_limit_per_minute,
        max_upload_bytes=max_upload_bytes,
        retention_days=retention_days,
        log_format=log_format,
    )
    logs.configure(settings.log_format)
    url = settings.resolved_database_url
    upgrade(url)
    created = asyncio.run(_bootstrap_if_empty(url))

    base = f"http://{settings.host}:{settings.port}"
    out.print(f"zof {base} (database: {_describe(url)})")
    if created is not None:
        out.print(f"Created organization {created.organization_id}.")
        out.print(f"Admin API key, shown only now: [bold]{created.api_key}[/bold]")
        out.print(f"  export ZOF_API_KEY={created.api_key} ZOF_BASE_URL={base}")

    background = [] if no_workers else _background_starters(settings)
    app = create_app(settings, migrate=False, background=background)
    # The API layer may not import the console, its sibling; the command composes both.
    mount_console(app)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        server_header=False,
        h11_max_incomplete_event_size=32 * 1024,
    )


def _background_starters(settings: Settings) -> list[BackgroundStarter]:
    from zof.api.workers import in_process_workers

    return [in_process_workers(settings.workers)]


def worker(
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
    concurrency: Annotated[
        int, typer.Option(help="Worker loops in this process.", min=1, max=64)
    ] = 1,
    poll_interval: Annotated[
        float, typer.Option(help="Seconds between polls of the job table when idle.", min=0.05)
    ] = 1.0,
) -> None:
    """Run the background workers alone: report generation, schedules and retention."""
    settings = _settings(
        database_url=normalize_database_url(database_url) if database_url else None,
        data_dir=data_dir,
    )
    logs.configure(settings.log_format)
    url = settings.resolved_database_url
    upgrade(url)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run_workers(url, settings, concurrency, poll_interval))


async def _run_workers(
    url: str, settings: Settings, concurrency: int, poll_interval: float
) -> None:
    import signal

    from zof.services.worker import Worker

    db = Database(url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    workers = [
        Worker(
            db,
            retention_days=settings.retention_days,
            poll_interval=poll_interval,
            lock_seconds=settings.job_lock_seconds,
        )
        for _ in range(concurrency)
    ]
    try:
        await asyncio.gather(*(worker.run(stop) for worker in workers))
    finally:
        await db.dispose()


@admin.command("migrate")
def migrate(database_url: DatabaseOption = None, data_dir: DataDirOption = None) -> None:
    """Bring the database schema up to date."""
    settings = _settings(
        database_url=normalize_database_url(database_url) if database_url else None,
        data_dir=data_dir,
    )
    logging.basicConfig(level=logging.WARNING)
    upgrade(settings.resolved_database_url)
    out.print(f"Database schema is up to date ({_describe(settings.resolved_database_url)}).")


@admin.command("bootstrap")
def bootstrap(
    org_name: Annotated[
        str, typer.Option("--org-name", help="Name of the new organization.")
    ] = "Default organization",
    as_json: Annotated[
        bool, typer.Option("--json", help='Print {"organization_id", "api_key"} as JSON.')
    ] = False,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Create an organization and its first admin API key, and print the key once."""
    settings = _settings(
        database_url=normalize_database_url(database_url) if database_url else None,
        data_dir=data_dir,
    )
    url = settings.resolved_database_url
    upgrade(url)
    created = asyncio.run(_bootstrap(url, org_name))
    if as_json:
        typer.echo(
            json.dumps({"organization_id": created.organization_id, "api_key": created.api_key})
        )
        return
    out.print(f"Organization: {created.organization_id} ({created.organization_name})")
    out.print(f"Admin API key, shown only now: {created.api_key}")


async def _bootstrap(url: str, name: str) -> accounts.Bootstrap:
    db = Database(url)
    try:
        return await accounts.bootstrap(db, name)
    finally:
        await db.dispose()


async def _bootstrap_if_empty(url: str) -> accounts.Bootstrap | None:
    db = Database(url)
    try:
        return await accounts.bootstrap_if_empty(db)
    finally:
        await db.dispose()


def _describe(url: str) -> str:
    if url.startswith("sqlite"):
        return "SQLite " + url.split(":///", 1)[-1]
    return url.split("@")[-1] if "@" in url else url
