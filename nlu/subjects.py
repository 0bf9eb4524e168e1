"""Subjects of school reading, in a child's words and in the catalog's own headings.

The table is data (nlu/subjects.csv, beside this module: subject, kind, phrase), one row per phrase:

* ``word`` — names the subject wherever it stands: «фантастика», «детективы», «стихи»;
* ``topic`` — names it after «про»/«о» («про войну», «о животных») or beside words that only
  ask for books («книги животные», «что-нибудь дружба»); alone a topic is a title more often
  than not («Детство», «Война»), so alone it is not a subject;
* ``heading`` — a catalog heading (MARC 650/606, the demo's «природа») that belongs to it;
* ``bbk`` — a prefix of the BBK index (RUSMARC 686, MARC21 084) of books of that subject.

Words are compared by their lemmas (pymorphy3), so singular, plural and any case meet; a word
pymorphy does not know may be one typo away from a table word («детектвы»).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from nlu.morph import analyzer
from nlu.normalize import normalize

TABLE_PATH = Path(__file__).with_suffix(".csv")
KINDS = ("word", "topic", "heading", "bbk")

# Words that ask for books without narrowing which: «что-нибудь», «книги для подростков».
FILLER = frozenset(
    "книга книжка книжечка что нибудь то либо почитать читать прочитать прочесть хотеть есть"
    " ли у вы я мы мне нам для ребенок ребёнок детский подросток подростковый малыш школьник"
    " посоветовать посоветуй найти дать показать какой интересный хороший классный крутой"
    " лучший самый можно пожалуйста плиз пж а и или еще ещё там тоже список подборка класс"
    " сколько какие-нибудь несколько немного".split()
)
ABOUT = frozenset({"про", "о", "об", "обо", "по"})


@dataclass(frozen=True, slots=True)
class Subject:
    """One subject of the table: its key and what names it."""

    key: str
    words: tuple[str, ...]
    topics: tuple[str, ...]
    headings: tuple[str, ...]
    bbk: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SubjectMatch:
    """A subject found in a message, and the message's other words that narrow it."""

    key: str
    rest: tuple[str, ...]  # normalised words, fillers and «про» dropped: «пушкина»

    @property
    def query(self) -> str:
        return " ".join(self.rest)


def _load(path: Path) -> dict[str, Subject]:
    rows: dict[str, dict[str, list[str]]] = {}
    with path.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            if row["kind"] not in KINDS:
                raise ValueError(f"{path.name}: unknown kind {row['kind']!r}")
            kinds = rows.setdefault(row["subject"], {kind: [] for kind in KINDS})
            kinds[row["kind"]].append(row["phrase"].strip())
    return {
        key: Subject(key, *(tuple(kinds[kind]) for kind in KINDS)) for key, kinds in rows.items()
    }


TABLE: dict[str, Subject] = _load(TABLE_PATH)
# Every subject key with the phrases a child may use for it (words and topics).
SUBJECTS: dict[str, tuple[str, ...]] = {s.key: s.words + s.topics for s in TABLE.values()}


@lru_cache(maxsize=8192)
def lemmas(word: str) -> frozenset[str]:
    """The word and every normal form pymorphy gives it (ё as е)."""
    word = word.replace("ё", "е")
    return frozenset({word, *(p.normal_form.replace("ё", "е") for p in analyzer().parse(word))})


@dataclass(frozen=True, slots=True)
class _Phrase:
    key: str
    kind: str
    words: tuple[frozenset[str], ...]  # lemma sets, one per word


@cache
def _phrases() -> tuple[_Phrase, ...]:
    phrases = []
    for subject in TABLE.values():
        for kind in ("word", "topic", "heading"):
            for phrase in getattr(subject, kind + "s"):
                words = tuple(lemmas(w) for w in normalize(phrase).split())
                phrases.append(_Phrase(subject.key, kind, words))
    # Longest first: «зарубежная классика» before «классика».
    return tuple(sorted(phrases, key=lambda p: -len(p.words)))


@cache
def _vocabulary() -> frozenset[str]:
    """Every form of every word of the table, for typo correction."""
    forms: set[str] = set()
    for phrase in _phrases():
        for word_lemmas in phrase.words:
            for lemma in word_lemmas:
                forms.add(lemma)
                for parse in analyzer().parse(lemma)[:1]:
                    forms.update(f.word.replace("ё", "е") for f in parse.lexeme)
    return frozenset(forms)


