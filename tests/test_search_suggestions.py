"""«Возможно, вы имели в виду …» only when the correction finds something the query did not."""

from __future__ import annotations

from tests.support.chat import ChatFactory

MAYBE = "Возможно, вы имели в виду"


async def test_no_correction_is_offered_when_the_results_were_right(chat: ChatFactory) -> None:
    student = chat("student")
    await student.send("гари потер")  # not «гарин потер»: Гарри Поттер was found
    assert "1. Гарри Поттер и " in student.text
    assert MAYBE not in student.text
    await student.send("пиковую даму")  # an inflected title is no misspelling
    assert "1. Пиковая дама — Пушкин А. С." in student.text
    assert MAYBE not in student.text
    await student.send("копитанская ночка")  # the typo found the book all the same
    assert "1. Капитанская дочка — Пушкин А. С." in student.text
    assert MAYBE not in student.text
    await student.send("мума")  # «Муму» is found; «ума» would only find «Горе от ума»
    assert "1. Муму — Тургенев И. С." in student.text
    assert MAYBE not in student.text


async def test_no_correction_that_is_itself_a_worse_match(chat: ChatFactory) -> None:
    student = chat("student")
    await student.send("отмени барабан")  # not «отмени барона»
    assert "ничего не нашлось" in student.text
    assert MAYBE not in student.text and not any(r.buttons for r in student.replies)
    # «привет» (once corrected to «живет») and «отмени бронь» are requests, not titles now.
    await student.send("привет")
    assert "ничего не нашлось" not in student.text and MAYBE not in student.text
    await student.send("отмени бронь")
    assert "ничего не нашлось" not in student.text and MAYBE not in student.text


async def test_a_typo_that_finds_nothing_gets_the_catalogs_spelling(chat: ChatFactory) -> None:
    student = chat("student")
    await student.send("мцму")
    assert "По запросу «мцму» ничего не нашлось. Возможно, вы имели в виду «муму»?" in (
        student.text
    )
    await student.press("🔎 муму")
    assert "1. Муму — Тургенев И. С." in student.text
