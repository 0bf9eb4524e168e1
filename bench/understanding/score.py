"""Reading the set with a classifier and judging each answer.

An answer is right when the intent is the one meant (intent-only) and, for the full figure, its
slots are exactly the ones meant: the same slot names, keys («7Б», «summer», a link code) equal,
free text (a title, a name, a question) equal once normalised or word for word the same
words in some reading of each — «пушкина» and «пушкин», «агаты» and «агата» name the same
author to the search. A slot the label does not expect
is wrong: a handler would act on it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from statistics import median, quantiles

from bench.understanding.messages import Message
from nlu.morph import analyzer
from nlu.normalize import normalize

FREE_TEXT = frozenset({"query", "name", "question"})
SEARCH = "search"

Classify = Callable[[str], tuple[str, dict[str, str]]]


@dataclass(frozen=True, slots=True)
class Answer:
    message: Message
    intent: str
    slots: dict[str, str]

    @property
    def intent_right(self) -> bool:
        return self.intent == self.message.intent

    @property
    def right(self) -> bool:
        return self.intent_right and same_slots(self.message.slots, self.slots)

    @property
    def severity(self) -> int:
        """How bad a miss is: a command where a title was meant is worst (3), then the wrong
        command (2), a search where a command was meant (1), the right intent with wrong
        slots (0)."""
        if self.intent_right:
            return 0
        if self.message.intent == SEARCH:
            return 3
        return 1 if self.intent == SEARCH else 2


@dataclass(frozen=True, slots=True)
class Run:
    name: str
    answers: list[Answer]
    micros: list[float]  # one timed classification per message, after a warm-up pass

    @property
    def p50(self) -> float:
        return median(self.micros)

    @property
    def p95(self) -> float:
        return quantiles(self.micros, n=20)[-1] if len(self.micros) > 1 else self.micros[0]


@lru_cache(maxsize=8192)
def _lemmas(word: str) -> frozenset[str]:
    return frozenset(p.normal_form.replace("ё", "е") for p in analyzer().parse(word))


def same_text(expected: str, got: str) -> bool:
    """Equal once normalised, or word for word the same words in some reading of each."""
    a, b = normalize(expected).split(), normalize(got).split()
    if a == b:
        return True
    return len(a) == len(b) and all(_lemmas(x) & _lemmas(y) for x, y in zip(a, b, strict=True))


def same_slots(expected: dict[str, str], got: dict[str, str]) -> bool:
    got = {k: v for k, v in got.items() if v}
    if set(expected) != set(got):
        return False
    for key, value in expected.items():
        if key in FREE_TEXT:
            if not same_text(value, got[key]):
                return False
        elif value != got[key]:
            return False
    return True


def read(name: str, classify: Classify, messages: Sequence[Message]) -> Run:
    """Every message classified once to judge, then once more timed (the first pass loads the
    dictionaries and fills the caches, as a running bot would have long since)."""
    answers = []
    for message in messages:
        intent, slots = classify(message.text)
        answers.append(Answer(message, intent, dict(slots)))
    micros = []
    for message in messages:
        start = time.perf_counter()
        classify(message.text)
        micros.append((time.perf_counter() - start) * 1e6)
    return Run(name, answers, micros)
