"""Delivering the outbox: notices written in the transactions of their causes go out through
the outgoing port (messages/port.py) to each of the person's accounts that should have them.

A call drains what is due, BATCH rows at a time (at most MAX_ROUNDS batches, so that a flood
leaves the next tick its turn). A batch is leased in a short transaction — `FOR UPDATE SKIP
LOCKED` on PostgreSQL, so several dispatchers never take the same row: each row gets the
batch's own `lease_token`, its `not_before` pushed LEASE ahead and its attempt counted. The
lease is short, so a killed process's rows come due again soon, and it is renewed every
RENEW_EVERY while the batch runs, so a slow messenger never lets another dispatcher take a row
in hand. The batch is sent to up to WORKERS people at once, each person's rows in order (two
dispatchers may share out one person's rows, each keeping the order of its own): one chat's
rate-limit pause (a transport waits out a 429 inside `deliver`) holds up that person only.
Per row, with no transaction open while a messenger is called:

- in one short transaction the row is checked to be still ours (a row whose lease was lost is
  left to whoever holds it now) and still worth sending (its payload's `still`, see
  db.outbox.still_true: a reminder of a book returned or renewed since, a hold cancelled since,
  is SKIPPED as "stale" and nothing is sent), and the targets are planned
  (db.outbox.plan_deliveries): every reachable account on a messenger with a port, or only the
  messenger the person chose — less the accounts that already got the row or cannot be written
  to; each planned account gets a pending `outbox_deliveries` row;
- each is sent with a key stable across retries (`outbox-<row>-<account>`), and its outcome
  recorded: sent, unreachable (the account is marked so; a person who chose that messenger
  then gets the notice on the others) or failed.

The row is SENT once every target is sent or unreachable (SKIPPED when none could take it);
while any target failed it comes due again after a growing pause, and only the failed ones are
tried; after MAX_ATTEMPTS it is FAILED. Every such mark is made only while the row still
carries the batch's token (and clears it). A crash between a send and its record leaves the row
to come due again after the lease: a notice in flight at that moment may, rarely, reach an
account twice (a messenger with idempotent sends drops the second by its key); it is never
lost. Each transport keeps its own messenger's rate limits: nothing here waits between sends.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any
from uuid import uuid4

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.conversation import new_button_token
from db.engine import Database
from db.enums import Messenger, OutboxStatus
from db.models import DeliveryStatus, OutboxMessage
from db.outbox import (
    REPLY_TO,
    STILL,
    Target,
    delivered_count,
    plan_deliveries,
    record_delivery,
    still_true,
)
from db.people import mark_unreachable
from messages.port import Address, Port
from messages.safe_log import redacted_traceback
from messages.types import Button, RecipientUnreachable, Reply, fit_label

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=30)
RENEW_EVERY = LEASE / 3
MAX_ATTEMPTS = 5
BATCH = 50
MAX_ROUNDS = 10  # batches one call may lease before it leaves the rest to the next tick
WORKERS = 8  # people sent to at once
STALE = "stale"  # the last_error of a row whose cause went away before it was sent


@dataclass(frozen=True, slots=True)
class Delivery:
    """One call's notices by outcome (a notice counts once, however many accounts it had; a
    row whose lease was lost counts nowhere: its new holder counts it)."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0  # this call; retried later unless out of attempts

    def __add__(self, other: Delivery) -> Delivery:
        return Delivery(
            self.sent + other.sent, self.skipped + other.skipped, self.failed + other.failed
        )


class _Outcome(Enum):
    SENT = "sent"
    SKIPPED = "skipped"
    FAILED = "failed"
    LOST = "lost"  # the lease went to another dispatcher: the row is theirs to mark


@dataclass(frozen=True, slots=True)
class _Leased:
    id: int
    person_id: int
    text: str
    attempts: int
    buttons: list[list[dict[str, Any]]]  # actions with their arguments, tokens made per account
    reply_to: int | None  # the one account the notice answers (db.outbox.REPLY_TO), if any
    still: dict[str, Any] | None  # what must still be true when it is sent (db.outbox.STILL)


