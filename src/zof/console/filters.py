"""List filters from query strings, and the `after` links that page through a list.

Console filter forms submit every field, empty ones included; an empty field means no
condition. An invalid value does not raise: the page shows the form again with a
message next to it, and lists nothing until the value is fixed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from zof.console.session import Session
from zof.core.cursors import Position
from zof.core.errors import ZofError
from zof.core.timeutil import InvalidTimestamp, parse_timestamp
from zof.reports.scope import SCOPE_TYPES
from zof.services.reports import KINDS, SOURCES, STATUSES, ReportFilters

RUN_STATUSES = ("queued", "running", "passed", "failed", "error", "canceled")
PAGE_SIZE = 25
MAX_TEXT_LENGTH = 200
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

REPORT_CHOICES: dict[str, tuple[str, ...]] = {
    "scope_type": SCOPE_TYPES,
    "kind": KINDS,
    "status": STATUSES,
    "source": SOURCES,
}
REPORT_FIELDS = (
    "scope_type",
    "project_id",
    "environment",
    "suite",
    "from",
    "to",
    "kind",
    "status",
    "source",
)
RUN_FIELDS = ("project_id", "environment", "status")


@dataclass
class FilterForm:
    """The submitted filter values, to fill the form again, and what was wrong with them."""

    values: dict[str, str]
    errors: list[str] = field(default_factory=list)

    def text(self, name: str) -> str | None:
        value = self.values.get(name, "")
        if not value:
            return None
        if len(value) > MAX_TEXT_LENGTH:
            self.errors.append(f"{name} is longer than {MAX_TEXT_LENGTH} characters.")
            return None
        return value

    def choice(self, name: str, choices: tuple[str, ...]) -> str | None:
        value = self.text(name)
        if value is not None and value not in choices:
            self.errors.append(f"{name} must be one of {', '.join(choices)}; got {value!r}.")
            return None
        return value

    def time(self, name: str, *, end_of_day: bool = False) -> datetime | None:
        """Parse a date or RFC 3339 time. With `end_of_day`, a date means the next midnight."""
        value = self.text(name)
        if value is None:
            return None
        try:
            moment = parse_timestamp(value)
        except InvalidTimestamp as error:
            self.errors.append(f"{name}: {error}")
            return None
        if end_of_day and _DATE_ONLY.match(value):
            moment += timedelta(days=1)
        return moment

    def query(self, **extra: str) -> str:
        """Encode the non-empty filters and `extra` as a query string."""
        pairs = {name: value for name, value in self.values.items() if value}
        pairs.update(extra)
        return urlencode(pairs)


def read_fields(query: Mapping[str, str], names: tuple[str, ...]) -> FilterForm:
    return FilterForm(values={name: query.get(name, "").strip() for name in names})


def report_filters(query: Mapping[str, str]) -> tuple[ReportFilters, FilterForm]:
    """Build the reports list filters; `to` as a date includes that whole UTC day."""
    form = read_fields(query, REPORT_FIELDS)
    period_from = form.time("from")
    period_to = form.time("to", end_of_day=True)
    if period_from is not None and period_to is not None and period_from >= period_to:
        form.errors.append("to must be after from.")
    filters = ReportFilters(
        scope_type=form.choice("scope_type", REPORT_CHOICES["scope_type"]),
        project_id=form.text("project_id"),
        environment=form.text("environment"),
        suite=form.text("suite"),
        kind=form.choice("kind", REPORT_CHOICES["kind"]),
        status=form.choice("status", REPORT_CHOICES["status"]),
        source=form.choice("source", REPORT_CHOICES["source"]),
        period_from=period_from,
        period_to=period_to,
    )
    return filters, form


def run_filters(query: Mapping[str, str]) -> tuple[dict[str, str | None], FilterForm]:
    form = read_fields(query, RUN_FIELDS)
    filters = {
        "project_id": form.text("project_id"),
        "environment": form.text("environment"),
        "status": form.choice("status", RUN_STATUSES),
    }
    return filters, form


def start_position(
    session: Session, list_name: str, binding: dict[str, Any], after: str | None
) -> Position | None:
    """Decode the `after` link parameter for this list and these filters."""
    if not after:
        return None
    try:
        position: Position = session.state.cursors.decode(
            after,
            organization_id=session.principal.organization_id,
            scope=list_name,
            filters=binding,
        )
    except ZofError:
        raise ZofError(
            "invalid_cursor",
            "This page link does not belong to these filters or has been altered. "
            "Start again from the first page.",
            "after",
        ) from None
    return position


def next_cursor(
    session: Session,
    list_name: str,
    binding: dict[str, Any],
    position: Position | None,
    has_more: bool,
) -> str | None:
    if not has_more or position is None:
        return None
    cursor: str = session.state.cursors.encode(
        position,
        organization_id=session.principal.organization_id,
        scope=list_name,
        filters=binding,
    )
    return cursor
