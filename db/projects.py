"""Reading projects: a class marathon, a summer list, a network festival — run from chat.

A project belongs to a library (its librarians run it) or, with no library, to the network
(its admin runs it). It is a draft while the librarian builds it, «running» once it has its
join code, «finished» when its librarian ends it. Its audience says who may see and join it:
«school», «network», «classes 7А 7Б», «grades 7 8»; its join mode whether they join with a
button («open») or only with the code («invite»). The code (and its deep link) never widens
the audience: a student of another class cannot join a class's project with it.

Progress: a member read a book of the list (marked by them, or when they returned a copy of it:
`read_on_return`, called from db.loans.return_copy), and has a task done when their latest work
for it is submitted (an answer) or accepted (a work). Completed: every book read, every task
done. Curators: people already in the bot — a librarian of the same school, or a teacher whose
card is at it — added by the project's librarian for one class or the whole project; a curator
sees and reviews their class only.

Every function that changes a project checks who acts (`require_manager`, `require_reviewer`):
button arguments are the sender's to forge.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import AccessDenied, Actor, Card
from db.audit import audit
from db.dialect import insert_ignore
from db.enums import ReaderCategory, RoleName
from db.models import (
    GuardianLink,
    Library,
    Person,
    Project,
    ProjectBook,
    ProjectCurator,
    ProjectMember,
    ProjectRead,
    ProjectTask,
    ProjectWork,
    Reader,
    Record,
    Role,
)

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

_GRADE = re.compile(r"(\d{1,2})")


def normal_class(typed: str) -> str:
    """«7б», « 7 Б » → «7Б»."""
    return "".join(typed.split()).upper().replace("Ё", "Е")


def grade_of(class_name: str | None) -> int | None:
    found = _GRADE.match(class_name or "")
    return int(found.group(1)) if found else None


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


@dataclass(frozen=True, slots=True)
class Progress:
    """One member's progress: books read of the list, tasks done of all."""

    reader_id: int
    class_name: str | None
    full_name: str
    read: int
    books: int
    done: int
    tasks: int

    @property
    def completed(self) -> bool:
        return self.read >= self.books and self.done >= self.tasks

    @property
    def score(self) -> int:
        return self.read + self.done


@dataclass(frozen=True, slots=True)
class ClassProgress:
    class_name: str
    members: int
    completed: int
    books_read: int
    works_accepted: int


@dataclass(slots=True)
class Summary:
    """What a finished project leaves for the school's report."""

    members: int = 0
    completed: int = 0
    books_read: int = 0
    works_accepted: int = 0
    certificates: list[tuple[Progress, int]] = field(default_factory=list)  # (member, library)


# Who may ------------------------------------------------------------------------------------


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


async def curated_classes(
    session: AsyncSession, actor: Actor, project: Project
) -> frozenset[str] | None:
    """The classes the actor curates in the project: None for all of them (its librarian, or a
    curator of the whole project), an empty set for someone who curates nothing of it."""
    if may_manage(actor, project):
        return None
    if actor.person_id is None:
        return frozenset()
    rows = list(
        await session.scalars(
            select(ProjectCurator.class_name).where(
                ProjectCurator.project_id == project.id,
                ProjectCurator.person_id == actor.person_id,
            )
        )
    )
    if any(row is None for row in rows):
        return None
    return frozenset(r for r in rows if r)


async def require_reviewer(
    session: AsyncSession, actor: Actor, work: ProjectWork | None, action: str
) -> tuple[ProjectWork, Project, Reader]:
    """The work, its project and author, if the actor may review it: the project's librarian,
    a librarian of the author's school for a network project, or a curator of the author's
    class. Anyone else (a student pressing a forged «Принять») is refused."""
    if work is None:
        raise AccessDenied(action)
    project = await session.get(Project, work.project_id)
    author = await session.get(Reader, work.reader_id)
    assert project is not None and author is not None
    if may_manage(actor, project) or author.library_id in actor.librarian_of:
        return work, project, author
    classes = await curated_classes(session, actor, project)
    if classes is None or normal_class(author.class_name or "") in classes:
        return work, project, author
    raise AccessDenied(action, project.library_id)


async def is_curator(session: AsyncSession, person_id: int | None) -> bool:
    if person_id is None:
        return False
    found = await session.scalar(
        select(ProjectCurator.id).where(ProjectCurator.person_id == person_id).limit(1)
    )
    return found is not None


# Creating ------------------------------------------------------------------------------------


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


