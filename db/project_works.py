"""Members' works in reading projects, their review, and the projects' curators.

A member answers a question or submits a work (text, photo, document, link) for a task; a
task is done when their latest work for it is submitted (an answer) or accepted (a work).
Reviewers: the project's librarian, a librarian of the author's school for a network project,
or a curator of the author's class — people already in the bot (a librarian of the same
school, or a teacher whose card is at it) added by the project's librarian for one class or the
whole project; a curator sees and reviews their class only. Every review checks its reviewer
(`require_reviewer`): a «Принять» button is the sender's to forge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import AccessDenied, Actor
from db.audit import audit
from db.enums import ReaderCategory, RoleName
from db.models import (
    GuardianLink,
    Person,
    Project,
    ProjectCurator,
    ProjectTask,
    ProjectWork,
    Reader,
    Role,
)
from db.projects import (
    ACCEPTED,
    ANSWER,
    DRAFT,
    RETURNED,
    RUNNING,
    SUBMITTED,
    WORK_KINDS,
    is_member,
    may_manage,
    require_manager,
)
from db.school_classes import normal_class

# Who reviews -------------------------------------------------------------------------------------


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


# Works -------------------------------------------------------------------------------------------


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


# Curators ----------------------------------------------------------------------------------------


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


# Who is told -------------------------------------------------------------------------------------


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
