"""Charts as inline SVG drawn on the server: no JavaScript, no CDN, readable when printed.

Ranges are drawn as ranges: a solid bar to the low value and a lighter extension to the high value,
so «15–20» never looks like a precise 17.5. Every chart is paired with a table in the template."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

INK, SOLID, LIGHT, GRID = "#1d1d1b", "#1e6b30", "#9cc9a6", "#d0d0d0"


@dataclass
class Bar:
    label: str
    low: float | None
    high: float | None
    approximate: bool = False
    #: Text printed at the end of the bar (e.g. "15–20").
    value_text: str = ""


def _fmt(value: float) -> str:
    from ..templating import number

    return number(value, 0 if float(value).is_integer() else 1)


def _step(top: float) -> int:
    """A round tick step giving at most six ticks: 1, 2, 5, 10, 20, 25, 50, 100 …"""
    magnitude = 1
    while True:
        for base in (1, 2, 5):
            step = base * magnitude
            if top / step <= 6:
                return step
        magnitude *= 10


def _scale_max(bars: list[Bar]) -> float:
    top = max((b.high or 0) for b in bars) if bars else 0
    if top <= 0:
        return 1
    step = _step(top)
    return -(-top // step) * step if top % step else top


def horizontal(bars: list[Bar], title_id: str, *, label_width: int = 220, width: int = 640) -> Markup:
    """One row per group (topic, venue …): bar to the low value, lighter extension to the high value."""
    row_h, top_pad = 28, 8
    height = top_pad + row_h * max(len(bars), 1) + 24
    plot_w = width - label_width - 70
    maximum = _scale_max(bars)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{title_id}" '
             f'xmlns="http://www.w3.org/2000/svg" font-size="13" font-family="sans-serif">']
    for tick in range(0, int(maximum) + 1, _step(maximum)):
        x = label_width + plot_w * tick / maximum
        parts.append(f'<line x1="{x:.1f}" y1="{top_pad}" x2="{x:.1f}" y2="{height - 22}" stroke="{GRID}"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" fill="{INK}">{tick}</text>')
    for index, bar in enumerate(bars):
        y = top_pad + index * row_h
        label = bar.label if len(bar.label) <= 30 else bar.label[:29] + "…"
        parts.append(f'<text x="{label_width - 8}" y="{y + 18}" text-anchor="end" fill="{INK}">'
                     f'{escape(label)}</text>')
        if bar.low is None:
            parts.append(f'<text x="{label_width + 4}" y="{y + 18}" fill="{INK}">–</text>')
            continue
        low_w = plot_w * bar.low / maximum
        high_w = plot_w * (bar.high or bar.low) / maximum
        parts.append(f'<rect x="{label_width}" y="{y + 5}" width="{high_w:.1f}" height="17" fill="{LIGHT}"/>')
        parts.append(f'<rect x="{label_width}" y="{y + 5}" width="{low_w:.1f}" height="17" fill="{SOLID}"/>')
        text = bar.value_text or (_fmt(bar.low) if bar.low == bar.high else f"{_fmt(bar.low)}–{_fmt(bar.high)}")
        parts.append(f'<text x="{label_width + high_w + 6:.1f}" y="{y + 18}" fill="{INK}">{escape(text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(bars: list[Bar], title_id: str, *, width: int = 760, height: int = 260) -> Markup:
    """A time series: one column per meeting, the range drawn as solid low + light extension;
    approximate counts get an open (dashed) top."""
    left, bottom, top = 34, 40, 10
    plot_w, plot_h = width - left - 10, height - bottom - top
    maximum = _scale_max(bars)
    n = max(len(bars), 1)
    slot = plot_w / n
    bar_w = max(min(slot * 0.7, 40), 1.5)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{title_id}" '
             f'xmlns="http://www.w3.org/2000/svg" font-size="12" font-family="sans-serif">']
    for tick in range(0, int(maximum) + 1, _step(maximum)):
        y = top + plot_h * (1 - tick / maximum)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">{tick}</text>')
    every = max(1, n // 12)
    for index, bar in enumerate(bars):
        x = left + slot * index + (slot - bar_w) / 2
        if bar.low is not None:
            low_h = plot_h * bar.low / maximum
            high_h = plot_h * (bar.high or bar.low) / maximum
            parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - high_h:.1f}" width="{bar_w:.1f}" '
                         f'height="{high_h:.1f}" fill="{LIGHT}"/>')
            parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - low_h:.1f}" width="{bar_w:.1f}" '
                         f'height="{low_h:.1f}" fill="{SOLID}"/>')
            if bar.approximate:
                y = top + plot_h - high_h
                parts.append(f'<line x1="{x:.1f}" y1="{y - 3:.1f}" x2="{x + bar_w:.1f}" y2="{y - 3:.1f}" '
                             f'stroke="{INK}" stroke-dasharray="3 2"/>')
        if index % every == 0:
            cx = x + bar_w / 2
            parts.append(f'<text x="{cx:.1f}" y="{height - bottom + 16}" text-anchor="middle" fill="{INK}">'
                         f'{escape(bar.label)}</text>')
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="{INK}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
