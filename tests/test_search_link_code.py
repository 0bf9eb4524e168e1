"""A link code typed without /start is a code, not a title to search for."""

from __future__ import annotations

import re

from tests.support.chat import ChatFactory

UNKNOWN = "Такого кода нет."


async def test_a_mistyped_code_is_refused_as_a_code(chat: ChatFactory) -> None:
    newcomer = chat("newcomer")
    for message in ("ABCD1234", "ABCDEFGH", "код 7X32FYEX", "Код: 7x32-fyex"):
        await newcomer.send(message)
        assert newcomer.text.startswith(UNKNOWN), (message, newcomer.text)
        assert "ничего не нашлось" not in newcomer.text


async def test_a_code_with_the_word_kod_links(chat: ChatFactory) -> None:
    librarian = chat("librarian")
    await librarian.send("/code 1062")
    code = re.search(r"Код привязки для .+: ([A-Z0-9]{8})", librarian.text)
    assert code, librarian.text
    reader = chat("classmate")
    await reader.send(f"Код: {code.group(1)[:4].lower()}-{code.group(1)[4:].lower()}")
    assert "Готово! Формуляр № 1062 (Школа №1) привязан." in reader.text


async def test_titles_that_look_a_little_like_codes_are_searched(chat: ChatFactory) -> None:
    student = chat("student")
    await student.send("Код да Винчи")
    assert UNKNOWN not in student.text
    await student.send("bestseller")
    assert UNKNOWN not in student.text and "bestseller" in student.text
