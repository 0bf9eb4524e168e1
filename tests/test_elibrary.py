"""The e-library of student works: a librarian publishes an accepted project work with a scope;
the search and the record card keep to it for everyone — a classmate finds it, a student of
another school does not (not even as an empty place on a page), a forged card button is
answered as if the work did not exist, the methodologist sees only works open to the network,
and a work is signed «Мария С., 7Б», never with the full name."""

from __future__ import annotations

from pathlib import Path

import pytest
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
from db.shelves import similar_records, subject_records
from messages import texts
from nlu.search import Document, SearchIndex
from tests.support.chat import Chat, ChatFactory
from tests.support.clock import Clock
from tests.support.library import forge, linked_reader, notices_for

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
        work = await session.get(ProjectWork, work_id)
        assert work is not None and work.record_id is None


# Scopes in the search and on the card -------------------------------------------------------

UNIQUE = "Гринёв и Пугачёв: эссе"
LINE = f"{UNIQUE} — Мария С., 7Б"  # its line in the results


async def _school_two_student(chat: ChatFactory) -> Chat:
    return await linked_reader(chat, chat("librarian2"), "1002", "school2_student")


async def test_a_school_only_work_is_found_at_its_school_and_nowhere_else(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    work_id = await submitted_work(demo_db, clock, title=UNIQUE)
    record_id = await publish(demo_db, clock, work_id, AccessScope.LIBRARY)
    classmate = await linked_reader(chat, chat("librarian"), "1002", "classmate")
    await classmate.send(UNIQUE)
    assert LINE in classmate.text
    assert "Смирнова" not in classmate.text  # never the full name

    stranger = await _school_two_student(chat)
    await stranger.send(UNIQUE)
    assert "Мария С." not in stranger.text
    # a forged «📖» for it from school-2: as if it did not exist, and its file neither
    await stranger.press_token(
        await forge(demo_db, "school2_student", "record.open", record=record_id)
    )
    assert stranger.text == texts.RECORD_GONE
    await stranger.press_token(
        await forge(demo_db, "school2_student", "elibrary.work", record=record_id)
    )
    assert UNIQUE not in stranger.text and not stranger.replies[0].files

    methodist = chat("methodist")
    await methodist.send(UNIQUE)
    assert "Мария С." not in methodist.text  # a school's own work is not the network's


async def test_shelves_and_similar_never_show_a_work_kept_to_its_school(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    """«Похожие» and the subject shelves list records for everyone only; a forged «Похожие»
    for a hidden work names nothing."""
    work_id = await submitted_work(demo_db, clock, title="Капитанская дочка: мой отзыв")
    record_id = await publish(demo_db, clock, work_id, AccessScope.LIBRARY)
    async with demo_db.transaction() as session:
        record = await session.get(Record, record_id)
        assert record is not None
        record.subjects = "русская классика"  # as the book it is about
    stranger = await _school_two_student(chat)
    await stranger.press_token(
        await forge(demo_db, "school2_student", "record.similar", record=record_id)
    )
    assert stranger.text == texts.RECORD_GONE
    async with demo_db.reading() as session:
        book = await session.scalar(select(Record).where(Record.title == "Капитанская дочка"))
        assert book is not None
        alike = await similar_records(session, book, None)
        on_shelf = await subject_records(session, "русская классика", None)
    assert record_id not in alike and record_id not in on_shelf


async def test_the_card_of_a_work_names_school_project_and_opens_the_file(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    work_id = await submitted_work(demo_db, clock, title=UNIQUE)
    await publish(demo_db, clock, work_id, AccessScope.NETWORK)
    methodist = chat("methodist")  # a network-wide work: the methodologist sees it, signed short
    await methodist.send(UNIQUE)
    assert "Мария С., 7Б" in methodist.text and "Смирнова" not in methodist.text
    await methodist.press("1")
    card = methodist.text
    assert UNIQUE in card and "Мария С., 7Б" in card and "Смирнова" not in card
    assert "Школа: Школа №1" in card and "Проект: «Читаем Пушкина»" in card
    with pytest.raises(AssertionError):
        methodist.button("Снять работу")  # only the author or a parent may ask
    await methodist.press("Открыть работу")
    (sent,) = methodist.replies[0].files
    assert sent.kind == "photo" and sent.data == b"\xff\xd8"


async def test_a_hidden_work_never_takes_a_place_in_the_results() -> None:
    """Five records match; the best-scored is hidden from this viewer: with a limit of two,
    both places go to records the viewer may find."""
    hidden_key, visible_key = 77, 78
    docs = [
        Document(1, "Парус", scope=hidden_key),
        Document(2, "Парус одинокий"),
        Document(3, "Парус белеет", scope=visible_key),
        Document(4, "Парус одинокий белеет", scope=hidden_key),
    ]
    for index in (SearchIndex.build(docs), _delta_only(docs)):
        mine = [h.record_id for h in index.search("парус", limit=2, visible=frozenset({78}))]
        assert len(mine) == 2 and not {1, 4} & set(mine)
        everyone = [h.record_id for h in index.search("парус", visible=frozenset())]
        assert sorted(everyone) == [2]
        assert sorted(h.record_id for h in index.search("парус")) == [1, 2, 3, 4]


def _delta_only(docs: list[Document]) -> SearchIndex:
    index = SearchIndex.build([])
    for doc in docs:
        index.upsert(doc)
    return index


async def test_an_old_saved_index_is_rebuilt(tmp_path: Path) -> None:
    SearchIndex.build([Document(1, "Парус", scope=5)]).save(tmp_path / "index", {})
    loaded = SearchIndex.load(tmp_path / "index")
    assert loaded is not None and loaded[0].scopes.tolist() == [5]
    meta = tmp_path / "index" / "meta.json"
    meta.write_text(meta.read_text().replace('"format": 5', '"format": 4'))
    assert SearchIndex.load(tmp_path / "index") is None


async def test_a_private_work_is_seen_by_its_author_parent_and_librarian_only(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    work_id = await submitted_work(demo_db, clock, title=UNIQUE)
    await publish(demo_db, clock, work_id, AccessScope.PRIVATE)
    for persona in ("student", "parent", "librarian"):
        someone = chat(persona)
        await someone.send(UNIQUE)
        assert LINE in someone.text, persona
    classmate = await linked_reader(chat, chat("librarian"), "1002", "classmate")
    for other in (classmate, chat("librarian2"), chat("methodist")):
        await other.send(UNIQUE)
        assert "Мария С." not in other.text, other.persona


# Withdrawing ----------------------------------------------------------------------------------


async def test_the_author_asks_to_withdraw_and_the_librarian_takes_the_work_down(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    work_id = await submitted_work(demo_db, clock, title=UNIQUE)
    record_id = await publish(demo_db, clock, work_id, AccessScope.LIBRARY)
    student = chat("student")
    await student.send(UNIQUE)
    await student.press("1")
    await student.press("Снять работу")
    assert "отправлена библиотекарю" in student.text
    await student.press_token(await forge(demo_db, "student", "record.open", record=record_id))
    assert texts.ELIB_WITHDRAW_PENDING in student.text  # asked once, not twice
    (notice,) = [n for n in await notices_for(demo_db, "librarian") if UNIQUE in n]
    assert "Смирнова Мария, 7Б" in notice  # the school's own librarian knows who

    # a librarian of another school cannot decide it
    other = chat("librarian2")
    await other.press_token(
        await forge(demo_db, "librarian2", "elibrary.withdraw_yes", work=work_id)
    )
    assert other.text == texts.ACCESS_DENIED

    librarian = chat("librarian")
    await librarian.press_token(
        await forge(demo_db, "librarian", "elibrary.withdraw_yes", work=work_id)
    )
    assert f"«{UNIQUE}» снята" in librarian.text
    async with demo_db.reading() as session:
        assert await session.get(Record, record_id) is None
        work = await session.get(ProjectWork, work_id)
        assert work is not None and work.status == "withdrawn" and work.record_id is None
    await student.send(UNIQUE)
    assert "Мария С." not in student.text
    assert any(
        "сняли из электронной библиотеки" in n for n in await notices_for(demo_db, "student")
    )
