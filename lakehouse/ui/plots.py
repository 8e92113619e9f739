"""SVG plots for comparing runs, drawn on the server: parallel coordinates and a scatter.

Same conventions as :mod:`~lakehouse.ui.charts`: one element with
``class="series"`` and ``data-series="<run name>"`` per run (a ``<path>`` in the
parallel coordinates, a ``<circle>`` in the scatter), each with a ``<title>``
naming the run and its values, so a person hovering and a browser test both see
what was drawn. No script is needed to render them.

Example::

    axes = [Axis("max_depth", [3, 5]), Axis("loss", [0.2, 0.1])]
    parallel_coordinates(["run-a", "run-b"], axes)
    scatter([Point("run-a", 0.8, 0.9), Point("run-b", 0.7, 0.95)], x_label="accuracy",
            y_label="auc")
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from lakehouse.ui.charts import PALETTE, Frame, nice_ticks
from lakehouse.ui.html import Markup, esc

__all__ = ["Axis", "Point", "color_scale", "parallel_coordinates", "scatter"]

# The color scale of the parallel coordinates, low to high (plasma's dark end: every
# stop reads on white).
_STOPS = [(0x0D, 0x08, 0x87), (0x9C, 0x17, 0x9E), (0xED, 0x79, 0x53), (0xF0, 0xB0, 0x00)]


@dataclass(frozen=True, slots=True)
class Axis:
    """One vertical axis: its name and one value per line (None where a run has none).

    The axis is numeric when every present value reads as a finite number, and
    categorical (evenly spaced labels, sorted) otherwise.
    """

    name: str
    values: Sequence[float | str | None]

    def numbers(self) -> list[float | None] | None:
        """The values as floats, or None when the axis is categorical."""
        out: list[float | None] = []
        for value in self.values:
            if value is None or _missing(value):
                out.append(None)
                continue
            try:
                number = float(value)
            except (TypeError, ValueError):
                return None
            if not math.isfinite(number):  # a param "inf" or "nan": a label, not a number
                return None
            out.append(number)
        return out if any(v is not None for v in out) else None


def _missing(value: float | str | None) -> bool:
    """No value on an axis: absent, empty, or a non-finite metric (NaN is no position)."""
    if isinstance(value, float):
        return not math.isfinite(value)
    return value is None or value == ""


@dataclass(frozen=True, slots=True)
class Point:
    """One run in the scatter: its name and its two values."""

    name: str
    x: float
    y: float


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def _label(value: float | str | None) -> str:
    if value is None or value == "":
        return "—"
    return _fmt(value) if isinstance(value, float) else str(value)


def color_scale(fraction: float) -> str:
    """A color between the scale's low (0.0, dark blue) and high (1.0, amber) ends."""
    f = min(max(fraction, 0.0), 1.0) * (len(_STOPS) - 1)
    index = min(int(f), len(_STOPS) - 2)
    low, high, t = _STOPS[index], _STOPS[index + 1], f - index
    r, g, b = (round(lo + (hi - lo) * t) for lo, hi in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def _positions(
    axis: Axis, top: float, bottom: float
) -> tuple[list[float | None], list[tuple[float, str]]]:
    """Each line's y on ``axis`` (None where missing) and the axis's ticks as (y, label)."""
    numbers = axis.numbers()
    ticks: list[tuple[float, str]] = []
    if numbers is not None:
        present = [v for v in numbers if v is not None]
        low, high = min(present), max(present)
        if low == high:
            low, high = low - abs(low or 1) * 0.1, high + abs(high or 1) * 0.1
        span = high - low

        def place(v: float) -> float:
            return bottom - (v - low) / span * (bottom - top)

        for tick in nice_ticks(low, high, 4):
            ticks.append((place(tick), _fmt(tick)))
        return [None if v is None else place(v) for v in numbers], ticks
    labels = sorted({str(v) for v in axis.values if not _missing(v)})
    step = (bottom - top) / max(len(labels) - 1, 1)
    where = {label: (bottom - i * step if len(labels) > 1 else (top + bottom) / 2)
             for i, label in enumerate(labels)}  # fmt: skip
    for label, y in where.items():
        ticks.append((y, label))
    return [None if _missing(v) else where[str(v)] for v in axis.values], ticks


def _colors(names: Sequence[str], axes: Sequence[Axis]) -> tuple[list[str], str]:
    """Each line's color (by the last axis when it is numeric) and the color key as SVG."""
    numbers = axes[-1].numbers() if axes else None
    if numbers is None:
        return [PALETTE[i % len(PALETTE)] for i in range(len(names))], ""
    present = [v for v in numbers if v is not None]
    low, high = min(present), max(present)
    span = (high - low) or 1.0
    colors = ["#98a2b3" if v is None else color_scale((v - low) / span) for v in numbers]
    offsets = [i / (len(_STOPS) - 1) for i in range(len(_STOPS))]
    stops = "".join(f'<stop offset="{o:.2f}" stop-color="{color_scale(o)}"/>' for o in offsets)
    key = (
        f'<g class="color-key"><defs><linearGradient id="color-key-scale">{stops}'
        '</linearGradient></defs><text class="legend" x="0" y="10">color: '
        f'{esc(axes[-1].name)}</text><text class="legend" x="150" y="10" text-anchor="end">'
        f'{_fmt(low)}</text><rect x="156" y="1" width="120" height="10" '
        f'fill="url(#color-key-scale)"/><text class="legend" x="282" y="10">{_fmt(high)}</text></g>'
    )
    return colors, key


def parallel_coordinates(
    names: Sequence[str],
    axes: Sequence[Axis],
    *,
    width: int = 900,
    height: int = 360,
    chart_id: str | None = "parallel",
) -> Markup:
    """One vertical axis per ``axes`` entry, one polyline per name, colored by the last axis.

    Numeric axes run from their min (bottom) to their max (top); a categorical axis
    spaces its labels evenly. A line skips an axis where its run has no value.
    """
    ident = f' id="{esc(chart_id)}"' if chart_id else ""
    if not axes or not names:
        return Markup(
            f'<svg class="chart empty"{ident} width="{width}" height="60" role="img">'
            '<text x="8" y="30">no axes chosen</text></svg>'
        )
    pad_x, top, bottom = 70, 44, height - 40
    # The first axis's tick labels sit to its left: room for the longest (11 px text).
    first_labels = [label[:18] for _, label in _positions(axes[0], top, bottom)[1]]
    pad_left = max(pad_x, 16 + int(6.5 * max((len(t) for t in first_labels), default=0)))
    gap = (width - pad_left - pad_x) / max(len(axes) - 1, 1)
    xs = [pad_left + i * gap if len(axes) > 1 else width / 2 for i in range(len(axes))]
    parts = [
        f'<svg class="chart parallel"{ident} width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="parallel coordinates">'
    ]
    columns: list[list[float | None]] = []
    for x, axis in zip(xs, axes, strict=True):
        ys, ticks = _positions(axis, top, bottom)
        columns.append(ys)
        parts.append(
            f'<g class="axis" data-axis="{esc(axis.name)}"><line x1="{x:.1f}" x2="{x:.1f}" '
            f'y1="{top}" y2="{bottom}" stroke="#667085"/><text class="axis" x="{x:.1f}" '
            f'y="{top - 14}" text-anchor="middle">{esc(axis.name)}</text>'
        )
        parts.extend(
            f'<text class="tick" x="{x - 5:.1f}" y="{y + 4:.1f}" text-anchor="end">'
            f"{esc(label[:18])}</text>"
            for y, label in ticks
        )
        parts.append("</g>")
    colors, key = _colors(names, axes)
    for row, name in enumerate(names):
        d, pen_down = [], False
        for x, ys in zip(xs, columns, strict=True):
            y = ys[row]
            if y is None:
                pen_down = False
                continue
            d.append(f"{'L' if pen_down else 'M'}{x:.1f},{y:.1f}")
            pen_down = True
        values = ", ".join(f"{a.name}={_label(a.values[row])}" for a in axes)
        parts.append(
            f'<path class="series" data-series="{esc(name)}" d="{" ".join(d)}" fill="none" '
            f'stroke="{colors[row]}" stroke-width="2" stroke-opacity="0.85">'
            f"<title>{esc(name)}: {esc(values)}</title></path>"
        )
    if key:
        parts.append(f'<g transform="translate({pad_x},{height - 22})">{key}</g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def scatter(
    points: Sequence[Point],
    *,
    x_label: str,
    y_label: str,
    colors: Sequence[str] | None = None,
    width: int = 480,
    height: int = 360,
    chart_id: str | None = "scatter",
) -> Markup:
    """One circle per point on ``x_label`` / ``y_label`` axes, each titled with its name."""
    ident = f' id="{esc(chart_id)}"' if chart_id else ""
    shown = [p for p in points if math.isfinite(p.x) and math.isfinite(p.y)]
    if not shown:
        return Markup(
            f'<svg class="chart empty"{ident} width="{width}" height="60" role="img">'
            f'<text x="8" y="30">{esc(x_label)} / {esc(y_label)}: no runs have both</text></svg>'
        )
    frame = Frame(
        width, height, (64, 16, 20, 44), _span([p.x for p in shown]), _span([p.y for p in shown])
    )
    sx, sy = frame.sx, frame.sy
    parts = [
        frame.open("chart scatter", ident, f"{y_label} by {x_label}"),
        frame.axes(x_label, y_label),
    ]
    for index, p in enumerate(points):
        if p not in shown:
            continue
        color = (colors or PALETTE)[index % len(colors or PALETTE)]
        parts.append(
            f'<circle class="series" data-series="{esc(p.name)}" cx="{sx(p.x):.1f}" '
            f'cy="{sy(p.y):.1f}" r="5" fill="{color}" fill-opacity="0.85">'
            f"<title>{esc(p.name)}: {esc(x_label)}={_fmt(p.x)}, {esc(y_label)}={_fmt(p.y)}"
            "</title></circle>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _span(values: Sequence[float]) -> tuple[float, float]:
    """[min, max] of ``values`` with 5% room either side (a single value gets ±10%)."""
    low, high = min(values), max(values)
    if low == high:
        return low - abs(low or 1) * 0.1, high + abs(high or 1) * 0.1
    room = (high - low) * 0.05
    return low - room, high + room
