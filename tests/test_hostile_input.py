"""Hostile text at the edge of the core: NUL characters, lone surrogates, control characters,
numbers that only look like numbers, and messages far longer than anything a person types.

None of it may reach a query as it is (PostgreSQL refuses NUL and lone surrogates outright),
crash a handler, or cost more than a little memory. Memory is bounded with tracemalloc;
nothing here is timed.
"""

from __future__ import annotations

import tracemalloc

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import ButtonToken, Reader
from handlers.dispatcher import MAX_MESSAGE
from messages import texts
from messages.i18n import say
from nlu.normalize import ascii_int, clean_text
from nlu.search import MAX_QUERY
from nlu.search.index import MAX_WORDS, first_words
from tests.support.chat import ChatFactory
from tests.support.library import circulation_counts

# ---------------------------------------------------------------------------------------------
# Cleaning and parsing, on their own
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("война\x00 и мир", "война и мир"),
        ("\x00\x01\x07\x1b[31m\x7f", "[31m"),
        ("строка\r\nещё\rи ещё\tтаб", "строка\nещё\nи ещё\tтаб"),
        ("\ud800", "\ufffd"),
        ("a\udfffb\ud83d", "a\ufffdb\ufffd"),
        ("\ud83d\ude00", "😀"),  # a pair split in two: joined, not lost
        ("е\u0308жик", "ёжик"),  # NFC
        ("مرحبا 😀 漢字 ²", "مرحبا 😀 漢字 ²"),
        ("", ""),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    ("text", "value"),
    [("0", 0), ("7", 7), ("0042", 42), ("²", None), ("٣", None), ("３", None), ("", None),
     ("-1", None), ("+1", None), (" 1", None), ("1.0", None), ("9" * 19, None), ("9" * 5000, None)],
)  # fmt: skip
def test_ascii_int_reads_plain_ascii_digits_only(text: str, value: int | None) -> None:
    assert ascii_int(text) == value


# ---------------------------------------------------------------------------------------------
# Through the dispatcher
# ---------------------------------------------------------------------------------------------

HOSTILE = [
    "война\x00 и мир",
    "\x00",
    "\ud800",
    "гарри\udfff поттер",
    "\x1b[2J\x07",
    "/reader \x00",
    "/reader 1062\x00",
    "/register 1062 \x00",
    "/rule книги максимум \x00",
    "/issue \x00 \ud800",
    "/return \x00",
    "/code \ud800",
    "/closed \x00",
    "/notify \x00",
    "/notify тихо ² 5",
    "/notify тихо ٢٢ ٧",
    "/code ²",
    "/block ² порвал",
    "/issue ² ²",
    "²",
    "/classset \ud800",
    "хочу взять \x00",
]


@pytest.mark.parametrize("persona", ["student", "parent", "librarian", "methodist", "stranger"])
async def test_nul_and_surrogates_never_crash(chat: ChatFactory, persona: str) -> None:
    person = chat(persona)
    for text in HOSTILE:
        await person.send(text)
        assert texts.SORRY not in person.text, text


async def test_nul_in_a_query_is_dropped_and_the_search_works(chat: ChatFactory) -> None:
    student = chat("student")
    await student.send("капитанская\x00 дочка")
    assert "Капитанская дочка" in student.text
    assert "\x00" not in student.text


@pytest.mark.parametrize("token", ["\x00", "\x00" * 16, "\ud800", "abc\ud800def", "a" * 20_000])
async def test_a_forged_token_is_a_stale_button(chat: ChatFactory, token: str) -> None:
    student = chat("student")
    await student.press_token(token)
    assert student.text == texts.BUTTON_STALE


@pytest.mark.parametrize("value", ["²", "٣", "１", "9" * 500, "-1", "1e3"])
async def test_rule_values_are_plain_ascii_numbers(
    chat: ChatFactory, demo_db: Database, value: str
) -> None:
    librarian = chat("librarian")
    await librarian.send(f"/rule книги максимум {value}")
    assert librarian.text.startswith("Для «максимум» нужно число от"), librarian.text


