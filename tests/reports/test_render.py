"""The JSON, CSV and HTML renderers."""

from __future__ import annotations

import copy
import csv
import io
from html.parser import HTMLParser
from importlib import resources
from typing import Any

import orjson
import pytest

from tests.reports.dataset import END, START, Tenant
from zof.reports import Period, Scope, compute_summary
from zof.reports.render import render_csv, render_html, render_json
from zof.reports.render_csv import COLUMNS, neutralize_formula
from zof.reports.render_html import MESSAGE_LIMIT, failure_text, format_duration, rate_delta
from zof.store.database import Database

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
STYLE_BREAKER = "</style><script>alert(2)</script>"


def identity(key: str, name: str, suite: str = "api") -> dict[str, Any]:
    return {
        "test_key": key,
        "suite": suite,
        "classname": "LoginTest",
        "name": name,
        "project_id": "proj_1",
    }


def make_report() -> dict[str, Any]:
    summary = {
        "period": {"start": "2026-11-02T00:00:00.000Z", "end": "2026-11-05T00:00:00.000Z"},
        "scope": {"type": "project", "project_id": "proj_1", "environment": None, "suite": None},
        "runs": {"total": 8, "passed": 3, "failed": 2, "error": 1, "canceled": 1},
        "tests": {"total": 19, "passed": 11, "failed": 6, "error": 1, "skipped": 1, "flaky": 3},
        "pass_rate": 0.921,
        "duration_ms": {"p50": 3000, "p95": 6000, "max": 6000},
        "daily": [
            {
                "date": "2026-11-02",
                "runs": 2,
                "tests": 7,
                "passed": 5,
                "failed": 2,
                "error": 0,
                "skipped": 0,
                "pass_rate": 0.7143,
            },
            {
                "date": "2026-11-03",
                "runs": 0,
                "tests": 0,
                "passed": 0,
                "failed": 0,
                "error": 0,
                "skipped": 0,
                "pass_rate": None,
            },
            {
                "date": "2026-11-04",
                "runs": 4,
                "tests": 8,
                "passed": 5,
                "failed": 2,
                "error": 1,
                "skipped": 0,
                "pass_rate": 0.625,
            },
        ],
        "top_failures": [
            {
                **identity("k1", HOSTILE_NAME),
                "failures": 3,
                "runs": 3,
                "executions": 3,
                "last_failed_at": "2026-11-04T10:05:00.000Z",
                "last_message": "=HYPERLINK(\"http://attacker.test\")",
                "last_failure_type": "AssertionError",
            }
        ],
        "flaky_tests": [
            {
                **identity("k2", STYLE_BREAKER),
                "signals": ["retry", "status_flip"],
                "flake_rate": 0.25,
                "flaky_executions": 1,
                "executions": 4,
                "last_seen_at": "2026-11-04T12:05:00.000Z",
            }
        ],
        "slowest_tests": [
            {
                **identity("k3", "test_slow"),
                "avg_duration_ms": 487.5,
                "max_duration_ms": 600,
                "executions": 4,
            }
        ],
        "new_failures": [
            {
                **identity("k4", "@SUM(A1:A9)", suite="-cmd"),
                "first_failed_at": "2026-11-02T12:05:00.000Z",
                "message": "+1 expected",
                "failure_type": None,
            }
        ],
        "previous_period": {
            "start": "2026-10-30T00:00:00.000Z",
            "end": "2026-11-02T00:00:00.000Z",
            "runs": {"total": 2, "passed": 1, "failed": 1, "error": 0, "canceled": 0},
            "tests": {"total": 4, "passed": 3, "failed": 1, "error": 0, "skipped": 0, "flaky": 1},
            "pass_rate": 0.887,
            "duration_ms": {"p50": 1500, "p95": 2500, "max": 2500},
        },
    }
    return {
        "id": "rpt_1",
        "object": "report",
        "kind": "summary",
        "status": "ready",
        "scope": summary["scope"],
        "period": summary["period"],
        "source": "api",
        "created_at": "2026-11-05T00:00:01.000Z",
        "completed_at": "2026-11-05T00:00:02.000Z",
        "expires_at": "2027-02-03T00:00:01.000Z",
        "summary": summary,
    }


def csv_rows(report: dict[str, Any]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(render_csv(report).decode())))


def section(rows: list[dict[str, str]], name: str) -> list[dict[str, str]]:
    return [row for row in rows if row["section"] == name]


def test_json_round_trips() -> None:
    report = make_report()

    assert orjson.loads(render_json(report)) == report


