"""Server-side SVG line charts with interval bands. Pure Python: no Django, no JavaScript.

A chart is one `<svg role="img">` with a `<title>` and `<desc>`, one line per series over time
buckets, a shaded band for each point's interval, and hollow grey points where a bucket holds too
few answers to read. Every piece of text is escaped here, because series names are touchpoint,
unit and segment names that users type.
"""

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

# Colour-blind-safe categorical palette (Okabe–Ito, black dropped), then repeats.
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#8c6d31", "#5f6b7d")
SMALL_COLOR = "#9aa3b1"


@dataclass(frozen=True)
class Point:
    x: dt.date
    value: float | None  # None: no answers in this bucket (a gap in the line)
    low: float | None = None
    high: float | None = None
    n: int = 0
    small: bool = False  # too few answers to read: drawn hollow and grey


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[Point]


def color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _attr(value) -> str:
    return escape(str(value), quote=True)


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering lo..hi, about `count` of them (steps of 1, 2 or 5 × 10^k)."""
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    raw = (hi - lo) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    value = start
    while value < hi + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _domain(series: Sequence[Series], y_range: tuple[float, float] | None) -> tuple[float, float]:
    values = [v for s in series for p in s.points for v in (p.value, p.low, p.high) if v is not None]
    if not values:
        return y_range or (0.0, 1.0)
    lo, hi = min(values), max(values)
    if y_range:  # never beyond the metric's possible range, however wide an interval is
        lo, hi = max(lo, y_range[0]), min(hi, y_range[1])
    pad = (hi - lo) * 0.05 or 1.0
    lo, hi = lo - pad, hi + pad
    if y_range:
        lo, hi = max(lo, y_range[0]), min(hi, y_range[1])
    return lo, hi


def _runs(points: Sequence[tuple[int, Point]]) -> list[list[tuple[int, Point]]]:
    """Consecutive points with a value; a bucket without answers breaks the line."""
    runs, run = [], []
    for i, p in points:
        if p.value is None:
            if run:
                runs.append(run)
            run = []
        else:
            run.append((i, p))
    if run:
        runs.append(run)
    return runs


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    desc: str,
    chart_id: str = "chart",
    y_range: tuple[float, float] | None = None,
    x_label: Callable[[dt.date], str] = lambda d: d.isoformat(),
    y_format: Callable[[float], str] = _num,
    point_label: Callable[[Series, Point], str] | None = None,
    width: int = 760,
    height: int = 300,
) -> str:
    """An SVG line chart. x: the union of all series' buckets, evenly spaced; y: values with bands.

    `point_label` gives each point's hover text (its `<title>`); by default name, bucket, value,
    interval and n.
    """
    xs = sorted({p.x for s in series for p in s.points})
    left, right, top, bottom = 52, 16, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    lo, hi = _domain(series, y_range)
    ticks = [t for t in nice_ticks(lo, hi) if lo - 1e-9 <= t <= hi + 1e-9]
    if ticks:
        lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    span = (hi - lo) or 1.0
    index = {x: i for i, x in enumerate(xs)}
    band_opacity = 0.15 if len(series) <= 3 else 0.07  # many overlapping bands would hide the lines

    def px(i: int) -> float:
        return left + (plot_w / 2 if len(xs) == 1 else plot_w * i / (len(xs) - 1))

    def py(v: float) -> float:
        return top + plot_h * (hi - min(max(v, lo), hi)) / span

    cid = _attr(chart_id)
    out = [
        f'<svg class="chart" id="{cid}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{cid}-title {cid}-desc" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
        '<g class="grid" aria-hidden="true">',
    ]
    for t in ticks:
        y = py(t)
        zero = ' class="zero"' if t == 0 and lo < 0 < hi else ""
        out.append(f'<line{zero} x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text class="ytick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(y_format(t))}</text>')
    # At most ~8 x labels, counted back from the latest bucket (the one people look at).
    every = max(1, math.ceil(len(xs) / 8))
    last = len(xs) - 1
    for i, x in enumerate(xs):
        if (last - i) % every == 0:
            # The outermost labels align to the plot's edges so they are never cut off.
            anchor = "start" if i == 0 and last else "end" if i == last and last else "middle"
            out.append(f'<text class="xtick" x="{px(i):.1f}" y="{height - 10}" text-anchor="{anchor}">'
                       f'{escape(x_label(x))}</text>')
    out.append("</g>")

    for k, s in enumerate(series):
        colour = color(k)
        pts = sorted(((index[p.x], p) for p in s.points), key=lambda ip: ip[0])
        out.append(f'<g class="series" data-series="{k}" aria-label="{_attr(s.name)}">')
        for run in _runs(pts):
            banded = [(i, p) for i, p in run if p.low is not None and p.high is not None]
            if len(banded) > 1:
                upper = " ".join(f"{px(i):.1f},{py(p.high):.1f}" for i, p in banded)
                lower = " ".join(f"{px(i):.1f},{py(p.low):.1f}" for i, p in reversed(banded))
                out.append(f'<polygon class="band" points="{upper} {lower}" fill="{colour}" '
                           f'fill-opacity="{band_opacity}"/>')
            elif banded:
                i, p = banded[0]
                out.append(f'<line class="band" x1="{px(i):.1f}" x2="{px(i):.1f}" y1="{py(p.low):.1f}" '
                           f'y2="{py(p.high):.1f}" stroke="{colour}" stroke-opacity="0.35" stroke-width="6"/>')
            if len(run) > 1:
                line = " ".join(f"{px(i):.1f},{py(p.value):.1f}" for i, p in run)
                out.append(f'<polyline class="line" points="{line}" fill="none" stroke="{colour}" '
                           'stroke-width="2" stroke-linejoin="round"/>')
        for i, p in pts:
            if p.value is None:
                continue
            label = point_label(s, p) if point_label else _default_label(s, p, x_label, y_format)
            if p.small:
                style = f'class="point small" fill="#fff" stroke="{SMALL_COLOR}" stroke-width="2"'
            else:
                style = f'class="point" fill="{colour}" stroke="#fff" stroke-width="1"'
            out.append(f'<circle {style} cx="{px(i):.1f}" cy="{py(p.value):.1f}" r="4">'
                       f'<title>{escape(label)}</title></circle>')
        out.append("</g>")
    if not xs:
        out.append(f'<text class="nodata" x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle">–</text>')
    out.append("</svg>")
    return "\n".join(out)


def _default_label(s: Series, p: Point, x_label, y_format) -> str:
    text = f"{s.name}, {x_label(p.x)}: {y_format(p.value)}"
    if p.low is not None and p.high is not None:
        text += f" ({y_format(p.low)} – {y_format(p.high)})"
    return text + f", n = {p.n}"
