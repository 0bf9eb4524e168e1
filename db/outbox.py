"""Notifications as outbox rows, written in the transaction that caused them, and their
delivery recorded per messenger account (`outbox_deliveries`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.clock import utcnow
from db.dialect import insert_ignore
from db.enums import Messenger, Priority, RoleName
from db.models import (
    Account,
    DeliveryStatus,
    Hold,
    Loan,
    OutboxDelivery,
    OutboxMessage,
    Person,
    Role,
)

# A delivery in one of these states is over: the account is not written to again for it.
DELIVERY_DONE = (DeliveryStatus.SENT, DeliveryStatus.UNREACHABLE)


async def notify(
    session: AsyncSession,
    person_id: int,
    kind: str,
    text: str,
    dedupe_key: str,
    *,
    not_before: datetime | None = None,
    payload: dict[str, Any] | None = None,
    priority: Priority = Priority.NOTICE,
) -> bool:
    """Queue a message for a person once per dedupe key; False if it was already queued.
    `priority` is its lane: a broadcast's rows (BULK) go after every notice due."""
    return await insert_ignore(
        session,
        OutboxMessage,
        {
            "person_id": person_id,
            "kind": kind,
            "text": text,
            "dedupe_key": dedupe_key,
            "not_before": not_before or utcnow(),
            "payload": payload or {},
            "priority": int(priority),
        },
        ["dedupe_key"],
    )


async def queued_after(
    session: AsyncSession, after_id: int, *, leave_out: Collection[str] = ()
) -> list[tuple[int, str, str]]:
    """Notices queued after a given outbox id, with the console persona they are for
    (id, persona or "", text) — the console shows them as they appear; less the kinds in
    `leave_out` (a row composed when it is sent has no text to show yet: see COMPOSE)."""
    query = (
        select(OutboxMessage.id, Account.external_id, OutboxMessage.text)
        .outerjoin(
            Account,
            (Account.person_id == OutboxMessage.person_id)
            & (Account.messenger == Messenger.CONSOLE),
        )
        .where(OutboxMessage.id > after_id)
        .order_by(OutboxMessage.id)
    )
    if leave_out:
        query = query.where(OutboxMessage.kind.not_in(list(leave_out)))
    rows = await session.execute(query)
    return [(row_id, persona or "", text) for row_id, persona, text in rows]


async def last_id(session: AsyncSession) -> int:
    return await session.scalar(select(func.max(OutboxMessage.id))) or 0


# Checked at send time ------------------------------------------------------------------------

# A notice's payload may say what must still be true when it is sent (a reminder of a loan
# returned or renewed since, an announcement of a hold cancelled since, is not sent):
#   "loans": {"<loan id>": "<due_at ISO>", ...} — at least one of them still open, due then;
#   "hold": {"id": <hold id>, "status": "<status>"} — the hold still in that status;
#   "staff": {"person": <person id>, "library": <library id>} — the person still that library's
#   librarian, or {"person": …, "network": <network id>} — still that network's methodologist
#   (a report asked for by someone who lost the role before it went is not sent).
STILL = "still"


async def still_true(session: AsyncSession, still: dict[str, Any]) -> bool:
    """Whether what a notice's `still` names holds now (every condition it names).

    A digest names several loans and goes out while any one of them holds: its lines may then
    name a book returned since, which is better than a reader missing the reminders of the
    others. A condition this code does not know is not checked: a notice is never lost to it."""
    loans = still.get("loans")
    if loans is not None and not await _a_loan_still_due(session, loans):
        return False
    hold = still.get("hold")
    if hold is not None:
        status = await session.scalar(select(Hold.status).where(Hold.id == int(hold["id"])))
        if status is None or status != hold["status"]:
            return False
    staff = still.get("staff")
    return staff is None or await _still_staff(session, staff)


async def _still_staff(session: AsyncSession, staff: dict[str, Any]) -> bool:
    """The person still holds the librarian's role at the library, or the methodologist's
    (admin) in the network, that `staff` names."""
    if staff.get("library") is not None:
        scope = (Role.role == RoleName.LIBRARIAN, Role.library_id == int(staff["library"]))
    else:
        scope = (Role.role == RoleName.ADMIN, Role.network_id == int(staff["network"]))
    found = await session.scalar(
        select(Role.id).where(Role.person_id == int(staff["person"]), *scope).limit(1)
    )
    return found is not None


