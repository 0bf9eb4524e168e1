"""Plain normalisation of Russian catalog text: case, ё→е, punctuation, quotes, spaces."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Lower-case, ё→е, punctuation and quotes to spaces, single spaces.

    Digits stay as words of the title («1984», «451 градус по Фаренгейту»).
    """
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    text = text.replace("_", " ")
    return _SPACES.sub(" ", _NON_WORD.sub(" ", text)).strip()


def words(text: str) -> list[str]:
    return normalize(text).split()


def author_surname(author: str) -> str:
    """The surname of an author in catalog form: «Толстой Л. Н.», «Толстой, Лев Николаевич».

    Catalog headings put the surname first; initials are the words of one letter.
    """
    parts = [w for w in words(author) if len(w) > 1]
    return parts[0] if parts else normalize(author)
