"""Russian plural forms, dates, people's names, and the formatter the catalogue is rendered with.

Templates use ``str.format`` fields with these extra specs:

* ``{n:книга|книги|книг}`` — the plural form for the number n (the number itself is not printed);
* ``{n:#день|дня|дней}`` — the number and its plural form, «14 дней»; a value that is not a
  number is printed as it is (say «до конца учебного года» in place of a number of days);
* ``{n:0:ZERO|OTHER}`` — ZERO when n is 0, else OTHER; OTHER may hold fields of its own:
  ``{late:0:продлить с просрочкой нельзя|можно при просрочке до {late} {late:дня|дней|дней}}``;
* ``{due:date}`` → «5 декабря», ``{due:datetime}`` → «5 декабря, 14:30» (local time expected);
* ``{reason:lower}`` — a phrase put after a colon or mid-sentence: first letter in lower case
  (abbreviations and proper names keep theirs), a final full stop dropped;
* ``{kind:map:все=все книги|книги=все книги}`` — the wording for a value, or the value as it is.

A catalogue entry may be ``Select(field, {value: template, …, "*": template})``: say() renders
the template for that field's value, or the one under "*" (wordings per /rule field, say).

People are passed as ``PersonName(full_name, gender)`` (``person(reader)`` makes one from a row),
so the gender travels with the name; a plain string is taken as a name too. Their specs:

* ``{reader}`` — the name as stored, «Смирнова Мария»;
* ``{reader:gent}`` — declined: nomn, gent, datv, accs, ablt, loct («для {reader:gent}» → «для
  Смирновой Марии», «ждёт {reader:accs}» → «ждёт Смирнову Марию»); indeclinable names stay;
* ``{child:given}``, ``{child:given gent}`` — only the given name, as a child is called
  («книги {child:given gent}» → «книги Марии»);
* ``{reader:m/f:заблокирован|заблокирована}`` — the form for a man or for a woman. When the gender
  is unknown this gives the first form, so use it only where the masculine form fits anyone,
  i.e. agrees with a masculine noun («Записан новый читатель» — «читатель» is the subject);
* ``{reader:m/f/?:него|неё|ребёнка}`` — a third form for an unknown gender, worded to fit both
  («у ребёнка»); forms may be empty: ``{reader:m/f/?:||Читатель }{reader} {reader:m/f:заблокирован|
  заблокирована}`` → «Смирнова Мария заблокирована», «Читатель Белых Саша заблокирован».

The gender is the stored one ('m', 'f'); when that is None it is guessed from the name
(nlu.morph.guess_gender), which answers None when unsure («Белых Саша»).
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from nlu.morph import (
    CASES,
    Gender,
    decline_given_name,
    decline_name,
    given_name,
    guess_gender,
    lower_first,
)

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


@dataclass(frozen=True, slots=True)
class PersonName:
    """A person's name as stored («Смирнова Мария») with their gender: 'm', 'f' or None."""

    full_name: str
    gender: str | None = None

    def __str__(self) -> str:
        return self.full_name


def person(row: Any) -> PersonName:
    """The PersonName of anything with a full_name (and maybe a gender): a reader, a card."""
    return PersonName(row.full_name, getattr(row, "gender", None))


def _as_person(value: Any) -> PersonName:
    return value if isinstance(value, PersonName) else PersonName(str(value))


def _gender(who: PersonName) -> Gender | None:
    if who.gender == "m":
        return "m"
    if who.gender == "f":
        return "f"
    return guess_gender(who.full_name)


def _gender_choice(who: PersonName, spec: str) -> str:
    head, _, body = spec.partition(":")
    forms = body.split("|")
    if len(forms) != (3 if head == "m/f/?" else 2):
        raise ValueError(
            f"gender spec needs {'three' if head == 'm/f/?' else 'two'} forms: {spec!r}"
        )
    gender = _gender(who)
    if gender == "f":
        return forms[1]
    if gender is None and len(forms) == 3:
        return forms[2]
    return forms[0]


def _name(who: PersonName, spec: str) -> str:
    gender = _gender(who)
    if spec == "":
        return who.full_name
    if spec in CASES:
        return decline_name(who.full_name, spec, gender)
    if spec == "given":
        return given_name(who.full_name)
    part, _, case = spec.partition(" ")
    if part == "given" and case:
        return decline_given_name(who.full_name, case, gender)
    raise ValueError(f"unknown spec for a person: {spec!r}")


def _number_with_form(value: Any, spec: str) -> str:
    forms = spec[1:].split("|")
    if len(forms) != 3:
        raise ValueError(f"plural spec needs three forms: {spec!r}")
    try:
        n = int(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{n} {plural(n, *forms)}"


def _mapped(value: Any, spec: str) -> str:
    pairs = spec[4:].split("|")
    wording = dict(pair.partition("=")[::2] for pair in pairs)
    if not all("=" in pair for pair in pairs):
        raise ValueError(f"map spec needs value=wording pairs: {spec!r}")
    return wording.get(str(value), str(value))


def _is_name_spec(spec: str) -> bool:
    return spec in CASES or spec == "given" or spec.startswith("given ")


def _zero_choice(value: Any, spec: str) -> str:
    forms = spec[2:].split("|")
    if len(forms) != 2:
        raise ValueError(f"zero spec needs two forms, for 0 and the rest: {spec!r}")
    return forms[0] if str(value).strip() == "0" else forms[1]


class _CatalogFormatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec.startswith(("m/f:", "m/f/?:")):
            return _gender_choice(_as_person(value), format_spec)
        if format_spec.startswith("0:"):
            return _zero_choice(value, format_spec)
        if format_spec.startswith("#"):
            return _number_with_form(value, format_spec)
        if format_spec.startswith("map:"):
            return _mapped(value, format_spec)
        if format_spec == "lower":
            return lower_first(str(value))
        if isinstance(value, PersonName) or (isinstance(value, str) and _is_name_spec(format_spec)):
            return _name(_as_person(value), format_spec)
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


class Select(dict[str, str]):
    """A catalogue entry of several templates, one per value of a field, "*" for the rest."""

    def __init__(self, field: str, templates: dict[str, str]) -> None:
        if "*" not in templates:
            raise ValueError(f"Select on {field!r} needs a template under '*' for other values")
        super().__init__(templates)
        self.field = field

    def pick(self, values: dict[str, Any]) -> str:
        return self.get(str(values.get(self.field)), self["*"])


_formatter = _CatalogFormatter()


def say(template: str | Select, /, **values: Any) -> str:
    """Render a catalogue template (of a Select, the one for its field's value)."""
    if isinstance(template, Select):
        template = template.pick(values)
    return _formatter.format(template, **values)


def class_label(reader: Any) -> str:
    """A reader's class as librarians see it in lists, «—» where none is recorded."""
    return reader.class_name or "—"
