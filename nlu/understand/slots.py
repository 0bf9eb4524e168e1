"""Slots found among a message's words: a school class («7Б»), a grade, an inventory number,
a school subject, a person's name. Each finder takes the words not yet used and returns the
value and the positions it used, or None.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from pymorphy3.analyzer import Parse

from nlu.morph import analyzer
from nlu.understand.words import Word

Found = tuple[str, frozenset[int]] | None

GRADES = range(1, 12)
_CLASS = re.compile(r"^(\d{1,2})([а-я])$")
_NUMBER = re.compile(r"^\d+(?:[-/]\d+)*$")
_ORDINALS = {
    "первый": 1, "второй": 2, "третий": 3, "четвертый": 4, "пятый": 5, "шестой": 6,
    "седьмой": 7, "восьмой": 8, "девятый": 9, "десятый": 10, "одиннадцатый": 11,
}  # fmt: skip
# Endings typed after a grade's digits: «5-й класс», «5го класса», «во 2-м классе».
_ORDINAL_ENDINGS = frozenset({"й", "го", "м", "ом", "ый", "ой", "х", "ых"})

# School subjects as a class set names them, canonical name first; lemmas of each word.
SCHOOL_SUBJECTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "алгебра": (("алгебра",),),
    "геометрия": (("геометрия",),),
    "математика": (("математика",), ("матеша",)),
    "русский язык": (("русский", "язык"), ("русский",)),
    "литературное чтение": (("литературный", "чтение"),),
    "литература": (("литература",),),
    "английский язык": (("английский", "язык"), ("английский",), ("англ",), ("инглиш",)),
    "немецкий язык": (("немецкий", "язык"), ("немецкий",)),
    "французский язык": (("французский", "язык"), ("французский",)),
    "физика": (("физика",),),
    "химия": (("химия",),),
    "биология": (("биология",), ("биола",)),
    "география": (("география",), ("геогр",)),
    "история": (("история", "россия"), ("всеобщий", "история"), ("история",)),
    "обществознание": (("обществознание",), ("общество",)),
    "информатика": (("информатика",),),
    "окружающий мир": (("окружающий", "мир"), ("окружайка",)),
    "азбука": (("азбука",), ("букварь",)),
    "музыка": (("музыка",),),
    "технология": (("технология",),),
    "обж": (("обж",),),
    "астрономия": (("астрономия",),),
}


def class_name(text: str) -> str:
    """«7 б», «7-Б», «7б» → «7Б»: the digits and the letter, upper case, nothing between."""
    return "".join(ch for ch in text if ch.isalnum()).upper()


_DIGITS_WITH_ENDING = re.compile(r"^(\d{1,2})(?:й|го|м|ом|ый|ой|х|ых)?$")


def _grade(value: str) -> int | None:
    """«7», «7го» → 7; anything but a grade → None."""
    match = _DIGITS_WITH_ENDING.match(value)
    return int(match[1]) if match and int(match[1]) in GRADES else None


def find_class(words: Sequence[Word], free: set[int]) -> Found:
    """A class: «7б», or a grade's digits followed by one letter («7 б», «11-А»)."""
    for i in sorted(free):
        match = _CLASS.match(words[i].typed)
        if match and _grade(match[1]):
            return class_name(words[i].typed), frozenset({i})
        if (
            _grade(words[i].typed)
            and i + 1 in free
            and len(words[i + 1].typed) == 1
            and words[i + 1].typed.isalpha()
            and words[i + 1].start - words[i].end <= 2
        ):
            return class_name(words[i].typed + words[i + 1].typed), frozenset({i, i + 1})
    return None


def _is_class_word(word: Word) -> bool:
    return "класс" in word.forms


def find_grade(words: Sequence[Word], free: set[int]) -> Found:
    """A grade: «5 класс», «для 5-го класса», «во 2 классе», «седьмой класс», «класс 9»."""
    for i in sorted(free):
        if not _is_class_word(words[i]):
            continue
        used = {i}
        j = i - 1
        if j in free and words[j].typed in _ORDINAL_ENDINGS:
            used.add(j)
            j -= 1
        if j in free:
            grade = _grade(words[j].typed) or _ORDINALS.get(_first_lemma(words[j].text))
            if grade:
                return str(grade), frozenset(used | {j})
        if i + 1 in free and _grade(words[i + 1].typed):
            return str(_grade(words[i + 1].typed)), frozenset({i, i + 1})
    return None


@lru_cache(maxsize=4096)
def _first_lemma(word: str) -> str:
    return analyzer().parse(word)[0].normal_form.replace("ё", "е")


