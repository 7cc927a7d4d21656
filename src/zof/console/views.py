"""Helpers that templates call to format values: times, durations, statuses, deltas."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from zof.core.timeutil import InvalidTimestamp, parse_timestamp
from zof.reports.render_html import (
    Figure,
    describe_scope,
    failure_text,
    format_duration,
    format_percent,
    test_label,
)

# Statuses that get a coloured badge; any other value gets the neutral one.
_BADGE_TONES = {
    "ready": "good",
    "passed": "good",
    "failed": "bad",
    "error": "bad",
    "queued": "pending",
    "generating": "pending",
    "running": "pending",
    "canceled": "muted",
    "skipped": "muted",
}
# Whether a rise in a headline figure is good news; figures not listed are neutral.
_RISE_IS_GOOD = {
    "Pass rate": True,
    "Failed runs": False,
    "Failed results": False,
    "Flaky tests": False,
    "Run duration p50": False,
    "Run duration p95": False,
}


def format_when(value: datetime | str | None) -> str:
    """Format a time as "YYYY-MM-DD HH:MM" in UTC; None becomes an empty string."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            moment = parse_timestamp(value)
        except InvalidTimestamp:
            return value
    else:
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def badge_tone(status: str | None) -> str:
    return _BADGE_TONES.get(status or "", "neutral")


def delta_tone(figure: Figure) -> str:
    """`good`, `bad` or `neutral` for a headline figure's change against the previous period."""
    rise_is_good = _RISE_IS_GOOD.get(figure.label)
    delta = figure.delta or ""
    if rise_is_good is None or not delta or delta == "no change":
        return "neutral"
    rose = delta.startswith("+")
    return "good" if rose == rise_is_good else "bad"


def safe_link(url: str | None) -> str | None:
    """Return `url` when it is an http or https address, else None.

    Build URLs come from CI and are printed as links; any other scheme (`javascript:`,
    `data:`) is shown as text only.
    """
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in {"http", "https"} else None


def project_label(project_id: str | None, names: Mapping[str, str]) -> str:
    """Name a project by its name and id, or by its id alone when the name is unknown."""
    if not project_id:
        return ""
    name = names.get(project_id)
    return f"{name} ({project_id})" if name else project_id


def project_name(project_id: str | None, names: Mapping[str, str]) -> str:
    """Name a project by its name alone, or by its id when the name is unknown."""
    if not project_id:
        return ""
    return names.get(project_id) or project_id


def scope_label(report: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """Describe a report's scope in words, with project names where the key may read them."""
    scope = report["scope"]
    text = describe_scope(dict(scope))
    project_id = scope.get("project_id")
    if project_id and project_id in names:
        text = text.replace(f"Project {project_id}", f"Project {names[project_id]}", 1)
    return text


TEMPLATE_HELPERS: dict[str, Any] = {
    "format_when": format_when,
    "format_duration": format_duration,
    "format_percent": format_percent,
    "failure_text": failure_text,
    "test_label": test_label,
    "badge_tone": badge_tone,
    "delta_tone": delta_tone,
    "safe_link": safe_link,
    "project_label": project_label,
    "project_name": project_name,
    "scope_label": scope_label,
}