def test_csv_header_lists_columns() -> None:
    header = render_csv(make_report()).decode().splitlines()[0]

    assert header.split(",") == COLUMNS


def test_csv_report_rows() -> None:
    rows = {row["metric"]: row["value"] for row in section(csv_rows(make_report()), "report")}

    assert rows["id"] == "rpt_1"
    assert rows["scope.type"] == "project"
    assert rows["scope.project_id"] == "proj_1"
    assert rows["scope.environment"] == ""
    assert rows["period.start"] == "2026-11-02T00:00:00.000Z"


def test_csv_headline_rows() -> None:
    rows = {row["metric"]: row for row in section(csv_rows(make_report()), "headline")}

    assert rows["runs.total"]["value"] == "8"
    assert rows["runs.total"]["previous_value"] == "2"
    assert rows["tests.flaky"]["value"] == "3"
    assert rows["pass_rate"]["value"] == "0.921"
    assert rows["pass_rate"]["previous_value"] == "0.887"
    assert rows["duration_ms.p95"]["value"] == "6000"
    assert len(rows) == 5 + 6 + 3 + 1


def test_csv_daily_rows() -> None:
    rows = section(csv_rows(make_report()), "daily")

    assert [row["date"] for row in rows] == ["2026-11-02", "2026-11-03", "2026-11-04"]
    assert rows[0]["runs"] == "2"
    assert rows[0]["pass_rate"] == "0.7143"
    assert rows[1]["pass_rate"] == ""
    assert rows[2]["error"] == "1"


def test_csv_test_rows() -> None:
    rows = csv_rows(make_report())

    (failure,) = section(rows, "top_failures")
    (flaky,) = section(rows, "flaky_tests")
    (slow,) = section(rows, "slowest_tests")
    (new,) = section(rows, "new_failures")
    assert failure["name"] == HOSTILE_NAME
    assert failure["failures"] == "3"
    assert failure["last_failed_at"] == "2026-11-04T10:05:00.000Z"
    assert flaky["signals"] == "retry status_flip"
    assert flaky["flake_rate"] == "0.25"
    assert slow["avg_duration_ms"] == "487.5"
    assert slow["max_duration_ms"] == "600"
    assert new["first_failed_at"] == "2026-11-02T12:05:00.000Z"
    assert new["failure_type"] == ""


def test_csv_neutralizes_formulas() -> None:
    rows = csv_rows(make_report())

    (failure,) = section(rows, "top_failures")
    (new,) = section(rows, "new_failures")
    assert failure["last_message"] == "'=HYPERLINK(\"http://attacker.test\")"
    assert new["name"] == "'@SUM(A1:A9)"
    assert new["suite"] == "'-cmd"
    assert new["message"] == "'+1 expected"


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\tcmd", "\rcmd"])
def test_formula_prefixes_are_neutralized(text: str) -> None:
    assert neutralize_formula(text) == "'" + text


@pytest.mark.parametrize("text", ["plain", "1=1", "", "'quoted", " =padded"])
def test_plain_text_is_unchanged(text: str) -> None:
    assert neutralize_formula(text) == text


def test_csv_every_row_is_in_a_section() -> None:
    rows = csv_rows(make_report())

    assert {row["section"] for row in rows} == {
        "report",
        "headline",
        "daily",
        "top_failures",
        "flaky_tests",
        "slowest_tests",
        "new_failures",
    }
    assert len(rows) == 10 + 15 + 3 + 4


@pytest.mark.parametrize("render", [render_csv, render_html])
def test_report_without_summary_is_rejected(render: Any) -> None:
    report = make_report()
    report["summary"] = None

    with pytest.raises(ValueError, match="no summary"):
        render(report)


