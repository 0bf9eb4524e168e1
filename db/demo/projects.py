"""The demo's reading project and e-library: a running winter project of 7Б at school-1, the
works its members handed in, and the e-resource collections of the network.

- «Читаем вместе: зимние сказки» (school-1, classes 7Б, open to join, code WNTR7B): two books of
  the reading list, one task to hand in by a deadline; the student persona (card 1001, 7Б) is a
  member and has read one of the two; three classmates are members too, each with an accepted
  work published to the e-library — one for the network, one for the school, one for the
  project's members — with a small stored file (a drawing, a text);
- collections «ЛитРес: Школа» (lends titles), «НЭБ» (open to all) and «НЭДБ»; school-1
  subscribes to ЛитРес; one e-resource with its link in each.

Deterministic: no randomness, every moment counted from `now`. Works are signed the way
db.elibrary signs them («Алиса К., 7Б»), never with the full name.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.catalog import dedupe_key
from db.elibrary import author_line
from db.enums import AccessScope, RecordKind
from db.models import (
    ECollection,
    Library,
    LibrarySubscription,
    Person,
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

PROJECT_TITLE = "Читаем вместе: зимние сказки"
PROJECT_CODE = "WNTR7B"
PROJECT_CLASS = "7Б"
PROJECT_BOOKS = ("Снежная королева", "Двенадцать месяцев")  # the first is the one read
TASK_TITLE = "Нарисуйте иллюстрацию или напишите отзыв о сказке из списка"
PERSONA_CARD = "1001"


@dataclass(frozen=True, slots=True)
class DemoWork:
    title: str
    kind: str  # «photo» | «document»
    file_name: str
    scope: AccessScope
    text: str | None = None  # a document's text, stored as its file


WORKS = (  # by the first three classmates of the persona, by card number
    DemoWork(
        "Сказка про снеговика, который любил читать",
        "document",
        "snegovik.txt",
        AccessScope.NETWORK,
        "Жил-был снеговик. Каждый вечер он просил детей почитать ему сказку, "
        "а весной растаял — но все сказки запомнил ручей.",
    ),
    DemoWork("Иллюстрация к «Снежной королеве»", "photo", "koroleva.png", AccessScope.LIBRARY),
    DemoWork(
        "Отзыв о сказке «Двенадцать месяцев»",
        "document",
        "otzyv.txt",
        AccessScope.PROJECT,
        "Мне понравилось, что добрая падчерица не побоялась метели, а месяцы ей помогли.",
    ),
)


@dataclass(frozen=True, slots=True)
class DemoEResource:
    collection: str
    title: str
    authors: str
    year: int
    url: str
    subjects: str


COLLECTIONS = (  # name, site, lends, open to all
    ("ЛитРес: Школа", "https://school.litres.ru/", True, False),
    ("НЭБ", "https://rusneb.ru/", False, True),
    ("НЭДБ", "https://arch.rgdb.ru/", False, False),
)
SUBSCRIBED = {"school-1": ("ЛитРес: Школа",)}
E_RESOURCES = (
    DemoEResource(
        "ЛитРес: Школа", "Серебряные коньки", "Додж М. М.", 2022,
        "https://school.litres.ru/book/demo-serebryanye-konki/", "повесть;зарубежная литература",
    ),
    DemoEResource(
        "НЭБ", "Зимовье зверей", "", 1949,
        "https://rusneb.ru/catalog/demo-zimove-zverey/", "сказка;фольклор",
    ),
    DemoEResource(
        "НЭДБ", "Зимняя сказка", "Топелиус З.", 1958,
        "https://arch.rgdb.ru/xmlui/handle/demo/zimnyaya-skazka", "сказка;зарубежная литература",
    ),
)  # fmt: skip


async def seed_projects(
    session: AsyncSession, library: Library, librarian: Person, now: datetime
) -> Project:
    """The winter project of `library` (school-1), its members and their published works."""
    today = now.date()
    project = Project(
        network_id=library.network_id,
        library_id=library.id,
        title=PROJECT_TITLE,
        description="Читаем зимние сказки всем классом, рисуем и пишем отзывы.",
        starts_on=today - timedelta(days=14),
        ends_on=today + timedelta(days=39),
        created_by_person_id=librarian.id,
        created_at=now - timedelta(days=15),
        audience=f"classes {PROJECT_CLASS}",
        join_mode="open",
        join_code=PROJECT_CODE,
        status="running",
    )
    session.add(project)
    await session.flush()
    books = []
    for position, title in enumerate(PROJECT_BOOKS):
        record_id = await session.scalar(
            select(Record.id)
            .where(Record.title == title, Record.kind == RecordKind.BOOK)
            .order_by(Record.id)
            .limit(1)
        )
        assert record_id is not None, title  # the reading list has them
        books.append(record_id)
        session.add(ProjectBook(project_id=project.id, record_id=record_id, position=position))
    task = ProjectTask(
        project_id=project.id,
        title=TASK_TITLE,
        due_on=today + timedelta(days=14),
        kind="submit",
        position=0,
    )
    session.add(task)
    await session.flush()

    class_7b = list(
        await session.scalars(
            select(Reader)
            .where(Reader.library_id == library.id, Reader.class_name == PROJECT_CLASS)
            .order_by(Reader.id)
        )
    )
    persona = next(r for r in class_7b if r.card_number == PERSONA_CARD)
    classmates = [r for r in class_7b if r is not persona][: len(WORKS)]
    for days, reader in enumerate([persona, *classmates]):
        session.add(
            ProjectMember(
                project_id=project.id,
                reader_id=reader.id,
                joined_at=now - timedelta(days=12 - days),
            )
        )
    session.add(
        ProjectRead(
            project_id=project.id,
            reader_id=persona.id,
            record_id=books[0],
            read_at=now - timedelta(days=3),
            via="mark",
        )
    )
    for days, (reader, work) in enumerate(zip(classmates, WORKS, strict=True)):
        await _published_work(session, project, task, reader, work, books, librarian, now, days)
    await session.flush()
    return project


async def _published_work(
    session: AsyncSession, project: Project, task: ProjectTask, author: Reader, work: DemoWork,
    books: list[int], librarian: Person, now: datetime, days: int,
) -> None:  # fmt: skip
    """A classmate read the first book, handed in a work, had it accepted and published."""
    submitted = now - timedelta(days=8 - days)
    data = _drawing() if work.kind == "photo" else (work.text or "").encode()
    stored = StoredFile(kind=work.kind, name=work.file_name, data=data, created_at=submitted)
    session.add(stored)
    session.add(
        ProjectRead(
            project_id=project.id, reader_id=author.id, record_id=books[0],
            read_at=submitted - timedelta(days=1), via="return",
        )
    )  # fmt: skip
    await session.flush()
    reviewed = submitted + timedelta(days=1)
    record = Record(
        title=work.title,
        authors=author_line(author.full_name, author.class_name),
        year=now.year,
        subjects=project.title,
        language="ru",
        kind=RecordKind.STUDENT_WORK,
        access_scope=work.scope,
        library_id=author.library_id,
        project_id=project.id,
        file_id=stored.id,
        author_reader_id=author.id,
        dedupe_key=f"student_work:demo:{project.id}:{author.id}",
        created_at=reviewed,
        updated_at=reviewed,
    )
    session.add(record)
    await session.flush()
    session.add(
        ProjectWork(
            project_id=project.id,
            task_id=task.id,
            reader_id=author.id,
            record_id=record.id,
            title=work.title,
            submitted_at=submitted,
            kind=work.kind,
            text=work.text,
            file_id=stored.id,
            status="accepted",
            reviewed_by_person_id=librarian.id,
            reviewed_at=reviewed,
        )
    )


def _drawing() -> bytes:
    """A child's winter drawing, small: a snowman under falling snow (a PNG of a few hundred
    bytes, the same every time)."""
    image = Image.new("RGB", (96, 72), (180, 210, 240))
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, 56, 96, 72), fill=(250, 250, 255))
    for box in ((36, 40, 60, 64), (40, 24, 56, 42), (43, 12, 53, 26)):
        pen.ellipse(box, fill=(255, 255, 255), outline=(120, 140, 170))
    pen.polygon([(48, 18), (48, 20), (55, 19)], fill=(240, 120, 30))  # a carrot nose
    for x, y in ((8, 6), (20, 30), (70, 10), (84, 34), (14, 48), (76, 50), (28, 14), (62, 28)):
        pen.ellipse((x, y, x + 2, y + 2), fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


async def seed_e_resources(
    session: AsyncSession, network_id: int, libraries: list[Library], now: datetime
) -> None:
    """The network's e-resource collections, school-1's subscription, a title in each."""
    collections = {}
    for name, url, lends, open_to_all in COLLECTIONS:
        collection = ECollection(
            network_id=network_id, name=name, url=url, lends=lends, open_to_all=open_to_all
        )
        session.add(collection)
        collections[name] = collection
    await session.flush()
    for library in libraries:
        for name in SUBSCRIBED.get(library.code, ()):
            session.add(
                LibrarySubscription(
                    library_id=library.id,
                    collection_id=collections[name].id,
                    since=now.date() - timedelta(days=60),
                )
            )
    for resource in E_RESOURCES:
        authors = [resource.authors] if resource.authors else []
        session.add(
            Record(
                title=resource.title,
                authors=resource.authors,
                year=resource.year,
                subjects=resource.subjects,
                language="ru",
                kind=RecordKind.E_RESOURCE,
                age_mark=0,
                url=resource.url,
                access_scope=AccessScope.PUBLIC,
                collection_id=collections[resource.collection].id,
                dedupe_key=dedupe_key(resource.title, authors, resource.year),
                created_at=now - timedelta(days=60),
                updated_at=now - timedelta(days=60),
            )
        )
    await session.flush()