# Reading -------------------------------------------------------------------------------------


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


async def curated_projects(session: AsyncSession, person_id: int | None) -> list[Project]:
    if person_id is None:
        return []
    return list(
        await session.scalars(
            select(Project)
            .join(ProjectCurator, ProjectCurator.project_id == Project.id)
            .where(ProjectCurator.person_id == person_id, Project.status != DRAFT)
            .distinct()
            .order_by(Project.id.desc())
        )
    )


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


async def mark_read(
    session: AsyncSession, project_id: int, reader_id: int, record_id: int, now: datetime, via: str
) -> bool:
    """The member read a book of the list; False if it was marked before or is not on it."""
    if record_id not in await book_ids(session, project_id):
        return False
    return await insert_ignore(
        session,
        ProjectRead,
        {
            "project_id": project_id,
            "reader_id": reader_id,
            "record_id": record_id,
            "read_at": now,
            "via": via,
        },
        ["project_id", "reader_id", "record_id"],
    )


async def read_on_return(
    session: AsyncSession, reader_id: int, record_id: int, now: datetime
) -> int:
    """A copy came back: the book is read in every running project of the reader that lists
    it. How many projects that was."""
    projects = await session.scalars(
        select(ProjectBook.project_id)
        .join(ProjectMember, ProjectMember.project_id == ProjectBook.project_id)
        .join(Project, Project.id == ProjectBook.project_id)
        .where(
            ProjectBook.record_id == record_id,
            ProjectMember.reader_id == reader_id,
            Project.status == RUNNING,
        )
    )
    marked = 0
    for project_id in list(projects):
        marked += await mark_read(session, project_id, reader_id, record_id, now, "return")
    return marked


async def reads_of(session: AsyncSession, project_id: int, reader_id: int) -> set[int]:
    return set(
        await session.scalars(
            select(ProjectRead.record_id).where(
                ProjectRead.project_id == project_id, ProjectRead.reader_id == reader_id
            )
        )
    )


async def latest_works(
    session: AsyncSession, project_id: int, reader_id: int
) -> dict[int, ProjectWork]:
    """The member's latest work per task."""
    works = await session.scalars(
        select(ProjectWork)
        .where(ProjectWork.project_id == project_id, ProjectWork.reader_id == reader_id)
        .order_by(ProjectWork.id)
    )
    return {w.task_id: w for w in works if w.task_id is not None}


def task_done(task: ProjectTask, work: ProjectWork | None) -> bool:
    """An answer counts once given; a work once accepted."""
    if work is None:
        return False
    return work.status == ACCEPTED or (task.kind == ANSWER and work.status == SUBMITTED)


async def submit_work(
    session: AsyncSession,
    actor: Actor,
    task: ProjectTask,
    reader_id: int,
    now: datetime,
    *,
    kind: str,
    text: str | None = None,
    file_id: int | None = None,
    link: str | None = None,
) -> ProjectWork:
    """A member's answer or work for a task of a running project (their own card only)."""
    project = await session.get(Project, task.project_id)
    assert project is not None
    if actor.own_card(reader_id) is None or not await is_member(session, project.id, reader_id):
        raise AccessDenied("project.submit", project.library_id)
    if project.status != RUNNING:
        raise AccessDenied("project.submit", project.library_id)
    if kind not in WORK_KINDS:
        raise ValueError(f"no such work kind: {kind}")
    work = ProjectWork(
        project_id=project.id,
        task_id=task.id,
        reader_id=reader_id,
        title=task.title,
        submitted_at=now,
        kind=kind,
        text=text,
        file_id=file_id,
        link=link,
    )
    session.add(work)
    await session.flush()
    return work


async def review(
    session: AsyncSession,
    actor: Actor,
    work_id: int,
    accepted: bool,
    now: datetime,
    comment: str | None = None,
) -> tuple[ProjectWork, Project, Reader]:
    """Accept a work, or return it with a comment; the reviewer is checked (require_reviewer)."""
    action = "project.accept" if accepted else "project.return"
    work, project, author = await require_reviewer(
        session, actor, await session.get(ProjectWork, work_id), action
    )
    work.status = ACCEPTED if accepted else RETURNED
    work.comment = comment
    work.reviewed_by_person_id = actor.person_id
    work.reviewed_at = now
    audit(
        session,
        actor,
        action,
        library_id=author.library_id,
        object_type="project_work",
        object_id=work.id,
    )
    return work, project, author