async def test_a_message_too_long_is_refused_and_nothing_else_happens(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    await librarian.send("/issue")  # the desk now waits for a copy's number
    before = await circulation_counts(demo_db)
    await librarian.send("1" * (MAX_MESSAGE + 1))
    assert librarian.text == say(texts.TOO_LONG_MESSAGE, limit=MAX_MESSAGE)
    assert await circulation_counts(demo_db) == before
    await librarian.send("стоп")  # still waiting, as before the long message
    assert texts.NOTHING_TO_CANCEL not in librarian.text


@pytest.mark.parametrize("length", [MAX_QUERY + 1, MAX_MESSAGE])
async def test_a_search_too_long_is_refused(
    chat: ChatFactory, demo_db: Database, length: int
) -> None:
    student = chat("student")
    await student.send(("гарри поттер " * length)[: length - 1] + "р")
    assert student.text == say(texts.TOO_LONG_QUERY, limit=MAX_QUERY)


async def test_paging_buttons_never_keep_a_huge_query(chat: ChatFactory, demo_db: Database) -> None:
    student = chat("student")
    for length in (MAX_QUERY, MAX_QUERY + 1, 20_000):
        await student.send(("а " * length)[:length])
        await student.send(("пушкин " * length)[:length])
    async with demo_db.reading() as session:
        args = list(await session.scalars(select(ButtonToken.args)))
    assert all(len(str(a.get("query", ""))) <= MAX_QUERY for a in args)


async def test_a_long_block_reason_is_kept_to_its_column(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    await librarian.send("/reader 1062")
    await librarian.press("Заблокировать")
    await librarian.send("Порвала учебник. " * 50)
    assert texts.SORRY not in librarian.text
    async with demo_db.reading() as session:
        reason = await session.scalar(
            select(Reader.blocked_reason).where(
                Reader.card_number == "1062", Reader.blocked_reason.is_not(None)
            )
        )
    assert reason is not None and reason.startswith("Порвала учебник.") and len(reason) <= 300


async def test_a_long_block_reason_in_the_command_is_kept_to_its_column(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    await librarian.send("/block 1062 " + "Порвала учебник. " * 50)
    assert texts.SORRY not in librarian.text
    async with demo_db.reading() as session:
        reason = await session.scalar(
            select(Reader.blocked_reason).where(
                Reader.card_number == "1062", Reader.blocked_reason.is_not(None)
            )
        )
    assert reason is not None and len(reason) <= 300


# One word of 4,096 characters in every script: each costs a few MB at most, whatever it is.
SCRIPTS = {
    "latin": "abcdefghijklmnopqrstuvwxyz",
    "latin digraphs": "shchyoiy",
    "cyrillic": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "digits": "0123456789",
    "mixed": "aб1-'ж9z",
    "emoji": "😀📚🦊",
    "arabic": "مرحبا",
    "cjk": "漢字書籍",
}


@pytest.mark.parametrize("script", list(SCRIPTS))
@pytest.mark.parametrize("length", [40, MAX_QUERY, MAX_MESSAGE, 4_096])
async def test_one_long_word_costs_little_memory(
    chat: ChatFactory, script: str, length: int
) -> None:
    person = chat("stranger")
    await person.send("война и мир")  # the search index is built before measuring
    letters = SCRIPTS[script]
    word = (letters * (length // len(letters) + 1))[:length]
    tracemalloc.start()
    try:
        await person.send(word)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert texts.SORRY not in person.text
    assert peak < 20 * 1024 * 1024, f"{peak / 2**20:.1f} MB for {length} characters of {script}"


async def test_a_name_longer_than_the_card_holds_is_refused(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    async with demo_db.reading() as session:
        before = len(list(await session.scalars(select(Reader.id))))
    await librarian.send("/register " + "Иванова-Петрова Анна " * 20 + "7Б")
    assert librarian.text == say(texts.DESK_NAME_TOO_LONG, limit=200)
    async with demo_db.reading() as session:
        assert len(list(await session.scalars(select(Reader.id)))) == before


LONG_ARGS = [
    "/reader " + "Иванов " * 120,
    "/closed 30.12 " + "санитарный день " * 50,
    "/classset 7Б " + "Алгебра 7, " * 80,
    "/nocopy " + "Алгебра " * 100,
    "/collect " + "7Б " * 200,
    "/code " + "1" * 900,
    "/block 1062 " + "причина " * 100,
    "/issue " + "1" * 900,
    "/return " + "1" * 900,
    "/rule книги максимум " + "1" * 900,
    "/notify тихо " + "1 " * 400,
    "хочу взять " + "книгу " * 150,
]


@pytest.mark.parametrize("text", LONG_ARGS, ids=lambda t: t.split()[0])
async def test_long_arguments_within_the_message_limit_never_crash(
    chat: ChatFactory, text: str
) -> None:
    assert len(text) <= MAX_MESSAGE
    librarian = chat("librarian")
    await librarian.send(text)
    assert texts.SORRY not in librarian.text


def test_a_query_is_read_up_to_its_first_twelve_words() -> None:
    many = " ".join(f"w{n}" for n in range(40))
    assert first_words(many, MAX_WORDS).split() == [f"w{n}" for n in range(MAX_WORDS)]
    assert first_words(many, MAX_WORDS).endswith(" ")  # the last word read counts as finished
    assert first_words("гарри потт", MAX_WORDS) == "гарри потт"  # a short query is untouched
