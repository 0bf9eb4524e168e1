"""Progress in reading projects: the books a member read (marked by them, or when they
returned a copy: `read_on_return`, called from db.loans.return_copy), each member's and each
class's progress, the finish with its summary and certificates' list, and tomorrow's deadlines.

Completed: every book of the list read, every task done (db/project_works.py `task_done`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import AccessDenied, Actor
from db.audit import audit
from db.dialect import insert_ignore
from db.models import (
    Project,
    ProjectBook,
    ProjectMember,
    ProjectRead,
    ProjectTask,
    ProjectWork,
    Reader,
)
from db.project_works import latest_works, task_done
from db.projects import (
    ACCEPTED,
    FINISHED,
    RETURNED,
    RUNNING,
    book_ids,
    require_manager,
    tasks_of,
)
from db.school_classes import normal_class


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


# Books read --------------------------------------------------------------------------------------


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


# Progress ----------------------------------------------------------------------------------------


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


# Deadlines ---------------------------------------------------------------------------------------


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
