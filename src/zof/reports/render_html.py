"""The HTML download: one self-contained page with inline CSS and an inline SVG chart.

The page loads nothing: no scripts, fonts, images, style sheets or links to other hosts,
so it opens offline and leaks nothing when mailed around. Jinja2 escapes every value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2

from zof.core.timeutil import InvalidTimestamp, parse_timestamp

_environment = jinja2.Environment(
    loader=jinja2.PackageLoader("zof.reports", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

# The chart's coordinate system; the SVG scales to the page width.
CHART_WIDTH = 480
CHART_HEIGHT = 200
CHART_PADDING = {"left": 44, "right": 12, "top": 12, "bottom": 30}
MESSAGE_LIMIT = 500


@dataclass(frozen=True)
class Figure:
    """A headline figure: its label, current value and change against the previous period."""

    label: str
    value: str
    delta: str | None


def format_percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.1f}%"


def format_duration(milliseconds: float | None) -> str:
    if milliseconds is None:
        return "n/a"
    if abs(milliseconds) < 1000:
        return f"{milliseconds:.0f} ms"
    if abs(milliseconds) < 60_000:
        return f"{milliseconds / 1000:.1f} s"
    minutes, seconds = divmod(round(abs(milliseconds) / 1000), 60)
    sign = "-" if milliseconds < 0 else ""
    return f"{sign}{minutes} min {seconds} s"


def _signed(text: str, negative: bool) -> str:
    return f"-{text}" if negative else f"+{text}"


def count_delta(current: int | None, previous: int | None) -> str | None:
    if current is None or previous is None:
        return None
    change = current - previous
    return "no change" if change == 0 else f"{change:+d}"


def rate_delta(current: float | None, previous: float | None) -> str | None:
    """Format the change in percentage points, e.g. "+3.4 pts"."""
    if current is None or previous is None:
        return None
    points = round((current - previous) * 100, 1)
    if points == 0:
        return "no change"
    return _signed(f"{abs(points):.1f} pts", points < 0)


def duration_delta(current: int | None, previous: int | None) -> str | None:
    if current is None or previous is None:
        return None
    change = current - previous
    if change == 0:
        return "no change"
    return _signed(format_duration(abs(change)), change < 0)


def headline_figures(summary: dict[str, Any]) -> list[Figure]:
    """List the headline figures with their changes against the previous period."""
    previous = summary.get("previous_period") or {}
    runs, tests, durations = summary["runs"], summary["tests"], summary["duration_ms"]
    previous_runs = previous.get("runs") or {}
    previous_tests = previous.get("tests") or {}
    previous_durations = previous.get("duration_ms") or {}

    def counted(label: str, current: int | None, before: int | None) -> Figure:
        value = "n/a" if current is None else str(current)
        return Figure(label, value, count_delta(current, before))

    def timed(label: str, name: str) -> Figure:
        current = durations[name]
        return Figure(
            label, format_duration(current), duration_delta(current, previous_durations.get(name))
        )

    return [
        Figure(
            "Pass rate",
            format_percent(summary["pass_rate"]),
            rate_delta(summary["pass_rate"], previous.get("pass_rate")),
        ),
        counted("Runs", runs["total"], previous_runs.get("total")),
        counted("Failed runs", _failing(runs), _failing(previous_runs)),
        counted("Results", tests["total"], previous_tests.get("total")),
        counted("Failed results", _failing(tests), _failing(previous_tests)),
        counted("Flaky tests", tests["flaky"], previous_tests.get("flaky")),
        timed("Run duration p50", "p50"),
        timed("Run duration p95", "p95"),
    ]


def _failing(counts: dict[str, Any]) -> int | None:
    """Add the failed and error counts; None when either is missing."""
    if "failed" not in counts or "error" not in counts:
        return None
    return int(counts["failed"]) + int(counts["error"])


def pass_rate_chart(daily: list[dict[str, Any]]) -> dict[str, Any]:
    """Lay out the daily pass rates as SVG lines and points in the chart's coordinates.

    A day without a pass rate breaks the line, so no line bridges days without results.
    """
    left, right = CHART_PADDING["left"], CHART_WIDTH - CHART_PADDING["right"]
    top, bottom = CHART_PADDING["top"], CHART_HEIGHT - CHART_PADDING["bottom"]
    step = (right - left) / (len(daily) - 1) if len(daily) > 1 else 0.0

    def x_for(index: int) -> float:
        if len(daily) == 1:
            return (left + right) / 2
        return round(left + index * step, 1)

    def y_for(rate: float) -> float:
        return round(bottom - rate * (bottom - top), 1)

    points: list[dict[str, Any]] = []
    lines: list[str] = []
    segment: list[str] = []
    for index, day in enumerate(daily):
        x = x_for(index)
        rate = day["pass_rate"]
        if rate is None:
            if len(segment) > 1:
                lines.append(" ".join(segment))
            segment = []
            continue
        y = y_for(rate)
        segment.append(f"{x},{y}")
        points.append(
            {"x": x, "y": y, "label": f"{day['date']}: {format_percent(rate)}, {day['runs']} runs"}
        )
    if len(segment) > 1:
        lines.append(" ".join(segment))

    # First, middle and last day: more labels would collide on a phone screen.
    label_indexes = sorted({0, len(daily) // 2, len(daily) - 1}) if daily else []
    x_labels = [{"x": x_for(index), "text": daily[index]["date"]} for index in label_indexes]
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": left,
        "right": right,
        "bottom": bottom,
        "grid": [{"y": y_for(rate), "label": f"{rate * 100:.0f}%"} for rate in (0, 0.5, 1)],
        "lines": lines,
        "points": points,
        "x_labels": x_labels,
        "label_y": CHART_HEIGHT - 8,
    }


def describe_scope(scope: dict[str, Any]) -> str:
    kind = scope.get("type")
    project = scope.get("project_id")
    environment = scope.get("environment")
    suite = scope.get("suite")
    if kind == "project":
        return f"Project {project}"
    if kind == "environment":
        return f"Project {project}, environment {environment}"
    if kind == "suite":
        where = f", environment {environment}" if environment else ""
        return f"Project {project}, suite {suite}{where}"
    return "Whole organization"


def shorten(text: str | None, limit: int = MESSAGE_LIMIT) -> str:
    if not text:
        return ""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def failure_text(failure_type: str | None, message: str | None) -> str:
    """Join the failure type and message, cut to MESSAGE_LIMIT characters.

    The type is left out when the message already starts with it, as many runners write
    messages.
    """
    if not failure_type or (message and message.startswith(failure_type)):
        return shorten(message)
    if not message:
        return shorten(failure_type)
    return shorten(f"{failure_type}: {message}")


def format_time(timestamp: str | None) -> str:
    """Format an RFC 3339 timestamp as "YYYY-MM-DD HH:MM" in UTC, for tables."""
    if not timestamp:
        return ""
    try:
        moment = parse_timestamp(timestamp)
    except InvalidTimestamp:
        return timestamp
    return moment.strftime("%Y-%m-%d %H:%M")


def test_label(entry: dict[str, Any]) -> str:
    """Format a test's display name: class name and name, or suite and name without a class."""
    owner = entry.get("classname") or entry.get("suite")
    return f"{owner}.{entry['name']}" if owner else str(entry["name"])


# The name starts with "test", so pytest would collect it from any test module that
# imports it.
test_label.__test__ = False  # type: ignore[attr-defined]


def render_html(report: dict[str, Any]) -> bytes:
    """Render the report as one UTF-8 HTML page that loads nothing from anywhere."""
    summary = report.get("summary")
    if summary is None:
        raise ValueError("The report has no summary; only a ready report can be rendered.")

    template = _environment.get_template("report.html.j2")
    html = template.render(
        report=report,
        summary=summary,
        scope_text=describe_scope(report.get("scope") or {}),
        figures=headline_figures(summary),
        chart=pass_rate_chart(summary["daily"]),
        format_percent=format_percent,
        format_duration=format_duration,
        failure_text=failure_text,
        format_time=format_time,
        test_label=test_label,
    )
    return html.encode()
