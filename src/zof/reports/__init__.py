"""Report computation and rendering: summaries in SQL, output as JSON, CSV and HTML."""

from zof.reports.identity import test_key
from zof.reports.scope import (
    RANGE_PRESETS,
    SCOPE_TYPES,
    InvalidScope,
    Period,
    Scope,
    previous_period,
    resolve_range,
)
from zof.reports.summary import compute_summary

__all__ = [
    "RANGE_PRESETS",
    "SCOPE_TYPES",
    "InvalidScope",
    "Period",
    "Scope",
    "compute_summary",
    "previous_period",
    "resolve_range",
    "test_key",
]
