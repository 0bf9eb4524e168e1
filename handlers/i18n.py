"""Russian plural forms and dates, and the formatter the text catalogue is rendered with.

Templates use ``str.format`` fields with two extra specs:

* ``{n:книга|книги|книг}`` — the plural form for the number n (the number itself is not printed);
* ``{due:date}`` → «5 декабря», ``{due:datetime}`` → «5 декабря, 14:30» (local time expected).
"""

from __future__ import annotations

import string
from datetime import date, datetime
from typing import Any

MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


def plural(n: int, one: str, few: str, many: str) -> str:
    """1 книга, 2 книги, 5 книг, 11 книг, 21 книга, 112 книг."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def format_date(value: date) -> str:
    return f"{value.day} {MONTHS_GENITIVE[value.month - 1]}"


def format_datetime(value: datetime) -> str:
    return f"{format_date(value)}, {value:%H:%M}"


class _CatalogFormatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" in format_spec:
            forms = format_spec.split("|")
            if len(forms) != 3:
                raise ValueError(f"plural spec needs three forms: {format_spec!r}")
            return plural(int(value), *forms)
        if format_spec == "date":
            return format_date(value)
        if format_spec == "datetime":
            return format_datetime(value)
        return super().format_field(value, format_spec)


_formatter = _CatalogFormatter()


def say(template: str, /, **values: Any) -> str:
    """Render a catalogue template."""
    return _formatter.format(template, **values)
