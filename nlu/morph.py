"""People's names in the grammatical cases, and their gender, with pymorphy3.

Names are stored as a school register writes them: surname, given name, optional patronymic
(«Смирнова Мария», «Петров Иван Сергеевич»). Each word is inflected only through a pymorphy3
parse tagged as that kind of name (Surn, Name, Patr) in the nominative singular, of the
person's gender or of either (ms-f), so:

* indeclinable surnames stay as they are («Белых», «Дюма», «Шевченко» — pymorphy tags them Fixd);
* a woman's surname ending in a consonant stays («Шмидт Анны»), a man's declines («Шмидта»);
* a word pymorphy does not know as a name («Нгуен», «оглы») stays as it is;
* when the gender is unknown a word is declined only where both genders decline it alike
  («Белых Саши»), else it stays;
* capitalisation and ё/е are kept as stored; hyphenated surnames decline part by part.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import Literal

import pymorphy3

Gender = Literal["m", "f"]

CASES = frozenset({"nomn", "gent", "datv", "accs", "ablt", "loct"})
_GRAMMEME: dict[str, str] = {"m": "masc", "f": "femn"}
_PROPER = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})
# The roles of the words of a stored name by position; a single word may be either.
_ROLES_ONE = ("Name", "Surn")
_ROLES = (("Surn",), ("Name",), ("Patr",))


class _Analyzer(pymorphy3.MorphAnalyzer):  # type: ignore[misc]
    """pymorphy3's analyzer that takes any word: it asks the Unicode database for the name of
    each character, and a character that has none in this Python's database (a Tangut
    ideograph, an unassigned code point) made it raise. Such characters are read as U+FFFD:
    the word is then simply unknown."""

    def parse(self, word: str) -> list[pymorphy3.analyzer.Parse]:
        try:
            return super().parse(word)  # type: ignore[no-any-return]
        except ValueError:
            return super().parse("".join(map(_named, word)))  # type: ignore[no-any-return]


def _named(char: str) -> str:
    return char if unicodedata.name(char, "") else "\ufffd"


@cache
def analyzer() -> pymorphy3.MorphAnalyzer:
    """One shared analyzer (loading the dictionaries takes a while), created on first use."""
    return _Analyzer()


@lru_cache(maxsize=4096)
def _nominatives(word: str, role: str) -> tuple[pymorphy3.analyzer.Parse, ...]:
    """Parses of `word` as a name of this role in the nominative singular, best first."""
    return tuple(
        p
        for p in analyzer().parse(word)
        if role in p.tag and p.tag.case == "nomn" and p.tag.number == "sing"
    )


def _gender_of(parse: pymorphy3.analyzer.Parse) -> str:
    """masc, femn or ms-f (either: «Саша», «Белых»)."""
    grammemes = parse.tag.grammemes
    return next((g for g in ("masc", "femn", "ms-f") if g in grammemes), "")


def _roles(words: list[str]) -> list[tuple[str, ...]]:
    if len(words) == 1:
        return [_ROLES_ONE]
    return [_ROLES[i] if i < len(_ROLES) else () for i in range(len(words))]


def _word_gender(word: str, roles: tuple[str, ...]) -> Gender | None:
    """'m' or 'f' when every reading of the word as such a name has that gender."""
    seen: set[str] = set()
    for part in word.lower().split("-"):
        for role in roles:
            parses = _nominatives(part, role)
            if parses:
                seen |= {_gender_of(p) for p in parses}
                break
    if seen == {"masc"}:
        return "m"
    if seen == {"femn"}:
        return "f"
    return None


def guess_gender(full_name: str) -> Gender | None:
    """'m', 'f' or None (unsure) from the given name, surname and patronymic.

    A word only counts when all its readings agree («Саша», «Шмидт», «Белых» tell nothing);
    words that contradict each other («Иванова Никита») give None rather than a wrong guess.
    """
    words = full_name.split()
    told = {
        g
        for word, roles in zip(words, _roles(words), strict=True)
        if roles and (g := _word_gender(word, roles)) is not None
    }
    return told.pop() if len(told) == 1 else None


def _restore(original: str, form: str) -> str:
    """The inflected form written like the stored word (capitals, ё or е)."""
    if "ё" not in original.lower():
        form = form.replace("ё", "е")
    if len(original) > 1 and original.isupper():
        return form.upper()
    if original[:1].isupper():
        return form[:1].upper() + form[1:]
    return form


def _inflect_part(part: str, roles: tuple[str, ...], case: str, gender: Gender) -> str:
    if not part.isalpha():
        return part
    wanted = (_GRAMMEME[gender], "ms-f")
    for role in roles:
        parses = [p for p in _nominatives(part.lower(), role) if _gender_of(p) in wanted]
        if not parses:
            continue
        form = max(parses, key=lambda p: p.score).inflect({case})
        if form is None or form.word[:1].replace("ё", "е") != part[:1].lower().replace("ё", "е"):
            return part
        return _restore(part, form.word)
    return part


def _inflect_word(word: str, roles: tuple[str, ...], case: str, gender: Gender | None) -> str:
    if not roles or case == "nomn":
        return word
    parts = []
    for part in word.split("-"):
        if gender is not None:
            parts.append(_inflect_part(part, roles, case, gender))
            continue
        forms = {_inflect_part(part, roles, case, g) for g in ("m", "f")}
        parts.append(forms.pop() if len(forms) == 1 else part)
    return "-".join(parts)


def _check_case(case: str) -> None:
    if case not in CASES:
        raise ValueError(f"unknown case {case!r}: one of {sorted(CASES)}")


def decline_name(full_name: str, case: str, gender: Gender | None = None) -> str:
    """«Смирнова Мария», 'gent' → «Смирновой Марии». Case: nomn, gent, datv, accs, ablt, loct.

    The gender, when not given, is guessed from the name itself (see guess_gender).
    """
    _check_case(case)
    words = full_name.split()
    if gender is None:
        gender = guess_gender(full_name)
    return " ".join(
        _inflect_word(word, roles, case, gender)
        for word, roles in zip(words, _roles(words), strict=True)
    )


def given_name(full_name: str) -> str:
    """«Смирнова Мария» → «Мария»: a child is called by the given name, not by surname."""
    words = full_name.split()
    return words[1] if len(words) > 1 else full_name.strip()


def decline_given_name(full_name: str, case: str, gender: Gender | None = None) -> str:
    """Only the given name, declined: «Смирнова Мария», 'gent' → «Марии»."""
    _check_case(case)
    if gender is None:
        gender = guess_gender(full_name)
    words = full_name.split()
    roles = _ROLES_ONE if len(words) == 1 else ("Name",)
    return _inflect_word(given_name(full_name), roles, case, gender)


_FIRST_WORD = re.compile(r"\w+")


def lower_first(text: str) -> str:
    """A phrase to put after a colon or mid-sentence: «Нет свободных экземпляров.» → «нет
    свободных экземпляров». Abbreviations («ВПР») and proper names («Пушкин», «Москва») keep
    their capital; a final full stop (not an ellipsis) is dropped."""
    text = text.strip()
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip()
    match = _FIRST_WORD.match(text)
    if match is None or not text[:1].isupper():
        return text
    word = match.group()
    if sum(ch.isupper() for ch in word) > 1:
        return text
    best = analyzer().parse(word)[0]
    if _PROPER & best.tag.grammemes:
        return text
    return text[:1].lower() + text[1:]