async def _a_loan_still_due(session: AsyncSession, loans: dict[str, str]) -> bool:
    """At least one of the loans is open and due exactly when the notice said (a renewal or a
    librarian's change of the date moves `due_at`)."""
    wanted = {int(loan_id): datetime.fromisoformat(due) for loan_id, due in loans.items()}
    if not wanted:
        return False
    open_loans = await session.execute(
        select(Loan.id, Loan.due_at).where(Loan.id.in_(wanted), Loan.returned_at.is_(None))
    )
    return any(due_at == wanted[loan_id] for loan_id, due_at in open_loans)


# Delivery per account -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """One account a notice is to reach."""

    account_id: int
    messenger: Messenger
    chat_id: str
    external_id: str


# A notice's payload may name the one account it answers (an answer to a question goes back to
# the messenger the question came from); where that account cannot be reached, the usual ones.
REPLY_TO = "reply_to_account"

# A notice whose message is made only when it is sent names what makes it: {"compose":
# {"kind": "<maker>", …its arguments}} (jobs/outbox.py COMPOSERS) — a report asked for in chat
# is counted and drawn by the outbox, in a read session and a worker thread of its own, not in
# the write transaction of the event that asked. Its `text` stands in until then.
COMPOSE = "compose"

# A notice that goes, word for word and with no buttons, to many people (a broadcast) names its
# group: the dispatcher may send one group's rows in one call where a messenger takes many
# recipients at once (VK's peer_ids).
BULK = "bulk"


async def notice_accounts(
    session: AsyncSession,
    person_id: int,
    messengers: Collection[Messenger],
    reply_to: int | None = None,
) -> list[Target]:
    """The accounts a person's notices go to now: the account `reply_to` names when it is
    reachable here; else every reachable account on `messengers`, or only those on the
    messenger the person chose (/via) — and all of them again when the chosen one has no
    reachable account here, so a notice is never lost to a choice."""
    accounts = list(
        await session.execute(
            select(Account.id, Account.messenger, Account.chat_id, Account.external_id)
            .where(
                Account.person_id == person_id,
                Account.unreachable.is_(False),
                Account.messenger.in_(list(messengers)),
            )
            .order_by(Account.id)
        )
    )
    targets = [Target(*row) for row in accounts]
    answering = [t for t in targets if t.account_id == reply_to]
    if answering:
        return answering
    chosen = await session.scalar(select(Person.notify_via).where(Person.id == person_id))
    only = [t for t in targets if t.messenger == chosen]
    return only or targets


async def plan_deliveries(
    session: AsyncSession,
    outbox_id: int,
    person_id: int,
    messengers: Collection[Messenger],
    reply_to: int | None = None,
) -> list[Target]:
    """The accounts still to get a notice: its targets now, less those that got it or could
    not be written to. Each gets a pending delivery with the attempt counted; a pending one
    left from an earlier plan that is no target any more is dropped."""
    known = {
        d.account_id: d
        for d in await session.scalars(
            select(OutboxDelivery).where(OutboxDelivery.outbox_id == outbox_id)
        )
    }
    targets = [
        t
        for t in await notice_accounts(session, person_id, messengers, reply_to)
        if t.account_id not in known or known[t.account_id].status not in DELIVERY_DONE
    ]
    wanted = {t.account_id for t in targets}
    stale = [a for a, d in known.items() if d.status == DeliveryStatus.PENDING and a not in wanted]
    if stale:
        await session.execute(
            delete(OutboxDelivery).where(
                OutboxDelivery.outbox_id == outbox_id, OutboxDelivery.account_id.in_(stale)
            )
        )
    for target in targets:
        delivery = known.get(target.account_id)
        if delivery is None:
            session.add(
                OutboxDelivery(outbox_id=outbox_id, account_id=target.account_id, attempts=1)
            )
        else:
            delivery.status = DeliveryStatus.PENDING
            delivery.attempts += 1
    return targets


async def record_delivery(
    session: AsyncSession,
    outbox_id: int,
    account_id: int,
    status: DeliveryStatus,
    now: datetime,
    error: str | None = None,
) -> None:
    """What one try on one account came to."""
    await session.execute(
        update(OutboxDelivery)
        .where(OutboxDelivery.outbox_id == outbox_id, OutboxDelivery.account_id == account_id)
        .values(
            status=status,
            last_error=error[:500] if error else None,
            sent_at=now if status == DeliveryStatus.SENT else None,
        )
    )


async def delivered_count(session: AsyncSession, outbox_id: int) -> int:
    """How many of the person's accounts have a notice."""
    return (
        await session.scalar(
            select(func.count())
            .select_from(OutboxDelivery)
            .where(
                OutboxDelivery.outbox_id == outbox_id,
                OutboxDelivery.status == DeliveryStatus.SENT,
            )
        )
        or 0
    )
