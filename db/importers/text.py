"""Small text helpers shared by the readers: ISBD clean-up, ISBNs, years, initials."""

from __future__ import annotations

import re
from collections.abc import Iterable

from db.importers.types import BadIsbn, IsbnProblem
from nlu.isbn import to_isbn13

# MARC / UNIMARC non-filing marks: NSB/NSE (ISO 6630) and their MARC-8/UTF-8 forms.
_NONSORT = dict.fromkeys(map(ord, "\x88\x89\x98\x9c"))
_TRAILING = re.compile(r"[\s/:;=,]+$")
_LEADING = re.compile(r"^[\s/:;=,.]+")
_LAST_WORD_DOT = re.compile(r"(\w+)\.$")
_CONSONANTS = set("бвгджзклмнпрстфхцчшщ")
_ANGLE_QUOTES = re.compile(r"<([^<>]+)>")
_YEAR = re.compile(r"(?<!\d)(1[0-9]\d\d|20\d\d)(?!\d)")
_ISBN_TOKEN = re.compile(r"[0-9][0-9Xx\u0425\u0445-]{8,20}")
_INITIALS = re.compile(r"^(?:[^\W\d_]\.?[\s-]*){1,3}$")


def clean(value: str | None) -> str | None:
    """Collapse whitespace and strip ISBD punctuation at the ends (" /", " :", " ;", ",", ".").

    A final "." that belongs to an initial or an abbreviation stays ("Е. И.", "в.", "Т. 1.",
    "пер. с англ.", "сб. биогр."), and so does an ellipsis.
    """
    if value is None:
        return None
    text = " ".join(value.translate(_NONSORT).split())
    text = _LEADING.sub("", text)
    while True:
        before = text
        text = _TRAILING.sub("", text)
        if text.endswith(".") and not text.endswith("..") and not _abbreviation(text):
            text = text[:-1]
        if text == before:
            break
    return text or None


def _abbreviation(text: str) -> bool:
    """Does the final "." close an abbreviation? A word of 1-3 characters ("Е.", "вв.", "1."),
    or a short Cyrillic word ending in a consonant: Russian abbreviations are cut before a
    vowel ("англ.", "биогр.", "исслед.")."""
    match = _LAST_WORD_DOT.search(text)
    if match is None:
        return False
    word = match.group(1)
    if len(word) <= 3:
        return True
    return (
        len(word) <= 6
        and all("\u0400" <= ch <= "\u04ff" for ch in word)
        and word[-1].casefold() in _CONSONANTS
    )


def clean_marc(value: str | None, *, unbracket: bool = False) -> str | None:
    """clean() plus MARC conventions: "<<"/">>" non-filing marks, "<...>" as «...» quotes.

    With unbracket=True the ISBD square brackets ("[Романы]", "[Т. 18") are dropped.
    """
    if value is None:
        return None
    text = value.replace("<<", "").replace(">>", "")
    text = _ANGLE_QUOTES.sub(r"«\1»", text)
    if unbracket:
        text = text.replace("[", "").replace("]", "")
    return clean(text)


def find_year(value: str | None) -> int | None:
    """The first plausible 4-digit year in a string ("[1999]", "c1994.", "1997-2001")."""
    if not value:
        return None
    match = _YEAR.search(value)
    return int(match.group(1)) if match else None


def _isbn_tokens(value: str | None) -> Iterable[tuple[str, bool]]:
    """Number-like tokens of a string, each with whether it is shaped like an ISBN-10/13."""
    for token in _ISBN_TOKEN.findall(value or ""):
        token = token.strip("-").replace("\u0425", "X").replace("\u0445", "X").replace("x", "X")
        bare = token.replace("-", "")
        ten = len(bare) == 10 and bare[:9].isdigit() and (bare[9].isdigit() or bare[9] == "X")
        thirteen = len(bare) == 13 and bare.isdigit() and bare[:3] in ("978", "979")
        yield token, ten or thirteen


def find_isbns(value: str | None) -> list[str]:
    """ISBN-looking tokens in a string, as written (hyphens kept, Cyrillic "Х" read as "X").

    The qualifier after an ISBN ("(pbk.)", "(в пер.)") is not part of the token.
    """
    found: list[str] = []
    for token, shaped in _isbn_tokens(value):
        if shaped and token not in found:
            found.append(token)
    return found


def sort_isbns(values: Iterable[str | None]) -> tuple[list[str], list[BadIsbn]]:
    """The ISBNs of a record's ISBN fields, as written: the usable ones, and the ones that are
    not — a wrong check digit, or a number of 9 digits or more that cannot be an ISBN (a
    price or a year range is too short to be taken for one)."""
    good: list[str] = []
    bad: list[BadIsbn] = []
    for value in values:
        for token, shaped in _isbn_tokens(value):
            if shaped and to_isbn13(token) is not None:
                good.append(token)
            elif shaped:
                bad.append(BadIsbn(token, IsbnProblem.CHECK_DIGIT))
            elif sum(ch.isdigit() for ch in token) >= 9:
                bad.append(BadIsbn(token, IsbnProblem.NOT_AN_ISBN))
    return unique(good), list(dict.fromkeys(bad))


def initials(value: str | None) -> str | None:
    """Normalise initials: "Б.В" -> "Б. В.", "Е. И." stays; anything else is returned cleaned."""
    text = clean(value)
    if text is None:
        return None
    letters = [ch for ch in text if ch.isalpha()]
    if _INITIALS.match(text) and "-" not in text and ("." in text or len(letters) == 1):
        return " ".join(f"{ch.upper()}." for ch in letters)
    return text


def initials_from_names(forenames: str | None) -> str | None:
    """Initials of forenames: "Сергей Михайлович" -> "С. М.", "Антуан де" -> "А. де"."""
    text = clean(forenames)
    if text is None:
        return None
    parts = [p for p in re.split(r"[\s.]+", text) if p and p[0].isalpha()]
    return " ".join(p if p.islower() else f"{p[0].upper()}." for p in parts) or None


def fix_caps(name: str) -> str:
    """An all-caps name longer than 3 letters in normal case: "СТЕПАНИЩЕВ" -> "Степанищев"."""
    if len(name) > 3 and name.isupper():
        return "-".join(part.capitalize() for part in name.split("-"))
    return name


def unique(values: list[str]) -> list[str]:
    """Drop empty values and case-insensitive duplicates, keep order."""
    seen: set[str] = set()
    result: list[str] = []
    for value in values:
        key = value.casefold()
        if value and key not in seen:
            seen.add(key)
            result.append(value)
    return result
