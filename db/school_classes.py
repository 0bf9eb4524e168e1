"""A school's classes as people type them: «7б», « 7 Б » is the class «7Б»; «7Б» is in the
7th grade (параллель); «7», «7-е», «все 7-е классы» name the grade. Broadcasts and reading
projects read their audiences with these."""

from __future__ import annotations

import re

_GRADE = re.compile(r"\s*(\d{1,2})(?!\d)")
GRADES = range(1, 12)  # a Russian school's grades, 1st to 11th
_TYPED_GRADE = re.compile(r"(?:ВСЕ)?(\d{1,2})(?:-?Е|-?ЫЕ)?(?:КЛАСС[А-Я]*|КЛ\.?|ПАРАЛЛЕЛЬ)?")


def normal_class(typed: str) -> str:
    """«7б», « 7 Б » → «7Б»."""
    return "".join(typed.split()).upper().replace("Ё", "Е")


def grade_of(class_name: str | None) -> int | None:
    """The grade (parallel) of a class: «7Б» → 7, «10А» → 10; None for no class, or a class
    with no number or one that is no school grade."""
    found = _GRADE.match(class_name or "")
    grade = int(found.group(1)) if found else None
    return grade if grade in GRADES else None


def typed_grade(typed: str) -> int | None:
    """A grade as a librarian types it: «7», «7-е», «7 классы», «все 7-е» → 7; else None."""
    found = _TYPED_GRADE.fullmatch(normal_class(typed))
    return int(found.group(1)) if found else None
