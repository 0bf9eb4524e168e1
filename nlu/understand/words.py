"""A message as words: where each stands, what was typed, what was meant, and its lemmas.

What was meant differs from what was typed in a few ways, each cheap and cached per word:

* slang and chat spellings («чо», «скока», «щас») become the word (lexicon.SLANG);
* a word pymorphy3 does not know that is one typo from a word of the intents' vocabulary
  (two for long words, or its letters shuffled) becomes that word: «прадли» → «продли»,
  «кгини» → «книги». Known words are left alone: «Рони» does not turn into «брони». The
  first letter must agree (in longer words it may be the other of а/о, е/и, which children
  confuse), and a capitalised word inside a sentence is a name, not a typo («Мартин Иден»);
* two words that mean one thing are read as one («добрый день», «кол-во»), and a pronoun
  typed together with its particle as two («чтото»).

A message typed with the Latin layout on («ghbdtn») is read again key by key (`other_layout`);
whether that reading is meant is decided by what it says (see nlu.intents).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from nlu.layout import looks_like_wrong_layout_latin, to_cyrillic
from nlu.morph import analyzer
from nlu.understand.lexicon import SLANG

_TOKEN = re.compile(r"\d+(?:[-/]\d+)+|\w+")
# «чтото», «кто-нибудь» typed without the hyphen: the pronoun and its particle
_FUSED = re.compile(r"^(что|кто|где|как|какой|какая|какие|какую|куда|когда)(то|нибудь|либо)$")
# Two words read as one: «добрый день» greets, «кол-во» counts.
_PAIRS = {
    ("добрый", "день"): "добрый_день", ("доброе", "утро"): "добрый_день",
    ("добрый", "вечер"): "добрый_день", ("доброго", "дня"): "добрый_день",
    ("доброй", "ночи"): "добрый_день", ("доброго", "утра"): "добрый_день",
    ("доброго", "времени"): "добрый_день", ("кол", "во"): "сколько",
}  # fmt: skip
_SAME_START = ({"а", "о"}, {"е", "и"})
_TRAILING = "!?…"
MEMORY = 16384  # words remembered with what they mean


@dataclass(frozen=True, slots=True)
class Word:
    typed: str  # as typed, lower case, ё → е
    text: str  # as meant: slang and typos put right
    forms: frozenset[str]  # the meant word, its lemmas, and «=spelling» of both spellings
    start: int  # where it stands in the text it was read from
    end: int
    capital: bool  # typed with a capital first letter


def _fold(word: str) -> str:
    return unicodedata.normalize("NFKC", word).casefold().replace("ё", "е")


@lru_cache(maxsize=16384)
def lemmas(word: str) -> frozenset[str]:
    """The word and every normal form pymorphy3 gives it, ё written е."""
    if not word.isalpha():
        return frozenset({word})
    return frozenset({word, *(p.normal_form.replace("ё", "е") for p in analyzer().parse(word))})


def _lexemes(words: Iterable[str]) -> tuple[str, ...]:
    """Every form of every word, for typo correction: «книга» brings «книги», «книгу»…"""
    forms: set[str] = set()
    for word in words:
        if not word.isalpha():
            continue
        forms.add(word)
        for parse in analyzer().parse(word):
            if parse.normal_form.replace("ё", "е") == word:
                forms.update(f.word.replace("ё", "е") for f in parse.lexeme)
    return tuple(sorted(forms))


def _starts_alike(a: str, b: str) -> bool:
    """Same first letter; in words of six letters or more also а/о or е/и («атмени»)."""
    if a[0] == b[0]:
        return True
    return len(a) >= 6 and any(a[0] in pair and b[0] in pair for pair in _SAME_START)


class Speller:
    """Puts an unknown word right against a vocabulary: every form of the given words.

    The forms are made on first use (pymorphy3 lexemes take a moment); answers are cached.
    """

    def __init__(self, words: Iterable[str]) -> None:
        self._words = frozenset(words)
        self._forms: tuple[str, ...] | None = None
        self._known: dict[str, str] = {}

    @property
    def forms(self) -> tuple[str, ...]:
        if self._forms is None:
            self._forms = _lexemes(self._words)
        return self._forms

    def __call__(self, word: str) -> str:
        """The vocabulary word an unknown word is a typo of, else the word itself."""
        if word in SLANG:
            return SLANG[word]
        if len(word) < 4 or not word.isalpha():
            return word
        meant = self._known.get(word)
        if meant is None:
            if len(self._known) >= MEMORY:  # people type unknown words without end
                self._known.clear()
            known = analyzer().word_is_known(word)
            meant = self._known[word] = word if known else self._closest(word)
        return meant

    def _closest(self, word: str) -> str:
        best: tuple[int, str] | None = None
        for form, distance, _ in process.extract(
            word, self.forms, scorer=DamerauLevenshtein.distance, score_cutoff=2, limit=20
        ):
            distance = int(distance)
            close = distance <= 1 or len(word) >= 7 or sorted(form) == sorted(word)
            if close and _starts_alike(word, form) and (best is None or distance < best[0]):
                best = (distance, form)
        return best[1] if best else word


@lru_cache(maxsize=16384)
def _forms(typed: str, text: str) -> frozenset[str]:
    return lemmas(text) | {"=" + typed, "=" + text}


def _split(typed: str) -> list[str]:
    fused = _FUSED.match(typed)
    return [fused[1], fused[2]] if fused else [typed]


def read(text: str, spelled: Callable[[str], str]) -> tuple[Word, ...]:
    """The words of a message, in order, each put right by `spelled`; digits joined by «-» or
    «/» stay one word («104-567»), emoji and punctuation are no words."""
    raw: list[tuple[str, int, int, bool]] = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        for part in _split(_fold(token)):
            raw.append((part, match.start(), match.end(), token[:1].isupper()))
    words: list[Word] = []
    i = 0
    while i < len(raw):
        typed, start, end, capital = raw[i]
        pair = _PAIRS.get((typed, raw[i + 1][0])) if i + 1 < len(raw) else None
        if pair is not None:
            end = raw[i + 1][2]
            words.append(Word(typed, pair, frozenset({pair}), start, end, capital))
            i += 2
            continue
        meant = typed if capital and words else spelled(typed)  # «Мартин Иден»: a name
        words.append(Word(typed, meant, _forms(typed, meant), start, end, capital))
        i += 1
    return tuple(words)


def other_layout(text: str) -> str | None:
    """The message read key by key on the Russian layout where a stretch of it was typed with
    the Latin one on («vjb ,hjyb» → «мои брони»), else None."""
    chunks = re.split(r"(\s+)", text)
    changed = False
    for n, chunk in enumerate(chunks):
        core = chunk.rstrip(_TRAILING)
        if core and looks_like_wrong_layout_latin(core):
            chunks[n] = to_cyrillic(core) + chunk[len(core) :]
            changed = True
    return "".join(chunks) if changed else None
