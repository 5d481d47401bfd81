"""Charts for staff pages, drawn on the server as SVG from numbers: no scripts, no outside
files, and nothing the page's Content-Security-Policy forbids (presentation attributes,
never style).

Each chart is an image to assistive technology (role="img", named by its <title> and
described by its <desc>); the page puts the same numbers in a table beside it. Colours
have at least 3:1 contrast with the white background, and a line chart never tells its
series apart by colour alone: each has its own marker shape and dash pattern, shown in
the legend.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

BACKGROUND = "#ffffff"
INK = "#1b1b1b"  # text and axes
GRID = "#c4c9d2"  # decorative: the numbers are in the labels and the table
FONT = "DejaVu Sans, Noto Sans, Arial, sans-serif"
FONT_SIZE = 14
CHAR_WIDTH = 8.0  # about the width of one character at FONT_SIZE, for laying out labels
TITLE_ROOM = 30  # the chart's title, written at its top

# (colour, marker, dash pattern) of each series, in order.
STYLES = (
    ("#174ea6", "circle", ""),
    ("#b3261e", "square", "8 4"),
    ("#1e6b34", "triangle", "2 4"),
    ("#6b3fa0", "diamond", "12 4 3 4"),
    ("#7a4b00", "cross", "4 2"),
)

Format = Callable[[float], str]


@dataclass(frozen=True)
class Series:
    """One line of a line chart: its name and a value (or None: no data) per label."""

    name: str
    values: Sequence[float | None]


def contrast(colour: str, background: str = BACKGROUND) -> float:
    """The WCAG contrast ratio of two #rrggbb colours."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(colour), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _text(x: float, y: float, words: str, anchor: str = "start", weight: str = "") -> str:
    bold = ' font-weight="bold"' if weight else ""
    return (
        f'<text x="{_number(x)}" y="{_number(y)}" text-anchor="{anchor}" fill="{INK}"{bold}>'
        f"{escape(words)}</text>"
    )


def _shorten(words: str, room: float) -> str:
    fits = max(3, int(room / CHAR_WIDTH))
    return words if len(words) <= fits else words[: fits - 1] + "…"


def _frame(chart_id: str, title: str, description: str, width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'font-family="{FONT}" font-size="{FONT_SIZE}">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>'
        f'<rect width="{width}" height="{height}" fill="{BACKGROUND}"/>'
        # Seen, not read: inside role="img" the <title> above names the chart.
        + _text(4, 18, title, weight="bold")
    )


