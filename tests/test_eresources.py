"""E-resources: a librarian subscribes their school to the network's collections (/eresources);
an e-resource is found by everyone, but «🌐 Читать онлайн» is shown only to readers of a
subscribing school; a lending collection's book is asked for, granted for 14 days (the reader
gets the link), and the daily round ends the loan when its time is up."""

from __future__ import annotations

from sqlalchemy import select

from db.catalog import RecordData, add_record
from db.engine import Database
from db.enums import AuditOutcome, RecordKind
from db.models import AuditEntry, ECollection, ELoan, LibrarySubscription
from jobs.eresources import eloan_round
from messages.elibrary_notices import eloans_round
from tests.support.chat import ChatFactory
from tests.support.clock import Clock
from tests.support.library import forge, linked_reader, notices_for

URL = "https://example.org/read/zvezdnyi-mayak"


async def _e_resource(db: Database, title: str, collection: str, *, lends: bool) -> int:
    """A collection of the demo network and one e-resource of it; the collection's id."""
    async with db.transaction() as session:
        shelf = ECollection(network_id=1, name=collection, lends=lends)
        session.add(shelf)
        await session.flush()
        record = await add_record(
            session, RecordData(title=title, authors=["Лунина А."], kind=RecordKind.E_RESOURCE)
        )
        record.url = URL
        record.collection_id = shelf.id
        return shelf.id


async def test_the_link_is_only_for_readers_of_a_subscribing_school(
    chat: ChatFactory, demo_db: Database
) -> None:
    await _e_resource(demo_db, "Звёздный маяк", "Библиотека Тест", lends=False)
    librarian = chat("librarian")
    await librarian.send("/eresources")
    assert "➕ Библиотека Тест" in librarian.text
    await librarian.press("➕ Библиотека Тест")
    assert "✅ Библиотека Тест" in librarian.text
    async with demo_db.reading() as session:
        assert await session.scalar(
            select(LibrarySubscription.library_id).join(
                ECollection, ECollection.id == LibrarySubscription.collection_id
            ).where(ECollection.name == "Библиотека Тест")
        ) == 1  # fmt: skip
        audited = await session.scalar(
            select(AuditEntry.outcome).where(AuditEntry.action == "eresources.subscribe")
        )
        assert audited == AuditOutcome.OK

    student = chat("student")
    await student.send("звёздный маяк")
    await student.press("1")
    assert "Коллекция: Библиотека Тест" in student.text
    assert student.button("Читать онлайн").url == URL

    stranger = await linked_reader(chat, chat("librarian2"), "1002", "school2_student")
    await stranger.send("звёздный маяк")
    assert "Звёздный маяк" in stranger.text  # found by everyone…
    await stranger.press("1")
    assert "не подписана на «Библиотека Тест»" in stranger.text  # …but not opened
    assert all(b.url is None for r in stranger.replies for row in r.buttons for b in row)

    # a student cannot subscribe a school, even with a forged button
    forged = await forge(demo_db, "student", "eresources.toggle", collection=1)
    await student.press_token(forged)
    assert "недоступно" in student.text


async def test_a_lending_collection_grants_for_two_weeks_and_the_round_ends_it(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    await _e_resource(demo_db, "Звёздный маяк", "ЛитРес Тест", lends=True)
    librarian = chat("librarian")
    await librarian.send("/eresources")
    await librarian.press("➕ ЛитРес Тест")

    student = chat("student")
    await student.send("звёздный маяк")
    await student.press("1")
    assert "выдаёт книги на время" in student.text
    await student.press("Попросить доступ")
    assert "Просьба отправлена библиотекарю" in student.text
    (asked,) = [n for n in await notices_for(demo_db, "librarian") if "Звёздный маяк" in n]
    assert "Смирнова Мария, 7Б просит доступ" in asked
    async with demo_db.reading() as session:
        loan = await session.scalar(select(ELoan))
        assert loan is not None and loan.status == "asked"

    other = chat("librarian2")  # another school's librarian cannot grant it
    await other.press_token(await forge(demo_db, "librarian2", "eloan.grant", eloan=loan.id))
    assert "недоступно" in other.text

    await librarian.press_token(await forge(demo_db, "librarian", "eloan.grant", eloan=loan.id))
    assert "открыт до 30 ноября" in librarian.text
    granted = [n for n in await notices_for(demo_db, "student") if "Звёздный маяк" in n]
    assert len(granted) == 1 and URL in granted[0] and "до 30 ноября" in granted[0]
    await student.send("звёздный маяк")
    await student.press("1")
    assert student.button("Читать онлайн").url == URL

    clock.advance(days=13)
    async with demo_db.transaction() as session:
        assert await eloans_round(session, clock()) == 0
    clock.advance(days=1, minutes=1)
    assert await eloan_round(demo_db, clock) == 1  # the scheduler's hourly round
    async with demo_db.reading() as session:
        assert (await session.get(ELoan, loan.id)).status == "ended"
    told = [n for n in await notices_for(demo_db, "student") if "Звёздный маяк" in n]
    assert "закончился" in told[-1]
    await student.send("звёздный маяк")
    await student.press("1")
    assert "Попросить доступ" in student.button("Попросить доступ").label
