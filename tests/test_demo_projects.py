"""The demo network's reading project and e-library (db/demo/projects.py): a running project of
7Б at school-1 the student persona takes part in, three accepted works published with three
scopes and their files, the e-resource collections and school-1's subscription; the same rows
every time, and the retention round keeps the works' files."""

from __future__ import annotations

import io
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from db.demo.seed import seed_demo
from db.engine import Database
from db.enums import AccessScope, RecordKind
from db.models import (
    ECollection,
    Library,
    LibrarySubscription,
    Project,
    ProjectBook,
    ProjectMember,
    ProjectRead,
    ProjectTask,
    ProjectWork,
    Reader,
    Record,
    StoredFile,
)
from db.retention import prune
from tests.conftest import FIXED_NOW
from tests.support.chat import ChatFactory
from tests.support.clock import Clock

SIGNED = re.compile(r"^[А-ЯЁ][а-яё]+ [А-ЯЁ]\., 7Б$")  # «Алиса К., 7Б»


async def _project(db: Database) -> Project:
    async with db.reading() as session:
        [project] = await session.scalars(select(Project))
        return project


async def test_a_running_project_of_7b_with_the_student_in_it(demo_db: Database) -> None:
    project = await _project(demo_db)
    async with demo_db.reading() as session:
        school = await session.get(Library, project.library_id)
        assert school is not None and school.code == "school-1"
        assert project.title == "Читаем вместе: зимние сказки"
        assert (project.status, project.audience, project.join_mode) == (
            "running",
            "classes 7Б",
            "open",
        )
        assert project.join_code == "WNTR7B"
        assert project.starts_on < FIXED_NOW.date() < project.ends_on
        books = list(
            await session.scalars(
                select(Record.title)
                .join(ProjectBook, ProjectBook.record_id == Record.id)
                .where(ProjectBook.project_id == project.id)
                .order_by(ProjectBook.position)
            )
        )
        assert books == ["Снежная королева", "Двенадцать месяцев"]
        [task] = await session.scalars(select(ProjectTask))
        assert task.kind == "submit" and task.due_on == date(2026, 11, 30)

        maria = await session.scalar(
            select(Reader).where(Reader.library_id == school.id, Reader.card_number == "1001")
        )
        assert maria is not None and maria.full_name == "Смирнова Мария"
        members = list(
            await session.scalars(
                select(Reader)
                .join(ProjectMember, ProjectMember.reader_id == Reader.id)
                .where(ProjectMember.project_id == project.id)
            )
        )
        assert maria in members and len(members) == 4
        assert {m.class_name for m in members} == {"7Б"}
        read = list(
            await session.scalars(
                select(Record.title)
                .join(ProjectRead, ProjectRead.record_id == Record.id)
                .where(ProjectRead.reader_id == maria.id)
            )
        )
        assert read == ["Снежная королева"]  # one of two: she is half way
        assert not await session.scalar(
            select(ProjectWork.id).where(ProjectWork.reader_id == maria.id)
        )


async def test_three_works_in_the_e_library_with_three_scopes_and_their_files(
    demo_db: Database,
) -> None:
    project = await _project(demo_db)
    async with demo_db.reading() as session:
        works = list(await session.scalars(select(ProjectWork).order_by(ProjectWork.id)))
        records = {
            r.id: r
            for r in await session.scalars(
                select(Record).where(Record.kind == RecordKind.STUDENT_WORK)
            )
        }
        assert len(works) == len(records) == 3
        assert {r.access_scope for r in records.values()} == {
            AccessScope.NETWORK,
            AccessScope.LIBRARY,
            AccessScope.PROJECT,
        }
        for work in works:
            record = records[work.record_id]
            author = await session.get(Reader, work.reader_id)
            assert author is not None and author.class_name == "7Б"
            assert work.status == "accepted" and work.reviewed_at is not None
            assert (record.title, record.file_id) == (work.title, work.file_id)
            assert record.author_reader_id == author.id and record.project_id == project.id
            assert record.library_id == project.library_id
            assert SIGNED.match(record.authors), record.authors
            surname = author.full_name.split()[0]
            assert surname not in record.authors  # never the full name
            stored = await session.get(StoredFile, work.file_id)
            assert stored is not None and 0 < len(stored.data) < 4096
            if work.kind == "photo":
                image = Image.open(io.BytesIO(stored.data))
                assert image.format == "PNG" and image.size == (96, 72)
            else:
                assert work.kind == "document" and stored.name.endswith(".txt")
                assert stored.data.decode() == work.text