# Curators ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    person_id: int
    name: str


async def curator_candidates(
    session: AsyncSession, actor: Actor, project: Project
) -> list[Candidate]:
    """Who may curate: a librarian of the project's school, or a teacher whose card is at it
    and who is in the bot (their role says so) — never the acting librarian themselves."""
    if project.library_id is None:
        return []
    librarians = await session.execute(
        select(Person.id, Person.display_name)
        .join(Role, Role.person_id == Person.id)
        .where(Role.role == RoleName.LIBRARIAN, Role.library_id == project.library_id)
    )
    teachers = await session.execute(
        select(Role.person_id, Reader.full_name)
        .join(Reader, Reader.id == Role.reader_id)
        .where(
            Role.role == RoleName.READER,
            Reader.library_id == project.library_id,
            Reader.category == ReaderCategory.TEACHER,
            Reader.erased_at.is_(None),
        )
    )
    found: dict[int, str] = {}
    for person_id, name in [*librarians, *teachers]:
        if person_id != actor.person_id:
            found.setdefault(person_id, name or f"№{person_id}")
    return [Candidate(p, n) for p, n in sorted(found.items())]


async def add_curator(
    session: AsyncSession, actor: Actor, project: Project, person_id: int, class_name: str | None
) -> bool:
    require_manager(actor, project, "project.curator")
    if person_id not in {c.person_id for c in await curator_candidates(session, actor, project)}:
        raise AccessDenied("project.curator", project.library_id)
    exists = await session.scalar(
        select(ProjectCurator.id).where(
            ProjectCurator.project_id == project.id,
            ProjectCurator.person_id == person_id,
            ProjectCurator.class_name.is_(None)
            if class_name is None
            else ProjectCurator.class_name == class_name,
        )
    )
    if exists is not None:
        return False
    session.add(ProjectCurator(project_id=project.id, person_id=person_id, class_name=class_name))
    await session.flush()
    audit(
        session,
        actor,
        "project.curator",
        library_id=project.library_id,
        object_type="project",
        object_id=project.id,
        curator=person_id,
    )
    return True


async def reviewers(session: AsyncSession, project: Project, author: Reader) -> list[Person]:
    """Who hears of a new work: the librarians of the author's school and the curators of the
    whole project or of the author's class."""
    librarians = select(Role.person_id).where(
        Role.role == RoleName.LIBRARIAN, Role.library_id == author.library_id
    )
    curators = select(ProjectCurator.person_id).where(
        ProjectCurator.project_id == project.id,
        ProjectCurator.class_name.is_(None)
        | (ProjectCurator.class_name == normal_class(author.class_name or "")),
    )
    return list(
        await session.scalars(
            select(Person)
            .where(Person.id.in_(librarians) | Person.id.in_(curators))
            .order_by(Person.id)
        )
    )


# Progress ------------------------------------------------------------------------------------


async def progress(
    session: AsyncSession, project: Project, classes: frozenset[str] | None = None
) -> list[Progress]:
    """Every member's progress (of the classes given, when given), by class, then name."""
    query = (
        select(Reader)
        .join(ProjectMember, ProjectMember.reader_id == Reader.id)
        .where(ProjectMember.project_id == project.id)
    )
    members = list(await session.scalars(query))
    if classes is not None:
        members = [m for m in members if normal_class(m.class_name or "") in classes]
    books = await book_ids(session, project.id)
    tasks = await tasks_of(session, project.id)
    reads: dict[int, set[int]] = {}
    for reader_id, record_id in await session.execute(
        select(ProjectRead.reader_id, ProjectRead.record_id).where(
            ProjectRead.project_id == project.id
        )
    ):
        reads.setdefault(reader_id, set()).add(record_id)
    works: dict[tuple[int, int], ProjectWork] = {}
    for work in await session.scalars(
        select(ProjectWork).where(ProjectWork.project_id == project.id).order_by(ProjectWork.id)
    ):
        if work.task_id is not None:
            works[(work.reader_id, work.task_id)] = work
    found = [
        Progress(
            reader_id=m.id,
            class_name=m.class_name,
            full_name=m.full_name,
            read=len(reads.get(m.id, set()) & set(books)),
            books=len(books),
            done=sum(task_done(t, works.get((m.id, t.id))) for t in tasks),
            tasks=len(tasks),
        )
        for m in members
    ]
    return sorted(found, key=lambda p: (len(p.class_name or ""), p.class_name or "", p.full_name))


