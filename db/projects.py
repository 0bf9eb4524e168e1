"""Reading projects: a class marathon, a summer list, a network festival — run from chat.

A project belongs to a library (its librarians run it) or, with no library, to the network
(its admin runs it). It is a draft while the librarian builds it, «running» once it has its
join code, «finished» when its librarian ends it. Its audience says who may see and join it:
«school», «network», «classes 7А 7Б», «grades 7 8»; its join mode whether they join with a
button («open») or only with the code («invite»). The code (and its deep link) never widens
the audience: a student of another class cannot join a class's project with it.

Members' works and their review, and curators: db/project_works.py; books read, progress,
the finish and deadlines: db/project_progress.py.

Every function that changes a project checks who acts (`require_manager`): button arguments
are the sender's to forge.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import AccessDenied, Actor, Card
from db.audit import audit
from db.dialect import insert_ignore
from db.models import (
    Library,
    Project,
    ProjectBook,
    ProjectMember,
    ProjectTask,
    Record,
)
from db.school_classes import grade_of, normal_class

DRAFT, RUNNING, FINISHED = "draft", "running", "finished"


OPEN, INVITE = "open", "invite"


SCHOOL, NETWORK, CLASSES, GRADES = "school", "network", "classes", "grades"


ANSWER, SUBMIT = "answer", "submit"


SUBMITTED, ACCEPTED, RETURNED = "submitted", "accepted", "returned"


WORK_KINDS = ("text", "photo", "document", "link")


MAX_BOOKS = 10  # a reading list fits one keyboard of «✓ прочитал(а)» buttons


MAX_TASKS = 5


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a poster


CODE_LENGTH = 6


LINK_PREFIX = "p_"  # a deep link's payload «p_<code>»: a project's, not a link code


@dataclass(frozen=True, slots=True)
class Audience:
    """Who may see and join: the school, the network, some classes or some grades."""

    kind: str
    classes: tuple[str, ...] = ()
    grades: tuple[int, ...] = ()

    @property
    def stored(self) -> str:
        if self.kind == CLASSES:
            return " ".join((CLASSES, *self.classes))
        if self.kind == GRADES:
            return " ".join((GRADES, *map(str, self.grades)))
        return self.kind

    @classmethod
    def from_stored(cls, stored: str) -> Audience:
        kind, *rest = stored.split() or [SCHOOL]
        if kind == CLASSES:
            return cls(CLASSES, classes=tuple(rest))
        if kind == GRADES:
            return cls(GRADES, grades=tuple(int(g) for g in rest))
        return cls(kind)

    def admits(self, class_name: str | None) -> bool:
        if self.kind == CLASSES:
            return normal_class(class_name or "") in self.classes
        if self.kind == GRADES:
            return grade_of(class_name) in self.grades
        return True


# Who may -----------------------------------------------------------------------------------------


async def project_library(session: AsyncSession, project: Project) -> Library | None:
    return await session.get(Library, project.library_id) if project.library_id else None


def may_manage(actor: Actor, project: Project) -> bool:
    """A library's project is its librarians'; a network's, its admin's."""
    if project.library_id is not None:
        return project.library_id in actor.librarian_of
    return project.network_id in actor.admin_of


def require_manager(actor: Actor, project: Project | None, action: str) -> Project:
    if project is None or not may_manage(actor, project):
        raise AccessDenied(action, project.library_id if project else None)
    return project


# Creating ----------------------------------------------------------------------------------------


async def start_project(
    session: AsyncSession,
    actor: Actor,
    title: str,
    now: datetime,
    *,
    library_id: int | None,
    network_id: int | None = None,
) -> Project:
    """A draft project of the library (its librarian) or of the network (its admin)."""
    if library_id is not None:
        library = await session.get(Library, library_id)
        if library is None or library_id not in actor.librarian_of:
            raise AccessDenied("project.create", library_id)
        network_id = library.network_id
    elif network_id is None or network_id not in actor.admin_of:
        raise AccessDenied("project.create")
    project = Project(
        network_id=network_id,
        library_id=library_id,
        title=title.strip()[:300],
        created_by_person_id=actor.person_id,
        created_at=now,
        audience=NETWORK if library_id is None else SCHOOL,
        status=DRAFT,
    )
    session.add(project)
    await session.flush()
    audit(
        session,
        actor,
        "project.create",
        library_id=library_id,
        object_type="project",
        object_id=project.id,
    )
    return project


def set_audience(project: Project, audience: Audience) -> None:
    if audience.kind == NETWORK and project.library_id is not None:
        raise AccessDenied("project.audience", project.library_id)
    project.audience = audience.stored


async def add_book(session: AsyncSession, project: Project, record_id: int) -> bool:
    """Put a record on the reading list; False if it is there already, the list is full, or
    there is no such record."""
    if await session.get(Record, record_id) is None:
        return False
    books = await book_ids(session, project.id)
    if record_id in books or len(books) >= MAX_BOOKS:
        return False
    session.add(ProjectBook(project_id=project.id, record_id=record_id, position=len(books)))
    await session.flush()
    return True


async def add_task(
    session: AsyncSession, project: Project, title: str, kind: str, due_on: date | None
) -> ProjectTask | None:
    if kind not in (ANSWER, SUBMIT):
        raise ValueError(f"no such task kind: {kind}")
    tasks = await tasks_of(session, project.id)
    if len(tasks) >= MAX_TASKS:
        return None
    task = ProjectTask(
        project_id=project.id,
        title=title.strip()[:300],
        kind=kind,
        due_on=due_on,
        position=len(tasks),
    )
    session.add(task)
    await session.flush()
    return task


async def launch(session: AsyncSession, actor: Actor, project: Project) -> Project:
    """The draft starts: it gets its join code and is seen by its audience."""
    require_manager(actor, project, "project.launch")
    if project.join_code is None:
        project.join_code = await _new_code(session)
    project.status = RUNNING
    audit(
        session,
        actor,
        "project.launch",
        library_id=project.library_id,
        object_type="project",
        object_id=project.id,
    )
    return project


async def _new_code(session: AsyncSession) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        taken = await session.scalar(select(Project.id).where(Project.join_code == code))
        if taken is None:
            return code


async def copy_project(
    session: AsyncSession, actor: Actor, source: Project, now: datetime
) -> Project:
    """Last year's project again: the same title, aim, audience, list and tasks, as a draft
    that waits for its new dates (`set_dates` moves the tasks' deadlines with them)."""
    require_manager(actor, source, "project.copy")
    copy = Project(
        network_id=source.network_id,
        library_id=source.library_id,
        title=source.title,
        description=source.description,
        created_by_person_id=actor.person_id,
        created_at=now,
        audience=source.audience,
        join_mode=source.join_mode,
        leaderboard=source.leaderboard,
        status=DRAFT,
        copied_from_id=source.id,
        starts_on=source.starts_on,
        ends_on=source.ends_on,
    )
    session.add(copy)
    await session.flush()
    for position, record_id in enumerate(await book_ids(session, source.id)):
        session.add(ProjectBook(project_id=copy.id, record_id=record_id, position=position))
    for task in await tasks_of(session, source.id):
        session.add(
            ProjectTask(
                project_id=copy.id,
                title=task.title,
                kind=task.kind,
                due_on=task.due_on,
                position=task.position,
            )
        )
    await session.flush()
    audit(
        session,
        actor,
        "project.copy",
        library_id=source.library_id,
        object_type="project",
        object_id=copy.id,
        source=source.id,
    )
    return copy


async def set_dates(session: AsyncSession, project: Project, starts: date, ends: date) -> None:
    """The project's dates; the deadlines of its tasks move by as much as its start did."""
    if project.starts_on is not None and project.starts_on != starts:
        shift = starts - project.starts_on
        for task in await tasks_of(session, project.id):
            if task.due_on is not None:
                task.due_on = min(task.due_on + shift, ends)
    project.starts_on, project.ends_on = starts, ends


# Reading -----------------------------------------------------------------------------------------


async def book_ids(session: AsyncSession, project_id: int) -> list[int]:
    return list(
        await session.scalars(
            select(ProjectBook.record_id)
            .where(ProjectBook.project_id == project_id)
            .order_by(ProjectBook.position, ProjectBook.record_id)
        )
    )


async def books_of(session: AsyncSession, project_id: int) -> list[Record]:
    return list(
        await session.scalars(
            select(Record)
            .join(ProjectBook, ProjectBook.record_id == Record.id)
            .where(ProjectBook.project_id == project_id)
            .order_by(ProjectBook.position, ProjectBook.record_id)
        )
    )


async def tasks_of(session: AsyncSession, project_id: int) -> list[ProjectTask]:
    return list(
        await session.scalars(
            select(ProjectTask)
            .where(ProjectTask.project_id == project_id)
            .order_by(ProjectTask.position, ProjectTask.id)
        )
    )


async def by_code(session: AsyncSession, code: str) -> Project | None:
    code = code.strip().upper()
    if not code:
        return None
    return await session.scalar(select(Project).where(Project.join_code == code))


async def library_projects(session: AsyncSession, actor: Actor) -> list[Project]:
    """The projects the actor runs (their libraries', their networks'), newest first."""
    query = select(Project).order_by(Project.id.desc()).limit(20)
    mine = []
    if actor.librarian_of:
        mine.append(Project.library_id.in_(actor.librarian_of))
    if actor.admin_of:
        mine.append(Project.library_id.is_(None) & Project.network_id.in_(actor.admin_of))
    if not mine:
        return []
    return list(await session.scalars(query.where(or_(*mine))))


# Joining -----------------------------------------------------------------------------------------


async def network_of(session: AsyncSession, library_id: int) -> int | None:
    return await session.scalar(select(Library.network_id).where(Library.id == library_id))


async def may_join(session: AsyncSession, project: Project, card: Card) -> bool:
    """Whether the card's reader is of the project's audience (the code does not change it)."""
    if project.status != RUNNING:
        return False
    if project.library_id is not None and card.library_id != project.library_id:
        return False
    if (
        project.library_id is None
        and await network_of(session, card.library_id) != project.network_id
    ):
        return False
    if card.adult:  # a teacher curates; students take part
        return False
    return Audience.from_stored(project.audience).admits(card.class_name)


async def open_to(session: AsyncSession, card: Card) -> list[Project]:
    """Running projects the card's reader may join with a button (open ones of their
    audience) or is in already."""
    network = await network_of(session, card.library_id)
    candidates = await session.scalars(
        select(Project)
        .where(
            Project.status == RUNNING,
            Project.network_id == network,
            (Project.library_id == card.library_id) | Project.library_id.is_(None),
        )
        .order_by(Project.id)
    )
    member = set(await member_projects(session, card.reader_id))
    return [
        p
        for p in candidates
        if p.id in member or (p.join_mode == OPEN and await may_join(session, p, card))
    ]


async def member_projects(session: AsyncSession, reader_id: int) -> list[int]:
    return list(
        await session.scalars(
            select(ProjectMember.project_id).where(ProjectMember.reader_id == reader_id)
        )
    )


async def projects_of_reader(session: AsyncSession, reader_id: int) -> list[Project]:
    return list(
        await session.scalars(
            select(Project)
            .join(ProjectMember, ProjectMember.project_id == Project.id)
            .where(ProjectMember.reader_id == reader_id)
            .order_by(Project.id)
        )
    )


async def join(
    session: AsyncSession,
    actor: Actor,
    project: Project,
    card: Card,
    now: datetime,
    *,
    by_code: bool,
) -> bool:
    """The card's reader joins (the actor's own card only); False if they were in already.
    Refused outside the audience, and by button for a project that is by invitation."""
    if actor.own_card(card.reader_id) is None or not await may_join(session, project, card):
        raise AccessDenied("project.join", project.library_id)
    if project.join_mode == INVITE and not by_code:
        raise AccessDenied("project.join", project.library_id)
    return await insert_ignore(
        session,
        ProjectMember,
        {"project_id": project.id, "reader_id": card.reader_id, "joined_at": now},
        ["project_id", "reader_id"],
    )


async def is_member(session: AsyncSession, project_id: int, reader_id: int) -> bool:
    found = await session.scalar(
        select(ProjectMember.reader_id).where(
            ProjectMember.project_id == project_id, ProjectMember.reader_id == reader_id
        )
    )
    return found is not None


async def drop_draft(session: AsyncSession, actor: Actor, project: Project) -> None:
    require_manager(actor, project, "project.create")
    if project.status == DRAFT:
        await session.execute(delete(Project).where(Project.id == project.id))
