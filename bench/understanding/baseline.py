"""The classifier as it was before issue 13 (nlu/intents.py at commit 8974e61), frozen.

The understanding bench prints its figures beside today's, so that what the rebuild gained is
measured on the same messages. Kept byte for byte but this docstring: do not edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nlu.normalize import normalize

# A link code is eight characters of the code alphabet (no 0/O/1/I/L), with at least two
# digits and two letters, often split 4+4. A message shaped like one is read as a code, so
# that a mistyped code is refused as a code rather than searched for as a title: eight Latin
# letters and digits with two of each, or eight capitals of the code alphabet. After the
# word «код» anything of Latin letters and digits is a code.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_SHAPE = re.compile(r"^[A-Za-z0-9]{4}[\s-]?[A-Za-z0-9]{4}$")
CODE_WORD = re.compile(r"^код(\s+привязки)?(\s*[:—-]\s*|\s+)(?P<code>.+)$", re.IGNORECASE)
CODE_AFTER_WORD = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\s-]*$")
# Cyrillic letters that look like Latin ones, as typed with the Russian layout on
LOOKALIKES = str.maketrans("АВЕКМНОРСТУХаеокмнорстух", "ABEKMHOPCTYXAEOKMHOPCTYX")


@dataclass(frozen=True, slots=True)
class Intent:
    name: str
    slots: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IntentRule:
    name: str
    pattern: re.Pattern[str]  # over normalised text; a named group `query` becomes a slot
    examples: tuple[str, ...]


def _rule(name: str, pattern: str, *examples: str) -> IntentRule:
    return IntentRule(name, re.compile(pattern), examples)


# Patterns run over normalised text (lower case, no punctuation, ё→е). A `query` group is the
# part to search for; a rule without one carries no slots.
RULES: tuple[IntentRule, ...] = (
    _rule(
        "help",
        r"^(помощь|помоги(те)?|справка|что ты умеешь|что умеешь|как (тобой )?пользоваться|help)$",
        "помощь",
        "Помогите!",
        "что ты умеешь?",
        "как пользоваться",
    ),
    _rule(
        "my_books",
        r"^(мои книги|мои|мой формуляр|формуляр|что у меня|что у меня на руках|мои займы"
        r"|какие у меня книги|книги ребенка|книги детей)$",
        "мои книги",
        "Мои книги",
        "мой формуляр",
        "что у меня на руках?",
        "книги ребёнка",
    ),
    _rule(
        "due_dates",
        r"^(когда|до какого числа) (мне )?(сдавать|сдать|вернуть|возвращать|отдавать|нести)"
        r"( (книгу|книги|книжку|учебник|учебники))?$",
        "когда сдавать",
        "Когда сдавать книгу?",
        "до какого числа вернуть книги",
        "когда мне нести",
    ),
    _rule(
        "renew",
        r"^(продли|продлить|продлите|продление|продлить срок|можно продлить)"
        r"( мне)?( (книгу|книги|книжку|срок))?(?: (?P<query>.+))?$",
        "продли книгу",
        "Продлить",
        "продлите мне книгу",
        "продли войну и мир",
        "можно продлить?",
    ),
    _rule(
        "class_set",
        r"^(выдать|выдай|выдаем|выдаём) \d{1,2} ?[а-я] комплект .+$",
        "выдать 7Б комплект: Алгебра 7, Русский язык 7",
        "Выдать 10 А комплект: Физика 10",
    ),
    _rule(
        "reserve",
        r"^(хочу взять|хочу забронировать|забронируй(те)?|забронировать|отложи(те)?|возьму"
        r"|можно взять|дайте|дай)( мне)? (?P<query>.+)$",
        "хочу взять гарри поттера",
        "Забронируйте «Капитанскую дочку»",
        "отложите мне 1984",
    ),
    _rule(
        "search",
        r"^(есть ли( у вас)?|а есть|у вас есть|есть|найди(те)?|найти|поищи|ищу|где (найти|взять)"
        r"|хочу (почитать|прочитать)|посоветуй(те)?)( мне)? (?P<query>.+?)( в библиотеке)?$",
        "есть ли Гарри Поттер",
        "Есть ли у вас «Война и мир»?",
        "найди капитанскую дочку",
        "где взять 1984",
        "хочу почитать про космос",
    ),
)


def link_code(text: str) -> str | None:
    """The code in a message shaped like a link code (upper case, no separators), else None."""
    raw = text.strip()
    after_word = CODE_WORD.match(raw)
    if after_word:
        code = after_word.group("code").translate(LOOKALIKES)
        if CODE_AFTER_WORD.match(code):
            return "".join(ch for ch in code if ch.isalnum()).upper()
        return None
    if not CODE_SHAPE.match(raw):
        return None
    code = "".join(ch for ch in raw if ch.isalnum())
    digits = sum(ch.isdigit() for ch in code)
    in_alphabet = code.isupper() and all(ch in CODE_ALPHABET for ch in code)
    if 2 <= digits <= len(code) - 2 or in_alphabet:
        return code.upper()
    return None


def classify(text: str) -> Intent:
    raw = text.strip()
    code = link_code(raw)
    if code is not None:
        return Intent("link", {"code": code})
    normal = normalize(raw)
    for rule in RULES:
        match = rule.pattern.match(normal)
        if match:
            slots = {k: v for k, v in match.groupdict().items() if v}
            return Intent(rule.name, slots)
    return Intent("search", {"query": raw})
