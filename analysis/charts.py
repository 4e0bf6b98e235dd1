"""Server-rendered SVG charts: light, no JavaScript, printable in the PDF.

Each chart is drawn beside a data table with the same numbers (accessibility: the table is
the text alternative)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import mark_safe

STANCE_COLOURS = {
    "support": "#1b7837",
    "amend": "#5aae61",
    "question": "#9970ab",
    "oppose": "#762a83",
    "other": "#999999",
}


def stacked_bar(
    title: str,
    rows: list[tuple[str, dict[str, int]]],
    width: int = 560,
    labels: dict[str, str] | None = None,
) -> str:
    """Horizontal stacked bars: one row per label, segments per stance (named by
    ``labels``, in the reader's language)."""
    labels = labels or {}
    bar_height, gap, label_width, legend_height = 18, 6, 150, 24
    height = legend_height + len(rows) * (bar_height + gap) + gap
    largest = max((sum(counts.values()) for _, counts in rows), default=0) or 1
    scale = (width - label_width - 50) / largest
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    x = label_width
    for stance, colour in STANCE_COLOURS.items():
        parts.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="13">{escape(labels.get(stance, stance))}</text>')
        x += 75
    for i, (label, counts) in enumerate(rows):
        y = legend_height + i * (bar_height + gap)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end">{escape(label)}</text>'
        )
        x = float(label_width)
        for stance, colour in STANCE_COLOURS.items():
            value, name = counts.get(stance, 0), escape(labels.get(stance, stance))
            if value:
                w = value * scale
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" '
                    f'fill="{colour}"><title>{name}: {value}</title></rect>'
                )
                x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 13}">{sum(counts.values())}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text piece is escaped above
