"""A certificate for a child who finished a reading project: one A4 landscape page of PDF.

The text is set in DejaVu Sans, the font matplotlib ships (so Cyrillic renders on any machine
with no system fonts); fpdf2 embeds only the glyphs used, and the text stays extractable, so the
certificate can be searched and read aloud. Every line is shrunk, then wrapped, to fit its box: a
long title takes up to three lines, a very long name two, and what still does not fit ends with
«…». The same arguments give the same bytes (the PDF's date is the day the project finished).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import MethodReturnValue

from messages import texts
from messages.i18n import say

FONT = "DejaVu"
PAGE_WIDTH, PAGE_HEIGHT = 297.0, 210.0  # A4 landscape, mm
MARGIN = 24.0
TOP = 30.0  # the heading never starts higher
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
INK = (33, 37, 41)
ACCENT = (31, 78, 121)  # the heading and the frame: a library's dark blue
MUTED = (90, 98, 106)
PT_TO_MM = 25.4 / 72


@dataclass(frozen=True, slots=True)
class _Line:
    """One block of the page: its text, style and the sizes it may shrink between."""

    text: str
    style: str  # "" or "B"
    size: float  # the largest size, pt
    min_size: float
    max_lines: int
    color: tuple[int, int, int] = INK
    space_after: float = 4.0  # mm


@lru_cache(maxsize=1)
def _font_paths() -> tuple[Path, Path]:
    """DejaVu Sans and DejaVu Sans Bold from matplotlib's data (imported only when needed)."""
    import matplotlib

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return fonts / "DejaVuSans.ttf", fonts / "DejaVuSans-Bold.ttf"


def certificate_pdf(
    child: str, project: str, school: str, finished_on: date, *, completed: bool = True
) -> bytes:
    """The certificate of `child` (the name in the nominative, as it should be printed) for
    `project` at `school`, dated `finished_on`: «за успешное завершение проекта», or with
    `completed=False` «за участие в проекте» (no verb, so nothing agrees with a gender)."""
    pdf = _blank_page(finished_on)
    blocks = (
        _Line(say(texts.CERTIFICATE_HEADING).upper(), "B", 40, 28, 1, ACCENT, 8),
        _Line(_one_line(child), "B", 34, 14, 2, INK, 6),
        _Line(
            say(texts.CERTIFICATE_FOR, completed="yes" if completed else "no"),
            "",
            18,
            12,
            1,
            MUTED,
            3,
        ),
        _Line(say(texts.CERTIFICATE_PROJECT, project=_one_line(project)), "B", 26, 14, 3),
    )
    top = _draw_footer(pdf, _one_line(school), say(texts.CERTIFICATE_DATE, day=finished_on))
    fitted = [(block, *_fitted(pdf, block)) for block in blocks]
    height = sum(
        len(lines) * _line_height(size) + block.space_after for block, size, lines in fitted
    )
    y = max(TOP, TOP + (top - 8 - TOP - height) / 2)  # centred above the footer's rule
    for block, size, lines in fitted:
        y = _draw(pdf, block, size, lines, y)
    return bytes(pdf.output())


def _one_line(text: str) -> str:
    """Line breaks and runs of spaces as one space: the page wraps the text itself."""
    return " ".join(text.split())


def _blank_page(finished_on: date) -> FPDF:
    regular, bold = _font_paths()
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font(FONT, "", str(regular))
    pdf.add_font(FONT, "B", str(bold))
    pdf.set_creation_date(datetime.combine(finished_on, datetime.min.time(), UTC))
    pdf.set_title(say(texts.CERTIFICATE_HEADING))
    pdf.set_creator("Формуляр")
    pdf.add_page()
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, PAGE_WIDTH - 20, PAGE_HEIGHT - 20)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, PAGE_WIDTH - 26, PAGE_HEIGHT - 26)
    return pdf


def _fitted(pdf: FPDF, block: _Line) -> tuple[float, list[str]]:
    """The largest size (stepping down by 1 pt) at which the text takes at most max_lines lines;
    at the smallest size the lines beyond the last are cut and the last one ends with «…»."""
    size = block.size
    while True:
        pdf.set_font(FONT, block.style, size)
        lines = _wrapped(pdf, block.text)
        if len(lines) <= block.max_lines:
            return size, lines
        if size - 1 < block.min_size:
            return size, _cut(pdf, lines, block.max_lines)
        size -= 1


def _wrapped(pdf: FPDF, text: str) -> list[str]:
    lines = pdf.multi_cell(
        TEXT_WIDTH, 10, text, align="C", dry_run=True, output=MethodReturnValue.LINES
    )
    return [line.strip() for line in lines]


def _cut(pdf: FPDF, lines: list[str], keep: int) -> list[str]:
    last = lines[keep - 1]
    while last and pdf.get_string_width(last + "…") > TEXT_WIDTH:
        last = last[:-1]
    return [*lines[: keep - 1], last.rstrip() + "…"]


def _line_height(size: float) -> float:
    return size * PT_TO_MM * 1.3


def _draw(pdf: FPDF, block: _Line, size: float, lines: list[str], y: float) -> float:
    """Draws the block's fitted lines centred from y down; returns where the next one starts."""
    height = _line_height(size)
    pdf.set_font(FONT, block.style, size)
    pdf.set_text_color(*block.color)
    for line in lines:
        pdf.set_xy(MARGIN, y)
        pdf.cell(TEXT_WIDTH, height, line, align="C")
        y += height
    return y + block.space_after


def _draw_footer(pdf: FPDF, school: str, day: str) -> float:
    """The school and the date above the bottom of the frame, under a thin rule; returns the
    rule's height on the page."""
    school_block = _Line(school, "", 16, 11, 2, INK, 0)
    date_block = _Line(day, "", 14, 14, 1, MUTED, 0)
    size, lines = _fitted(pdf, school_block)
    y = PAGE_HEIGHT - 24 - _line_height(date_block.size) - _line_height(size) * len(lines)
    rule = y - 4
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.3)
    pdf.line(PAGE_WIDTH / 2 - 40, rule, PAGE_WIDTH / 2 + 40, rule)
    y = _draw(pdf, school_block, size, lines, y)
    _draw(pdf, date_block, *_fitted(pdf, date_block), y)
    return rule
