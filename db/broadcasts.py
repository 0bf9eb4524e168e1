"""A librarian's broadcast: one message to a part of their own library — the whole school, a
class, or the readers with overdue books — for the readers, their parents, or both.

A broadcast is a row of `broadcasts` and one outbox row per person (db/outbox.py `notify`,
dedupe key «broadcast:<id>:<person>», `broadcast_id` in the payload), queued after the
library's quiet hours. The dispatcher (jobs/outbox.py) delivers them like any notice; what
became of them is counted from those rows by their dedupe key prefix, which reads the same on
SQLite and PostgreSQL. A person with no reachable account is queued too: the dispatcher marks
that row SKIPPED «unreachable», and the report counts it so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import Actor, require_librarian
from db.audit import audit
from db.enums import OutboxStatus, Priority, RoleName
from db.models import (
    Account,
    Broadcast,
    BroadcastStatus,
    ButtonToken,
    GuardianLink,
    Loan,
    OutboxMessage,
    Reader,
    Role,
)
from db.outbox import BULK, notify

KIND = "broadcast"
# The last_error of a row stopped before it was sent (its status is SKIPPED: OutboxStatus has
# no state of its own for it, and the dispatcher leaves SKIPPED rows alone).
CANCELLED = "cancelled"
MAX_TEXT = 3000  # a messenger message, with the library's header, stays under 4096
REPORT_LAST = 5

SCHOOL, CLASS, OVERDUE = "school", "class", "overdue"
READERS, PARENTS, BOTH = "readers", "parents", "both"
SCOPES = (SCHOOL, CLASS, OVERDUE)
WHOM = (READERS, PARENTS, BOTH)


@dataclass(frozen=True, slots=True)
class Audience:
    """Whose readers (the school, a class, the overdue) and who of them (readers, parents,
    both)."""

    scope: str
    whom: str
    class_name: str | None = None

    def __post_init__(self) -> None:
        if self.scope not in SCOPES or self.whom not in WHOM:
            raise ValueError(f"no such audience: {self.scope} {self.whom}")
        if (self.scope == CLASS) != bool(self.class_name):
            raise ValueError("a class audience, and only it, names its class")

    @property
    def stored(self) -> str:
        """As `broadcasts.audience` keeps it: «class 7Б both», «overdue readers»."""
        return " ".join(part for part in (self.scope, self.class_name, self.whom) if part)

    @classmethod
    def from_stored(cls, stored: str) -> Audience:
        parts = stored.split()
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


def normal_class(typed: str) -> str:
    """«7б», « 7 Б » → «7Б»."""
    return "".join(typed.split()).upper().replace("Ё", "Е")


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


def _readers(library_id: int, audience: Audience, now: datetime) -> Select[tuple[int]]:
    query = select(Reader.id).where(Reader.library_id == library_id, Reader.erased_at.is_(None))
    if audience.scope == CLASS:
        query = query.where(Reader.class_name == audience.class_name)
    elif audience.scope == OVERDUE:
        overdue = select(Loan.reader_id).where(
            Loan.library_id == library_id, Loan.returned_at.is_(None), Loan.due_at < now
        )
        query = query.where(Reader.id.in_(overdue))
    return query


async def reach(session: AsyncSession, library_id: int, audience: Audience, now: datetime) -> Reach:
    """The people a broadcast to `audience` of the library reaches now (each once, however
    many of its readers they are or are parent of)."""
    readers = set(await session.scalars(_readers(library_id, audience, now)))
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
    reachable = set(
        await session.scalars(
            select(Account.person_id)
            .where(Account.person_id.in_(people), Account.unreachable.is_(False))
            .distinct()
        )
    )
    covered = {reader for _, reader in pairs}
    return Reach(people, len(set(people) - reachable), len(readers - covered))


async def start_broadcast(
    session: AsyncSession,
    actor: Actor,
    library_id: int,
    audience: Audience,
    text: str,
    shown: str,
    now: datetime,
    not_before: datetime,
) -> tuple[Broadcast, int]:
    """Store the broadcast and queue one message per person: `shown` is the text as they see
    it, `not_before` the end of the library's quiet hours if they are on (the caller words and
    times it: messages/ lies above db/). Only the library's own librarian may. The broadcast
    and how many were queued."""
    require_librarian(actor, library_id, "broadcast.send")
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        raise ValueError(f"a broadcast's text is 1…{MAX_TEXT} characters")
    broadcast = Broadcast(
        library_id=library_id,
        author_person_id=actor.person_id,
        audience=audience.stored,
        text=text,
        status=BroadcastStatus.SENDING,
        created_at=now,
    )
    session.add(broadcast)
    await session.flush()
    who = await reach(session, library_id, audience, now)
    for person_id in who.people:
        await notify(
            session,
            person_id,
            KIND,
            shown,
            f"{_key_prefix(broadcast.id)}{person_id}",
            not_before=not_before,
            payload={"broadcast_id": broadcast.id, BULK: f"broadcast:{broadcast.id}"},
            priority=Priority.BULK,
        )
    if not who.people:
        broadcast.status = BroadcastStatus.DONE
    audit(
        session,
        actor,
        "broadcast.send",
        library_id=library_id,
        object_type="broadcast",
        object_id=broadcast.id,
        audience=audience.stored,
        people=len(who.people),
    )
    return broadcast, len(who.people)


async def stop_broadcast(session: AsyncSession, actor: Actor, broadcast_id: int) -> int | None:
    """Cancel what of the broadcast is not sent yet; only its library's librarian may. How many
    rows were cancelled, or None when there is no such broadcast.

    A row the dispatcher has already taken (leased) is on its way and goes out: its send marks
    it SENT over the cancellation, so the report still tells what was sent."""
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None:
        return None
    require_librarian(actor, broadcast.library_id, "broadcast.stop")
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
    broadcasts = await session.scalars(
        select(Broadcast)
        .where(Broadcast.library_id == library_id)
        .order_by(Broadcast.id.desc())
        .limit(REPORT_LAST)
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
    return Report(broadcast, **counts)


async def spend_previews(session: AsyncSession, account_id: int) -> None:
    """The «✅ Отправить» and «✖ Отмена» of this librarian's previews stop working once one of
    them is pressed: a second press sends nothing twice."""
    await session.execute(
        delete(ButtonToken).where(
            ButtonToken.account_id == account_id,
            ButtonToken.action.in_(("broadcast.send", "broadcast.cancel")),
        )
    )


def _key_prefix(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}:"
