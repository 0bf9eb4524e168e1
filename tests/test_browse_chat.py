"""Browsing by genre and subject, in a child's words: «фантастика», «что-нибудь про войну»,
«книги про животных», «сказки пушкина» — best-loved first, paged, within the reader's age,
without textbooks; a library's own MARC headings and BBK count too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from db.catalog_import import import_catalog
from db.engine import Database
from db.importers import ParsedRecord, read_catalog
from db.models import Record
from db.shelves import loan_counts
from nlu.subjects import SUBJECTS, bbk_subjects, find_subject, heading_subjects, match_subject
from tests.support.chat import ChatFactory
from tests.support.shared import shared_path


def listed(text: str) -> list[str]:
    """Titles of the numbered lines of a reply: «1. Каштанка — Чехов А. П., 2020» → Каштанка."""
    titles = []
    for line in text.splitlines():
        number, dot, rest = line.partition(". ")
        if dot and number.isdigit():
            titles.append(rest.split(" — ")[0])
    return titles


# The subject table, as the classifier uses it ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "subject", "rest"),
    [
        ("фантастика", "фантастика", ()),
        ("Фантастику хочу", "фантастика", ()),
        ("научная фантастика про роботов", "фантастика", ()),
        ("фонтастика", "фантастика", ()),  # one slip
        ("хочу что-нибудь про войну", "про войну", ()),
        ("книги о войне", "про войну", ()),
        ("книги про животных", "про животных", ()),
        ("про собак", "про животных", ()),
        ("детективы для подростков", "детектив", ()),
        ("детектвы", "детектив", ()),
        ("сказки пушкина", "сказки", ("пушкина",)),
        ("стихи", "поэзия", ()),
        ("русская классика", "русская классика", ()),
        ("книги про любовь", "про любовь", ()),
        ("ужастики", "ужасы", ()),
        ("что-нибудь смешное", "юмор", ()),
        ("фэнтэзи", "фэнтези", ()),
        ("зарубежная классика", "зарубежная литература", ()),
    ],
)
def test_a_childs_words_name_a_subject(text: str, subject: str, rest: tuple[str, ...]) -> None:
    found = find_subject(text)
    assert found is not None, text
    assert (found.key, found.rest) == (subject, rest)
    assert match_subject(text) == subject
    assert subject in SUBJECTS


@pytest.mark.parametrize("text", ["война и мир", "детство", "любовь", "мастер и маргарита"])
def test_a_topic_alone_is_a_title_not_a_subject(text: str) -> None:
    assert match_subject(text) is None


def test_catalog_headings_and_bbk_belong_to_subjects() -> None:
    assert heading_subjects("Фантастические рассказы") == {"фантастика"}
    assert heading_subjects("Великая Отечественная война, 1941-1945") == {"про войну"}
    assert heading_subjects("Животные -- Рассказы") == {"про животных"}
    assert heading_subjects("зарубежная классика") == {"зарубежная литература"}  # not русская
    assert heading_subjects("учебник") == frozenset()
    assert bbk_subjects("63.3(2)622") == {"история", "про войну"}
    assert bbk_subjects("84(2Рос=Рус)1") == {"русская классика"}
    assert bbk_subjects("84(4Шве)-44") == {"зарубежная литература"}


# Browsing in chat --------------------------------------------------------------------------


@pytest.mark.parametrize("phrase", ["фантастика", "Фантастику", "хочу научную фантастику"])
async def test_a_genre_lists_its_books_best_loved_first(
    chat: ChatFactory, demo_db: Database, phrase: str
) -> None:
    student = chat("student")
    await student.send(phrase)
    assert student.text.startswith("Фантастика: ")
    assert "сначала самые читаемые" in student.text
    titles = listed(student.text)
    assert len(titles) == 5 and "Страница 1 из " in student.text
    async with demo_db.reading() as session:
        ids = {
            r.title: r.id
            for r in await session.scalars(select(Record).where(Record.title.in_(titles)))
        }
        counts = await loan_counts(session, list(ids.values()))
    loved = [counts.get(ids[t], 0) for t in titles]
    assert loved == sorted(loved, reverse=True)


@pytest.mark.parametrize(
    ("phrase", "header", "expected"),
    [
        ("хочу что-нибудь про войну", "Книги о войне", "Судьба человека"),
        ("книги о войне", "Книги о войне", "Василий Тёркин"),
        ("книги про животных", "Книги о животных", "Каштанка"),
        ("есть что-нибудь про собак?", "Книги о животных", "Белый Клык"),
        ("детективы", "Детективы", "Собака Баскервилей"),
        ("стихи", "Стихи и поэмы", "Бородино"),
        ("книжки про школу", "Книги о школе", "Чучело"),
    ],
)
async def test_topics_in_a_childs_words(
    chat: ChatFactory, phrase: str, header: str, expected: str
) -> None:
    librarian = chat("librarian")  # sees every age: the whole subject
    await librarian.send(phrase)
    assert librarian.text.startswith(header + ": "), librarian.text[:80]
    pages = [librarian.text]
    while expected not in "\n".join(pages) and "Дальше" in str(librarian.replies[-1].buttons):
        await librarian.press("Дальше")
        pages.append(librarian.text)
    assert expected in "\n".join(pages)


async def test_a_subject_and_a_word_narrow_each_other(chat: ChatFactory) -> None:
    student = chat("student")
    await student.send("сказки пушкина")
    titles = listed(student.text)
    assert "Сказка о царе Салтане" in titles and "Сказка о рыбаке и рыбке" in titles
    assert "Капитанская дочка" not in titles  # Pushkin's, but no fairy tale
    assert "Аленький цветочек" not in titles  # a fairy tale, but not Pushkin's
    assert student.text.startswith("Сказки — «пушкин")  # the narrowing word, as read


async def test_a_narrowing_word_that_finds_nothing_offers_the_whole_subject(
    chat: ChatFactory,
) -> None:
    student = chat("student")
    await student.send("детективы толстого")
    assert "ничего не нашлось" in student.text
    await student.press("Детективы")
    assert student.text.startswith("Детективы: ")


async def test_classics_and_love_bring_no_textbooks(chat: ChatFactory) -> None:
    librarian = chat("librarian")
    for phrase in ("русская классика", "книги про любовь", "исторические романы"):
        await librarian.send(phrase)
        seen = [librarian.text]
        while "Дальше" in str(librarian.replies[-1].buttons):
            await librarian.press("Дальше")
            seen.append(librarian.text)
        assert not re.search(r"\d класс", "\n".join(seen)), phrase  # «История России. 7 класс»


async def test_the_readers_age_mark_holds_in_subjects(chat: ChatFactory) -> None:
    student, librarian = chat("student"), chat("librarian")  # Мария is 13
    seen: dict[str, list[str]] = {}
    for who, person in (("student", student), ("librarian", librarian)):
        await person.send("книги про любовь")
        pages = [person.text]
        while "Дальше" in str(person.replies[-1].buttons):
            await person.press("Дальше")
            pages.append(person.text)
        seen[who] = listed("\n".join(pages))
    assert "Анна Каренина" in seen["librarian"]  # 16+
    assert "Анна Каренина" not in seen["student"]
    assert "Алые паруса" in seen["student"]  # 12+


async def test_long_subjects_page_by_editing_the_message(chat: ChatFactory) -> None:
    student = chat("student")
    await student.send("сказки")
    assert "Страница 1 из " in student.text
    [page2] = await student.press("Дальше")
    assert page2.edit and "Страница 2 из " in page2.text and "6. " in page2.text
    [back] = await student.press("Назад")
    assert "Страница 1 из " in back.text
    await student.press("📖 1")
    assert "Где есть:" in student.text


async def test_a_parent_sees_each_childs_school(chat: ChatFactory) -> None:
    parent = chat("parent")
    await parent.send("приключения")
    assert parent.text.startswith("Приключения: ")
    assert "Школа №1 (Мария)" in parent.text


async def test_a_typo_in_the_genre_is_forgiven(chat: ChatFactory) -> None:
    student = chat("student")
    await student.send("детектвы")
    assert student.text.startswith("Детективы: ")


# The catalog's own headings and BBK ----------------------------------------------------------


async def test_a_librarys_marc_headings_put_its_books_in_subjects(
    chat: ChatFactory, demo_db: Database
) -> None:
    await import_catalog(demo_db, shared_path("data", "marc", "rusmarc-nlr-koi8r.iso"), "school-2")
    librarian = chat("librarian2")
    await librarian.send("книги про животных")
    pages = [librarian.text]
    while "Дальше" in str(librarian.replies[-1].buttons):
        await librarian.press("Дальше")
        pages.append(librarian.text)
    assert "Австралийские этюды" in listed("\n".join(pages))  # 606 «Животные»


def test_rusmarc_bbk_and_series_number_are_read() -> None:
    path = shared_path("data", "marc", "rusmarc-nlr-koi8r.iso")
    records = [r for r in read_catalog(path) if isinstance(r, ParsedRecord)]
    by_title = {r.title: r for r in records}
    assert by_title["Австралийские этюды"].bbk == "Д890(82)022"  # 686 $2 rubbk
    detectives = next(r for r in records if r.series == "Детективы СМ")
    assert detectives.series_number == 6  # 225 $v «N 6»
    assert sum(r.bbk is not None for r in records) >= 40


def test_marc21_bbk_is_read_from_084_of_a_bbk_scheme() -> None:
    path = shared_path("data", "marc", "marc21-rkp-cp1251.dat")
    records = [r for r in read_catalog(path) if isinstance(r, ParsedRecord)]
    mio = next(r for r in records if r.title.startswith("Мио, мой Мио"))
    assert mio.bbk == "84(4Шве)-44"
    assert bbk_subjects(mio.bbk) == {"зарубежная литература"}


def test_no_shared_marc_file_has_an_annotation() -> None:
    """330/520 are absent from ../shared's files: the synthetic records below read them."""
    for name in ("rusmarc-nlr-koi8r.iso", "rusmarc-tpu-koi8r.iso", "marc21-rkp-cp1251.dat"):
        path = shared_path("data", "marc", name)
        parsed = [r for r in read_catalog(path) if isinstance(r, ParsedRecord)]
        assert all(r.annotation is None for r in parsed), name


