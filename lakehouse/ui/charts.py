"""SVG charts drawn on the server: metric curves (one series per run or metric).

A chart is an ``<svg>`` element with one ``<path class="series">`` per series
(``data-series`` holds its name) and a legend, so a page and a browser test can
both see what was drawn. No script is needed to render it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from lakehouse.ui.html import Markup, esc

__all__ = ["PALETTE", "Frame", "Series", "legend", "line_chart", "nice_ticks"]

PALETTE = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Series:
    """One curve: its name in the legend and its (x, y) points."""

    name: str
    points: Sequence[tuple[float, float]]


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values covering [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return []
    if high <= low:
        return [low]
    raw = (high - low) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 12))
        value += step
    return ticks


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def _widen(low: float, high: float) -> tuple[float, float]:
    """A span that is never empty: one value gets +-10% of itself (or of 1)."""
    if low == high:
        return low - abs(low or 1) * 0.1, high + abs(high or 1) * 0.1
    return low, high


@dataclass(frozen=True, slots=True)
class Frame:
    """A chart's plotting area: its size, paddings and data spans, and the axes drawn."""

    width: int
    height: int
    pads: tuple[int, int, int, int]  # left, right, top, bottom
    x_span: tuple[float, float]
    y_span: tuple[float, float]

    @property
    def left(self) -> int:
        return self.pads[0]

    @property
    def right(self) -> int:
        return self.pads[1]

    @property
    def top(self) -> int:
        return self.pads[2]

    @property
    def inner(self) -> tuple[int, int]:
        """The plotting area's width and height."""
        left, right, top, bottom = self.pads
        return self.width - left - right, self.height - top - bottom

    def sx(self, x: float) -> float:
        """A data x as a pixel x."""
        x0, x1 = self.x_span
        return self.left + (x - x0) / (x1 - x0) * self.inner[0]

    def sy(self, y: float) -> float:
        """A data y as a pixel y (up is bigger)."""
        y0, y1 = self.y_span
        return self.top + (1 - (y - y0) / (y1 - y0)) * self.inner[1]

    def open(self, classes: str, ident: str, label: str) -> str:
        """The ``<svg>`` start tag."""
        return (
            f'<svg class="{classes}"{ident} width="{self.width}" height="{self.height}" '
            f'viewBox="0 0 {self.width} {self.height}" role="img" aria-label="{esc(label)}">'
        )

    def axes(self, x_label: str, y_label: str | None = None) -> str:
        """Horizontal grid lines with y ticks, x ticks, and the axis labels."""
        bottom = self.height - self.pads[3]
        parts = [
            f'<line class="grid" x1="{self.left}" x2="{self.width - self.right}" '
            f'y1="{self.sy(tick):.1f}" y2="{self.sy(tick):.1f}"/><text class="tick" '
            f'x="{self.left - 4}" y="{self.sy(tick) + 4:.1f}" text-anchor="end">'
            f"{_fmt(tick)}</text>"
            for tick in nice_ticks(*self.y_span)
        ]
        parts += [
            f'<text class="tick" x="{self.sx(tick):.1f}" y="{bottom + 16}" '
            f'text-anchor="middle">{_fmt(tick)}</text>'
            for tick in nice_ticks(*self.x_span)
        ]
        middle_x, middle_y = self.left + self.inner[0] / 2, self.top + self.inner[1] / 2
        parts.append(
            f'<text class="axis" x="{middle_x:.0f}" y="{self.height - 6}" '
            f'text-anchor="middle">{esc(x_label)}</text>'
        )
        if y_label is not None:
            parts.append(
                f'<text class="axis" x="14" y="{middle_y:.0f}" text-anchor="middle" '
                f'transform="rotate(-90 14 {middle_y:.0f})">{esc(y_label)}</text>'
            )
        return "".join(parts)


def line_chart(
    series: Sequence[Series],
    *,
    title: str = "",
    x_label: str = "step",
    width: int = 640,
    height: int = 300,
    chart_id: str | None = None,
    show_legend: bool = True,
) -> Markup:
    """Curves on shared axes; non-finite points are skipped, one point draws a dot.

    ``show_legend=False`` leaves the legend out (a page with many series draws one
    :func:`legend` for all its charts instead).
    """
    finite = [(x, y) for s in series for x, y in s.points if math.isfinite(x) and math.isfinite(y)]
    ident = f' id="{esc(chart_id)}"' if chart_id else ""
    if not finite:
        return Markup(
            f'<svg class="chart empty"{ident} width="{width}" height="60" role="img">'
            f'<text x="8" y="30">{esc(title)}: no points</text></svg>'
        )
    xs, ys = [p[0] for p in finite], [p[1] for p in finite]
    x0, x1 = min(xs), max(xs)
    if x0 == x1:
        x0, x1 = x0 - 1, x1 + 1
    frame = Frame(width, height, (56, 16, 28, 40), (x0, x1), _widen(min(ys), max(ys)))
    sx, sy = frame.sx, frame.sy
    parts = [
        frame.open("chart", ident, title),
        f'<text class="title" x="{frame.left}" y="16">{esc(title)}</text>',
        frame.axes(x_label),
    ]
    for index, s in enumerate(series):
        color = PALETTE[index % len(PALETTE)]
        points = [(sx(x), sy(y)) for x, y in s.points if math.isfinite(x) and math.isfinite(y)]
        title_el = f"<title>{esc(s.name)}</title>"
        if len(points) == 1:
            (cx, cy) = points[0]
            parts.append(
                f'<circle class="series" data-series="{esc(s.name)}" cx="{cx:.1f}" '
                f'cy="{cy:.1f}" r="3" fill="{color}">{title_el}</circle>'
            )
        elif points:
            d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(
                f'<path class="series" data-series="{esc(s.name)}" d="{d}" fill="none" '
                f'stroke="{color}" stroke-width="1.5">{title_el}</path>'
            )
    legend_y = frame.top
    for index, s in enumerate(series if show_legend else ()):
        color = PALETTE[index % len(PALETTE)]
        parts.append(
            f'<rect x="{width - frame.right - 150}" y="{legend_y - 8}" width="8" height="8" '
            f'fill="{color}"/><text class="legend" x="{width - frame.right - 138}" '
            f'y="{legend_y}">{esc(s.name[:24])}</text>'
        )
        legend_y += 14
    parts.append("</svg>")
    return Markup("".join(parts))


def legend(names: Sequence[str], *, legend_id: str | None = None) -> Markup:
    """An HTML legend: a swatch in the series' color (same order as a chart's) per name.

    Styled inline, so it needs nothing from the stylesheet.
    """
    ident = f' id="{esc(legend_id)}"' if legend_id else ""
    items = "".join(
        f'<span class="legend-item" data-series="{esc(name)}" style="white-space:nowrap">'
        f'<span class="swatch" style="display:inline-block;width:10px;height:10px;'
        f'margin-right:4px;background:{PALETTE[index % len(PALETTE)]}"></span>{esc(name)}</span>'
        for index, name in enumerate(names)
    )
    return Markup(
        f'<div class="legend"{ident} style="display:flex;flex-wrap:wrap;gap:2px 14px;'
        f'font-size:12px;margin:4px 0">{items}</div>'
    )
