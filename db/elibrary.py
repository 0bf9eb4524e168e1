"""The e-library of student works: an accepted project work becomes a record of the union
catalog (kind «student_work») with an access scope, and every search and every card keeps to
that scope.

Scopes as the search index sees them: each record carries one integer key — 0 for a record
everyone may find, else a key naming who may (`scope_key`): the network, the school, the
project or the author. A viewer's keys (`visible_scopes`) come from their roles; the index
keeps only the records whose key is 0 or one of the viewer's, inside the search itself, so a
hidden record never takes a place on a page of results.

Children's data: a work is signed «Мария С., 7Б» (given name, initial of the surname, class),
never the full name or the card — wherever the record is seen, by whoever sees it.

Withdrawing: the author (or their parent) asks from the work's card, the librarian decides.
«Снять» deletes the record (its file stays with the project work) and marks the work
«withdrawn»: a withdrawn work leaves no trace in the catalog, the search or anyone's card.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import AccessDenied, Actor
from db.audit import audit
from db.catalog import log_change
from db.enums import AccessScope, RecordKind
from db.errors import Refused
from db.models import (
    Library,
    Project,
    ProjectCurator,
    ProjectMember,
    ProjectWork,
    Reader,
    Record,
)
from nlu.morph import given_name

# Kinds of scope keys; a key is (kind << KEY_SHIFT) | id, 0 is «everyone».
EVERYONE = 0
KEY_SHIFT = 32
NETWORK_KEY = 1
LIBRARY_KEY = 2
PROJECT_KEY = 3
AUTHOR_KEY = 4

PUBLISHABLE = ("submitted", "accepted")  # a returned or withdrawn work is not published


def scope_key(
    scope: AccessScope,
    *,
    network_id: int | None = None,
    library_id: int | None = None,
    project_id: int | None = None,
    author_reader_id: int | None = None,
) -> int:
    """The search index's key for a record of this scope. A record of a narrow scope without
    the id it needs gets a key no one holds (id 0 of that kind) — except «network» with no
    school, which every network's people hold: e-resources of the network are not a school's."""
    match scope:
        case AccessScope.PUBLIC:
            return EVERYONE
        case AccessScope.NETWORK:
            return _key(NETWORK_KEY, network_id)
        case AccessScope.LIBRARY:
            return _key(LIBRARY_KEY, library_id)
        case AccessScope.PROJECT:
            return _key(PROJECT_KEY, project_id)
        case _:
            return _key(AUTHOR_KEY, author_reader_id)


def _key(kind: int, object_id: int | None) -> int:
    return (kind << KEY_SHIFT) | (object_id or 0)


def author_line(full_name: str, class_name: str | None) -> str:
    """«Смирнова Мария Ивановна», «7Б» → «Мария С., 7Б»: how a child's work is signed."""
    words = full_name.split()
    if len(words) > 1:
        signed = f"{given_name(full_name)} {words[0][:1].upper()}."
    else:
        signed = full_name.strip()
    return f"{signed}, {class_name}" if class_name else signed


# Publishing ---------------------------------------------------------------------------------


async def publish_work(
    session: AsyncSession, actor: Actor, work_id: int, scope: AccessScope, now: datetime
) -> Record:
    """Put a project work into the e-library as a student-work record of `scope`.

    Only a librarian of the author's school or a curator of the project may; a work published
    before gets its scope changed instead of a second record. The record names its school,
    project, file and author; its title is the work's, its author line «Мария С., 7Б»."""
    work = await session.get(ProjectWork, work_id)
    if work is None:
        raise Refused("work_gone")
    author = await session.get(Reader, work.reader_id)
    project = await session.get(Project, work.project_id)
    assert author is not None and project is not None  # foreign keys
    if not await may_publish(session, actor, author.library_id, project.id):
        raise AccessDenied("elibrary.publish", author.library_id)
    if work.status not in PUBLISHABLE:
        raise Refused("work_not_publishable")
    record = await session.get(Record, work.record_id) if work.record_id else None
    if record is None:
        record = Record(
            kind=RecordKind.STUDENT_WORK,
            # its own key: a student work never merges with a book of the same name on import
            dedupe_key=f"student_work:{work.id}",
            created_at=now,
        )
        session.add(record)
    record.title = work.title.strip() or project.title
    record.authors = author_line(author.full_name, author.class_name)
    record.year = now.year
    record.subjects = project.title
    record.url = work.link
    record.access_scope = scope
    record.library_id = author.library_id
    record.project_id = project.id
    record.file_id = work.file_id
    record.author_reader_id = author.id
    record.updated_at = now
    await session.flush()
    work.record_id = record.id
    log_change(session, record.id)
    audit(
        session,
        actor,
        "elibrary.publish",
        library_id=author.library_id,
        object_type="project_work",
        object_id=work.id,
        record_id=record.id,
        scope=scope.value,
    )
    return record


