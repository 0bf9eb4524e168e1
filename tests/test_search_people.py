"""What a search shows depends on who asks: a guest, a reader of another school, a parent."""

from __future__ import annotations

from sqlalchemy import func, select, update

from db.engine import Database
from db.enums import ReaderCategory
from db.models import Item, Library, Reader, Record
from tests.support.chat import ChatFactory
from tests.support.library import linked_reader

ADULTS_ONLY = "Бойцовский клуб"  # 18+


# Age marks: an unknown age is a minor's ----------------------------------------------------


async def test_a_stranger_does_not_see_records_for_adults(chat: ChatFactory) -> None:
    guest = chat("stranger")  # never linked: nobody knows their age
    await guest.send("бойцовский клуб")
    assert ADULTS_ONLY not in guest.text
    assert "только книги с маркировкой 18+" in guest.text
    await guest.send("преступление и наказание")  # 16+ is still shown
    assert "1. Преступление и наказание — Достоевский Ф. М." in guest.text


async def test_a_reader_card_without_birth_year_or_class_counts_as_a_minor(
    chat: ChatFactory, demo_db: Database
) -> None:
    async with demo_db.transaction() as session:
        library_id = await session.scalar(select(Library.id).where(Library.code == "school-1"))
        session.add(Reader(library_id=library_id, card_number="9001", full_name="Новиков Пётр"))
    librarian = chat("librarian")
    reader = await linked_reader(chat, librarian, "9001", "petya")
    await reader.send("бойцовский клуб")
    assert ADULTS_ONLY not in reader.text


async def test_staff_and_parents_see_every_record(chat: ChatFactory) -> None:
    for persona in ("librarian", "parent", "methodist"):
        person = chat(persona)
        await person.send("бойцовский клуб")
        assert f"1. {ADULTS_ONLY}" in person.text, persona


# 📌 only where the reader can reserve --------------------------------------------------------

ONLY_ELSEWHERE = "Кусака"  # the demo's Гимназия №2 has no copy of it


async def test_a_book_only_at_other_schools_has_no_reserve_button(
    chat: ChatFactory, demo_db: Database
) -> None:
    async with demo_db.reading() as session:
        at_gymnasium = await session.scalar(
            select(func.count())
            .select_from(Item)
            .join(Record, Record.id == Item.record_id)
            .join(Library, Library.id == Item.library_id)
            .where(Record.title == ONLY_ELSEWHERE, Library.code == "school-2")
        )
    assert at_gymnasium == 0
    ilya = await linked_reader(chat, chat("librarian2"), "1001", "ilya")  # 5А, Гимназия №2

    await ilya.send("хочу взять кусака")
    assert f"1. {ONLY_ELSEWHERE} — Андреев Л. Н." in ilya.text
    assert "в вашей школе нет · Школа №1: " in ilya.text
    labels = [b.label for r in ilya.replies for row in r.buttons for b in row]
    assert "📌 1" not in labels and "📖 1" in labels

    await ilya.press("📖 1")
    assert "Забронировать" not in str([r.buttons for r in ilya.replies])
    assert (
        "В вашей школе (Гимназия №2) этой книги нет, поэтому забронировать её нельзя. "
        "Она есть: Школа №1" in ilya.text
    )

    await ilya.send("хочу взять каштанку")  # the gymnasium has that one
    assert "1. Каштанка — Чехов А. П." in ilya.text and "в вашей школе: 4 из 4" in ilya.text
    assert ilya.button("📌 1") and "📖" not in ilya.text


# Parents: each child's school, and who reserves ----------------------------------------------


async def test_a_parent_sees_each_childs_school_by_name(chat: ChatFactory) -> None:
    parent = chat("parent")  # Мария at Школа №1, Илья at Гимназия №2
    await parent.send("каштанка")
    assert "в вашей школе" not in parent.text
    line = parent.text.splitlines()[2].strip()
    assert line.startswith("Школа №1 (Мария): 5 из 5 · Гимназия №2 (Илья): 4 из 4"), line
    await parent.send("капитанская дочка")  # not at the gymnasium
    line = parent.text.splitlines()[2].strip()
    assert line.startswith("Школа №1 (Мария): 5 из 6 · Гимназия №2 (Илья): нет · "), line


async def test_a_parent_is_told_who_can_reserve(chat: ChatFactory) -> None:
    parent = chat("parent")
    await parent.send("каштанка")
    await parent.press("📖 1")
    assert "• Школа №1 (Мария): свободно 5 из 5\n• Гимназия №2 (Илья): свободно 4 из 4" in (
        parent.text
    )
    assert (
        "Забронировать книгу ребёнок может сам, в своём аккаунте, — или попросите "
        "библиотекаря его школы." in parent.text
    )
    assert "Забронировать" not in str([r.buttons for r in parent.replies])


async def test_a_teachers_card_is_not_limited_by_age_marks(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    await librarian.send("/register Учителева Ольга")  # no class: an adult's card once a teacher
    card = librarian.text.split("формуляр № ")[1].split(".")[0].split(" ")[0]
    async with demo_db.transaction() as session:
        await session.execute(
            update(Reader).where(Reader.card_number == card).values(category=ReaderCategory.TEACHER)
        )
    teacher = await linked_reader(chat, librarian, card, "teacher")
    await teacher.send("лолита")
    assert "Лолита" in teacher.text and "постарше" not in teacher.text
