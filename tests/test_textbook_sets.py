"""A grade's declared textbook list (the school's УМК list): declared, shown and trimmed from
chat by the librarian, refused to a reader and to a forged or stale button; and the textbook
coverage that counts it — every textbook of the list a row, one nobody has at 0 % — equal to
counts written here in SQL, while the network's report still names no reader."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import Database
from db.enums import AuditOutcome, FundKind
from db.indicators import Coverage, textbook_coverage
from db.models import AuditEntry, Record, TextbookSetEntry
from db.types import UTCDateTime
from messages import texts
from tests.support.chat import Chat, ChatFactory
from tests.support.clock import Clock
from tests.support.library import forge
from tests.test_reports import asked, assert_no_reader_named

TODAY = date(2026, 11, 16)  # FIXED_NOW's day in Moscow
NEW_TEXTBOOK = "Астрономия. 10–11 классы"  # the demo's, on the 10th and 11th grades' lists


def labels(person: Chat) -> list[str]:
    return [b.label for reply in person.replies for row in reply.buttons for b in row]


async def declared(db: Database, library_id: int, grade: int) -> list[str]:
    async with db.reading() as session:
        rows = await session.execute(
            text(
                "SELECT rec.title FROM textbook_sets ts JOIN records rec ON rec.id = ts.record_id "
                "WHERE ts.library_id = :l AND ts.grade = :g ORDER BY rec.title"
            ),
            {"l": library_id, "g": grade},
        )
        return [title for (title,) in rows]


async def audited(db: Database, action: str, outcome: AuditOutcome = AuditOutcome.OK) -> int:
    async with db.reading() as session:
        return (
            await session.scalar(
                select(func.count()).where(
                    AuditEntry.action == action, AuditEntry.outcome == outcome
                )
            )
            or 0
        )


# From chat ---------------------------------------------------------------------------------


async def test_a_librarian_declares_trims_and_shows_a_grades_list(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    await librarian.send("/textbook_set 7")
    assert librarian.text.startswith("Для 7-х классов список учебников не задан")
    assert labels(librarian) == []

    # A name with no number is the grade's; a name that is no textbook of the school is named
    # back, and what was found is kept.
    await librarian.send("/textbook_set 7 алгебра 7, русский язык; Квантовая хромодинамика")
    assert (
        "Добавлено в список 7-х классов: 2 учебника — «Алгебра. 7 класс», «Русский язык. 7 "
        "класс»." in librarian.text
    )
    assert "Не нашёл среди учебников вашей библиотеки: «Квантовая хромодинамика»." in (
        librarian.text
    )
    assert (
        "Учебники для 7-х классов (2 учебника):\n1. Алгебра. 7 класс\n2. Русский язык. 7 класс"
        in (librarian.text)
    )
    assert labels(librarian) == ["✖ 1", "✖ 2"]
    assert await declared(demo_db, 1, 7) == ["Алгебра. 7 класс", "Русский язык. 7 класс"]

    # Again, with one already there and one new; nothing is doubled.
    await librarian.send("/textbook_set 7-е Русский язык 7, литература 7")
    assert "Добавлено в список 7-х классов: 1 учебник — «Литература. 7 класс»." in librarian.text
    assert "Уже были в списке: «Русский язык. 7 класс»." in librarian.text
    assert await declared(demo_db, 1, 7) == [
        "Алгебра. 7 класс",
        "Литература. 7 класс",
        "Русский язык. 7 класс",
    ]

    # ✖ 1 takes the first line out; the list is shown again in the same message.
    (reply,) = await librarian.press("✖ 1")
    assert reply.edit
    assert librarian.text.startswith("✖ Убран из списка: «Алгебра. 7 класс».")
    assert "(2 учебника):\n1. Литература. 7 класс\n2. Русский язык. 7 класс" in librarian.text
    assert await declared(demo_db, 1, 7) == ["Литература. 7 класс", "Русский язык. 7 класс"]
    assert await audited(demo_db, "textbook_set.add") == 2
    assert await audited(demo_db, "textbook_set.remove") == 1

    # Nothing found: the list stays as it was. A grade that is none: said so.
    await librarian.send("/textbook_set 7 квантовая хромодинамика")
    assert librarian.text.startswith("Не нашёл среди учебников вашей библиотеки")
    assert "Список не изменился" in librarian.text
    await librarian.send("/textbook_set 12 алгебра")
    assert librarian.text == texts.TEXTBOOK_SET_BAD_GRADE
    await librarian.send("/textbook_set")
    assert librarian.text == texts.TEXTBOOK_SET_USAGE

    # A catalog textbook the fund counts as a learning aid is no textbook of the list.
    async with demo_db.transaction() as session:
        await session.execute(
            update(Record).where(Record.title == "Химия. 8 класс").values(fund_kind=FundKind.AID)
        )
    await librarian.send("/textbook_set 8 химия, физика 8")
    assert "Добавлено в список 8-х классов: 1 учебник — «Физика. 8 класс»." in librarian.text
    assert "Не нашёл среди учебников вашей библиотеки: «химия»." in librarian.text
    assert await declared(demo_db, 1, 8) == ["Физика. 8 класс"]
    assert "/textbook_set 7" in (await librarian.send("/help"))[0].text
    assert await declared(demo_db, 1, 7) == ["Литература. 7 класс", "Русский язык. 7 класс"]


async def test_a_stale_or_forged_remove_button_and_a_reader_are_refused(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    await librarian.send("/textbook_set 8 алгебра 8, физика 8")
    assert await declared(demo_db, 1, 8) == ["Алгебра. 8 класс", "Физика. 8 класс"]
    stale = librarian.button("✖ 1").token
    await librarian.press("✖ 1")
    assert await declared(demo_db, 1, 8) == ["Физика. 8 класс"]
    # The same button again: the line is gone already, nothing else is touched.
    await librarian.press_token(stale)
    assert librarian.text.startswith(texts.TEXTBOOK_SET_GONE)
    assert "1. Физика. 8 класс" in librarian.text
    assert await declared(demo_db, 1, 8) == ["Физика. 8 класс"]

    async with demo_db.reading() as session:
        physics = await session.scalar(
            select(TextbookSetEntry.record_id).where(
                TextbookSetEntry.library_id == 1, TextbookSetEntry.grade == 8
            )
        )
    assert physics is not None
    # The other school's librarian, forging a button of school-1: refused, nothing removed.
    other = chat("librarian2")
    await other.send("/help")
    forged = await forge(
        demo_db, "librarian2", "textbook_set.remove", library_id=1, grade=8, record_id=physics
    )
    await other.press_token(forged)
    assert other.text == texts.ACCESS_DENIED
    # A student: refused the command and a forged button alike.
    student = chat("student")
    await student.send("/textbook_set 8 химия 8")
    assert student.text == texts.ACCESS_DENIED
    await student.press_token(
        await forge(
            demo_db, "student", "textbook_set.remove", library_id=1, grade=8, record_id=physics
        )
    )
    assert student.text == texts.ACCESS_DENIED
    # A grade out of the school's range, forged: refused as well.
    await librarian.press_token(
        await forge(
            demo_db, "librarian", "textbook_set.remove", library_id=1, grade=12, record_id=physics
        )
    )
    assert "Параллели 12 в школе нет" in librarian.text
    assert await declared(demo_db, 1, 8) == ["Физика. 8 класс"]
    assert await audited(demo_db, "textbook_set.remove", AuditOutcome.REFUSED) >= 2
    assert await audited(demo_db, "textbook_set.add", AuditOutcome.REFUSED) == 1


# The coverage ------------------------------------------------------------------------------

STUDENTS_SQL = """SELECT class_name, count(*) FROM readers WHERE library_id = :l
                  AND category = 'student' AND class_name IS NOT NULL AND erased_at IS NULL
                  GROUP BY class_name"""
# Students of a class holding a copy of a record at :at (a textbook by its fund or catalog kind).
HELD_SQL = """
    SELECT r.class_name, i.record_id, rec.title, count(DISTINCT o.reader_id) FROM loans o
      JOIN items i ON i.id = o.item_id JOIN records rec ON rec.id = i.record_id
      JOIN readers r ON r.id = o.reader_id
    WHERE o.library_id = :l AND r.library_id = :l AND r.category = 'student'
      AND r.class_name IS NOT NULL AND r.erased_at IS NULL
      AND coalesce(rec.fund_kind, rec.kind) = 'textbook'
      AND o.issued_at < :at AND (o.returned_at IS NULL OR o.returned_at >= :at)
    GROUP BY r.class_name, i.record_id, rec.title"""
LIST_SQL = """SELECT ts.grade, rec.id, rec.title FROM textbook_sets ts
              JOIN records rec ON rec.id = ts.record_id WHERE ts.library_id = :l"""


def _grade(class_name: str) -> int:
    return int(re.match(r"\d+", class_name).group())  # type: ignore[union-attr]


async def expected_coverage(session: AsyncSession, library_id: int, day: date) -> set[tuple]:
    """(class, title, holding, students, declared) as the rule says, counted here: a class of
    a grade with a list has a row per textbook of it; any other class, a row per textbook one
    of its students holds."""
    at = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC) - timedelta(hours=3)
    held_sql = text(HELD_SQL).bindparams(bindparam("at", type_=UTCDateTime()))
    held = {
        (c, record_id): (title, n)
        for c, record_id, title, n in await session.execute(held_sql, {"l": library_id, "at": at})
    }
    students = dict((await session.execute(text(STUDENTS_SQL), {"l": library_id})).all())
    lists: dict[int, list[tuple[int, str]]] = {}
    for grade, record_id, title in await session.execute(text(LIST_SQL), {"l": library_id}):
        lists.setdefault(grade, []).append((record_id, title))
    rows = set()
    for class_name, count in students.items():
        if _grade(class_name) in lists:
            for record_id, title in lists[_grade(class_name)]:
                n = held.get((class_name, record_id), ("", 0))[1]
                rows.add((class_name, title, n, count, True))
        else:
            rows |= {
                (class_name, title, n, count, False)
                for (c, _), (title, n) in held.items()
                if c == class_name
            }
    return rows


def _rows(coverage: list[Coverage]) -> set[tuple]:
    for row in coverage:
        assert row.share == row.holding / row.students
    return {(r.class_name, r.subject, r.holding, r.students, r.declared) for r in coverage}


async def test_the_coverage_counts_every_textbook_of_a_declared_list(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    # The demo declares the 10th and 11th grades' lists with a textbook nobody has yet.
    async with demo_db.reading() as session:
        for library_id in (1, 2):
            coverage = await textbook_coverage(session, library_id, TODAY)
            assert _rows(coverage) == await expected_coverage(session, library_id, TODAY)
            zero = {(r.class_name, r.subject) for r in coverage if r.holding == 0}
            assert {("10А", NEW_TEXTBOOK), ("11А", NEW_TEXTBOOK)} <= zero
            assert all(r.declared for r in coverage if _grade(r.class_name) >= 10)

    # The 7th grade gets a list; 7Б gets its Russian, 7А nothing: 7А shows at 0 % for each.
    librarian = chat("librarian")
    await librarian.send("/textbook_set 7 алгебра 7, русский язык 7")
    await librarian.send("выдать 7Б комплект: Русский язык 7")
    await librarian.press("Выдать комплект")
    assert "Выдано 13 экземпляров ученикам 7Б." in librarian.text
    async with demo_db.reading() as session:
        coverage = await textbook_coverage(session, 1, TODAY)
        assert _rows(coverage) == await expected_coverage(session, 1, TODAY)
        seventh = {(r.class_name, r.subject): r.holding for r in coverage if r.class_name[0] == "7"}
        assert seventh == {
            ("7А", "Алгебра. 7 класс"): 0,
            ("7А", "Русский язык. 7 класс"): 0,
            ("7Б", "Алгебра. 7 класс"): 0,
            ("7Б", "Русский язык. 7 класс"): 13,
        }
        # A textbook lent outside a declared list is no row of it: the list is the set.
        assert not [r for r in coverage if r.class_name == "7Б" and "Литература" in r.subject]

    # The report's sheet shows the 0 % rows and says how each class's set was counted.
    reply = await asked(demo_db, clock, librarian, "/report")
    (document,) = [f for f in reply.files if f.kind == "document"]
    sheet = load_workbook(io.BytesIO(document.data))["Обеспеченность учебниками"]
    assert sheet.cell(4, 6).value == "Как считан набор"
    cells = {
        (sheet.cell(r, 1).value, sheet.cell(r, 2).value): (
            sheet.cell(r, 3).value,
            sheet.cell(r, 4).value,
            sheet.cell(r, 6).value,
        )
        for r in range(5, sheet.max_row + 1)
    }
    assert cells[("7А", "Алгебра. 7 класс")][0] == 0
    assert cells[("7А", "Алгебра. 7 класс")][2] == "список параллели"
    assert cells[("10А", NEW_TEXTBOOK)][0] == 0


async def test_the_network_report_names_no_reader_with_the_lists_declared(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    await chat("librarian").send("/textbook_set 7 алгебра 7, русский язык 7")
    reply = await asked(demo_db, clock, chat("methodist"), "/stats")
    await assert_no_reader_named(demo_db, reply)
