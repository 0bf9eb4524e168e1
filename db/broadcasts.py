"""A broadcast: a librarian's one message to a part of their own library — the whole school, a
class, a grade (all the 7th classes), or the readers with overdue books — for the readers,
their parents, or both; or an admin's message to the librarians of their network.

A broadcast is a row of `broadcasts` (owned by its library, or for an admin's by its network)
and one outbox row per person (db/outbox.py `notify`, dedupe key «broadcast:<id>:<person>»,
`broadcast_id` in the payload, the bulk lane), queued after the quiet hours. A photo or file
goes with it as a stored file (db/stored_files.py): `broadcasts.file_id`, and its id under
FILES in every row's payload, for the dispatcher (jobs/outbox.py) to send after the text. What
became of the messages is counted from those rows by their dedupe key prefix, which reads the
same on SQLite and PostgreSQL. A person with no reachable account is queued too: the
dispatcher marks that row SKIPPED «unreachable», and the report counts it so.

The file of a preview is stored when it arrives (a button cannot carry bytes; its id goes into
the preview's buttons). A preview confirmed attaches it; a preview cancelled, or left behind
when another one is confirmed or cancelled, has its file deleted (`spend_previews`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import Actor, require_admin, require_librarian
from db.audit import audit
from db.enums import OutboxStatus, Priority, RoleName
from db.models import (
    Account,
    Broadcast,
    BroadcastStatus,
    ButtonToken,
    GuardianLink,
    Library,
    Loan,
    OutboxMessage,
    Project,
    ProjectMember,
    Reader,
    Role,
    StoredFile,
)
from db.outbox import BULK, notify
from db.project_progress import progress
from db.school_classes import grade_of
from db.stored_files import FILES

KIND = "broadcast"
# The last_error of a row stopped before it was sent (its status is SKIPPED: OutboxStatus has
# no state of its own for it, and the dispatcher leaves SKIPPED rows alone).
CANCELLED = "cancelled"
MAX_TEXT = 3000  # a messenger message, with the library's header, stays under 4096
REPORT_LAST = 5
# The buttons of a preview: spent together once one of them is pressed.
PREVIEW_ACTIONS = ("broadcast.send", "broadcast.cancel")

SCHOOL, CLASS, GRADE, OVERDUE, NETWORK = "school", "class", "grade", "overdue", "network"
PROJECT = "project"  # the members of a reading project (db/projects.py) at the library
BEHIND = "behind"  # those of them who have not yet read every book and done every task
READERS, PARENTS, BOTH, LIBRARIANS = "readers", "parents", "both", "librarians"
SCOPES = (SCHOOL, CLASS, GRADE, OVERDUE, NETWORK, PROJECT, BEHIND)
WHOM = (READERS, PARENTS, BOTH, LIBRARIANS)


@dataclass(frozen=True, slots=True)
class Audience:
    """Whose readers (the school, a class, a grade, the overdue) and who of them (readers,
    parents, both); or the librarians of the network (an admin's)."""

    scope: str
    whom: str
    class_name: str | None = None
    grade: int | None = None
    project: int | None = None

    def __post_init__(self) -> None:
        if self.scope not in SCOPES or self.whom not in WHOM:
            raise ValueError(f"no such audience: {self.scope} {self.whom}")
        if (self.scope == NETWORK) != (self.whom == LIBRARIANS):
            raise ValueError("the network's librarians, and only they, are a network audience")
        if (self.scope == CLASS) != bool(self.class_name):
            raise ValueError("a class audience, and only it, names its class")
        if (self.scope == GRADE) != (self.grade is not None):
            raise ValueError("a grade audience, and only it, names its grade")
        if (self.scope in (PROJECT, BEHIND)) != (self.project is not None):
            raise ValueError("a project audience, and only it, names its project")

    @property
    def stored(self) -> str:
        """As `broadcasts.audience` keeps it: «class 7Б both», «grade 7 readers», «overdue
        readers», «network librarians», «project 3 readers», «behind 3 readers»."""
        if self.project is not None:
            return f"{self.scope} {self.project} {self.whom}"
        grade = str(self.grade) if self.grade is not None else None
        return " ".join(part for part in (self.scope, self.class_name, grade, self.whom) if part)

    @classmethod
    def from_stored(cls, stored: str) -> Audience:
        parts = stored.split()
        if len(parts) == 3 and parts[0] in (PROJECT, BEHIND):
            return cls(parts[0], parts[2], project=int(parts[1]))
        if len(parts) == 3 and parts[0] == GRADE:
            return cls(parts[0], parts[2], grade=int(parts[1]))
        if len(parts) == 3:
            return cls(parts[0], parts[2], parts[1])
        return cls(parts[0], parts[1])


@dataclass(frozen=True, slots=True)
class Reach:
    """Who a broadcast goes to: the people (ids), how many of them have no account the bot
    can write to now, and how many readers of the audience have nobody in the bot at all."""

    people: tuple[int, ...]
    unreachable: int
    not_in_bot: int


@dataclass(frozen=True, slots=True)
class Report:
    """What became of a broadcast's messages, counted from its outbox rows."""

    broadcast: Broadcast
    sent: int = 0
    queued: int = 0  # due now: the dispatcher takes them in a few seconds
    waiting: int = 0  # after the quiet hours
    unreachable: int = 0
    failed: int = 0
    cancelled: int = 0
    file_kind: str | None = None  # "photo" | "document": what went with the text


async def classes_of(session: AsyncSession, library_id: int) -> list[str]:
    """The library's classes, in school order (5А, 5Б, …, 10А, 11А)."""
    names = await session.scalars(
        select(Reader.class_name)
        .where(
            Reader.library_id == library_id,
            Reader.class_name.is_not(None),
            Reader.erased_at.is_(None),
        )
        .distinct()
    )
    return sorted((n for n in names if n), key=lambda n: (len(n), n))


def by_grade(classes: list[str]) -> dict[int | None, list[str]]:
    """Classes under their grades, in school order; those with no number under None."""
    grades: dict[int | None, list[str]] = {}
    for name in classes:
        grades.setdefault(grade_of(name), []).append(name)
    return dict(sorted(grades.items(), key=lambda pair: (pair[0] is None, pair[0] or 0)))


async def _readers(
    session: AsyncSession, library_id: int, audience: Audience, now: datetime
) -> Select[tuple[int]]:
    query = select(Reader.id).where(Reader.library_id == library_id, Reader.erased_at.is_(None))
    if audience.scope == CLASS:
        query = query.where(Reader.class_name == audience.class_name)
    elif audience.scope == GRADE:
        classes = by_grade(await classes_of(session, library_id)).get(audience.grade, [])
        query = query.where(Reader.class_name.in_(classes))
    elif audience.scope == OVERDUE:
        overdue = select(Loan.reader_id).where(
            Loan.library_id == library_id, Loan.returned_at.is_(None), Loan.due_at < now
        )
        query = query.where(Reader.id.in_(overdue))
    elif audience.scope == PROJECT:
        members = select(ProjectMember.reader_id).where(
            ProjectMember.project_id == audience.project
        )
        query = query.where(Reader.id.in_(members))
    elif audience.scope == BEHIND:
        query = query.where(Reader.id.in_(await _behind(session, audience.project or 0)))
    return query


async def _behind(session: AsyncSession, project_id: int) -> list[int]:
    """The members of a project who have not yet read every book and done every task."""
    project = await session.get(Project, project_id)
    if project is None:
        return []
    return [m.reader_id for m in await progress(session, project) if not m.completed]


async def reach(session: AsyncSession, library_id: int, audience: Audience, now: datetime) -> Reach:
    """The people a broadcast to `audience` of the library reaches now (each once, however
    many of its readers they are or are parent of)."""
    if audience.scope == NETWORK:
        raise ValueError("the network's librarians are reached by librarians_reach")
    readers = set(await session.scalars(await _readers(session, library_id, audience, now)))
    pairs: list[tuple[int, int]] = []
    if readers and audience.whom in (READERS, BOTH):
        pairs += await session.execute(
            select(Role.person_id, Role.reader_id).where(
                Role.role == RoleName.READER, Role.reader_id.in_(readers)
            )
        )
    if readers and audience.whom in (PARENTS, BOTH):
        pairs += await session.execute(
            select(GuardianLink.parent_person_id, GuardianLink.reader_id).where(
                GuardianLink.reader_id.in_(readers)
            )
        )
    people = tuple(sorted({person for person, _ in pairs}))
    covered = {reader for _, reader in pairs}
    return Reach(people, await _unreachable(session, people), len(readers - covered))


async def network_librarians(session: AsyncSession, network_id: int) -> dict[int, int]:
    """Every librarian of the network's libraries, with the library whose quiet hours they
    keep (the first of theirs, when they work at several)."""
    rows = await session.execute(
        select(Role.person_id, Role.library_id)
        .join(Library, Library.id == Role.library_id)
        .where(Role.role == RoleName.LIBRARIAN, Library.network_id == network_id)
        .order_by(Role.person_id, Role.library_id)
    )
    librarians: dict[int, int] = {}
    for person_id, library_id in rows:
        librarians.setdefault(person_id, library_id)
    return librarians


async def librarians_reach(session: AsyncSession, network_id: int) -> Reach:
    """The librarians an admin's broadcast to the network reaches now."""
    people = tuple(sorted(await network_librarians(session, network_id)))
    return Reach(people, await _unreachable(session, people), 0)


async def network_libraries(session: AsyncSession, network_id: int) -> list[Library]:
    return list(
        await session.scalars(
            select(Library).where(Library.network_id == network_id).order_by(Library.id)
        )
    )


async def _unreachable(session: AsyncSession, people: tuple[int, ...]) -> int:
    """How many of these people have no account the bot can write to now."""
    reachable = set(
        await session.scalars(
            select(Account.person_id)
            .where(Account.person_id.in_(people), Account.unreachable.is_(False))
            .distinct()
        )
    )
    return len(set(people) - reachable)


async def file_kept(session: AsyncSession, file_id: int) -> bool:
    """Whether a stored file is still there (without loading its bytes)."""
    found = await session.scalar(select(StoredFile.id).where(StoredFile.id == file_id))
    return found is not None


async def start_broadcast(
    session: AsyncSession,
    actor: Actor,
    library_id: int,
    audience: Audience,
    text: str,
    shown: str,
    now: datetime,
    not_before: datetime,
    file_id: int | None = None,
) -> tuple[Broadcast, int]:
    """Store the broadcast and queue one message per person: `shown` is the text as they see
    it, `not_before` the end of the library's quiet hours if they are on (the caller words and
    times it: messages/ lies above db/), `file_id` a stored photo or file sent with it. Only
    the library's own librarian may. The broadcast and how many were queued."""
    require_librarian(actor, library_id, "broadcast.send")
    if audience.scope == NETWORK:
        raise ValueError("a library's broadcast goes to its readers and parents")
    broadcast = await _stored(session, actor, audience, text, file_id, now, library_id=library_id)
    who = await reach(session, library_id, audience, now)
    await _queue(session, broadcast, who.people, shown, dict.fromkeys(who.people, not_before))
    audit(
        session,
        actor,
        "broadcast.send",
        library_id=library_id,
        object_type="broadcast",
        object_id=broadcast.id,
        audience=audience.stored,
        people=len(who.people),
        file=file_id,
    )
    return broadcast, len(who.people)


async def start_network_broadcast(
    session: AsyncSession,
    actor: Actor,
    network_id: int,
    text: str,
    shown: str,
    now: datetime,
    not_before: Mapping[int, datetime],
    file_id: int | None = None,
) -> tuple[Broadcast, int]:
    """An admin's broadcast to every librarian of their network: as `start_broadcast`, but
    `not_before` is per library — each librarian gets it after their own school's quiet
    hours. Only the network's admin may."""
    require_admin(actor, network_id, "broadcast.send")
    audience = Audience(NETWORK, LIBRARIANS)
    broadcast = await _stored(session, actor, audience, text, file_id, now, network_id=network_id)
    librarians = await network_librarians(session, network_id)
    when = {person: not_before.get(library, now) for person, library in librarians.items()}
    await _queue(session, broadcast, tuple(sorted(librarians)), shown, when)
    audit(
        session,
        actor,
        "broadcast.send",
        object_type="broadcast",
        object_id=broadcast.id,
        audience=audience.stored,
        network=network_id,
        people=len(librarians),
        file=file_id,
    )
    return broadcast, len(librarians)


async def _stored(
    session: AsyncSession,
    actor: Actor,
    audience: Audience,
    text: str,
    file_id: int | None,
    now: datetime,
    *,
    library_id: int | None = None,
    network_id: int | None = None,
) -> Broadcast:
    text = text.strip()
    if len(text) > MAX_TEXT or not (text or file_id):
        raise ValueError(f"a broadcast is a text of up to {MAX_TEXT} characters, or a file")
    if file_id is not None and not await file_kept(session, file_id):
        raise ValueError(f"no stored file {file_id}")
    broadcast = Broadcast(
        library_id=library_id,
        network_id=network_id,
        author_person_id=actor.person_id,
        audience=audience.stored,
        text=text,
        file_id=file_id,
        status=BroadcastStatus.SENDING,
        created_at=now,
    )
    session.add(broadcast)
    await session.flush()
    return broadcast


async def _queue(
    session: AsyncSession,
    broadcast: Broadcast,
    people: tuple[int, ...],
    shown: str,
    not_before: Mapping[int, datetime],
) -> None:
    """One outbox row per person, in the bulk lane, with the broadcast's file if it has one."""
    payload: dict[str, object] = {"broadcast_id": broadcast.id, BULK: f"broadcast:{broadcast.id}"}
    if broadcast.file_id is not None:
        payload[FILES] = [broadcast.file_id]
    for person_id in people:
        await notify(
            session,
            person_id,
            KIND,
            shown,
            f"{_key_prefix(broadcast.id)}{person_id}",
            not_before=not_before[person_id],
            payload=payload,
            priority=Priority.BULK,
        )
    if not people:
        broadcast.status = BroadcastStatus.DONE


def _require_owner(actor: Actor, broadcast: Broadcast, action: str) -> None:
    """A library's broadcast is its librarian's; a network's, its admin's."""
    if broadcast.library_id is not None:
        require_librarian(actor, broadcast.library_id, action)
    else:
        require_admin(actor, broadcast.network_id or 0, action)


async def stop_broadcast(session: AsyncSession, actor: Actor, broadcast_id: int) -> int | None:
    """Cancel what of the broadcast is not sent yet; only its library's librarian (for a
    network's, its admin) may. How many rows were cancelled, or None when there is no such
    broadcast.

    A row the dispatcher has already taken (leased) is on its way and goes out: its send marks
    it SENT over the cancellation, so the report still tells what was sent."""
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None:
        return None
    _require_owner(actor, broadcast, "broadcast.stop")
    stopped = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.dedupe_key.like(f"{_key_prefix(broadcast_id)}%"),
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .values(status=OutboxStatus.SKIPPED, last_error=CANCELLED)
    )
    if broadcast.status == BroadcastStatus.SENDING:
        broadcast.status = BroadcastStatus.CANCELLED
    audit(
        session,
        actor,
        "broadcast.stop",
        library_id=broadcast.library_id,
        object_type="broadcast",
        object_id=broadcast_id,
        cancelled=stopped.rowcount,
    )
    return stopped.rowcount