async def may_publish(
    session: AsyncSession, actor: Actor, library_id: int, project_id: int
) -> bool:
    """A librarian of the author's school, or a curator of the project."""
    if actor.is_librarian(library_id):
        return True
    if actor.person_id is None:
        return False
    curator = await session.scalar(
        select(ProjectCurator.id).where(
            ProjectCurator.project_id == project_id,
            ProjectCurator.person_id == actor.person_id,
        )
    )
    return curator is not None


# Who sees what ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScopedRecord:
    """What a scope check needs of a record."""

    access_scope: AccessScope
    network_id: int | None
    library_id: int | None
    project_id: int | None
    author_reader_id: int | None

    @property
    def key(self) -> int:
        return scope_key(
            self.access_scope,
            network_id=self.network_id,
            library_id=self.library_id,
            project_id=self.project_id,
            author_reader_id=self.author_reader_id,
        )


async def visible_scopes(session: AsyncSession, actor: Actor) -> frozenset[int]:
    """The scope keys whose records this person may find (0, everyone's, always included).

    A reader: their school, their network, the projects they are in, their own works. A
    parent: the same for each child. A librarian: their school and network, and every work of
    their school whatever its scope (a private one included). A curator: their projects. An
    admin (methodologist): their networks only — never a school's or a child's own works."""
    keys = {EVERYONE}
    cards = actor.cards + actor.children
    libraries = {c.library_id for c in cards} | set(actor.librarian_of)
    keys |= {_key(LIBRARY_KEY, library_id) for library_id in libraries}
    networks = set(actor.admin_of)
    if libraries:
        networks |= set(
            await session.scalars(select(Library.network_id).where(Library.id.in_(libraries)))
        )
    if networks:
        keys.add(_key(NETWORK_KEY, None))
    keys |= {_key(NETWORK_KEY, network_id) for network_id in networks}
    readers = [c.reader_id for c in cards]
    keys |= {_key(AUTHOR_KEY, reader_id) for reader_id in readers}
    if readers:
        projects = await session.scalars(
            select(ProjectMember.project_id).where(ProjectMember.reader_id.in_(readers))
        )
        keys |= {_key(PROJECT_KEY, project_id) for project_id in projects}
    if actor.person_id is not None:
        curated = await session.scalars(
            select(ProjectCurator.project_id).where(ProjectCurator.person_id == actor.person_id)
        )
        keys |= {_key(PROJECT_KEY, project_id) for project_id in curated}
    if actor.librarian_of:
        keys |= await _works_of_libraries(session, actor.librarian_of)
    return frozenset(keys)


async def _works_of_libraries(session: AsyncSession, libraries: frozenset[int]) -> set[int]:
    """Keys of every student work of these schools and of their projects."""
    rows = await session.execute(
        select(Record.access_scope, Record.library_id, Record.project_id, Record.author_reader_id)
        .outerjoin(Project, Project.id == Record.project_id)
        .where(
            Record.kind == RecordKind.STUDENT_WORK,
            or_(Record.library_id.in_(libraries), Project.library_id.in_(libraries)),
            Record.access_scope.in_((AccessScope.PROJECT, AccessScope.PRIVATE)),
        )
    )
    keys = {
        scope_key(
            row.access_scope,
            library_id=row.library_id,
            project_id=row.project_id,
            author_reader_id=row.author_reader_id,
        )
        for row in rows
    }
    projects = await session.scalars(select(Project.id).where(Project.library_id.in_(libraries)))
    return keys | {_key(PROJECT_KEY, project_id) for project_id in projects}


async def scoped_record(session: AsyncSession, record_id: int) -> ScopedRecord | None:
    row = (
        await session.execute(
            select(
                Record.access_scope,
                Library.network_id,
                Record.library_id,
                Record.project_id,
                Record.author_reader_id,
            )
            .outerjoin(Library, Library.id == Record.library_id)
            .where(Record.id == record_id)
        )
    ).first()
    return None if row is None else ScopedRecord(*row)


async def may_see(session: AsyncSession, actor: Actor, record_id: int) -> bool:
    """Whether this person may see the record at all: a card opened by a forged button is
    checked here, on the server, the same way the search checks it."""
    scoped = await scoped_record(session, record_id)
    if scoped is None:
        return False
    key = scoped.key
    return key == EVERYONE or key in await visible_scopes(session, actor)


async def remove_from_elibrary(session: AsyncSession, record_id: int) -> None:
    """Delete a student work's record; the search forgets it with the change log."""
    await session.execute(delete(Record).where(Record.id == record_id))
    log_change(session, record_id)
