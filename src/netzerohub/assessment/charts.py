"""Charts drawn on the server as SVG: they show in the browser without JavaScript, in the PDF
(WeasyPrint runs no scripts) and under a CSP without inline styles (presentation attributes
only). Each chart goes with a table of the same numbers, its text alternative."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 680, 500
CENTRE_X, CENTRE_Y, RADIUS = 340, 240, 165
RINGS = (25, 50, 75, 100)
LINE_CHARS = 18
INK, GRID, MUTED = "#1b1f23", "#c9d2cc", "#4a5560"


@dataclass
class Series:
    label: str
    values: Sequence[float | None]  # 0–100 per axis; None (no score) is drawn at 0
    colour: str
    dashed: bool = False
    filled: bool = False


def _angle(axis: int, axes: int) -> float:
    return -math.pi / 2 + 2 * math.pi * axis / axes


def _point(axis: int, axes: int, value: float, extra: float = 0) -> tuple[float, float]:
    r = RADIUS * max(0.0, min(100.0, value)) / 100 + extra
    angle = _angle(axis, axes)
    return CENTRE_X + r * math.cos(angle), CENTRE_Y + r * math.sin(angle)


def _points(values: Sequence[float]) -> str:
    return " ".join(
        f"{x:.1f},{y:.1f}" for x, y in (_point(i, len(values), v) for i, v in enumerate(values))
    )


def _wrapped(text: str) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= LINE_CHARS:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _label(axis: int, axes: int, text: str) -> str:
    x, y = _point(axis, axes, 100, extra=14)
    cos, sin = math.cos(_angle(axis, axes)), math.sin(_angle(axis, axes))
    anchor = "middle" if abs(cos) < 0.2 else ("start" if cos > 0 else "end")
    lines = _wrapped(text)
    # Labels above the centre grow upwards, those below it downwards.
    top = y - 16 * (len(lines) - 1) if sin < -0.2 else y + (10 if sin > 0.2 else 0)
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{top + 16 * n:.1f}">{escape(line)}</tspan>'
        for n, line in enumerate(lines)
    )
    return f'<text text-anchor="{anchor}" font-size="13" fill="{INK}">{spans}</text>'


def radar(
    axes: Sequence[str], series: Sequence[Series], *, title: str, chart_id: str
) -> SafeString:
    """A radar chart of `series` over `axes` (one axis per dimension, 0 at the centre), with a
    legend below it. Every text in it is escaped."""
    n = len(axes)
    if n < 3:
        return mark_safe("")  # noqa: S308 - a constant
    dash = ' stroke-dasharray="7 5"'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 30 * len(series)}"'
        f' class="radar" role="img" aria-labelledby="{escape(chart_id)}-title">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
    ]
    for ring in RINGS:
        parts.append(f'<polygon points="{_points([ring] * n)}" fill="none" stroke="{GRID}"/>')
        x, y = _point(0, n, ring)
        parts.append(
            f'<text x="{x + 4:.1f}" y="{y + 12:.1f}" font-size="11" fill="{MUTED}">{ring}</text>'
        )
    for i, text in enumerate(axes):
        x, y = _point(i, n, 100)
        parts.append(
            f'<line x1="{CENTRE_X}" y1="{CENTRE_Y}" x2="{x:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        parts.append(_label(i, n, text))
    for s in series:
        values = [v if v is not None else 0 for v in s.values]
        opacity = "0.18" if s.filled else "0"
        parts.append(
            f'<polygon points="{_points(values)}" fill="{s.colour}" fill-opacity="{opacity}"'
            f' stroke="{s.colour}" stroke-width="2.5"{dash if s.dashed else ""}/>'
        )
        for i, v in enumerate(s.values):
            if v is not None:
                x, y = _point(i, n, v)
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{s.colour}"/>')
    for row, s in enumerate(series):
        y = HEIGHT + 30 * row
        parts.append(
            f'<line x1="40" y1="{y}" x2="80" y2="{y}" stroke="{s.colour}" stroke-width="3"'
            f"{dash if s.dashed else ''}/>"
            f'<text x="90" y="{y + 5}" font-size="14" fill="{INK}">{escape(s.label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped texts only


ROW_HEIGHT, LABEL_WIDTH, PLOT_WIDTH = 30, 250, 380


def _rows_svg(count: int, title: str, chart_id: str) -> list[str]:
    height = ROW_HEIGHT * count + 40
    width = LABEL_WIDTH + PLOT_WIDTH + 60
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="rows-chart"'
        f' role="img" aria-labelledby="{escape(chart_id)}-title">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
    ]


def _x(value: float, maximum: float) -> float:
    return (
        LABEL_WIDTH + PLOT_WIDTH * max(0.0, min(value, maximum)) / maximum
        if maximum
        else LABEL_WIDTH
    )


def _row_label(row: int, text: str) -> str:
    y = 20 + ROW_HEIGHT * row + ROW_HEIGHT / 2 + 4
    return (
        f'<text x="{LABEL_WIDTH - 10}" y="{y:.1f}" text-anchor="end" font-size="13"'
        f' fill="{INK}">{escape(text)}</text>'
    )


def _axis(count: int, maximum: float, ticks: Sequence[float]) -> list[str]:
    bottom = 20 + ROW_HEIGHT * count
    parts = []
    for tick in ticks:
        x = _x(tick, maximum)
        parts.append(f'<line x1="{x:.1f}" y1="16" x2="{x:.1f}" y2="{bottom}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" font-size="11"'
            f' fill="{MUTED}">{tick:g}</text>'
        )
    return parts


def ranges(
    rows: Sequence[tuple[str, float | None, float | None, float | None]],
    *,
    title: str,
    chart_id: str,
) -> SafeString:
    """Per row a bar from the lower to the upper quartile and a dot at the median, on 0–100."""
    parts = _rows_svg(len(rows), title, chart_id) + _axis(len(rows), 100, (0, *RINGS))
    for row, (label, low, median, high) in enumerate(rows):
        parts.append(_row_label(row, label))
        if median is None:
            continue
        y = 20 + ROW_HEIGHT * row + ROW_HEIGHT / 2
        parts.append(
            f'<line x1="{_x(low, 100):.1f}" y1="{y:.1f}" x2="{_x(high, 100):.1f}" y2="{y:.1f}"'
            f' stroke="#0b6e4f" stroke-width="8" stroke-opacity="0.45" stroke-linecap="round"/>'
        )
        parts.append(f'<circle cx="{_x(median, 100):.1f}" cy="{y:.1f}" r="6" fill="{INK}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped texts only


def bars(rows: Sequence[tuple[str, int]], *, title: str, chart_id: str) -> SafeString:
    """Horizontal bars of counts, labelled with the count."""
    maximum = max((value for _label, value in rows), default=0) or 1
    parts = _rows_svg(len(rows), title, chart_id)
    for row, (label, value) in enumerate(rows):
        parts.append(_row_label(row, label))
        y = 20 + ROW_HEIGHT * row + 5
        end = _x(value, maximum)
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{end - LABEL_WIDTH:.1f}"'
            f' height="{ROW_HEIGHT - 10}" fill="#0b6e4f"/>'
            f'<text x="{end + 6:.1f}" y="{y + ROW_HEIGHT / 2:.1f}" font-size="13"'
            f' fill="{INK}">{value}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped texts only