async def reports(
    session: AsyncSession, actor: Actor, library_id: int, now: datetime
) -> list[Report]:
    """The library's last broadcasts, newest first, each with its counts; a broadcast with
    nothing left waiting is marked done here."""
    require_librarian(actor, library_id, "broadcast.report")
    return await _reports(session, Broadcast.library_id == library_id, now)


async def network_reports(
    session: AsyncSession, actor: Actor, network_id: int, now: datetime
) -> list[Report]:
    """The last broadcasts to the network's librarians, as `reports`; its admin's only."""
    require_admin(actor, network_id, "broadcast.report")
    return await _reports(session, Broadcast.network_id == network_id, now)


async def _reports(
    session: AsyncSession, whose: ColumnElement[bool], now: datetime
) -> list[Report]:
    broadcasts = await session.scalars(
        select(Broadcast).where(whose).order_by(Broadcast.id.desc()).limit(REPORT_LAST)
    )
    return [await _report(session, broadcast, now) for broadcast in broadcasts]


async def _report(session: AsyncSession, broadcast: Broadcast, now: datetime) -> Report:
    rows = await session.execute(
        select(OutboxMessage.status, OutboxMessage.last_error, OutboxMessage.not_before).where(
            OutboxMessage.dedupe_key.like(f"{_key_prefix(broadcast.id)}%")
        )
    )
    counts = dict.fromkeys(("sent", "queued", "waiting", "unreachable", "failed", "cancelled"), 0)
    for status, last_error, not_before in rows:
        if status == OutboxStatus.SENT:
            counts["sent"] += 1
        elif status == OutboxStatus.FAILED:
            counts["failed"] += 1
        elif status == OutboxStatus.SKIPPED:
            counts["cancelled" if last_error == CANCELLED else "unreachable"] += 1
        else:
            counts["waiting" if not_before > now else "queued"] += 1
    if broadcast.status == BroadcastStatus.SENDING and not counts["queued"] + counts["waiting"]:
        broadcast.status = BroadcastStatus.DONE
    kind = None
    if broadcast.file_id is not None:
        kind = await session.scalar(
            select(StoredFile.kind).where(StoredFile.id == broadcast.file_id)
        )
    return Report(broadcast, **counts, file_kind=kind)


async def spend_previews(session: AsyncSession, account_id: int, keep: int | None = None) -> None:
    """The «✅ Отправить» and «✖ Отмена» of this person's previews stop working once one of
    them is pressed: a second press sends nothing twice. The files of those previews go too,
    but `keep` (the one just sent) and any a broadcast carries."""
    tokens = list(
        await session.scalars(
            select(ButtonToken).where(
                ButtonToken.account_id == account_id, ButtonToken.action.in_(PREVIEW_ACTIONS)
            )
        )
    )
    files = {t.args.get("file") for t in tokens} - {keep, None}
    await session.execute(
        delete(ButtonToken).where(ButtonToken.token.in_([t.token for t in tokens]))
    )
    if files:
        carried = exists().where(Broadcast.file_id == StoredFile.id)
        await session.execute(delete(StoredFile).where(StoredFile.id.in_(files), ~carried))


def _key_prefix(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}:"
