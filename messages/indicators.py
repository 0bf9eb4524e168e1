"""The library's figures in words: each ratio with its formula, and what each count counted
(«читаемость = выдачи ÷ читатели = 1240 ÷ 310 = 4,0»). The numbers come from db.indicators."""

from __future__ import annotations

from db.indicators import Figure, Indicators
from messages import texts
from messages.i18n import say


def number(value: float | None) -> str:
    """A ratio as a report prints it: one decimal with a comma («4,0»), two below one
    («0,35»), «—» when there was nothing to divide by."""
    if value is None:
        return texts.INDICATOR_NO_VALUE
    shown = f"{value:.2f}" if abs(value) < 1 else f"{value:.1f}"
    return shown.replace(".", ",")


def name_of(figure: Figure) -> str:
    """«читаемость»."""
    return texts.INDICATOR_NAMES[figure.key]


def formula(figure: Figure) -> str:
    """«читаемость = выдачи ÷ читатели = 1240 ÷ 310 = 4,0»."""
    return say(
        texts.INDICATOR_FORMULA,
        name=name_of(figure),
        top_term=texts.INDICATOR_TERMS[figure.top_key],
        bottom_term=texts.INDICATOR_TERMS[figure.bottom_key],
        top=figure.top,
        bottom=figure.bottom,
        value=number(figure.value),
    )


def counted(figures: Indicators) -> list[str]:
    """What each count counted: readers (who counts as one), visits (desk days and events'
    guests), loans, and the fund (on which day, and whether textbooks are in it)."""
    return [
        say(texts.INDICATOR_READERS, n=figures.readers),
        say(
            texts.INDICATOR_VISITS,
            desk=figures.desk_visits,
            events=figures.event_visitors,
            visits=figures.visits,
        ),
        say(texts.INDICATOR_LOANS, n=figures.loans),
        say(
            texts.INDICATOR_FUND,
            textbooks=str(figures.textbooks_in_fund),
            day=figures.end,
            n=figures.fund,
        ),
    ]


def explained(figures: Indicators) -> list[str]:
    """The four formulas, then what their counts counted: a report's «how it was counted»."""
    return [formula(figure) for figure in figures.figures] + counted(figures)
