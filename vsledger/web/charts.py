"""Bar charts as inline SVG: drawn on the server, nothing to load in the browser."""

from __future__ import annotations

from decimal import Decimal

from markupsafe import Markup, escape

from vsledger.check.rules.registry import round_half_up

BAR = "#2f6fb0"


def hours_text(value: Decimal | int | None) -> str:
    """Hours as a clerk writes them: 2221, 1593.5, 2.25 (two places at most, no trailing zeros)."""
    if value is None:
        return ""
    text = format(round_half_up(Decimal(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def month_chart(title: str, bars: list[tuple[str, Decimal]], unit_word: str) -> Markup:
    """Columns, one a month (labels `YYYY-MM` shown as the month number)."""
    width, height, top, bottom, left = 480, 220, 24, 28, 6
    largest = max((v for _, v in bars), default=Decimal(0)) or Decimal(1)
    slot = (width - 2 * left) / max(len(bars), 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" y2="{height - bottom}" stroke="#999"/>',
    ]
    plot = height - top - bottom
    for i, (label, value) in enumerate(bars):
        h = float(value / largest) * plot
        x = left + i * slot + slot * 0.15
        y = height - bottom - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{BAR}">'
            f"<title>{escape(label)}: {hours_text(value)} {escape(unit_word)}</title></rect>"
        )
        if value:
            parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="12">{hours_text(value)}</text>')
        short = label[-2:].lstrip("0") if len(label) == 7 else label
        parts.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="14">{escape(short)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(title: str, bars: list[tuple[str, Decimal]], unit_word: str) -> Markup:
    """Horizontal bars with their labels: teams, whose names are long."""
    row, label_width, width, value_width = 28, 150, 480, 60
    height = row * max(len(bars), 1) + 8
    largest = max((v for _, v in bars), default=Decimal(0)) or Decimal(1)
    room = width - label_width - value_width
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(bars):
        y = 4 + i * row
        w = float(value / largest) * room
        text = label if len(label) <= 10 else label[:9] + "…"
        parts.append(f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" font-size="13">{escape(text)}</text>')
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{BAR}">'
            f"<title>{escape(label)}: {hours_text(value)} {escape(unit_word)}</title></rect>"
        )
        parts.append(f'<text x="{label_width + w + 6:.1f}" y="{y + 17}" font-size="12">{hours_text(value)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
