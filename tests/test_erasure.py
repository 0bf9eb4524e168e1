"""A reader who left the school: `/remove CARD` erases the personal data of the card and keeps
the loans (without a name) for the counts."""

from __future__ import annotations

from sqlalchemy import func, select

from db.engine import Database
from db.enums import AuditOutcome, HoldStatus, OutboxStatus, RoleName
from db.models import (
    AuditEntry,
    GuardianLink,
    Hold,
    Item,
    Library,
    LinkCode,
    Loan,
    OutboxMessage,
    Reader,
    Role,
)
from messages import texts
from messages.i18n import person, say
from tests.support.chat import ChatFactory
from tests.support.clock import Clock
from tests.support.library import forge

NAME = "Смирнова Мария"  # card 1001 at school-1: the persona «student», child of «parent»


async def _reader(db: Database, card: str = "1001", library: str = "school-1") -> Reader:
    async with db.reading() as session:
        reader = await session.scalar(
            select(Reader)
            .join(Library, Library.id == Reader.library_id)
            .where(Library.code == library, Reader.card_number == card)
        )
        assert reader is not None
        return reader


async def _count(db: Database, model: type, *where: object) -> int:
    async with db.reading() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def _open_loans(db: Database, reader_id: int) -> list[str]:
    async with db.reading() as session:
        return list(
            await session.scalars(
                select(Item.inventory_number)
                .join(Loan, Loan.item_id == Item.id)
                .where(Loan.reader_id == reader_id, Loan.returned_at.is_(None))
            )
        )


async def test_a_removed_reader_leaves_the_counts_but_no_name(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    reader = await _reader(demo_db)
    student, librarian = chat("student"), chat("librarian")
    await librarian.send("/code 1001")  # an unused link code for the card
    await student.send("хочу взять пиковую даму")
    await student.press("📌 1")  # a pending hold: notices about it wait in the outbox
    async with demo_db.reading() as session:
        pending = list(
            await session.scalars(
                select(OutboxMessage.text).where(OutboxMessage.status == OutboxStatus.PENDING)
            )
        )
    assert [t for t in pending if "Смирнова Мария" in t], pending  # the librarians' notice

    loans = await _open_loans(demo_db, reader.id)
    assert loans, "the demo gives card 1001 two books"
    await librarian.send("/remove 1001")
    assert librarian.text == say(texts.DESK_REMOVE_HAS_LOANS, name=person(reader), n=len(loans))
    assert (await _reader(demo_db)).erased_at is None
    for inventory in loans:
        await librarian.send(f"/return {inventory}")
    all_loans = await _count(demo_db, Loan)
    readers_loans = await _count(demo_db, Loan, Loan.reader_id == reader.id)

    await librarian.send("/remove 1001")
    assert "Удалить из библиотеки Смирнову Марию (7Б, формуляр № 1001)?" in librarian.text
    clock.advance(minutes=1)
    await librarian.press("Да, удалить")
    placeholder = say(texts.READER_ERASED_NAME, card="1001")
    assert f"формуляр № 1001 теперь «{placeholder}»" in librarian.text

    erased = await _reader(demo_db)
    assert erased.full_name == placeholder
    assert (erased.birth_year, erased.gender, erased.class_name) == (None, None, None)
    assert erased.blocked_reason is None and not erased.history_opt_in
    assert erased.erased_at == clock()
    async with demo_db.reading() as session:
        namesakes = list(
            await session.scalars(select(Reader.card_number).where(Reader.full_name == NAME))
        )
        assert namesakes == ["1030"]  # another girl of that name, in 6А: she stays
        assert not await session.scalar(
            select(func.count()).select_from(Role).where(Role.reader_id == reader.id)
        )
        assert not await session.scalar(
            select(func.count())
            .select_from(GuardianLink)
            .where(GuardianLink.reader_id == reader.id)
        )
        assert not await session.scalar(
            select(func.count())
            .select_from(LinkCode)
            .where(LinkCode.reader_id == reader.id, LinkCode.used_at.is_(None))
        )
        holds = list(await session.scalars(select(Hold.status).where(Hold.reader_id == reader.id)))
        assert holds and all(s not in (HoldStatus.PENDING, HoldStatus.READY) for s in holds)
        texts_left = list(await session.scalars(select(OutboxMessage.text)))
        assert not [t for t in texts_left if "Смирнов" in t and "Мари" in t]
        [entry] = await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "reader.erase")
        )
        assert entry.outcome == AuditOutcome.OK and entry.object_id == reader.id
        assert "Смирнова" not in str(entry.detail)

    # The loans stay, with the card, for the counts.
    assert await _count(demo_db, Loan) == all_loans
    assert await _count(demo_db, Loan, Loan.reader_id == reader.id) == readers_loans

    # At the desk her name finds only her namesake; the old card is found by number only.
    await librarian.send("/reader Смирнова Мария")
    assert "формуляр № 1030" in librarian.text and "1001" not in librarian.text
    await librarian.send("/reader Смирнова")
    assert "1001" not in librarian.text
    await librarian.send("/reader мария")
    assert "1001" not in librarian.text
    await librarian.send("/reader 1001")
    assert placeholder in librarian.text and "Смирнова" not in librarian.text
    await librarian.send("/remove 1001")
    assert librarian.text == say(texts.DESK_REMOVE_ALREADY, card="1001", when=clock())
    await librarian.send("/code 1001")  # nobody to link to any more
    assert librarian.text == say(texts.DESK_REMOVE_ALREADY, card="1001", when=clock())

    # Her account and her parent no longer reach the card.
    async with demo_db.reading() as session:
        parent_roles = list(
            await session.scalars(
                select(Role.role)
                .join(GuardianLink, GuardianLink.parent_person_id == Role.person_id)
                .where(GuardianLink.reader_id == reader.id)
            )
        )
    assert parent_roles == []
    await student.send("мои книги")
    assert "Пиковая дама" not in student.text


