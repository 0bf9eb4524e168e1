"""Free text → intents: the table in nlu.intents, checked example by example."""

from __future__ import annotations

import pytest

from db.people import new_code
from nlu.intents import RULES, Intent, IntentRule, classify


@pytest.mark.parametrize(("rule", "example"), [(r, e) for r in RULES for e in r.examples])
def test_every_listed_example_maps_to_its_intent(rule: IntentRule, example: str) -> None:
    assert classify(example).name == rule.name


@pytest.mark.parametrize(
    "text", ["война и мир", "гари потер", "djqyf b vbh", "1984 оруэл", "TOLSTOYY", "Л.Н.Толстой"]
)
def test_anything_else_is_a_search(text: str) -> None:
    intent = classify(text)
    assert intent.name == "search"
    assert intent.slots["query"] == text


def test_every_generated_link_code_is_read_as_a_code() -> None:
    for _ in range(2000):
        code = new_code()
        assert classify(code).name == "link", code
        assert classify(code.lower()).name == "link", code
        assert classify(f"{code[:4]}-{code[4:]}").name == "link", code


@pytest.mark.parametrize(
    ("text", "intent", "query"),
    [
        ("есть ли Гарри Поттер", "search", "гарри поттер"),
        ("Есть ли у вас «Война и мир»?", "search", "война и мир"),
        ("найди капитанскую дочку", "search", "капитанскую дочку"),
        ("хочу взять гарри поттера", "reserve", "гарри поттера"),
        ("отложите мне 1984", "reserve", "1984"),
        ("продли войну и мир", "renew", "войну и мир"),
        ("продли книгу", "renew", None),
        ("когда сдавать?", "due_dates", None),
        ("мои книги", "my_books", None),
        ("гари потер", "search", "гари потер"),  # unclear: the whole text is searched
    ],
)
def test_intents_carry_their_slots(text: str, intent: str, query: str | None) -> None:
    found = classify(text)
    assert found.name == intent
    assert found.slots.get("query") == query


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ABCDEFGH", "ABCDEFGH"),  # letters only, all of the code alphabet, in capitals
        ("ABCD1234", "ABCD1234"),  # a 1 is no code letter, but this is a code all the same
        ("abcd 1234", "ABCD1234"),
        ("код 7X32FYEX", "7X32FYEX"),
        ("Код: 7x32-fyex", "7X32FYEX"),
        ("код привязки 7X32 FYEX", "7X32FYEX"),
        ("КОД abc", "ABC"),  # with the word «код» any shape is a code (and refused as one)
        ("код 7Х32FУЕХ", "7X32FYEX"),  # Cyrillic lookalikes typed on the Russian layout
    ],
)
def test_a_message_shaped_like_a_link_code_is_a_code(text: str, code: str) -> None:
    assert classify(text) == Intent("link", {"code": code})


@pytest.mark.parametrize(
    "text",
    ["PASSWORD", "bestseller", "Bestsell", "abcdefgh", "12345678", "4600000000017", "Код да Винчи",
     "код", "кодекс", "Кодекс чести", "windows7"],
)  # fmt: skip
def test_words_and_numbers_are_not_taken_for_codes(text: str) -> None:
    assert classify(text).name == "search"