async def member_progress(
    session: AsyncSession, project: Project, reader_id: int
) -> Progress | None:
    reader = await session.get(Reader, reader_id)
    if reader is None:
        return None
    books = await book_ids(session, project.id)
    tasks = await tasks_of(session, project.id)
    works = await latest_works(session, project.id, reader_id)
    return Progress(
        reader_id,
        reader.class_name,
        reader.full_name,
        len(await reads_of(session, project.id, reader_id) & set(books)),
        len(books),
        sum(task_done(t, works.get(t.id)) for t in tasks),
        len(tasks),
    )


async def accepted_works(session: AsyncSession, project_id: int) -> dict[int, int]:
    """Accepted works per member."""
    rows = await session.execute(
        select(ProjectWork.reader_id, func.count())
        .where(ProjectWork.project_id == project_id, ProjectWork.status == ACCEPTED)
        .group_by(ProjectWork.reader_id)
    )
    return {reader_id: n for reader_id, n in rows}


def by_class(members: Sequence[Progress], accepted: dict[int, int]) -> list[ClassProgress]:
    classes: dict[str, list[Progress]] = {}
    for member in members:
        classes.setdefault(member.class_name or "—", []).append(member)
    return [
        ClassProgress(
            name,
            len(group),
            sum(m.completed for m in group),
            sum(m.read for m in group),
            sum(accepted.get(m.reader_id, 0) for m in group),
        )
        for name, group in classes.items()
    ]


async def finish(session: AsyncSession, actor: Actor, project: Project, now: datetime) -> Summary:
    """The project ends: what it amounted to, and who of its members completed it (each with
    their school, for the certificate)."""
    require_manager(actor, project, "project.finish")
    if project.status == FINISHED:
        raise AccessDenied("project.finish", project.library_id)
    project.status = FINISHED
    members = await progress(session, project)
    accepted = await accepted_works(session, project.id)
    ids = [m.reader_id for m in members]
    rows = await session.execute(select(Reader.id, Reader.library_id).where(Reader.id.in_(ids)))
    libraries = {reader_id: library_id for reader_id, library_id in rows}
    audit(
        session,
        actor,
        "project.finish",
        library_id=project.library_id,
        object_type="project",
        object_id=project.id,
        members=len(members),
    )
    return Summary(
        members=len(members),
        completed=sum(m.completed for m in members),
        books_read=sum(m.read for m in members),
        works_accepted=sum(accepted.values()),
        certificates=[(m, libraries[m.reader_id]) for m in members if m.completed],
    )


# Who is told ---------------------------------------------------------------------------------


async def readers_people(session: AsyncSession, reader_id: int, *, parents: bool) -> list[int]:
    """The people of a reader: their own (and with `parents`, their parents)."""
    own = list(
        await session.scalars(
            select(Role.person_id).where(Role.role == RoleName.READER, Role.reader_id == reader_id)
        )
    )
    if parents:
        own += await session.scalars(
            select(GuardianLink.parent_person_id).where(GuardianLink.reader_id == reader_id)
        )
    return list(dict.fromkeys(own))


@dataclass(frozen=True, slots=True)
class Due:
    """A task due soon and a member who has not done it."""

    task: ProjectTask
    project: Project
    reader_id: int
    library_id: int


async def due_tomorrow(session: AsyncSession, tomorrow: dict[int, date]) -> list[Due]:
    """Tasks of running projects due on each library's «tomorrow» (library → date), with the
    members of that library who have not done them."""
    found: list[Due] = []
    rows = await session.execute(
        select(ProjectTask, Project, Reader.id, Reader.library_id)
        .join(Project, Project.id == ProjectTask.project_id)
        .join(ProjectMember, ProjectMember.project_id == Project.id)
        .join(Reader, Reader.id == ProjectMember.reader_id)
        .where(Project.status == RUNNING, ProjectTask.due_on.in_(set(tomorrow.values())))
    )
    for task, project, reader_id, library_id in rows:
        if task.due_on != tomorrow.get(library_id):
            continue
        works = await latest_works(session, project.id, reader_id)
        if works.get(task.id) is None or works[task.id].status == RETURNED:
            found.append(Due(task, project, reader_id, library_id))
    return found


async def drop_draft(session: AsyncSession, actor: Actor, project: Project) -> None:
    require_manager(actor, project, "project.create")
    if project.status == DRAFT:
        await session.execute(delete(Project).where(Project.id == project.id))