def _ticks(maximum: float, count: int = 4) -> list[float]:
    return [maximum * i / count for i in range(count + 1)]


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    value_format: Format,
    maximum: float | None = None,
    no_data: str = "–",
    width: int = 480,
) -> Markup:
    """Horizontal bars, one per label, each with its value written at its end (`no_data`
    where a value is None), on a scale from 0 to `maximum` (default, for counts: the
    largest value rounded up to four whole steps)."""
    top = max([v for v in values if v is not None] + [0.0])
    scale_max = maximum if maximum is not None else 4.0 * max(1, math.ceil(top / 4))
    label_room = min(max((len(label) for label in labels), default=4) * CHAR_WIDTH + 12, 200)
    value_room = 80
    left, right = label_room, width - value_room
    bar, gap, head = 22, 10, TITLE_ROOM + 14
    height = head + len(labels) * (bar + gap) + 30
    plot = right - left
    parts = [_frame(chart_id, title, description, width, height)]
    axis_y = head + len(labels) * (bar + gap)
    for tick in _ticks(scale_max):
        x = left + plot * tick / scale_max
        parts.append(
            f'<line x1="{_number(x)}" y1="{head - 4}" x2="{_number(x)}" y2="{axis_y}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(x, axis_y + 18, value_format(tick), anchor="middle"))
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = head + index * (bar + gap)
        parts.append(_text(left - 8, y + bar * 0.7, _shorten(label, label_room - 12), "end"))
        if value is None:
            parts.append(_text(left + 6, y + bar * 0.7, no_data))
            continue
        length = plot * min(max(value, 0.0), scale_max) / scale_max
        parts.append(
            f'<rect class="bar" x="{_number(left)}" y="{y}" width="{_number(length)}" '
            f'height="{bar}" fill="{STYLES[0][0]}"/>'
        )
        parts.append(_text(left + length + 6, y + bar * 0.7, value_format(value)))
    parts.append(
        f'<line x1="{_number(left)}" y1="{head - 4}" x2="{_number(left)}" y2="{axis_y}" '
        f'stroke="{INK}" stroke-width="1.5"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    size = 5.5
    if shape == "circle":
        return f'<circle cx="{_number(x)}" cy="{_number(y)}" r="{size}" fill="{colour}"/>'
    if shape == "square":
        return (
            f'<rect x="{_number(x - size)}" y="{_number(y - size)}" width="{size * 2}" '
            f'height="{size * 2}" fill="{colour}"/>'
        )
    if shape == "cross":
        return (
            f'<path d="M{_number(x - size)} {_number(y - size)}L{_number(x + size)} '
            f"{_number(y + size)}M{_number(x - size)} {_number(y + size)}L{_number(x + size)} "
            f'{_number(y - size)}" stroke="{colour}" stroke-width="3"/>'
        )
    points = {
        "triangle": [(0, -size * 1.2), (size * 1.1, size), (-size * 1.1, size)],
        "diamond": [(0, -size * 1.3), (size * 1.1, 0), (0, size * 1.3), (-size * 1.1, 0)],
    }[shape]
    listed = " ".join(f"{_number(x + dx)},{_number(y + dy)}" for dx, dy in points)
    return f'<polygon points="{listed}" fill="{colour}"/>'


def _runs(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """The points split where a value is missing: a line never bridges a month with no
    data."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if len(run) > 1]


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    value_format: Format,
    maximum: float = 1.0,
    width: int = 520,
) -> Markup:
    """Lines over the labels (months), one per series, from 0 to `maximum`, with a legend;
    a missing value leaves a gap."""
    if len(series) > len(STYLES):
        raise ValueError(f"At most {len(STYLES)} series can be told apart.")
    legend_rows = len(series)
    head = TITLE_ROOM + 12 + legend_rows * 20
    left, right, plot_height = 52, width - 16, 200
    bottom = head + plot_height
    height = bottom + 34
    step = (right - left) / max(len(labels) - 1, 1)
    parts = [_frame(chart_id, title, description, width, height)]
    for index, one in enumerate(series):
        colour, shape, dash = STYLES[index]
        row = TITLE_ROOM + 14.0 + index * 20
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{left}" y1="{_number(row)}" x2="{left + 36}" y2="{_number(row)}" '
            f'stroke="{colour}" stroke-width="2.5"{dashes}/>'
        )
        parts.append(_marker(shape, left + 18, row, colour))
        parts.append(_text(left + 46, row + 4.5, one.name))
    for tick in _ticks(maximum):
        y = bottom - plot_height * tick / maximum
        parts.append(
            f'<line x1="{left}" y1="{_number(y)}" x2="{right}" y2="{_number(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(left - 6, y + 4.5, value_format(tick), anchor="end"))
    for index, label in enumerate(labels):
        parts.append(_text(left + index * step, bottom + 20, label, anchor="middle"))
    parts.append(
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{INK}" '
        f'stroke-width="1.5"/>'
    )
    for index, one in enumerate(series):
        colour, shape, dash = STYLES[index]
        points = [
            None
            if value is None
            else (left + i * step, bottom - plot_height * min(max(value, 0.0), maximum) / maximum)
            for i, value in enumerate(one.values)
        ]
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        for run in _runs(points):
            listed = " ".join(f"{_number(x)},{_number(y)}" for x, y in run)
            parts.append(
                f'<polyline class="series-{index}" points="{listed}" fill="none" '
                f'stroke="{colour}" stroke-width="2.5"{dashes}/>'
            )
        parts.extend(_marker(shape, x, y, colour) for x, y in filter(None, points))
    parts.append("</svg>")
    return Markup("".join(parts))
