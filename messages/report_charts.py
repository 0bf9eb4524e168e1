"""The report's pictures: PNG charts a head teacher reads on a phone.

Pure functions from plain rows (lists of tuples, as db.indicators returns them) to PNG bytes:
loans by month (bars), the most wanted titles (horizontal bars, long titles shortened), the
overdue by class and the textbook coverage by class; for the network, its schools side by
side on one figure. Each picture is 1080×1350 pixels (a
phone's portrait screen) with big type set in DejaVu Sans, the font matplotlib ships, so
Cyrillic renders on any machine. Drawn with matplotlib's Agg canvas on a figure of its own
(no pyplot: nothing global, safe in a worker thread); the same rows give the same bytes.

A chart with nothing to show still says so in words rather than coming out blank.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from messages import texts
from messages.i18n import say

WIDTH, HEIGHT, DPI = 1080, 1350, 100  # pixels: a phone's portrait screen
FONT = "DejaVu Sans"
TITLE_SIZE = 34
SUBTITLE_SIZE = 22
LABEL_SIZE = 22
VALUE_SIZE = 20
BAR = "#1f4e79"  # a library's dark blue, as on the certificates
ALERT = "#b23a48"  # the overdue
GOOD = "#2e7d32"  # coverage reached
INK = "#212529"
MUTED = "#5a626a"
TITLE_WIDTH = 22  # characters of a title beside its bar
MOST_BARS = 10  # the most wanted titles shown
FEW_BARS = 4  # a chart of fewer classes keeps their bars this narrow
MONTHS_SHORT = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")


def loans_by_month(rows: Sequence[tuple[date, int]], subtitle: str = "") -> bytes:
    """Bars of loans per month: rows of (the month's first day, loans), oldest first."""
    labels = [_month_label(month, i == 0 or month.month == 1) for i, (month, _) in enumerate(rows)]
    values = [n for _, n in rows]
    figure, axes = _figure(texts.REPORT_CHART_LOANS, subtitle)
    if not any(values):
        return _nothing(figure, axes)
    bars = axes.bar(range(len(values)), values, color=BAR, width=0.7)
    axes.set_xticks(range(len(values)), labels, fontsize=LABEL_SIZE - 4)
    axes.bar_label(bars, [str(v) if v else "" for v in values], fontsize=VALUE_SIZE - 4, padding=4)
    axes.set_ylim(0, max(values) * 1.15)
    _clean(axes, keep="left")
    return _png(figure)


def most_wanted(rows: Sequence[tuple[str, int]], subtitle: str = "") -> bytes:
    """Horizontal bars of the titles asked for most: rows of (title, loans and holds), most
    first; long titles in two lines, shortened."""
    return _horizontal(texts.REPORT_CHART_WANTED, subtitle, list(rows)[:MOST_BARS], str)


def per_school(rows: Sequence[tuple[str, float]], title: str, subtitle: str = "") -> bytes:
    """Horizontal bars comparing the network's schools on one figure: rows of (school, value),
    the value printed with one decimal and a comma."""
    return _horizontal(title, subtitle, list(rows), lambda v: f"{v:.1f}".replace(".", ","))


def _horizontal(title: str, subtitle: str, rows: list[tuple[str, Any]], shown: Any) -> bytes:
    figure, axes = _figure(title, subtitle)
    if not rows or not any(value for _, value in rows):
        return _nothing(figure, axes)
    names = [shortened(name, TITLE_WIDTH) for name, _ in rows]
    values = [value for _, value in rows]
    places = list(range(len(rows)))[::-1]  # the first row on top
    bars = axes.barh(places, values, color=BAR, height=0.7)
    axes.set_yticks(places, names, fontsize=LABEL_SIZE - 2)
    axes.bar_label(bars, [shown(v) for v in values], fontsize=VALUE_SIZE, padding=6)
    axes.set_xlim(0, max(values) * 1.18)
    _clean(axes, keep="bottom")
    return _png(figure)


def overdue_by_class(rows: Sequence[tuple[str, int]], subtitle: str = "") -> bytes:
    """Bars of overdue loans per class: rows of (class, overdue loans)."""
    rows = [(name, n) for name, n in rows if n]
    figure, axes = _figure(texts.REPORT_CHART_OVERDUE, subtitle)
    if not rows:
        return _nothing(figure, axes, texts.REPORT_CHART_NO_OVERDUE)
    names = [name for name, _ in rows]
    values = [n for _, n in rows]
    bars = axes.bar(range(len(rows)), values, color=ALERT, width=0.7)
    _slots(axes, len(rows))
    axes.set_xticks(range(len(rows)), names, fontsize=LABEL_SIZE)
    axes.bar_label(bars, [str(v) for v in values], fontsize=VALUE_SIZE, padding=4)
    axes.set_ylim(0, max(values) * 1.2)
    _clean(axes, keep="left")
    return _png(figure)


def textbook_coverage(rows: Sequence[tuple[str, float, int]], subtitle: str = "") -> bytes:
    """Bars of the share of a class's students who have every textbook of the class's set:
    rows of (class, share from 0 to 1, textbooks of the set nobody in the class has); a full
    bar is green, a class with a textbook nobody has is red and says how many."""
    figure, axes = _figure(texts.REPORT_CHART_TEXTBOOKS, subtitle)
    if not rows:
        return _nothing(figure, axes)
    names = [name for name, _, _ in rows]
    values = [round(100 * share) for _, share, _ in rows]
    missing = [n for _, _, n in rows]
    shown = list(zip(values, missing, strict=True))
    colours = [ALERT if gone else GOOD if v >= 100 else BAR for v, gone in shown]
    bars = axes.bar(range(len(rows)), values, color=colours, width=0.7)
    _slots(axes, len(rows))
    axes.set_xticks(range(len(rows)), names, fontsize=LABEL_SIZE)
    labels = [
        f"{v}%\n" + say(texts.REPORT_CHART_TEXTBOOKS_MISSING, n=gone) if gone else f"{v}%"
        for v, gone in shown
    ]
    axes.bar_label(bars, labels, fontsize=VALUE_SIZE - 2, padding=4)
    axes.axhline(100, color=MUTED, linewidth=1.5, linestyle="--")
    axes.set_ylim(0, 125)
    _clean(axes, keep="left")
    axes.set_yticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    return _png(figure)


def shortened(title: str, width: int) -> str:
    """A title in two lines of at most `width` characters; what does not fit ends with «…»."""
    words, lines, line = title.split(), [], ""
    for word in words:
        if not line or len(line) + 1 + len(word) <= width:
            line = f"{line} {word}".strip()
        else:
            lines.append(line)
            line = word
    lines.append(line)
    shown = [part[:width] for part in lines[:2]]
    if len(lines) > 2 or any(len(part) > width for part in lines[:2]):
        shown[-1] = shown[-1][: width - 1].rstrip() + "…"
    return "\n".join(shown)


def _month_label(month: date, with_year: bool) -> str:
    name = MONTHS_SHORT[month.month - 1]
    return f"{name}\n{month.year}" if with_year else name


def _figure(title: str, subtitle: str) -> tuple[Figure, Any]:
    """A phone-sized figure with its title, and the axes to draw on."""
    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    figure.suptitle(title, fontsize=TITLE_SIZE, fontweight="bold", color=INK, y=0.965)
    if subtitle:
        figure.text(0.5, 0.915, subtitle, ha="center", fontsize=SUBTITLE_SIZE, color=MUTED)
    axes = figure.add_axes((0.12, 0.1, 0.82, 0.78))
    axes.tick_params(labelsize=LABEL_SIZE - 2, colors=INK)
    return figure, axes


def _slots(axes: Any, bars: int) -> None:
    """Room for at least FEW_BARS bars, the bars in the middle: one class is not a wall."""
    pad = max(0.5, (FEW_BARS - bars) / 2 + 0.5)
    axes.set_xlim(-pad, bars - 1 + pad)


def _clean(axes: Any, keep: str) -> None:
    """Only the value axis's grid and the baseline: less ink, easier on a small screen."""
    for side in ("top", "right", "left", "bottom"):
        axes.spines[side].set_visible(side == ("bottom" if keep == "left" else "left"))
    axes.grid(axis="y" if keep == "left" else "x", color="#dee2e6", linewidth=1)
    axes.set_axisbelow(True)
    if keep == "bottom":  # horizontal bars: the titles need the room, the bars say their counts
        axes.set_position((0.45, 0.06, 0.5, 0.8))
        axes.set_xticks([])
        axes.grid(False)
    else:
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))


def _nothing(figure: Figure, axes: Any, text: str | None = None) -> bytes:
    axes.set_axis_off()
    axes.text(
        0.5, 0.5, text or texts.REPORT_CHART_EMPTY, ha="center", va="center",
        fontsize=TITLE_SIZE - 6, color=MUTED, transform=axes.transAxes, wrap=True,
    )  # fmt: skip
    return _png(figure)


def _png(figure: Figure) -> bytes:
    """The figure as PNG, with the font set and no metadata that changes from run to run."""
    for text in figure.findobj(match=lambda artist: hasattr(artist, "set_fontfamily")):
        text.set_fontfamily(FONT)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()
