"""Free text → intent with slots. Anything unclear is a catalog search.

The intent set and its example phrases live here, in one table, and are tested together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nlu.normalize import normalize

LINK_CODE = re.compile(r"^[A-HJ-NP-Z2-9]{4}[\s-]?[A-HJ-NP-Z2-9]{4}$")


@dataclass(frozen=True, slots=True)
class Intent:
    name: str
    slots: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IntentRule:
    name: str
    pattern: re.Pattern[str]  # over normalised text; a named group `query` becomes a slot
    examples: tuple[str, ...]


RULES: tuple[IntentRule, ...] = (
    IntentRule(
        "help",
        re.compile(r"^(помощь|помоги(те)?|справка|что ты умеешь|что умеешь|help)$"),
        ("помощь", "Помогите!", "что ты умеешь?"),
    ),
    IntentRule(
        "my_books",
        re.compile(r"^(мои книги|мои|мой формуляр|формуляр|что у меня|мои займы)$"),
        ("мои книги", "Мои книги", "мой формуляр"),
    ),
)


def classify(text: str) -> Intent:
    raw = text.strip()
    if LINK_CODE.match(raw.upper()) and sum(ch.isdigit() for ch in raw) >= 2:
        return Intent("link", {"code": raw})
    normal = normalize(raw)
    for rule in RULES:
        match = rule.pattern.match(normal)
        if match:
            slots = {k: v for k, v in match.groupdict().items() if v}
            return Intent(rule.name, slots)
    return Intent("search", {"query": raw})
