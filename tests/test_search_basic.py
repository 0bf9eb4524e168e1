"""The first search engine: demo titles, the age rule, ISBNs, and catalog changes."""

from __future__ import annotations

from db.catalog_import import import_catalog
from db.engine import Database
from handlers.services import Services
from tests.support.chat import ChatFactory
from tests.support.shared import shared_path


async def _titles(services: Services, query: str, max_age: int | None = None) -> list[str]:
    from sqlalchemy import select

    from db.models import Record

    async with services.db.reading() as session:
        hits = await services.search.search(session, query, max_age=max_age)
        ids = [h.record_id for h in hits]
        titles = dict(
            (await session.execute(select(Record.id, Record.title).where(Record.id.in_(ids)))).all()
        )
    return [titles[i] for i in ids]


async def test_demo_titles_are_found(services: Services) -> None:
    assert (await _titles(services, "Война и мир"))[0] == "Война и мир"
    assert (await _titles(services, "мертвые души"))[0] == "Мёртвые души"  # ё forgiven
    assert "1984" in await _titles(services, "1984")


async def test_students_do_not_see_records_above_their_age(chat: ChatFactory) -> None:
    student = chat("student")  # Мария, 7Б: 13 years old
    await student.send("преступление и наказание")  # 16+
    assert "только книги для читателей постарше" in student.text
    librarian = chat("librarian")
    await librarian.send("преступление и наказание")
    assert "1. Преступление и наказание — Достоевский Ф. М." in librarian.text


async def test_a_record_opened_from_an_old_button_respects_the_age_rule_too(
    chat: ChatFactory,
) -> None:
    librarian = chat("librarian")
    await librarian.send("преступление и наказание")
    token = librarian.button("📖 1").token
    student = chat("student")
    assert token
    replies = await student.press_token(token)  # not hers: refused before the age rule
    assert "устарела" in replies[0].text


async def test_new_records_are_searchable_at_once_after_an_import(
    services: Services, demo_db: Database
) -> None:
    query = "австралийские этюды гржимек"
    assert await _titles(services, query) == []  # the search index is loaded now
    await import_catalog(demo_db, shared_path("data", "marc", "rusmarc-nlr-koi8r.iso"), "school-2")
    assert (await _titles(services, query))[0] == "Австралийские этюды"


async def test_isbn_10_finds_the_record_stored_under_isbn_13(
    services: Services, demo_db: Database
) -> None:
    await import_catalog(demo_db, shared_path("data", "marc", "marc21-rkp-cp1251.dat"), "school-1")
    from sqlalchemy import select

    from db.models import Record, RecordIsbn

    async with demo_db.reading() as session:
        isbn13, title = (
            await session.execute(select(RecordIsbn.isbn13, Record.title).join(Record).limit(1))
        ).one()
    isbn10 = isbn13[3:12]
    check = sum((10 - i) * int(c) for i, c in enumerate(isbn10)) % 11
    isbn10 += "X" if (11 - check) % 11 == 10 else str((11 - check) % 11)
    hyphenated = f"{isbn10[0]}-{isbn10[1:4]}-{isbn10[4:9]}-{isbn10[9]}"
    assert await _titles(services, hyphenated) == [title]
