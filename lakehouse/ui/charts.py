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

__all__ = ["PALETTE", "Series", "legend", "line_chart", "nice_ticks"]

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
    pad_left, pad_right, pad_top, pad_bottom = 56, 16, 28, 40
    finite = [(x, y) for s in series for x, y in s.points if math.isfinite(x) and math.isfinite(y)]
    ident = f' id="{esc(chart_id)}"' if chart_id else ""
    if not finite:
        return Markup(
            f'<svg class="chart empty"{ident} width="{width}" height="60" role="img">'
            f'<text x="8" y="30">{esc(title)}: no points</text></svg>'
        )
    xs, ys = [p[0] for p in finite], [p[1] for p in finite]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    if x0 == x1:
        x0, x1 = x0 - 1, x1 + 1
    if y0 == y1:
        y0, y1 = y0 - abs(y0 or 1) * 0.1, y1 + abs(y1 or 1) * 0.1
    inner_w, inner_h = width - pad_left - pad_right, height - pad_top - pad_bottom

    def sx(x: float) -> float:
        return pad_left + (x - x0) / (x1 - x0) * inner_w

    def sy(y: float) -> float:
        return pad_top + (1 - (y - y0) / (y1 - y0)) * inner_h

    parts = [
        f'<svg class="chart"{ident} width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{esc(title)}">',
        f'<text class="title" x="{pad_left}" y="16">{esc(title)}</text>',
    ]
    for tick in nice_ticks(y0, y1):
        y = sy(tick)
        parts.append(
            f'<line class="grid" x1="{pad_left}" x2="{width - pad_right}" y1="{y:.1f}" '
            f'y2="{y:.1f}"/><text class="tick" x="{pad_left - 4}" y="{y + 4:.1f}" '
            f'text-anchor="end">{_fmt(tick)}</text>'
        )
    for tick in nice_ticks(x0, x1):
        x = sx(tick)
        parts.append(
            f'<text class="tick" x="{x:.1f}" y="{height - pad_bottom + 16}" '
            f'text-anchor="middle">{_fmt(tick)}</text>'
        )
    parts.append(
        f'<text class="axis" x="{pad_left + inner_w / 2:.0f}" y="{height - 6}" '
        f'text-anchor="middle">{esc(x_label)}</text>'
    )
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
    legend_y = pad_top
    for index, s in enumerate(series if show_legend else ()):
        color = PALETTE[index % len(PALETTE)]
        parts.append(
            f'<rect x="{width - pad_right - 150}" y="{legend_y - 8}" width="8" height="8" '
            f'fill="{color}"/><text class="legend" x="{width - pad_right - 138}" '
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
