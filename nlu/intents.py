"""Free text → intent with slots. Anything unclear is a catalog search.

The order of reading, first answer wins:

1. a link code («7X32FYEX», «мой код …») — understand.codes;
2. a request in everyday words, in any order, with typos and slang — the frames of
   understand.frames: «мои брони», «когда работает библиотека», «должники 7б»;
3. a genre or topic — understand.browse over nlu.subjects: «фантастика», «сказки пушкина»;
   also when it was asked for as a search («есть что-нибудь про войну?»);
4. a long message (voice typing): the work named inside it (understand.works), else a request
   in one of its clauses, else thanks if it starts with them;
5. steps 2–4 again on the message read on the Russian layout, when a stretch of it was typed
   with the Latin one on («vjb ,hjyb» → «мои брони»);
6. a search for the whole text, as typed.

A message that is a title and nothing else stays a search: a frame must account for every
word, so «привет из прошлого» and «Мои университеты» are books. A wrong command is worse than
a search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from nlu.normalize import normalize
from nlu.understand.browse import browse, subject_words
from nlu.understand.codes import link_code
from nlu.understand.frames import Match, best, vocabulary
from nlu.understand.lexicon import FILLERS, SLANG
from nlu.understand.words import Speller, Word, other_layout, read
from nlu.understand.works import named_work

__all__ = ["Intent", "classify", "link_code"]

LONG = 12  # words: longer is a voice-typed sentence; a request must fit one of its clauses
MEDIUM = 7  # words: from here a message no frame explains is read for the work inside
MAX_CLAUSES = 20  # of a run-on message, read for a request («а а а …» has hundreds)
SEARCH = "search"
SOCIAL = frozenset({"greeting", "thanks", "help"})
# Words that start a new clause in run-on speech, besides punctuation.
CLAUSE_STARTS = frozenset(
    "а но потому чтобы если который которая которую которые хочу хотел хотела".split()
)
_CLAUSE_MARK = re.compile(r"[,.!?;:]")


@dataclass(frozen=True, slots=True)
class Intent:
    name: str
    slots: dict[str, str] = field(default_factory=dict)


def _search(query: str, text: str) -> Intent:
    slots = {"query": query}
    if len(query) < len(normalize(text)):
        slots["understood"] = "1"
    return Intent(SEARCH, slots)


def _clauses(words: tuple[Word, ...], text: str) -> list[tuple[Word, ...]]:
    clauses: list[list[Word]] = [[]]
    for k, word in enumerate(words):
        mark = k > 0 and _CLAUSE_MARK.search(text, words[k - 1].end, word.start) is not None
        if clauses[-1] and (mark or word.typed in CLAUSE_STARTS):
            clauses.append([])
        clauses[-1].append(word)
    return [tuple(c) for c in clauses[:MAX_CLAUSES] if c]


def _long(words: tuple[Word, ...], text: str) -> Intent | None:
    """A voice-typed sentence: the work it names, else a request in one of its clauses."""
    work = named_work(words, text, thorough=len(words) > LONG)
    if work:
        return _search(work, text)
    found = [best(clause, text) for clause in _clauses(words, text)]
    asks = [m for m in found if m is not None and m.intent not in SOCIAL | {SEARCH}]
    if asks:
        top = min(asks, key=lambda m: (-m.score, m.left, m.order))
        return Intent(top.intent, top.slots)
    if words[0].forms & {"спасибо", "благодарить", "спс"}:
        return Intent("thanks")
    return None


def _from_match(found: Match | None, words: tuple[Word, ...]) -> Intent | None:
    if found is None or found.intent == SEARCH:
        subject = browse(words)
        if subject is not None:
            return Intent("browse_subject", subject)
    if found is None:
        return None
    return Intent(found.intent, found.slots)


@cache
def speller() -> Speller:
    """Typos put right against every word the intents and the subjects are recognised by."""
    return Speller(vocabulary() | subject_words() | FILLERS | set(SLANG.values()))


def _understand(text: str) -> Intent | None:
    """What the text asks for, or None when nothing but a title can be read in it."""
    words = read(text, speller())
    if not words:
        return None
    found = best(words, text)
    if len(words) > LONG:
        if found is not None and found.frame.rest in (None, "question"):
            return Intent(found.intent, found.slots)  # a question runs on; a title would not
        return _long(words, text)
    intent = _from_match(found, words)
    if len(words) >= MEDIUM:
        if intent is None:
            return _long(words, text)
        if intent.name == SEARCH:  # «ищу книгу которую задали называется …»
            work = named_work(words, text, thorough=False)
            if work and len(work) < len(intent.slots["query"]):
                return _search(work, text)
    return intent


def classify(text: str) -> Intent:
    raw = text.strip()
    code = link_code(raw)
    if code is not None:
        return Intent("link", {"code": code})
    found = _understand(raw)
    if found is None:
        other = other_layout(raw)
        if other is not None:
            found = _understand(other)
    return found or Intent(SEARCH, {"query": raw})
