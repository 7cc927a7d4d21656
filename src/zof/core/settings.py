"""Server configuration, read from `ZOF_*` environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path


class SettingsError(ValueError):
    """A `ZOF_*` variable has a value that cannot be used."""


def _int(environ: dict[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}.") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}.")
    return value


@dataclass(frozen=True)
class Settings:
    """Every server setting, with its default. Field names match `ZOF_<NAME>` variables."""

    data_dir: Path = Path(".zof")
    database_url: str = ""
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    # Requests per minute per API key; the organization's bucket has ten times as many
    # tokens. Zero turns rate limiting off.
    rate_limit_per_minute: int = 100
    max_upload_bytes: int = 50 * 1024 * 1024
    max_json_bytes: int = 1024 * 1024
    retention_days: int = 90
    log_format: str = "text"
    # Secret for signing pagination cursors; generated and kept in the database when empty.
    secret_key: str = ""
    workers: int = 1
    idempotency_ttl_seconds: int = 24 * 3600
    # How long a worker's claim on a job lasts without a heartbeat; a job of a worker that
    # died is claimed again after this.
    job_lock_seconds: int = 30

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'zof.db').resolve()}"

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        log_format = env.get("ZOF_LOG_FORMAT", "text")
        if log_format not in {"text", "json"}:
            raise SettingsError(f"ZOF_LOG_FORMAT must be 'text' or 'json', got {log_format!r}.")
        return cls(
            data_dir=Path(env.get("ZOF_DATA_DIR") or ".zof"),
            database_url=normalize_database_url(env.get("ZOF_DATABASE_URL", "")),
            redis_url=env.get("ZOF_REDIS_URL") or None,
            host=env.get("ZOF_HOST") or "127.0.0.1",
            port=_int(env, "ZOF_PORT", 8080, minimum=1),
            rate_limit_per_minute=_int(env, "ZOF_RATE_LIMIT_PER_MINUTE", 100),
            max_upload_bytes=_int(env, "ZOF_MAX_UPLOAD_BYTES", 50 * 1024 * 1024, minimum=1024),
            max_json_bytes=_int(env, "ZOF_MAX_JSON_BYTES", 1024 * 1024, minimum=1024),
            retention_days=_int(env, "ZOF_RETENTION_DAYS", 90, minimum=1),
            log_format=log_format,
            secret_key=env.get("ZOF_SECRET_KEY", ""),
            workers=_int(env, "ZOF_WORKERS", 1),
            job_lock_seconds=_int(env, "ZOF_JOB_LOCK_SECONDS", 30, minimum=1),
        )


def normalize_database_url(url: str) -> str:
    """Map the usual `postgresql://` and `sqlite://` spellings to the async drivers zof uses."""
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite://") and not url.startswith("sqlite+aiosqlite://"):
        return "sqlite+aiosqlite://" + url.split("://", 1)[1]
    return url
