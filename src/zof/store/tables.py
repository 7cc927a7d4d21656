"""SQLAlchemy Core tables: the whole schema, mirrored by the Alembic migrations.

Every tenant-owned table carries `organization_id`, and every index that serves a list
starts with it, so one organization's pages never scan another's rows. List indexes end
with `(created_at, id)`, the keyset that pagination walks.
"""

from __future__ import annotations

import sqlalchemy as sa

from zof.store.types import UTCDateTime, json_type

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

ID = sa.String(40)


def _org_fk() -> sa.Column[str]:
    return sa.Column(
        "organization_id", ID, sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )


server_secrets = sa.Table(
    "server_secrets",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(255), nullable=False),
)

organizations = sa.Table(
    "organizations",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("retention_days", sa.Integer, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", ID, primary_key=True),
    _org_fk(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("permissions", json_type(), nullable=True),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("prefix", sa.String(24), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=True),
    sa.Column("revoked_at", UTCDateTime, nullable=True),
    sa.Column("last_used_at", UTCDateTime, nullable=True),
    sa.Index(None, "organization_id", "created_at", "id"),
)

projects = sa.Table(
    "projects",
    metadata,
    sa.Column("id", ID, primary_key=True),
    _org_fk(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("description", sa.String(2000), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index(None, "organization_id", "created_at", "id"),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("organization_id", ID, nullable=False),
    sa.Column("key", sa.String(255), nullable=False),
    sa.Column("method", sa.String(10), nullable=False),
    sa.Column("path", sa.String(2048), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    # "running" while the first request is in its handler, "completed" once its answer is stored.
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("status_code", sa.Integer, nullable=True),
    sa.Column("response_headers", json_type(), nullable=True),
    sa.Column("response_body", sa.LargeBinary, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    # A "running" record whose lock has passed belongs to a process that died.
    sa.Column("locked_until", UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint("organization_id", "key"),
    sa.Index(None, "expires_at"),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", ID, primary_key=True),
    _org_fk(),
    sa.Column("project_id", ID, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    sa.Column("environment", sa.String(100), nullable=False),
    sa.Column("suite", sa.String(200), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("source", sa.String(100), nullable=True),
    sa.Column("commit_sha", sa.String(64), nullable=True),
    sa.Column("branch", sa.String(255), nullable=True),
    sa.Column("build_url", sa.String(2048), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=True),
    sa.Column("completed_at", UTCDateTime, nullable=True),
    sa.Column("duration_ms", sa.BigInteger, nullable=True),
    sa.Column("count_total", sa.Integer, nullable=False, server_default="0"),
    sa.Column("count_passed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("count_failed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("count_error", sa.Integer, nullable=False, server_default="0"),
    sa.Column("count_skipped", sa.Integer, nullable=False, server_default="0"),
    sa.Column("count_flaky", sa.Integer, nullable=False, server_default="0"),
    sa.Index(None, "organization_id", "created_at", "id"),
    sa.Index(None, "organization_id", "project_id", "created_at", "id"),
    sa.Index(None, "organization_id", "environment", "created_at", "id"),
    sa.Index(None, "organization_id", "status", "created_at", "id"),
)

uploads = sa.Table(
    "uploads",
    metadata,
    sa.Column("id", ID, primary_key=True),
    _org_fk(),
    sa.Column("run_id", ID, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("filename", sa.String(512), nullable=True),
    sa.Column("content_type", sa.String(100), nullable=False),
    sa.Column("dialect", sa.String(64), nullable=False),
    sa.Column("accepted", sa.Integer, nullable=False),
    sa.Column("byte_size", sa.BigInteger, nullable=False),
    sa.Column("warnings", json_type(), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index(None, "run_id", "created_at"),
)

results = sa.Table(
    "results",
    metadata,
    sa.Column("id", ID, primary_key=True),
    _org_fk(),
    sa.Column("run_id", ID, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("upload_id", ID, nullable=True),
    sa.Column("project_id", ID, nullable=False),
    sa.Column("environment", sa.String(100), nullable=False),
    sa.Column("suite", sa.String(1000), nullable=True),
    sa.Column("classname", sa.String(1000), nullable=True),
    sa.Column("name", sa.String(2000), nullable=False),
    # SHA-256 of (project, suite, classname, name): a test's identity, cheap to group by.
    sa.Column("test_key", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("duration_ms", sa.BigInteger, nullable=True),
    sa.Column("message", sa.Text, nullable=True),
    sa.Column("failure_type", sa.String(1000), nullable=True),
    sa.Column("output", sa.Text, nullable=True),
    sa.Column("flaky", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="1"),
    sa.Column("file", sa.String(2000), nullable=True),
    sa.Column("line", sa.Integer, nullable=True),
    sa.Column("started_at", UTCDateTime, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index(None, "organization_id", "created_at", "id"),
    sa.Index(None, "run_id", "created_at", "id"),
    sa.Index(None, "organization_id", "project_id", "created_at"),
    sa.Index(None, "organization_id", "test_key", "created_at"),
)

reports = sa.Table(
    "reports",
    metadata,
    sa.Column("id", ID, primary_key=True),
    _org_fk(),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("scope_type", sa.String(16), nullable=False),
    sa.Column("project_id", ID, nullable=True),
    sa.Column("environment", sa.String(100), nullable=True),
    sa.Column("suite", sa.String(200), nullable=True),
    sa.Column("period_start", UTCDateTime, nullable=False),
    sa.Column("period_end", UTCDateTime, nullable=False),
    sa.Column("range_preset", sa.String(32), nullable=True),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("schedule_id", ID, nullable=True),
    sa.Column("run_id", ID, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("completed_at", UTCDateTime, nullable=True),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("summary", json_type(), nullable=True),
    sa.Column("error", json_type(), nullable=True),
    sa.Index(None, "organization_id", "created_at", "id"),
    sa.Index(None, "organization_id", "scope_type", "created_at", "id"),
    sa.Index(None, "organization_id", "project_id", "created_at", "id"),
    sa.Index(None, "organization_id", "environment", "created_at", "id"),
    sa.Index(None, "organization_id", "period_end", "period_start"),
    sa.Index(None, "expires_at"),
)

report_schedules = sa.Table(
    "report_schedules",
    metadata,
    sa.Column("id", ID, primary_key=True),
    _org_fk(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("cron", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("scope_type", sa.String(16), nullable=False),
    sa.Column("project_id", ID, nullable=True),
    sa.Column("environment", sa.String(100), nullable=True),
    sa.Column("suite", sa.String(200), nullable=True),
    sa.Column("range_preset", sa.String(32), nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("next_run_at", UTCDateTime, nullable=True),
    sa.Column("last_run_at", UTCDateTime, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index(None, "organization_id", "created_at", "id"),
    sa.Index(None, "enabled", "next_run_at"),
)

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("organization_id", ID, nullable=True),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("payload", json_type(), nullable=False),
    # queued -> running -> done | failed; a running job whose lock passed is claimed again.
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("run_after", UTCDateTime, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("max_attempts", sa.Integer, nullable=False, server_default="5"),
    sa.Column("locked_by", sa.String(100), nullable=True),
    sa.Column("locked_until", UTCDateTime, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("dedupe_key", sa.String(200), nullable=True, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index(None, "status", "run_after"),
)
