"""A library's hours, address and closed days as people meet them: a student and a parent ask
(/hours, /address, or in their own words), the librarian keeps them up to date from the chat —
for their own library only — and someone not linked yet sees the network's few libraries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from db.engine import Database
from db.enums import AuditOutcome
from db.models import AuditEntry, Library, Network
from handlers import info
from messages import texts
from messages.i18n import say
from tests.support.chat import ChatFactory
from tests.support.clock import Clock
from tests.support.library import forge

SCHOOL_1_HOURS = "🕘 Часы работы: пн–пт 8:00–16:00, перерыв 12:00–12:30"
SCHOOL_1_ADDRESS = "📍 Адрес: ул. Школьная, 1, 2-й этаж, каб. 204"
SCHOOL_2_HOURS = "🕘 Часы работы: пн–чт 8:30–17:00, пт 8:30–15:00"


async def _library(db: Database, code: str) -> Library:
    async with db.reading() as session:
        library = await session.scalar(select(Library).where(Library.code == code))
        assert library is not None
        return library


async def test_a_student_sees_their_schools_hours_address_and_closed_days(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian, student = chat("librarian"), chat("student")
    await librarian.send("/closed 20.11 санитарный день")
    await librarian.send("/closed 25.11")
    await student.send("/hours")
    assert student.text == "\n".join(
        [
            "📚 Школа №1",
            SCHOOL_1_HOURS,
            SCHOOL_1_ADDRESS,
            "📅 Рабочие дни: пн–пт.",
            texts.INFO_CLOSED_HEADER,
            "• 20 ноября — санитарный день",
            "• 25 ноября — библиотека закрыта",
        ]
    )
    assert not student.replies[0].buttons  # nothing to change for a reader

    # Words after /hours are no change a reader may make: the answer is the same.
    await student.send("/hours пн–вс круглосуточно")
    assert SCHOOL_1_HOURS in student.text
    assert (await _library(demo_db, "school-1")).opening_hours.startswith("пн–пт 8:00")

    await student.send("/address")  # the address first
    lines = student.text.splitlines()
    assert lines[:3] == ["📚 Школа №1", SCHOOL_1_ADDRESS, SCHOOL_1_HOURS]


async def test_a_parent_sees_each_childs_school(chat: ChatFactory) -> None:
    parent = chat("parent")
    await parent.send("/hours")
    first, second = parent.text.split("\n\n")
    assert first.startswith("📚 Школа №1\n" + SCHOOL_1_HOURS)
    assert second.startswith("📚 Гимназия №2\n" + SCHOOL_2_HOURS)
    assert texts.INFO_NONE_CLOSED in second


@pytest.mark.parametrize(
    ("phrase", "first_line"),
    [
        ("когда работает библиотека", SCHOOL_1_HOURS),
        ("кагда работает библиотека", SCHOOL_1_HOURS),
        ("часы работы библиотеки", SCHOOL_1_HOURS),
        ("rjulf hf,jnftn ,b,kbjntrf", SCHOOL_1_HOURS),  # «когда работает библиотека», layout
        ("библиотека сегодня открыта?", SCHOOL_1_HOURS),
        ("где находится библиотека", SCHOOL_1_ADDRESS),
        ("в каком кабинете библиотека", SCHOOL_1_ADDRESS),
        ("адрес", SCHOOL_1_ADDRESS),
    ],
)
async def test_asked_in_their_own_words(chat: ChatFactory, phrase: str, first_line: str) -> None:
    for persona in ("student", "parent", "librarian"):
        person = chat(persona)
        await person.send(phrase)
        assert person.text.splitlines()[:2] == ["📚 Школа №1", first_line], persona
    # A librarian's question is a question too: the words never become the library's hours.
    assert texts.INFO_LIBRARIAN_USAGE in person.text


async def test_the_librarian_sets_the_hours_and_the_address_for_readers_to_see(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian, student = chat("librarian"), chat("student")
    await librarian.send("/hours")
    assert texts.INFO_LIBRARIAN_USAGE in librarian.text
    await librarian.send("/hours   пн–пт 8:00–16:00,  сб 9:00–13:00 ")
    assert librarian.text.startswith(
        say(texts.INFO_HOURS_SET, value="пн–пт 8:00–16:00, сб 9:00–13:00") + "\n\n📚 Школа №1"
    )
    await student.send("/hours")
    assert "🕘 Часы работы: пн–пт 8:00–16:00, сб 9:00–13:00" in student.text

    # ✏️ and one message; lines become one.
    await librarian.press("✏️ Адрес")
    assert librarian.text == texts.INFO_ASK_ADDRESS
    await librarian.send("ул. Школьная, 1\nкорпус 2, каб. 12")
    assert librarian.text.startswith(
        say(texts.INFO_ADDRESS_SET, value="ул. Школьная, 1; корпус 2, каб. 12")
    )
    await student.send("/address")
    assert "📍 Адрес: ул. Школьная, 1; корпус 2, каб. 12" in student.text

    # Too long: said so, and the bot still waits for it; «отмена» leaves it as it was.
    await librarian.press("✏️ Часы работы")
    await librarian.send("пн " * 200)
    assert librarian.text == say(texts.INFO_TOO_LONG, limit=300)
    await librarian.send("отмена")
    assert (await _library(demo_db, "school-1")).opening_hours == "пн–пт 8:00–16:00, сб 9:00–13:00"

    async with demo_db.reading() as session:
        changes = list(
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "library.info")
                .order_by(AuditEntry.id)
            )
        )
    assert [(e.outcome, e.library_id, e.detail["field"]) for e in changes] == [
        (AuditOutcome.OK, 1, "opening_hours"),
        (AuditOutcome.OK, 1, "address"),
    ]


async def test_a_librarian_changes_their_own_library_only(
    chat: ChatFactory, demo_db: Database
) -> None:
    other = chat("librarian2")  # Гимназия №2
    await other.send("/hours пн–пт 9:00–18:00")
    assert "📚 Гимназия №2" in other.text
    assert (await _library(demo_db, "school-2")).opening_hours == "пн–пт 9:00–18:00"
    assert (await _library(demo_db, "school-1")).opening_hours.startswith("пн–пт 8:00")

    # A reader's forged ✏️ is refused and audited; nothing waits for their next message.
    student = chat("student")
    await student.press_token(await forge(demo_db, "student", "info.edit", field="hours"))
    assert student.text == texts.ACCESS_DENIED
    await student.send("пн–пт круглосуточно")
    assert "Часы работы: пн–пт круглосуточно" not in student.text
    assert (await _library(demo_db, "school-1")).opening_hours.startswith("пн–пт 8:00")
    async with demo_db.reading() as session:
        refused = await session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "library.info", AuditEntry.outcome == AuditOutcome.REFUSED
            )
        )
    assert refused is not None


async def test_someone_not_linked_sees_the_few_libraries_or_is_asked_to_link(
    chat: ChatFactory, demo_db: Database
) -> None:
    stranger = chat("stranger")
    await stranger.send("/hours")
    assert stranger.text.splitlines() == [
        texts.INFO_ALL_HEADER,
        "📚 Гимназия №2: пр. Мира, 15, корпус Б, 1-й этаж",
        "🕘 пн–чт 8:30–17:00, пт 8:30–15:00",
        "📚 Лицей №3: ул. Лицейская, 3, читальный зал",
        "🕘 пн, ср, пт 9:00–15:00; вт, чт 12:00–18:00",
        "📚 Школа №1: ул. Школьная, 1, 2-й этаж, каб. 204",
        "🕘 пн–пт 8:00–16:00, перерыв 12:00–12:30",
        texts.INFO_ALL_FOOTER,
    ]
    methodist = chat("methodist")  # linked, to no library: nothing to link
    await methodist.send("/hours")
    assert methodist.text.startswith(texts.INFO_ALL_HEADER)
    assert texts.INFO_ALL_FOOTER not in methodist.text
    async with demo_db.transaction() as session:
        network = await session.scalar(select(Network.id))
        for n in range(4, 4 + info.SMALL_NETWORK - 2):
            session.add(
                Library(network_id=network, code=f"school-{n}", name=f"№ {n}", short_name=f"№{n}")
            )
    await stranger.send("/address")
    assert stranger.text == texts.INFO_NOT_LINKED


async def test_holidays_and_days_off_ahead(chat: ChatFactory, clock: Clock) -> None:
    clock.now = datetime(2026, 12, 21, 7, 0, tzinfo=UTC)
    student = chat("student")
    await student.send("/hours")
    assert student.text.split(texts.INFO_CLOSED_HEADER + "\n")[1].splitlines() == [
        "• 31 декабря — выходной день",  # a day off moved by decree
        "• 1–6 января — Новогодние каникулы",  # the weekend between stays in the span
        "• 7 января — Рождество Христово",
        "• 8 января — Новогодние каникулы",
    ]