def find_inventory(words: Sequence[Word], free: set[int]) -> Found:
    """An inventory number: digits, maybe split by «-» or «/» («72», «104-567»)."""
    for i in sorted(free):
        if _NUMBER.match(words[i].typed):
            return words[i].typed, frozenset({i})
    return None


def find_school_subjects(words: Sequence[Word], free: set[int]) -> Found:
    """The school subjects named, in order, comma-joined («алгебра, русский язык»); a grade's
    digits right after one («Алгебра 7») belong to it."""
    names: list[str] = []
    used: set[int] = set()
    for i in sorted(free):
        if i in used:
            continue
        for name, spellings in SCHOOL_SUBJECTS.items():
            size = _spelled_at(words, free - used, i, spellings)
            if size:
                span = set(range(i, i + size))
                after = i + size
                if after in free and _grade(words[after].typed):
                    span.add(after)
                used |= span
                if name not in names:
                    names.append(name)
                break
    return (", ".join(names), frozenset(used)) if names else None


def _spelled_at(
    words: Sequence[Word], free: set[int], i: int, spellings: tuple[tuple[str, ...], ...]
) -> int:
    """How many words from i spell the subject (longest spelling first), or 0."""
    for spelling in spellings:
        span = range(i, i + len(spelling))
        if all(k in free and k < len(words) for k in span) and all(
            spelling[k - i] in words[k].forms or spelling[k - i] == words[k].typed for k in span
        ):
            return len(spelling)
    return 0


# Names ---------------------------------------------------------------------------------------

_NAME_TAGS = ("Surn", "Name", "Patr")


@lru_cache(maxsize=8192)
def _name_parses(word: str) -> tuple[Parse, ...]:
    return tuple(p for p in analyzer().parse(word) if any(t in p.tag for t in _NAME_TAGS))


def is_name(word: str, case: str | None = None) -> bool:
    """A surname, given name or patronymic to pymorphy3 (in that case, if given)."""
    return any(case is None or p.tag.case == case for p in _name_parses(word))


@lru_cache(maxsize=8192)
def is_adjective(word: str) -> bool:
    """An adjective or participle in pymorphy3's likeliest reading: it wants its noun."""
    return bool({"ADJF", "PRTF"} & analyzer().parse(word)[0].tag.grammemes)


@lru_cache(maxsize=8192)
def is_pronoun(word: str) -> bool:
    return "NPRO" in analyzer().parse(word)[0].tag


def only_a_name(word: str) -> bool:
    """Every reading pymorphy3 knows is a name, a place or a name's possessive («петрова»):
    «смирнову», not «чайку» or «дубровского», which are words too."""
    parses = analyzer().parse(word)
    return analyzer().word_is_known(word) and all(
        any(t in p.tag for t in (*_NAME_TAGS, "Geox", "Poss")) for p in parses
    )


def could_be_name(word: str) -> bool:
    """A name to pymorphy3, or a word it does not know at all (a rare surname)."""
    return word.isalpha() and (is_name(word) or not analyzer().word_is_known(word))


def is_surname(word: str, case: str | None = None) -> bool:
    """A surname to pymorphy3 (in that case, if given)."""
    return any("Surn" in p.tag and case in (None, p.tag.case) for p in _name_parses(word))


@lru_cache(maxsize=8192)
def nominative(word: str, case: str | None = None, gender: str | None = None) -> str:
    """A name word as a register writes it: «петрову» → «петров», «смирновой» → «смирнова».

    A word that may already be nominative stays: people write the register's form after any
    verb («найди ученика петров», «найди ученика смирнова» for Смирнова). Otherwise the words
    around tell which reading is meant: after «найди» the accusative («найди смирнову» →
    «смирнова»), after «выдать» the dative («выдать смирнову» → «смирнов»); «femn» prefers a
    woman's reading."""
    parses = [p for p in _name_parses(word) if p.tag.number != "plur"]
    if not parses or any(p.tag.case == "nomn" for p in parses):
        return word
    in_case = [p for p in parses if p.tag.case == case]
    chosen = sorted(in_case or parses, key=lambda p: gender is not None and p.tag.gender != gender)
    form = chosen[0].inflect({"nomn", "sing"})
    return form.word.replace("ё", "е") if form is not None else word


def name_of(words: Sequence[Word], case: str | None = None, gender: str | None = None) -> str:
    """The name the words make, in the nominative; `case` counts only when every word can be
    in it («найти смирнова мария» is typed in the nominative already)."""
    if case is not None and not all(is_name(w.typed, case) for w in words):
        case = None
    return " ".join(nominative(w.typed, case, gender) for w in words)