@cache
def _spellings() -> tuple[str, ...]:
    """The vocabulary in a fixed order, so that of two words as near the first always wins."""
    return tuple(sorted(_vocabulary()))


@lru_cache(maxsize=16384)
def _spelled(token: str) -> str:
    """The table word one typo away from an unknown word, else the word itself."""
    if len(token) < 5 or token in _vocabulary() or analyzer().word_is_known(token):
        return token
    limit = 1 if len(token) < 9 else 2
    found = process.extractOne(
        token, _spellings(), scorer=DamerauLevenshtein.distance, score_cutoff=limit
    )
    return found[0] if found is not None else token


def _is_filler(token: str) -> bool:
    return token.isdigit() or bool(lemmas(token) & FILLER) or token in ABOUT


@dataclass(frozen=True, slots=True)
class _Found:
    key: str
    start: int
    end: int


def _matches(tokens: list[str], *, kinds: tuple[str, ...], topic_alone: bool) -> list[_Found]:
    """Non-overlapping phrase matches, longest first."""
    token_lemmas = [lemmas(t) for t in tokens]
    taken = [False] * len(tokens)
    found: list[_Found] = []
    for phrase in _phrases():
        if phrase.kind not in kinds:
            continue
        size = len(phrase.words)
        for start in range(len(tokens) - size + 1):
            span = range(start, start + size)
            if any(taken[i] for i in span):
                continue
            if not all(token_lemmas[i] & phrase.words[i - start] for i in span):
                continue
            if phrase.kind == "topic" and not topic_alone and not _topic_allowed(tokens, span):
                continue
            for i in span:
                taken[i] = True
            found.append(_Found(phrase.key, start, start + size))
    return sorted(found, key=lambda f: f.start)


def _topic_allowed(tokens: list[str], span: range) -> bool:
    """After «про»/«о», or beside other words that only ask for books."""
    if span.start > 0 and tokens[span.start - 1] in ABOUT:
        return True
    others = [t for i, t in enumerate(tokens) if i not in span]
    return bool(others) and all(_is_filler(t) for t in others)


def _tokens(words: Sequence[str] | str) -> list[str]:
    text = words if isinstance(words, str) else " ".join(words)
    return [_spelled(t) for t in normalize(text).split()]


def find_subject(words: Sequence[str] | str) -> SubjectMatch | None:
    """The first subject a message names, with the words that narrow it.

    «сказки пушкина» → сказки, rest («пушкина»); «что-нибудь про войну» → про войну, rest ();
    «детективы для подростков» → детектив, rest (); «война и мир» → None (a topic alone).
    """
    tokens = _tokens(words)
    found = _matches(tokens, kinds=("word", "topic"), topic_alone=False)
    if not found:
        return None
    first = found[0]
    covered = {i for f in found if f.key == first.key for i in range(f.start, f.end)}
    rest = tuple(t for i, t in enumerate(tokens) if i not in covered and not _is_filler(t))
    return SubjectMatch(first.key, rest)


def match_subject(words: Sequence[str] | str) -> str | None:
    """The key of the subject a message names, or None."""
    found = find_subject(words)
    return found.key if found else None


@lru_cache(maxsize=16384)
def heading_subjects(heading: str) -> frozenset[str]:
    """The subjects a catalog heading belongs to: «Фантастические рассказы» → {фантастика}."""
    tokens = normalize(heading).split()
    return frozenset(f.key for f in _matches(tokens, kinds=KINDS[:3], topic_alone=True))


def _bbk_form(index: str) -> str:
    return "".join(index.split()).casefold().replace("ё", "е")


@cache
def _bbk_prefixes() -> tuple[tuple[str, str], ...]:
    return tuple((_bbk_form(p), s.key) for s in TABLE.values() for p in s.bbk)


def bbk_subjects(index: str | None) -> frozenset[str]:
    """The subjects a BBK index belongs to: «63.3(2)622» → {история, про войну}."""
    if not index:
        return frozenset()
    form = _bbk_form(index)
    return frozenset(key for prefix, key in _bbk_prefixes() if form.startswith(prefix))


def record_subjects(subjects: str, bbk: str | None = None) -> frozenset[str]:
    """The subjects of a record from its headings («роман; русская классика») and BBK index."""
    keys = set(bbk_subjects(bbk))
    for heading in subjects.split(";"):
        if heading.strip():
            keys |= heading_subjects(heading.strip())
    return frozenset(keys)