class TagCollector(HTMLParser):
    """Every start tag of a page with its attributes, as the browser would parse them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parse_tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = TagCollector()
    collector.feed(html)
    collector.close()
    return collector.tags


def test_html_loads_nothing() -> None:
    html = render_html(make_report()).decode()

    tags = parse_tags(html)
    names = {name for name, _attributes in tags}
    attributes = {key for _name, attrs in tags for key in attrs}
    values = [value or "" for _name, attrs in tags for value in attrs.values()]
    assert names.isdisjoint({"script", "img", "link", "iframe", "object", "embed", "image"})
    assert attributes.isdisjoint({"src", "href", "xlink:href", "srcset", "action"})
    assert not any("//" in value for value in values)
    assert "<script" not in html.lower()


def test_html_style_loads_nothing() -> None:
    html = render_html(make_report()).decode()

    style = html[html.index("<style>") : html.index("</style>")]
    assert "url(" not in style
    assert "@import" not in style
    assert "@font-face" not in style


def test_html_template_has_no_urls() -> None:
    # User text may contain URLs, escaped, but the page itself names no host.
    template = resources.files("zof.reports").joinpath("templates/report.html.j2").read_text()

    assert "http" not in template
    assert "//" not in template


def test_html_escapes_test_names() -> None:
    html = render_html(make_report()).decode()

    assert HOSTILE_NAME not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.count("</style>") == 1
    assert "&lt;/style&gt;&lt;script&gt;" in html


def test_html_escapes_messages_and_report_fields() -> None:
    report = make_report()
    report["id"] = '"><b>x</b>'
    report["summary"]["top_failures"][0]["last_message"] = "<b>bold</b>"

    html = render_html(report).decode()

    assert "<b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_html_headline_figures_and_deltas() -> None:
    html = render_html(make_report()).decode()

    assert "92.1%" in html
    assert "(+3.4 pts)" in html
    assert "(+6)" in html
    assert "3.0 s" in html
    assert "(+1.5 s)" in html


def test_html_tables() -> None:
    html = render_html(make_report()).decode()

    assert "LoginTest.test_slow" in html
    assert "488 ms" in html
    assert '<span class="signal">retry</span>' in html
    assert '<span class="signal">status_flip</span>' in html
    assert "2026-11-02 12:05" in html
    assert "25.0%" in html
    assert "AssertionError: =HYPERLINK" in html


def test_html_chart_skips_days_without_results() -> None:
    html = render_html(make_report()).decode()

    assert "<svg" in html
    assert html.count('<circle class="point"') == 2
    # The day without results breaks the line, and one point alone draws no line.
    assert "<polyline" not in html
    assert "2026-11-03: " not in html


def test_html_chart_draws_a_line_across_days() -> None:
    report = make_report()
    report["summary"]["daily"][1]["pass_rate"] = 0.5

    html = render_html(report).decode()

    assert html.count("<polyline") == 1
    assert html.count('<circle class="point"') == 3


def test_html_empty_sections() -> None:
    report = copy.deepcopy(make_report())
    summary = report["summary"]
    for name in ("top_failures", "flaky_tests", "slowest_tests", "new_failures"):
        summary[name] = []
    for day in summary["daily"]:
        day["pass_rate"] = None

    html = render_html(report).decode()

    assert "No failed results in this period." in html
    assert "No flaky tests in this period." in html
    assert "No results in this period." in html
    assert "<svg" not in html


def test_html_is_readable_on_a_phone() -> None:
    html = render_html(make_report()).decode()

    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "@media (max-width: 30rem)" in html
    assert "@media print" in html


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (0.921, 0.887, "+3.4 pts"),
        (0.5, 0.75, "-25.0 pts"),
        (0.5, 0.5, "no change"),
        (0.5, None, None),
        (None, 0.5, None),
    ],
)
def test_rate_delta(current: float | None, previous: float | None, expected: str | None) -> None:
    assert rate_delta(current, previous) == expected


@pytest.mark.parametrize(
    ("failure_type", "message", "expected"),
    [
        ("IOError", "disk full", "IOError: disk full"),
        ("IOError", "IOError: disk full", "IOError: disk full"),
        ("IOError", None, "IOError"),
        (None, "disk full", "disk full"),
        (None, None, ""),
    ],
)
def test_failure_text(failure_type: str | None, message: str | None, expected: str) -> None:
    assert failure_text(failure_type, message) == expected


def test_failure_text_is_shortened() -> None:
    text = failure_text(None, "x" * 2000)

    assert len(text) == MESSAGE_LIMIT
    assert text.endswith("\u2026")


@pytest.mark.parametrize(
    ("milliseconds", "expected"),
    [(None, "n/a"), (0, "0 ms"), (999, "999 ms"), (1500, "1.5 s"), (125_000, "2 min 5 s")],
)
def test_format_duration(milliseconds: int | None, expected: str) -> None:
    assert format_duration(milliseconds) == expected


async def test_computed_summary_renders(db: Database, tenant: Tenant) -> None:
    async with db.read() as conn:
        summary = await compute_summary(conn, "org_main", Scope("organization"), Period(START, END))
    report = {**make_report(), "summary": summary}

    assert orjson.loads(render_json(report))["summary"] == summary
    rows = csv_rows(report)
    assert len(section(rows, "daily")) == 3
    assert len(section(rows, "slowest_tests")) == 7
    html = render_html(report).decode()
    assert "61.1%" in html
    assert "(-13.9 pts)" in html
    assert "UploadTest.test_upload" in html
