"""Plain normalisation of Russian catalog text: case, ё→е, punctuation, quotes, spaces."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_SPACES = re.compile(r"\s+")


# C0 control characters but tab and line feed (carriage returns become line feeds first), and
# DEL: NUL in particular, which PostgreSQL refuses in any text.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LONE_SURROGATE = re.compile(
    "[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]"
)


def clean_text(text: str) -> str:
    """Text from the outside world made safe to keep: control characters dropped (tab and line
    feed stay, a carriage return becomes a line feed), a surrogate pair split in two joined
    again and a lone surrogate replaced by «\ufffd», the result in Unicode NFC.

    PostgreSQL refuses NUL and lone surrogates in a query; nothing else changes meaning.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROLS.sub("", text)
    if not text.isascii():
        if _SURROGATE.search(text):  # lone ones replaced, then pairs joined (all in C)
            text = _LONE_SURROGATE.sub("\ufffd", text)
            text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
        text = unicodedata.normalize("NFC", text)
    return text


MAX_DIGITS = 18


def ascii_int(text: str, max_digits: int = MAX_DIGITS) -> int | None:
    """The number written in `text` with ASCII digits only (no sign, no spaces), else None.

    `str.isdigit` accepts «²», «٣» and «３», which `int` then reads or refuses; here they are
    not numbers. More than `max_digits` digits are not a number a person means either.
    """
    if not text or len(text) > max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def normalize(text: str) -> str:
    """Lower-case, ё→е, punctuation and quotes to spaces, single spaces.

    Digits stay as words of the title («1984», «451 градус по Фаренгейту»).
    """
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    text = text.replace("_", " ")
    return _SPACES.sub(" ", _NON_WORD.sub(" ", text)).strip()


_NON_WORD_KEEP_LINES = re.compile(r"[^\w\n]+", re.UNICODE)


def normalize_many(texts: list[str]) -> list[str]:
    """`normalize` for a whole catalog at once: one pass of C code over all of it.

    Equal to ``[normalize(t) for t in texts]`` (tested); used to build the search index.
    """
    joined = "\n".join(t.replace("\n", " ") for t in texts)
    joined = unicodedata.normalize("NFKC", joined).casefold().replace("ё", "е").replace("_", " ")
    joined = _NON_WORD_KEEP_LINES.sub(" ", joined)
    return [" ".join(line.split()) for line in joined.split("\n")]


def words(text: str) -> list[str]:
    return normalize(text).split()


def author_surname(author: str) -> str:
    """The surname of an author in catalog form: «Толстой Л. Н.», «Толстой, Лев Николаевич».

    Catalog headings put the surname first; initials are the words of one letter.
    """
    parts = [w for w in words(author) if len(w) > 1]
    return parts[0] if parts else normalize(author)


_VOLUME_WORDS = {
    "т": "т", "том": "т", "тт": "т", "кн": "кн", "книга": "кн", "ч": "ч", "часть": "ч",
    "вып": "вып", "выпуск": "вып", "vol": "т", "volume": "т", "part": "ч", "pt": "ч",
}  # fmt: skip
_VOLUME = re.compile(r"\b(" + "|".join(_VOLUME_WORDS) + r")\s+([0-9]+|[ivxlcх]+)\b")
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def _roman(value: str) -> int | None:
    digits = [_ROMAN.get(ch) for ch in value.replace("х", "x")]  # кириллическая Х в «ХIХ»
    if not digits or None in digits:
        return None
    total = 0
    for i, d in enumerate(digits):
        total += -d if i + 1 < len(digits) and d < digits[i + 1] else d
    return total


def volume_designation(title: str) -> tuple[tuple[str, int], ...]:
    """The volume markers of a title: «Сочинения. Кн. 8; Т. 15-16» → (("кн", 8), ("т", 15)).

    Volumes of one set often share the set's ISBN; this tells them apart.
    """
    found = []
    for word, number in _VOLUME.findall(normalize(title)):
        value = int(number) if number.isdigit() else _roman(number)
        if value is not None:
            found.append((_VOLUME_WORDS[word], value))
    return tuple(found)