async def test_collections_a_subscription_and_an_e_resource_in_each(demo_db: Database) -> None:
    async with demo_db.reading() as session:
        collections = {c.name: c for c in await session.scalars(select(ECollection))}
        assert set(collections) == {"ЛитРес: Школа", "НЭБ", "НЭДБ"}
        assert collections["ЛитРес: Школа"].lends and not collections["ЛитРес: Школа"].open_to_all
        assert collections["НЭБ"].open_to_all and not collections["НЭБ"].lends
        assert not collections["НЭДБ"].lends and not collections["НЭДБ"].open_to_all
        subscriptions = (
            await session.execute(
                select(Library.code, ECollection.name)
                .join(LibrarySubscription, LibrarySubscription.library_id == Library.id)
                .join(ECollection, ECollection.id == LibrarySubscription.collection_id)
            )
        ).all()
        assert subscriptions == [("school-1", "ЛитРес: Школа")]
        e_resources = list(
            await session.scalars(select(Record).where(Record.kind == RecordKind.E_RESOURCE))
        )
        by_collection = {c.id: name for name, c in collections.items()}
        assert sorted(by_collection[r.collection_id] for r in e_resources) == sorted(collections)
        assert all(r.url and r.url.startswith("https://") for r in e_resources)
        assert all(r.access_scope == AccessScope.PUBLIC for r in e_resources)


async def test_the_demo_is_the_same_every_time(
    demo_db: Database, sqlite_templates: dict[bool, Path], tmp_path: Path
) -> None:
    path = tmp_path / "again.sqlite3"
    shutil.copyfile(sqlite_templates[False], path)  # empty and migrated
    again = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await seed_demo(again, now=FIXED_NOW)
        assert await _demo_rows(again) == await _demo_rows(demo_db)
    finally:
        await again.dispose()


async def _demo_rows(database: Database) -> list[tuple]:
    async with database.reading() as session:
        works = (
            await session.execute(
                select(Record.title, Record.authors, Record.access_scope, StoredFile.data)
                .join(StoredFile, StoredFile.id == Record.file_id)
                .order_by(Record.title)
            )
        ).all()
        members = (
            await session.execute(
                select(Reader.card_number, Reader.full_name, ProjectMember.joined_at)
                .join(ProjectMember, ProjectMember.reader_id == Reader.id)
                .order_by(Reader.card_number)
            )
        ).all()
        e_resources = (
            await session.execute(
                select(Record.title, Record.url, ECollection.name)
                .join(ECollection, ECollection.id == Record.collection_id)
                .order_by(Record.title)
            )
        ).all()
        return [*works, *members, *e_resources]


async def test_the_retention_round_keeps_the_works_files(demo_db: Database, clock: Clock) -> None:
    async with demo_db.transaction() as session:
        orphan = StoredFile(kind="photo", name="never-sent.png", data=b"x", created_at=clock())
        session.add(orphan)
    async with demo_db.transaction() as session:
        pruned = await prune(session, clock() + timedelta(days=30))
    assert pruned.orphan_files == 1  # the file nothing carries
    async with demo_db.reading() as session:
        carried = list(await session.scalars(select(ProjectWork.file_id)))
        kept = list(await session.scalars(select(StoredFile.id).where(StoredFile.id.in_(carried))))
        assert len(carried) == 3 and sorted(kept) == sorted(carried)


async def test_in_chat_the_student_sees_her_project_and_the_works_keep_their_scopes(
    chat: ChatFactory,
) -> None:
    student, other_school = chat("student"), chat("librarian2")
    await student.send("/projects")
    assert (
        "• «Читаем вместе: зимние сказки»: прочитано 1 из 2, заданий сдано 0 из 1" in student.text
    )
    for title in ("Сказка про снеговика, который любил читать", "Иллюстрация к «Снежной королеве»"):
        await student.send(title)
        assert f"1. {title} —" in student.text  # a classmate's work: network, school
    await other_school.send("Сказка про снеговика, который любил читать")
    assert "1. Сказка про снеговика, который любил читать —" in other_school.text  # network
    await other_school.send("Иллюстрация к «Снежной королеве»")
    assert "Иллюстрация к «Снежной королеве» —" not in other_school.text  # school-1 only
