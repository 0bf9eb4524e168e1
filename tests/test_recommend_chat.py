"""What to read: the school list of one's grade and of the next (for the summer), what is new at
school, what one's grade reads most (counted, never who), a short mix — and «похожие» on a card.
A reader's age mark holds everywhere."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import distinct, func, select

from db.engine import Database
from db.models import Item, Loan, Reader, Record
from db.programme import GRADES, programme
from db.shelves import MIN_READERS, grade_of
from tests.support.chat import Chat, ChatFactory


def listed(text: str) -> list[str]:
    titles = []
    for line in text.splitlines():
        number, dot, rest = line.partition(". ")
        if dot and number.isdigit():
            titles.append(rest.split(" — ")[0])
    return titles


async def every_page(person: Chat) -> str:
    """The text of this page and every page after it (pressing «Дальше»)."""
    pages = [person.text]
    while "Дальше" in str(person.replies[-1].buttons):
        await person.press("Дальше")
        pages.append(person.text)
    return "\n".join(pages)


# The reading list as data -------------------------------------------------------------------


def test_the_programme_covers_every_grade() -> None:
    lists = programme()
    assert set(lists) == set(GRADES)
    for grade, works in lists.items():
        assert 8 <= len(works) <= 15, grade
        assert len({(w.title, w.author) for w in works}) == len(works), grade


async def test_the_demo_carries_most_of_the_list(demo_db: Database) -> None:
    async with demo_db.reading() as session:
        titles = set(await session.scalars(select(Record.title)))
    works = [w for listed in programme().values() for w in listed]
    assert sum(w.title in titles for w in works) >= len(works) - 3


# The school list ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phrase", ["список литературы", "что почитать по программе", "программа по литературе"]
)
async def test_a_student_gets_her_grades_list_with_availability(
    chat: ChatFactory, phrase: str
) -> None:
    student = chat("student")  # Мария, 7Б
    await student.send(phrase)
    assert student.text.startswith("Список литературы, 7 класс — ")
    text = await every_page(student)
    assert "Тарас Бульба — Гоголь Н. В." in text
    assert "в вашей школе: " in text
    assert "Страница 1 из " in text


@pytest.mark.parametrize(
    ("phrase", "grade", "work"),
    [
        ("список литературы для 5 класса", 5, "Муму — Тургенев И. С."),
        ("что читать в 9 классе", 9, "Горе от ума — Грибоедов А. С."),
    ],
)
async def test_any_grades_list_on_request(
    chat: ChatFactory, phrase: str, grade: int, work: str
) -> None:
    librarian = chat("librarian")
    await librarian.send(phrase)
    assert librarian.text.startswith(f"Список литературы, {grade} класс — ")
    assert work in await every_page(librarian)


async def test_a_work_the_catalog_lacks_says_so(chat: ChatFactory) -> None:
    librarian = chat("librarian")
    await librarian.send("список литературы для 1 класса")
    text = await every_page(librarian)
    assert "Под грибом — Сутеев В. Г.\n   в каталоге сети нет" in text


async def test_the_list_keeps_to_the_readers_age(chat: ChatFactory) -> None:
    student = chat("student")  # 13: the 11th grade's «Мастер и Маргарита» is 16+
    await student.send("список литературы для 11 класса")
    text = await every_page(student)
    assert "Мастер и Маргарита" not in text
    assert "Двенадцать — Блок А. А." in text  # 12+


@pytest.mark.parametrize("phrase", ["что почитать летом", "список на лето"])
async def test_summer_is_the_next_grades_list(chat: ChatFactory, phrase: str) -> None:
    student = chat("student")
    await student.send(phrase)
    assert student.text.startswith("На лето перед 8 классом — список 8 класса, ")
    assert "Капитанская дочка — Пушкин А. С." in await every_page(student)


async def test_a_parent_chooses_the_child(chat: ChatFactory) -> None:
    parent = chat("parent")  # Мария, 7Б, and Илья, 5А
    await parent.send("список литературы")
    assert "Для кого из детей" in parent.text
    await parent.press("Илья, 5А")
    assert parent.text.startswith("Список литературы, 5 класс — ")
    await parent.send("что почитать летом")
    await parent.press("Мария, 7Б")
    assert parent.text.startswith("На лето перед 8 классом")


async def test_a_librarian_chooses_the_grade(chat: ChatFactory) -> None:
    librarian = chat("librarian")
    await librarian.send("список литературы")
    assert "Для какого класса" in librarian.text
    await librarian.press("10 класс")
    assert librarian.text.startswith("Список литературы, 10 класс — ")
    assert "Отцы и дети — Тургенев И. С." in await every_page(librarian)


# New arrivals, what the grade reads --------------------------------------------------------


@pytest.mark.parametrize("phrase", ["что нового", "новинки"])
async def test_new_arrivals_of_the_readers_school(chat: ChatFactory, phrase: str) -> None:
    student, librarian = chat("student"), chat("librarian")
    await student.send(phrase)
    assert student.text.startswith("Новые поступления (Школа №1) за два месяца: ")
    titles = listed(await every_page(student))
    assert titles[0] == "Гарри Поттер и Дары Смерти"  # came in four days ago: newest first
    assert "Бесконечная история" in titles
    assert "Книжный вор" not in titles  # 16+: Мария is 13
    assert "Война и мир" not in titles  # on the shelf for a year
    await librarian.send(phrase)
    assert "Книжный вор" in listed(await every_page(librarian))


async def test_a_school_without_new_books_says_so(chat: ChatFactory) -> None:
    librarian = chat("librarian3")  # Лицей №3 got nothing this autumn
    await librarian.send("что нового")
    assert librarian.text == "За последние два месяца новых книг не поступало (Лицей №3)."


@pytest.mark.parametrize("phrase", ["что популярное", "что сейчас все читают"])
async def test_what_the_grade_reads_most_counted_not_named(
    chat: ChatFactory, demo_db: Database, phrase: str
) -> None:
    student = chat("student")
    await student.send(phrase)
    assert student.text.startswith("Что больше всего читают в 7-х классах школ сети:")
    titles = listed(await every_page(student))
    assert titles
    async with demo_db.reading() as session:
        seventh = [
            c
            for c in await session.scalars(select(Reader.class_name).distinct())
            if grade_of(c) == 7
        ]
        names = set(await session.scalars(select(Reader.full_name)))
        for title in titles:
            readers = await session.scalar(
                select(func.count(distinct(Loan.reader_id)))
                .join(Item, Item.id == Loan.item_id)
                .join(Record, Record.id == Item.record_id)
                .join(Reader, Reader.id == Loan.reader_id)
                .where(Record.title == title, Reader.class_name.in_(seventh))
            )
            assert readers >= MIN_READERS, title
    assert not any(name in student.text for name in names)  # never who


async def test_the_mix_has_a_little_of_each(chat: ChatFactory) -> None:
    student = chat("student")
    await student.send("что почитать")
    text = student.text
    assert text.startswith("Что почитать — несколько идей:")
    for section in ("📚 По программе 7 класса:", "🔥 Читают чаще всего:", "🆕 Новое в библиотеке:"):
        assert section in text
    assert len(listed(text)) == 6
    labels = [b.label for row in student.replies[0].buttons for b in row]
    assert {"📚 Список 7 кл.", "☀️ На лето", "🔥 Популярное", "🆕 Новинки"} <= set(labels)
    await student.press("На лето")
    assert student.text.startswith("На лето перед 8 классом")
    await student.send("посоветуй что почитать")
    await student.press("Новинки")
    assert student.text.startswith("Новые поступления (Школа №1)")


async def test_a_stranger_gets_the_network_and_a_way_to_link(chat: ChatFactory) -> None:
    guest = chat("stranger")
    await guest.send("что нового")
    assert "Привяжите формуляр" in guest.text
    await guest.send("что популярное")
    assert guest.text.startswith("Что больше всего читают в школах сети:")


# «Похожие» and the card ---------------------------------------------------------------------


async def test_similar_books_from_a_card(chat: ChatFactory) -> None:
    student = chat("student")
    await student.send("гарри поттер и философский камень")
    await student.press("📖 1")
    card = student.text
    assert "Серия: Гарри Поттер, книга 1" in card
    assert "О чём: Одиннадцатилетний Гарри узнаёт, что он волшебник" in card
    assert "тайну, спрятанную в замке.\n" in card  # the annotation keeps its full stop
    assert "Темы: фэнтези, зарубежная литература" in card
    assert "▸ 1. Гарри Поттер и философский камень" in card
    assert re.search(r"7\. Гарри Поттер и Дары Смерти", card)
    await student.press("Похожие")
    assert student.text.startswith("Похожие на книгу «Гарри Поттер и философский камень»: ")
    titles = listed(student.text)
    assert titles[:2] == ["Гарри Поттер и Тайная комната", "Гарри Поттер и узник Азкабана"]
    assert "Гарри Поттер и философский камень" not in titles


async def test_similar_keeps_to_the_readers_age(chat: ChatFactory) -> None:
    student = chat("student")
    await student.send("белые ночи")  # Достоевский, 12+; his other novels are 16+
    await student.press("📖 1")
    await student.press("Похожие")
    text = await every_page(student)
    for adult in ("Преступление и наказание", "Идиот", "Братья Карамазовы", "Бесы"):
        assert adult not in text
    assert "Бедные люди" in text  # Dostoevsky, 12+
