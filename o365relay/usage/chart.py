"""A static line chart as inline SVG: one series per sender, limits drawn as lines, flagged points ringed.

Hand-made rather than a plotting library's: the report must open offline with nothing loaded at view
time, and one small chart does not justify a plotting stack in the CLI. Colours are the Okabe-Ito
palette (readable with colour-blindness); each series also carries its label at its last point.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
WIDTH, HEIGHT = 960, 340
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 16, 48


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[float, ...]  # one per x label
    marks: tuple[tuple[int, str], ...] = ()  # (x index, why) of flagged points
    dashed: bool = False


@dataclass(frozen=True)
class Limit:
    value: float
    label: str
    style: str = "limit"  # CSS class: "limit" (the service's limit) or "near" (where flags start)


def _ticks(top: float, log: bool) -> list[float]:
    if log:
        return [0.0] + [10.0 ** k for k in range(0, int(math.log10(max(top, 1))) + 1)]
    step = 10 ** math.floor(math.log10(max(top, 1)))
    if top / step < 4:
        step /= 2
    return [step * k for k in range(int(top // step) + 1)]


def _label(value: float) -> str:
    return f"{value:,.0f}" if value < 1000 else f"{value / 1000:,.0f}k"


def line_chart(title: str, x_labels: Sequence[str], series: Sequence[Series], limits: Sequence[Limit], *,
               log: bool = False, y_title: str = "") -> str:
    """The chart as an ``<svg>`` element (role img, titled), sized by its viewBox to fit its container."""
    top = max([1.0, *(v for s in series for v in s.values), *(lim.value for lim in limits)]) * 1.08
    scale = (lambda v: math.log10(1 + v)) if log else (lambda v: v)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(v: float) -> float:
        return TOP + plot_h - plot_h * scale(v) / scale(top)

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (len(x_labels) - 1) if len(x_labels) > 1 else plot_w / 2)

    parts = [f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    for tick in _ticks(top, log):
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
                     f'<text class="tick" x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{_label(tick)}</text>')
    every = max(1, math.ceil(len(x_labels) / 12))
    for i, label in enumerate(x_labels):
        last = i == len(x_labels) - 1
        if (i % every == 0 and len(x_labels) - i > every / 2) or last:
            anchor = "end" if last and i else "start" if not i else "middle"
            parts.append(f'<text class="tick" x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 18}" '
                         f'text-anchor="{anchor}">{escape(label)}</text>')
    if y_title:
        parts.append(f'<text class="axis" x="14" y="{TOP + plot_h / 2:.0f}" text-anchor="middle" '
                     f'transform="rotate(-90 14 {TOP + plot_h / 2:.0f})">{escape(y_title)}</text>')
    for n, limit in enumerate(limits):  # labels alternate right and left so close lines stay readable
        at, anchor = (WIDTH - RIGHT - 4, "end") if n % 2 == 0 else (LEFT + 6, "start")
        parts.append(f'<g class="{limit.style}"><line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(limit.value):.1f}" '
                     f'y2="{y(limit.value):.1f}"/><text x="{at}" y="{y(limit.value) - 5:.1f}" '
                     f'text-anchor="{anchor}">{escape(limit.label)}</text></g>')
    for n, s in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(s.values))
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        parts.append(f'<g class="series" data-label="{escape(s.label)}" style="color:{colour}">'
                     f'<polyline fill="none" stroke="currentColor" stroke-width="2"{dash} points="{points}"/>')
        parts += [f'<circle class="point" cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5" fill="currentColor"/>'
                  for i, v in enumerate(s.values) if v]
        parts += [f'<circle class="flag" cx="{x(i):.1f}" cy="{y(s.values[i]):.1f}" r="8"><title>{escape(why)}'
                  f"</title></circle>" for i, why in s.marks]
        parts.append("</g>")
    parts.append(f'<line class="axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}"/>'
                 f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}"/></svg>')
    return "".join(parts)


def legend(series: Sequence[Series]) -> str:
    """The series' labels with their colours, as an HTML list beside the chart."""
    items = "".join(f'<li style="color:{PALETTE[n % len(PALETTE)]}"><span>{escape(s.label)}</span></li>'
                    for n, s in enumerate(series))
    return f'<ul class="legend">{items}</ul>'


__all__ = ["Limit", "Series", "legend", "line_chart"]
