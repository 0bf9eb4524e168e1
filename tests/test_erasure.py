"""A reader who left the school: `/remove CARD` erases the personal data of the card and keeps
the loans (without a name) for the counts. Their reading projects keep nothing of them (their
works, files and e-library records go); their e-book loans stay for the counts, ended."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from db.access import load_actor
from db.catalog import dedupe_key
from db.elibrary import publish_work
from db.engine import Database
from db.enums import (
    AccessScope,
    AuditOutcome,
    HoldStatus,
    Messenger,
    OutboxStatus,
    RecordKind,
    RoleName,
)
from db.models import (
    Account,
    AuditEntry,
    CatalogChange,
    ECollection,
    ELoan,
    GuardianLink,
    Hold,
    Item,
    Library,
    LinkCode,
    Loan,
    OutboxMessage,
    Project,
    ProjectBook,
    ProjectMember,
    ProjectRead,
    ProjectWork,
    Reader,
    Record,
    Role,
    StoredFile,
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


# Projects, student works, e-book loans ------------------------------------------------------

HER_DRAWING = "Рисунок к сказке о царе Салтане"
HER_ESSAY = "Моё сочинение про зиму"
HIS_REVIEW = "Отзыв о Снежной королеве"


async def _projects_and_e_books(db: Database, clock: Clock, her: Reader, him: Reader) -> dict:
    """A project of school-1 with card 1001 and her classmate 1002 as members, each having read
    a book of it; her accepted drawing and submitted essay (a text and a link), his accepted
    review; a reviewer's notice about her essay; e-book loans of a lending collection."""
    async with db.transaction() as session:
        school = await session.get(Library, her.library_id)
        assert school is not None
        book_id = await session.scalar(
            select(Record.id).where(Record.kind == RecordKind.BOOK).order_by(Record.id).limit(1)
        )
        project = Project(
            network_id=school.network_id, library_id=school.id, title="Зимние сказки",
            created_at=clock(),
        )  # fmt: skip
        drawing = StoredFile(kind="photo", name="salt.png", data=b"\x89PNG", created_at=clock())
        review = StoredFile(kind="document", name="review.txt", data=b"ok", created_at=clock())
        lends = ECollection(network_id=school.network_id, name="ЛитРес: Школа", lends=True)
        session.add_all([project, drawing, review, lends])
        await session.flush()
        e_book = Record(
            title="Сказки Пушкина (электронная книга)", kind=RecordKind.E_RESOURCE,
            url="https://example.org/pushkin", collection_id=lends.id,
            dedupe_key=dedupe_key("Сказки Пушкина (электронная книга)", [], None),
        )  # fmt: skip
        session.add(e_book)
        await session.flush()
        session.add(ProjectBook(project_id=project.id, record_id=book_id))
        works = {}
        for reader, title, kind, file_id, status in (
            (her, HER_DRAWING, "photo", drawing.id, "accepted"),
            (her, HER_ESSAY, "text", None, "submitted"),
            (him, HIS_REVIEW, "document", review.id, "accepted"),
        ):
            work = ProjectWork(
                project_id=project.id, reader_id=reader.id, title=title, kind=kind,
                file_id=file_id, status=status, submitted_at=clock(),
                text="Зимой у нас в Вологде…" if kind == "text" else None,
                link="https://disk.example/masha" if kind == "text" else None,
            )  # fmt: skip
            session.add(work)
            await session.flush()
            works[title] = work.id
        for reader in (her, him):
            session.add(ProjectMember(project_id=project.id, reader_id=reader.id))
            session.add(ProjectRead(project_id=project.id, reader_id=reader.id, record_id=book_id))
        for reader, status in ((her, "asked"), (her, "granted"), (him, "granted")):
            session.add(
                ELoan(
                    record_id=e_book.id, reader_id=reader.id, library_id=school.id,
                    status=status, asked_at=clock(),
                    granted_at=clock() if status == "granted" else None,
                    ends_at=clock() + timedelta(days=14) if status == "granted" else None,
                )
            )  # fmt: skip
        librarian = await session.scalar(
            select(Account.person_id).where(
                Account.messenger == Messenger.CONSOLE, Account.external_id == "librarian"
            )
        )
        session.add(
            OutboxMessage(
                person_id=librarian, kind="project.work", text=f"Новая работа: {HER_ESSAY}",
                payload={"work_id": works[HER_ESSAY]}, dedupe_key=f"test.work:{works[HER_ESSAY]}",
                not_before=clock(),
            )
        )  # fmt: skip
    return {"project": project.id, "book": book_id, "e_book": e_book.id, "files": (drawing.id,
            review.id), "works": works}  # fmt: skip


