"""Recall and latency figures from answered queries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from bench.search.queries import KINDS, Query


@dataclass(frozen=True, slots=True)
class Answer:
    ids: list[int]
    ms: float


@dataclass(frozen=True, slots=True)
class Figures:
    kind: str
    n: int
    recall1: float
    recall5: float
    p50: float
    p95: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def percentiles(ms: Sequence[float]) -> tuple[float, float]:
    if not ms:
        return float("nan"), float("nan")
    p50, p95 = np.percentile(np.asarray(ms, dtype=float), [50, 95])
    return float(p50), float(p95)


def hits(query: Query, answer: Answer, keys: Mapping[int, tuple[str, str]]) -> tuple[bool, bool]:
    """(right answer first, right answer among the first five)."""
    wanted = query.key
    found = [keys.get(rid) == wanted for rid in answer.ids[:5]]
    return bool(found and found[0]), any(found)


def figures(
    label: str,
    items: Iterable[tuple[Query, Answer]],
    keys: Mapping[int, tuple[str, str]],
) -> Figures:
    pairs = list(items)
    at1 = at5 = 0
    for query, answer in pairs:
        first, five = hits(query, answer, keys)
        at1 += first
        at5 += five
    n = len(pairs)
    p50, p95 = percentiles([a.ms for _, a in pairs])
    return Figures(
        label, n, at1 / n if n else float("nan"), at5 / n if n else float("nan"), p50, p95
    )


def by_kind(
    queries: Sequence[Query],
    answers: Mapping[int, Answer],
    keys: Mapping[int, tuple[str, str]],
) -> list[Figures]:
    """Figures per kind, then «all» pooled over every answered query."""
    rows = []
    for kind in KINDS:
        pairs = [(queries[i], a) for i, a in answers.items() if queries[i].kind == kind]
        if pairs:
            rows.append(figures(kind, pairs, keys))
    rows.append(figures("all", ((queries[i], a) for i, a in answers.items()), keys))
    return rows