def delivery_key(outbox_id: int, account_id: int) -> str:
    """The idempotency key of one notice to one account: the same on every retry."""
    return f"outbox-{outbox_id}-{account_id}"


async def deliver_due(
    db: Database, ports: Mapping[Messenger, Port], clock: Callable[[], datetime]
) -> Delivery:
    """Lease what is due a batch at a time, send each row to its target accounts, record the
    outcome; until nothing is due or MAX_ROUNDS batches are done."""
    total = Delivery()
    for _ in range(MAX_ROUNDS):
        token = uuid4().hex
        leased = await _lease(db, clock(), token)
        if leased:
            async with _renewing(db, token, clock):
                total += await _deliver_batch(db, ports, leased, token, clock)
        if len(leased) < BATCH:
            break
    return total


async def _lease(db: Database, now: datetime, token: str) -> list[_Leased]:
    async with db.transaction() as session:
        rows = list(
            await session.scalars(
                select(OutboxMessage)
                .where(
                    OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now
                )
                .order_by(OutboxMessage.not_before, OutboxMessage.id)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        )
        for row in rows:
            row.not_before = now + LEASE
            row.attempts += 1
            row.lease_token = token
        return [
            _Leased(
                r.id,
                r.person_id,
                r.text,
                r.attempts,
                list(r.payload.get("buttons") or []),
                r.payload.get(REPLY_TO),
                r.payload.get(STILL),
            )
            for r in rows
        ]


@asynccontextmanager
async def _renewing(db: Database, token: str, clock: Callable[[], datetime]) -> AsyncIterator[None]:
    """Keep the batch's lease while its body runs. The renewer is told to stop rather than
    cancelled: a cancel in the middle of a transaction can hang aiosqlite."""
    stop = asyncio.Event()
    renewer = asyncio.create_task(_renew(db, token, clock, stop))
    try:
        yield
    finally:
        stop.set()
        await renewer


async def _renew(
    db: Database, token: str, clock: Callable[[], datetime], stop: asyncio.Event
) -> None:
    """Every RENEW_EVERY (a third of LEASE), push the lease of the rows still carrying the
    token (a marked row no longer does)."""
    while True:
        try:
            await asyncio.wait_for(stop.wait(), RENEW_EVERY.total_seconds())
            return
        except TimeoutError:
            pass
        try:
            async with db.transaction() as session:
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.lease_token == token)
                    .values(not_before=clock() + LEASE)
                )
        except Exception as failure:  # the database hiccuped: the next try may be in time
            log.warning("outbox: lease renewal failed\n%s", redacted_traceback(failure))


async def _deliver_batch(
    db: Database,
    ports: Mapping[Messenger, Port],
    rows: list[_Leased],
    token: str,
    clock: Callable[[], datetime],
) -> Delivery:
    """The batch's rows, up to WORKERS people at once, each person's rows in lease order."""
    by_person: dict[int, list[_Leased]] = {}
    for row in rows:
        by_person.setdefault(row.person_id, []).append(row)
    workers = asyncio.Semaphore(WORKERS)
    outcomes: list[_Outcome] = []

    async def one_person(queue: list[_Leased]) -> None:
        async with workers:
            for row in queue:
                outcomes.append(await _deliver_row(db, ports, row, token, clock))

    async with asyncio.TaskGroup() as group:
        for queue in by_person.values():
            group.create_task(one_person(queue))
    return Delivery(
        outcomes.count(_Outcome.SENT),
        outcomes.count(_Outcome.SKIPPED),
        outcomes.count(_Outcome.FAILED),
    )