MARCXML = """<?xml version="1.0" encoding="UTF-8"?>
<collection xmlns="http://www.loc.gov/MARC21/slim">
 <record>
  <leader>00000nam a2200000 i 4500</leader>
  <datafield tag="084" ind1=" " ind2=" ">
   <subfield code="a">84(7Сое)-44</subfield><subfield code="2">rubbk</subfield></datafield>
  <datafield tag="084" ind1=" " ind2=" ">
   <subfield code="a">PZ7</subfield><subfield code="2">lcc</subfield></datafield>
  <datafield tag="100" ind1="1" ind2=" "><subfield code="a">Лондон, Джек.</subfield></datafield>
  <datafield tag="245" ind1="1" ind2="0"><subfield code="a">Белый Клык</subfield></datafield>
  <datafield tag="490" ind1="0" ind2=" ">
   <subfield code="a">Северные рассказы ;</subfield><subfield code="v">кн. 2</subfield></datafield>
  <datafield tag="520" ind1=" " ind2=" ">
   <subfield code="a">Волчонок становится другом человека.</subfield></datafield>
 </record>
 <record>
  <leader>00000nam a2200000 i 4500</leader>
  <datafield tag="100" ind1=" " ind2=" ">
   <subfield code="a">20100101d2010    k  y0rusy0150    ca</subfield></datafield>
  <datafield tag="200" ind1="1" ind2=" "><subfield code="a">Незнайка на Луне</subfield></datafield>
  <datafield tag="225" ind1="1" ind2=" ">
   <subfield code="a">Незнайка</subfield><subfield code="v">III</subfield></datafield>
  <datafield tag="330" ind1=" " ind2=" ">
   <subfield code="a">Незнайка и Пончик летят на Луну.</subfield></datafield>
  <datafield tag="686" ind1=" " ind2=" ">
   <subfield code="a">84(2Рос=Рус)6</subfield><subfield code="2">rubbk</subfield></datafield>
  <datafield tag="700" ind1=" " ind2="1">
   <subfield code="a">Носов</subfield><subfield code="g">Николай Николаевич</subfield></datafield>
 </record>
</collection>
"""