async def _publish(db: Database, clock: Clock, work_id: int) -> int:
    async with db.transaction() as session:
        account = await session.scalar(
            select(Account).where(
                Account.messenger == Messenger.CONSOLE, Account.external_id == "librarian"
            )
        )
        assert account is not None
        actor = await load_actor(session, account.id, account.person_id)
        record = await publish_work(session, actor, work_id, AccessScope.LIBRARY, clock())
        return record.id


async def test_a_removed_reader_leaves_no_project_work_or_file_behind(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    her, him = await _reader(demo_db), await _reader(demo_db, "1002")
    made = await _projects_and_e_books(demo_db, clock, her, him)
    her_record = await _publish(demo_db, clock, made["works"][HER_DRAWING])
    his_record = await _publish(demo_db, clock, made["works"][HIS_REVIEW])
    librarian = chat("librarian")
    await librarian.send(HER_DRAWING)
    assert f"1. {HER_DRAWING} — Мария С., 7Б" in librarian.text  # in the e-library before

    for inventory in await _open_loans(demo_db, her.id):
        await librarian.send(f"/return {inventory}")
    await librarian.send("/remove 1001")
    clock.advance(minutes=1)
    await librarian.press("Да, удалить")
    assert "формуляр № 1001 теперь" in librarian.text

    ours = (ProjectMember, ProjectRead, ProjectWork)
    for model in ours:  # she left the project: nothing names her card in it
        assert await _count(demo_db, model, model.reader_id == her.id) == 0, model.__name__
        assert await _count(demo_db, model, model.reader_id == him.id) >= 1, model.__name__
    assert await _count(demo_db, Record, Record.author_reader_id == her.id) == 0
    async with demo_db.reading() as session:
        assert await session.get(Record, her_record) is None
        assert await session.get(Record, his_record) is not None
        drawing, review = made["files"]
        assert await session.get(StoredFile, drawing) is None  # her photo is gone
        assert await session.get(StoredFile, review) is not None
        assert await session.scalar(
            select(CatalogChange.id).where(CatalogChange.record_id == her_record)
        ), "the search indexes are told the record went"
        texts_left = list(await session.scalars(select(OutboxMessage.text)))
        assert not [t for t in texts_left if HER_ESSAY in t]
        e_loans = dict(
            (await session.execute(
                select(ELoan.status, ELoan.ends_at).where(ELoan.reader_id == her.id)
            )).all()
        )  # fmt: skip
        assert e_loans == {"refused": None, "ended": clock()}  # kept for the counts, closed
        assert await session.scalar(select(ELoan.status).where(ELoan.reader_id == him.id)) == (
            "granted"
        )
        [entry] = await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "reader.erase")
        )
        assert entry.detail["works"] == 2 and entry.detail["records"] == 1
        assert entry.detail["e_loans"] == 2 and entry.detail["projects"] >= 1
        assert HER_DRAWING not in str(entry.detail)

    await librarian.send(HER_DRAWING)
    assert f". {HER_DRAWING}" not in librarian.text  # the search forgot it
    await librarian.send(HIS_REVIEW)
    assert f"1. {HIS_REVIEW} —" in librarian.text  # his stays