async def _deliver_row(
    db: Database,
    ports: Mapping[Messenger, Port],
    row: _Leased,
    token: str,
    clock: Callable[[], datetime],
) -> _Outcome:
    """Send a leased row to each account still to get it, and mark it.

    An account found unreachable is planned around at once: a person who chose that messenger
    gets the notice on their others in the same round."""
    error = None
    while True:
        async with db.transaction() as session:
            settled = await _settled_before_sending(session, row, token)
            if settled is not None:
                return settled
            targets = await plan_deliveries(
                session, row.id, row.person_id, list(ports), row.reply_to
            )
            replies = [
                Reply(row.text, _buttons_for(session, t.account_id, row.buttons)) for t in targets
            ]
        unreachable = False
        for target, reply in zip(targets, replies, strict=True):
            outcome = await _deliver_one(db, ports[target.messenger], row.id, target, reply, clock)
            if outcome == DeliveryStatus.UNREACHABLE:
                unreachable = True
            elif outcome != DeliveryStatus.SENT:
                error = outcome
        if error is not None or not unreachable:
            return await _mark(db, row, token, error, clock)


async def _settled_before_sending(
    session: AsyncSession, row: _Leased, token: str
) -> _Outcome | None:
    """LOST if the row is no longer ours, SKIPPED (marked "stale") if what it speaks of is no
    longer true; None if it is to be sent. The row stays locked until the plan is made."""
    ours = await session.scalar(
        select(OutboxMessage.id)
        .where(OutboxMessage.id == row.id, OutboxMessage.lease_token == token)
        .with_for_update()
    )
    if ours is None:
        log.warning("outbox %s: lease lost before sending; left to its new holder", row.id)
        return _Outcome.LOST
    if row.still is None or await still_true(session, row.still):
        return None
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id)
        .values(status=OutboxStatus.SKIPPED, last_error=STALE, lease_token=None)
    )
    return _Outcome.SKIPPED


async def _mark(
    db: Database, row: _Leased, token: str, error: str | None, clock: Callable[[], datetime]
) -> _Outcome:
    """What the row came to, written only while it is still ours."""
    async with db.transaction() as session:
        values: dict[str, Any] = {"lease_token": None}
        if error is not None:
            outcome = _Outcome.FAILED
            values |= {"last_error": error[:500], "not_before": clock() + _backoff(row.attempts)}
            if row.attempts >= MAX_ATTEMPTS:
                values["status"] = OutboxStatus.FAILED
        elif await delivered_count(session, row.id):
            outcome = _Outcome.SENT
            values |= {"status": OutboxStatus.SENT, "sent_at": clock(), "last_error": None}
        else:
            outcome = _Outcome.SKIPPED
            values |= {"status": OutboxStatus.SKIPPED, "last_error": "unreachable"}
        marked = await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id, OutboxMessage.lease_token == token)
            .values(**values)
        )
    if marked.rowcount != 1:
        log.warning("outbox %s: lease lost while sending; left to its new holder", row.id)
        return _Outcome.LOST
    return outcome


async def _deliver_one(
    db: Database,
    port: Port,
    outbox_id: int,
    target: Target,
    reply: Reply,
    clock: Callable[[], datetime],
) -> str:
    """DeliveryStatus.SENT or .UNREACHABLE, or the error of a failed try; recorded."""
    address = Address(target.messenger, target.chat_id)
    error = None
    try:
        await port.deliver(address, reply, key=delivery_key(outbox_id, target.account_id))
        status = DeliveryStatus.SENT
    except RecipientUnreachable:
        status = DeliveryStatus.UNREACHABLE
    except Exception as failure:  # the messenger is down or refused: try again later
        log.warning("outbox %s: delivery failed\n%s", outbox_id, redacted_traceback(failure))
        status, error = DeliveryStatus.FAILED, type(failure).__name__
    async with db.transaction() as session:
        if status == DeliveryStatus.UNREACHABLE:
            await mark_unreachable(session, target.messenger, target.external_id)
        await record_delivery(session, outbox_id, target.account_id, status, clock(), error)
    return error or status


def _buttons_for(
    session: AsyncSession, account_id: int, rows: list[list[dict[str, Any]]]
) -> list[list[Button]]:
    """A notice's buttons as tokens that work for this account only (checked again on press)."""
    return [
        [
            Button(
                fit_label(str(b["label"])),
                token=new_button_token(session, account_id, str(b["action"]), b["args"]),
            )
            for b in row
        ]
        for row in rows
    ]


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=30 * 2 ** max(attempts - 1, 0))