def test_annotation_bbk_and_series_number_from_marcxml(tmp_path: Path) -> None:
    path = tmp_path / "catalog.xml"
    path.write_text(MARCXML, encoding="utf-8")
    fang, moon = [r for r in read_catalog(path) if isinstance(r, ParsedRecord)]
    assert (fang.bbk, fang.series_number) == ("84(7Сое)-44", 2)  # the LCC 084 is not BBK
    assert fang.annotation == "Волчонок становится другом человека."
    assert (moon.bbk, moon.series_number) == ("84(2Рос=Рус)6", 3)  # 225 $v «III»
    assert moon.annotation == "Незнайка и Пончик летят на Луну."


async def test_imported_fields_reach_the_card(
    chat: ChatFactory, demo_db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text(
        "title,authors,series,series_number,bbk,annotation,subjects,copies\n"
        "Летучий корабль,Иванов И. И.,Воздушные повести,2,84(2Рос=Рус)6,"
        "Корабль летит над лесом.,приключения,1\n",
        encoding="utf-8",
    )
    await import_catalog(demo_db, path, "school-1")
    async with demo_db.reading() as session:
        record = await session.scalar(select(Record).where(Record.title == "Летучий корабль"))
    assert (record.series_number, record.bbk) == (2, "84(2Рос=Рус)6")
    assert record.annotation == "Корабль летит над лесом."
    student = chat("student")
    await student.send("летучий корабль")
    await student.press("📖 1")
    assert "Серия: Воздушные повести, книга 2" in student.text
    assert "О чём: Корабль летит над лесом." in student.text
    assert "Темы: приключения" in student.text
