"""Report renderers: JSON here, CSV and HTML in their own modules.

Every renderer takes the API's report object (`id`, `kind`, `scope`, `period`,
`summary` and the other report fields) and returns the bytes of a download.
"""

from __future__ import annotations

from typing import Any

import orjson

from zof.reports.render_csv import render_csv
from zof.reports.render_html import render_html

__all__ = ["render_csv", "render_html", "render_json"]


def render_json(report: dict[str, Any]) -> bytes:
    """Serialize the report object as indented UTF-8 JSON with a final newline."""
    return orjson.dumps(report, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
