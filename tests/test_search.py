"""Search as children and librarians use it, over the demo catalog, on both databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from db.catalog import edit_record, log_change
from db.catalog_import import import_catalog
from db.engine import Database
from db.models import Item, Library, Loan, Record, RecordIsbn
from db.search import CatalogSearch
from handlers.services import Services
from tests.conftest import FIXED_NOW
from tests.support.chat import ChatFactory
from tests.support.shared import shared_path

ROOT = Path(__file__).resolve().parents[1]


async def found(
    services: Services, query: str, max_age: int | None = None
) -> list[tuple[str, str]]:
    """(title, authors) of the hits, best first."""
    async with services.db.reading() as session:
        hits = await services.search.search(session, query, max_age=max_age)
        ids = [h.record_id for h in hits]
        rows = {
            r.id: (r.title, r.authors)
            for r in await session.scalars(select(Record).where(Record.id.in_(ids)))
        }
    return [rows[i] for i in ids]


# The queries of the first paragraph ------------------------------------------------


@pytest.mark.parametrize(
    ("query", "title", "authors"),
    [
        ("гари потер", "Гарри Поттер и", "Роулинг Дж. К."),  # two typos
        ("djqyf b vbh", "Война и мир", "Толстой Л. Н."),  # typed with the Latin layout on
        ("voina i mir", "Война и мир", "Толстой Л. Н."),  # transliterated
        ("толстой война", "Война и мир", "Толстой Л. Н."),  # author first, a title word
        ("1984 оруэл", "1984", "Оруэлл Дж."),  # a number as a title, a typo in the author
        ("Л.Н.Толстой", "", "Толстой Л. Н."),  # initials stuck to the surname
        ("Лев Толстой", "", "Толстой Л. Н."),  # given name instead of initials
        ("ufhhb gjnnth", "Гарри Поттер и", "Роулинг Дж. К."),
        ("garri potter", "Гарри Поттер и", "Роулинг Дж. К."),
        ("мертвые души", "Мёртвые души", "Гоголь Н. В."),  # ё forgiven
        ("мастер и марг", "Мастер и Маргарита", "Булгаков М. А."),  # still typing
        ("капитанская дочка пушкин", "Капитанская дочка", "Пушкин А. С."),
        # «хочу взять пиковую даму»: the title in the accusative, as a request puts it
        ("пиковую даму", "Пиковая дама", "Пушкин А. С."),
        ("вишневого сада", "Вишнёвый сад", "Чехов А. П."),
    ],
)
async def test_children_typing_finds_the_book_first(
    services: Services, query: str, title: str, authors: str
) -> None:
    top_title, top_authors = (await found(services, query))[0]
    assert top_title.startswith(title) and top_authors == authors, (query, top_title, top_authors)


async def test_initials_and_names_rank_that_author_before_namesakes(services: Services) -> None:
    for query in ("Л.Н.Толстой", "Лев Николаевич Толстой", "толстой л н"):
        results = await found(services, query)
        leo = [a for _, a in results if a == "Толстой Л. Н."]
        first_other = next(i for i, (_, a) in enumerate(results) if a != "Толстой Л. Н.")
        assert first_other == len(leo), query  # every book of Лев Николаевич comes first


async def test_exact_beats_prefix_beats_fuzzy(services: Services) -> None:
    """«чайка»: the play «Чайка» itself, then titles with that word, then lookalikes."""
    results = [t for t, _ in await found(services, "чайка")]
    assert results[0] == "Чайка"
    harry = [t for t, _ in await found(services, "гарри поттер и философский камень")]
    assert harry[0] == "Гарри Поттер и философский камень"
    typing = [t for t, _ in await found(services, "незна")]
    assert typing and all(t.startswith(("Незнайка", "Приключения Незнайки")) for t in typing[:3])


async def test_isbn_with_or_without_hyphens_and_isbn10_find_the_record(
    services: Services, demo_db: Database
) -> None:
    await import_catalog(demo_db, shared_path("data", "marc", "marc21-rkp-cp1251.dat"), "school-1")
    async with demo_db.reading() as session:
        isbn13, title = (
            await session.execute(select(RecordIsbn.isbn13, Record.title).join(Record).limit(1))
        ).one()
    body = isbn13[3:12]
    check = (11 - sum((10 - i) * int(c) for i, c in enumerate(body)) % 11) % 11
    isbn10 = body + ("X" if check == 10 else str(check))
    for query in (isbn13, f"{isbn13[:3]}-{isbn13[3]}-{isbn13[4:8]}-{isbn13[8:12]}-{isbn13[12]}",
                  isbn10, f"ISBN {isbn10[0]}-{isbn10[1:4]}-{isbn10[4:9]}-{isbn10[9]}"):  # fmt: skip
        assert [t for t, _ in await found(services, query)] == [title], query


async def test_students_never_see_records_above_their_age(chat: ChatFactory) -> None:
    student = chat("student")  # Мария, 7Б: 13 years old
    await student.send("преступление и наказание")  # 16+
    assert "только книги для читателей постарше" in student.text
    librarian = chat("librarian")
    await librarian.send("преступление и наказание")
    assert "1. Преступление и наказание — Достоевский Ф. М." in librarian.text


# What a reply looks like ----------------------------------------------------------------------


async def test_a_result_line_shows_where_copies_are_free(chat: ChatFactory) -> None:
    student = chat("student")
    await student.send("капитанская дочка")
    assert "1. Капитанская дочка — Пушкин А. С., " in student.text
    line = student.text.splitlines()[2]
    assert line.strip().startswith("в вашей школе: ")
    assert " из " in line and "·" in line  # the other schools with free copies follow


async def test_long_lists_page_by_editing_the_message(chat: ChatFactory) -> None:
    librarian = chat("librarian")
    await librarian.send("толстой")
    first = librarian.text
    assert "Страница 1 из " in first and "1. " in first
    [page2] = await librarian.press("Дальше")
    assert page2.edit and "Страница 2 из " in page2.text and "6. " in page2.text
    [back] = await librarian.press("Назад")
    assert "Страница 1 из " in back.text


async def test_the_reading_of_a_wrong_layout_query_is_shown(chat: ChatFactory) -> None:
    student = chat("student")
    await student.send("djqyf b vbh")
    assert "английская раскладка — ищу «война и мир»" in student.text


async def test_a_librarian_finds_a_copy_by_inventory_number_or_barcode(
    chat: ChatFactory, demo_db: Database
) -> None:
    async with demo_db.reading() as session:
        item, title = (
            await session.execute(
                select(Item, Record.title).join(Record).join(Library, Library.id == Item.library_id)
                .where(Library.code == "school-1").order_by(Item.id).limit(1)
            )
        ).one()  # fmt: skip
    librarian = chat("librarian")
    for code in (item.inventory_number, item.barcode):
        await librarian.send(code)
        assert f"Экземпляр инв. № {item.inventory_number} (штрихкод {item.barcode}): {title}" in (
            librarian.text
        )
    other_school = chat("librarian2")  # another school's copy numbers are not theirs
    await other_school.send(item.barcode)
    assert "Экземпляр инв." not in other_school.text
    student = chat("student")  # and students do not look up copies at all
    await student.send(item.barcode)
    assert "Экземпляр инв." not in student.text


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("есть ли Гарри Поттер?", "Нашлось 7 записей по запросу «гарри поттер»"),
        ("хочу взять 1984", "1. 1984 — Оруэлл Дж."),
        ("когда сдавать книгу?", "Мария: на руках 2 книги."),
        ("продли книгу", "Мария: на руках 2 книги."),
        ("помощь", "Что я умею"),
    ],
)
async def test_free_text_intents(chat: ChatFactory, message: str, expected: str) -> None:
    parent = chat("parent")
    await parent.send(message)
    assert expected in parent.text


# Following the catalog ----------------------------------------------------------------------


async def test_imports_edits_and_deletions_are_searchable_at_once(
    services: Services, demo_db: Database
) -> None:
    query = "австралийские этюды гржимек"
    assert await found(services, query) == []  # the index is loaded now
    await import_catalog(demo_db, shared_path("data", "marc", "rusmarc-nlr-koi8r.iso"), "school-2")
    assert (await found(services, query))[0][0] == "Австралийские этюды"

    async with demo_db.transaction() as session:
        record_id = await session.scalar(select(Record.id).where(Record.title == "Каштанка"))
        await edit_record(session, record_id, title="Каштанка и Тётка")
    assert (await found(services, "каштанка тетка"))[0][0] == "Каштанка и Тётка"

    async with demo_db.transaction() as session:
        copies = select(Item.id).where(Item.record_id == record_id)
        await session.execute(delete(Loan).where(Loan.item_id.in_(copies)))  # the demo's past
        await session.execute(delete(Item).where(Item.record_id == record_id))
        await session.execute(delete(Record).where(Record.id == record_id))
        log_change(session, record_id)
    assert "Каштанка и Тётка" not in [t for t, _ in await found(services, "каштанка тетка")]


async def test_a_saved_index_is_loaded_and_only_later_changes_replayed(
    demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "index"
    first = CatalogSearch(index_dir=folder)
    async with demo_db.reading() as session:
        await first.refresh(session)
    assert (folder / "meta.json").exists()
    async with demo_db.transaction() as session:
        record_id = await session.scalar(select(Record.id).where(Record.title == "Каштанка"))
        await edit_record(session, record_id, title="Белолобый")

    from nlu.search import SearchIndex

    def no_build(*_: object) -> None:
        raise AssertionError("the saved index should have been used")

    monkeypatch.setattr(SearchIndex, "build", no_build)
    second = CatalogSearch(index_dir=folder)
    async with demo_db.reading() as session:
        hits = await second.search(session, "белолобый")
    assert [h.record_id for h in hits][:1] == [record_id]
    assert len(second.index.delta) == 1


async def test_a_saved_index_of_another_catalog_is_not_used(
    demo_db: Database, tmp_path: Path
) -> None:
    folder = tmp_path / "index"
    async with demo_db.reading() as session:
        await CatalogSearch(index_dir=folder).refresh(session)
    meta = json.loads((folder / "meta.json").read_text())
    meta["catalog_id"] = "another-catalog"
    (folder / "meta.json").write_text(json.dumps(meta))
    again = CatalogSearch(index_dir=folder)
    async with demo_db.reading() as session:
        await again.refresh(session)
    assert json.loads((folder / "meta.json").read_text())["catalog_id"] != "another-catalog"


# Command line ---------------------------------------------------------------------------------


def test_cli_search_json_and_batch(demo_db: Database, tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": demo_db.engine.url.render_as_string(hide_password=False),
           "SEARCH_INDEX_DIR": ""}  # fmt: skip
    batch = tmp_path / "queries.txt"
    batch.write_text("гари потер\n\nvoina i mir\n1984 оруэл\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "search", "--json", "--library", "school-1", "--batch",
         str(batch), "--limit", "3"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["гари потер", "voina i mir", "1984 оруэл"]
    war = lines[1]
    assert war["read_as"] == "война и мир"
    top = war["hits"][0]
    assert top["title"] == "Война и мир" and top["authors"] == ["Толстой Л. Н."]
    assert {"record_id", "score", "year", "availability"} <= top.keys()
    assert any(a["home"] and a["library"] == "Школа №1" for a in top["availability"])

    text = subprocess.run(
        [sys.executable, "-m", "bot", "search", "толстой", "война"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert "1. [" in text.stdout and "Война и мир — Толстой Л. Н." in text.stdout


QUERIES = (
    "гари потер", "djqyf b vbh", "voina i mir", "толстой война", "1984 оруэл", "Л.Н.Толстой",
    "мастер и марг", "капитанская", "незнайка", "чехов", "про войну", "копитанская ночка",
    "английский язык 7 класс", "алгебра 7",
)  # fmt: skip


async def test_sqlite_and_postgresql_give_the_same_top_results(
    demo_db_pair: tuple[Database, Database],
) -> None:
    tops = []
    for db in demo_db_pair:
        services = Services(db=db)
        tops.append({q: (await found(services, q))[:3] for q in QUERIES})
    sqlite, postgres = tops
    assert sqlite == postgres
    assert all(sqlite[q] for q in QUERIES)


async def test_another_processs_changes_arrive_within_the_check_interval(demo_db: Database) -> None:
    """Another bot process on PostgreSQL edits a record: no shared memory, only the change log."""
    import asyncio

    from sqlalchemy import insert, update

    from db.models import CatalogChange

    search = CatalogSearch(check_interval=0.2)
    async with demo_db.reading() as session:
        assert not await search.search(session, "белолобый")
    async with demo_db.engine.begin() as connection:  # plain SQL: as if from elsewhere
        record_id = (
            await connection.execute(select(Record.id).where(Record.title == "Каштанка"))
        ).scalar_one()
        await connection.execute(
            update(Record).where(Record.id == record_id).values(title="Белолобый")
        )
        await connection.execute(
            insert(CatalogChange).values(record_id=record_id, changed_at=FIXED_NOW)
        )
    await asyncio.sleep(0.3)
    async with demo_db.reading() as session:
        assert [h.record_id for h in await search.search(session, "белолобый")][:1] == [record_id]
