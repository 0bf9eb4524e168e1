"""The e-library of student works: a librarian publishes an accepted project work with a scope;
the search and the record card keep to it for everyone — a classmate finds it, a student of
another school does not (not even as an empty place on a page), a forged card button is
answered as if the work did not exist, the methodologist sees only works open to the network,
and a work is signed «Мария С., 7Б», never with the full name."""

from __future__ import annotations

from sqlalchemy import select

from db.access import AccessDenied, Actor, load_actor
from db.elibrary import author_line, publish_work
from db.engine import Database
from db.enums import AccessScope, AuditOutcome, Messenger, RecordKind
from db.models import (
    Account,
    AuditEntry,
    Library,
    Project,
    ProjectWork,
    Reader,
    Record,
    StoredFile,
)
from tests.support.clock import Clock

WORK_TITLE = "Эссе о капитанской дочке"


async def _actor(db: Database, persona: str) -> Actor:
    async with db.reading() as session:
        account = await session.scalar(
            select(Account).where(
                Account.messenger == Messenger.CONSOLE, Account.external_id == persona
            )
        )
        assert account is not None, persona
        return await load_actor(session, account.id, account.person_id)


async def submitted_work(
    db: Database, clock: Clock, *, title: str = WORK_TITLE, library: str = "school-1",
    card: str = "1001",
) -> int:  # fmt: skip
    """A project of the school and a photo work of the card's reader in it; the work's id."""
    async with db.transaction() as session:
        school = await session.scalar(select(Library).where(Library.code == library))
        assert school is not None
        reader_id = await session.scalar(
            select(Reader.id).where(Reader.library_id == school.id, Reader.card_number == card)
        )
        project = Project(
            network_id=school.network_id,
            library_id=school.id,
            title="Читаем Пушкина",
            created_at=clock(),
        )
        photo = StoredFile(kind="photo", name="essay.jpg", data=b"\xff\xd8", created_at=clock())
        session.add_all([project, photo])
        await session.flush()
        work = ProjectWork(
            project_id=project.id,
            reader_id=reader_id,
            title=title,
            kind="photo",
            file_id=photo.id,
            status="accepted",
            submitted_at=clock(),
        )
        session.add(work)
        await session.flush()
        return work.id


async def publish(
    db: Database, clock: Clock, work_id: int, scope: AccessScope, persona: str = "librarian"
) -> int:
    actor = await _actor(db, persona)
    async with db.transaction() as session:
        record = await publish_work(session, actor, work_id, scope, clock())
        return record.id


def test_a_work_is_signed_by_given_name_initial_and_class() -> None:
    assert author_line("Смирнова Мария Ивановна", "7Б") == "Мария С., 7Б"
    assert author_line("Смирнов Илья", None) == "Илья С."


async def test_publishing_makes_a_student_work_record_of_the_school(
    demo_db: Database, clock: Clock
) -> None:
    work_id = await submitted_work(demo_db, clock)
    record_id = await publish(demo_db, clock, work_id, AccessScope.LIBRARY)
    async with demo_db.reading() as session:
        record = await session.get(Record, record_id)
        work = await session.get(ProjectWork, work_id)
        assert record is not None and work is not None
        assert record.kind == RecordKind.STUDENT_WORK
        assert record.title == WORK_TITLE
        assert record.authors == "Мария С., 7Б"
        assert "Смирнова" not in record.authors
        assert record.access_scope == AccessScope.LIBRARY
        assert record.library_id == 1 and record.project_id == work.project_id
        assert record.file_id == work.file_id and record.author_reader_id == work.reader_id
        assert work.record_id == record_id
        audited = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "elibrary.publish")
        )
        assert audited is not None and audited.object_id == work_id
        assert audited.outcome == AuditOutcome.OK

    # published again with another scope: the same record, not a second one
    again = await publish(demo_db, clock, work_id, AccessScope.NETWORK)
    assert again == record_id


async def test_only_the_authors_librarian_publishes(demo_db: Database, clock: Clock) -> None:
    work_id = await submitted_work(demo_db, clock)
    for persona in ("librarian2", "student", "methodist"):
        try:
            await publish(demo_db, clock, work_id, AccessScope.PUBLIC, persona)
        except AccessDenied as denied:
            assert denied.action == "elibrary.publish"
        else:
            raise AssertionError(f"{persona} published a work of another school")
    async with demo_db.reading() as session:
        assert await session.scalar(select(ProjectWork.record_id)) is None
