"""Bar charts as inline SVG, drawn on the server: no JavaScript, readable in greyscale and by screen readers.

Each chart is an ``<svg role="img">`` with an aria-label (title and every value, so a screen
reader hears what the eye sees) and a ``<title>`` per bar for the tooltip. Bars are dark on
light; the entry/exit chart tells its two series apart by lightness and by hatching, not by
hue. Suppressed cells have no bar, only their text ("< 5", "•", "–"). The same numbers stand
in the table beside each chart.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .statistics import NO_SHARE, format_share

WIDTH = 540  # drawn at its own size (text stays 12 px), narrower screens scale it down
LABEL_WIDTH = 240
BAR_AREA = 230
ROW_HEIGHT = 26
BAR_HEIGHT = 16
DARK = "#1d3f63"  # dark blue: nearly black in greyscale
LIGHT = "#9aa5b1"  # light grey-blue: clearly lighter in greyscale, hatched as well
MAX_LABEL = 32  # longer labels are shortened with …; the full text is in the bar's tooltip and the table


def _short(label):
    label = str(label)
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def _svg(key, title, summary, height, body):
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="aqb-chart" id="chart-{escape(key)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-label="{escape(title)}: {escape(summary)}" '
        f'font-size="12" font-family="inherit">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def bar_chart(key, title, bars):
    """Horizontal bars, one per (label, value or None, text); the longest bar fills the width."""
    values = [value for _label, value, _text in bars if value is not None]
    largest = max(values) if values else 0
    height = max(len(bars), 1) * ROW_HEIGHT + 8
    body = []
    for index, (label, value, text) in enumerate(bars):
        y = 4 + index * ROW_HEIGHT
        length = round(BAR_AREA * value / largest) if value and largest else 0
        bar = (f'<rect x="{LABEL_WIDTH}" y="{y + (ROW_HEIGHT - BAR_HEIGHT) / 2}" width="{length}" '
               f'height="{BAR_HEIGHT}" fill="{DARK}"/>') if length else ""
        body.append(
            f'<g class="aqb-chart-bar"><title>{escape(label)}: {escape(text)}</title>'
            f'<text x="{LABEL_WIDTH - 8}" y="{y + ROW_HEIGHT / 2 + 4}" text-anchor="end" fill="currentColor">'
            f"{escape(_short(label))}</text>{bar}"
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + ROW_HEIGHT / 2 + 4}" fill="currentColor">{escape(text)}</text>'
            f"</g>"
        )
    summary = "; ".join(f"{label} {text}" for label, _value, text in bars)
    return _svg(key, title, summary, height, body)


def progress_chart(key, title, bars):
    """Two bars per question, (label, entry fraction or None, exit fraction or None), on a 0-100 % scale."""
    legend_height = 28
    group_height = 2 * BAR_HEIGHT + 14
    height = legend_height + max(len(bars), 1) * group_height + 8
    pattern = f"hatch-{escape(key)}"
    entry_label, exit_label = _("bei Eintritt"), _("bei Austritt")
    body = [
        f'<defs><pattern id="{pattern}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{LIGHT}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern></defs>',
        f'<g class="aqb-chart-legend"><rect x="{LABEL_WIDTH}" y="6" width="14" height="14" fill="url(#{pattern})" '
        f'stroke="{DARK}" stroke-width="0.5"/><text x="{LABEL_WIDTH + 20}" y="18" fill="currentColor">'
        f'{escape(_("„Ja“ %(phase)s") % {"phase": entry_label})}</text>'
        f'<rect x="{LABEL_WIDTH + 130}" y="6" width="14" height="14" fill="{DARK}"/>'
        f'<text x="{LABEL_WIDTH + 150}" y="18" fill="currentColor">'
        f'{escape(_("„Ja“ %(phase)s") % {"phase": exit_label})}</text></g>',
    ]
    summary = []
    for index, (label, entry, exit_) in enumerate(bars):
        y = legend_height + index * group_height
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT + 4}" text-anchor="end" fill="currentColor">'
            f"<title>{escape(label)}</title>{escape(_short(label))}</text>"
        )
        for offset, (phase, value, fill) in enumerate(
            ((entry_label, entry, f"url(#{pattern})"), (exit_label, exit_, DARK))
        ):
            bar_y = y + offset * (BAR_HEIGHT + 2)
            text = format_share(value)
            length = round(BAR_AREA * value) if value is not None else 0
            bar = (f'<rect x="{LABEL_WIDTH}" y="{bar_y}" width="{length}" height="{BAR_HEIGHT}" fill="{fill}" '
                   f'stroke="{DARK}" stroke-width="0.5"/>') if length else ""
            body.append(
                f'<g class="aqb-chart-bar"><title>{escape(label)}, {escape(phase)}: „Ja“ {escape(text)}</title>{bar}'
                f'<text x="{LABEL_WIDTH + length + 6}" y="{bar_y + BAR_HEIGHT - 3}" fill="currentColor">'
                f"{escape(text)}</text></g>"
            )
        summary.append(
            f"{label}: {entry_label} {format_share(entry)}, {exit_label} {format_share(exit_)}"
            if entry is not None else f"{label}: {NO_SHARE}"
        )
    return _svg(key, title, "; ".join(summary), height, body)


def chart_for(table):
    if table.kind == "progress":
        return progress_chart(table.key, table.title, table.bars)
    return bar_chart(table.key, table.title, table.bars)