async def test_keeping_the_reader_changes_nothing(chat: ChatFactory, demo_db: Database) -> None:
    librarian = chat("librarian")
    await librarian.send("/reader 1002")
    before = await _reader(demo_db, "1002")
    loans = await _open_loans(demo_db, before.id)
    for inventory in loans:
        await librarian.send(f"/return {inventory}")
    await librarian.send("/remove 1002")
    await librarian.press("Нет, оставить")
    assert librarian.text == texts.DESK_REMOVE_KEPT
    after = await _reader(demo_db, "1002")
    assert (after.full_name, after.erased_at) == (before.full_name, None)


async def test_only_the_readers_own_librarian_may_remove_them(
    chat: ChatFactory, demo_db: Database
) -> None:
    reader = await _reader(demo_db, "1002")
    for persona in ("librarian2", "student", "parent"):
        who = chat(persona)
        await who.press_token(await forge(demo_db, persona, "desk.erase", reader=reader.id))
        assert who.text == texts.ACCESS_DENIED, persona
        if persona != "librarian2":  # their own /remove 1002 is their own school's card
            await who.send("/remove 1002")
            assert who.text == texts.ACCESS_DENIED, persona
    assert (await _reader(demo_db, "1002")).erased_at is None
    async with demo_db.reading() as session:
        assert await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "reader.erase", AuditEntry.outcome == AuditOutcome.REFUSED)
        )


async def test_remove_needs_a_card_number(chat: ChatFactory) -> None:
    librarian = chat("librarian")
    await librarian.send("/remove")
    assert librarian.text == texts.DESK_REMOVE_USAGE
    await librarian.send("/remove Смирнова")
    assert librarian.text == texts.DESK_REMOVE_USAGE
    await librarian.send("/remove 99999")
    assert librarian.text == say(texts.DESK_CARD_NONE, card="99999")


async def test_the_parent_of_two_keeps_the_other_child(
    chat: ChatFactory, demo_db: Database
) -> None:
    reader = await _reader(demo_db)
    librarian = chat("librarian")
    for inventory in await _open_loans(demo_db, reader.id):
        await librarian.send(f"/return {inventory}")
    await librarian.send("/remove 1001")
    await librarian.press("Да, удалить")
    async with demo_db.reading() as session:
        links = await session.scalar(select(func.count()).select_from(GuardianLink))
        parents = await session.scalar(
            select(func.count()).select_from(Role).where(Role.role == RoleName.PARENT)
        )
    assert links == 1 and parents == 1  # Илья at school-2 is still their child
