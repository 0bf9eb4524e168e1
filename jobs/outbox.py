"""Delivering the outbox: notices written in the transactions of their causes go out through
the outgoing port (messages/port.py) to each of the person's accounts that should have them.

A call drains what is due, BATCH rows at a time (at most MAX_ROUNDS batches, so that a flood
leaves the next tick its turn). A batch is leased in a short transaction — `FOR UPDATE SKIP
LOCKED` on PostgreSQL, so several dispatchers never take the same row: each row gets the
batch's own `lease_token`, its `not_before` pushed LEASE ahead and its attempt counted. The
lease is short, so a killed process's rows come due again soon, and it is renewed every
RENEW_EVERY while the batch runs, so a slow messenger never lets another dispatcher take a row
in hand. The broadcasts' lane keeps two batches in hand (`Lane.depth`): the next is leased
and planned while the one before goes out, so the messenger's pace is not left idle between
them. The batch is sent to up to WORKERS people at once, each person's rows in order (two
dispatchers may share out one person's rows, each keeping the order of its own): one chat's
rate-limit pause (a transport waits out a 429 inside `deliver`) holds up that person only.
Per row, with no transaction open while a messenger is called:

- a row whose message is made when it is sent (db.outbox.COMPOSE: a report asked for in chat)
  is made first, by its maker in COMPOSERS, with no write transaction open; if its `still` no
  longer holds, nothing is made and it is SKIPPED as "stale"; a maker that fails is a failed
  try, retried as any;
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
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum
from typing import Any
from uuid import uuid4

from sqlalchemy import select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.conversation import new_button_token
from db.engine import Database
from db.enums import Messenger, OutboxStatus, Priority
from db.models import DeliveryStatus, OutboxMessage
from db.outbox import (
    BULK,
    COMPOSE,
    REPLY_TO,
    STILL,
    Target,
    delivered_count,
    plan_deliveries,
    record_delivery,
    still_true,
)
from db.people import mark_unreachable
from db.stored_files import FILES, load_files
from jobs.reports import compose_report
from messages.port import Address, BulkPort, Port
from messages.safe_log import redacted_traceback
from messages.types import Button, OutFile, RecipientUnreachable, Reply, fit_label

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=30)
RENEW_EVERY = LEASE / 3
MAX_ATTEMPTS = 5
BATCH = 50  # rows of the notice lane leased at once
BULK_BATCH = 100  # rows of the broadcast lane leased at once: one VK call's recipients
WORKERS = 8  # people sent to at once
IDLE = 1.0  # seconds the running dispatcher waits when nothing is due
STALE = "stale"  # the last_error of a row whose cause went away before it was sent

# The makers of messages made when they are sent, by their COMPOSE kind: (db, the row's
# COMPOSE payload, now) → the message.
Composer = Callable[[Database, dict[str, Any], datetime], Awaitable[Reply]]
COMPOSERS: Mapping[str, Composer] = {"report": compose_report}


class Lane(Enum):
    """Rows leased together: due-date, hold and librarians' notices (and answers), or
    broadcasts. The running dispatcher drains both at once, so a broadcast of thousands never
    stands between a reader and a reminder; the transports' paces then let the reminder's sends
    go before the broadcast's (db.enums.Priority)."""

    NOTICES = "notices"
    BROADCASTS = "broadcasts"

    @property
    def batch(self) -> int:
        return BULK_BATCH if self is Lane.BROADCASTS else BATCH

    @property
    def depth(self) -> int:
        """Batches of the lane in hand at once. A broadcast's next batch is leased and planned
        while the one before is still going out, so the pace is never left idle between them
        (a person has one row of a broadcast; two broadcasts going out at the same moment may
        reach them in either order). Notices go a batch at a time: one person's notices keep
        their order."""
        return 2 if self is Lane.BROADCASTS else 1


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
    priority: Priority
    bulk: str | None  # the group it goes out with, word for word (db.outbox.BULK), if any
    files: tuple[int, ...]  # stored files sent after its text (db.stored_files)
    compose: dict[str, Any] | None = None  # what makes its message when sent (db.outbox.COMPOSE)
    made: tuple[OutFile, ...] = ()  # the files its maker made, sent after the stored ones


def delivery_key(outbox_id: int, account_id: int) -> str:
    """The idempotency key of one notice to one account: the same on every retry."""
    return f"outbox-{outbox_id}-{account_id}"


async def deliver_due(
    db: Database,
    ports: Mapping[Messenger, Port],
    clock: Callable[[], datetime],
    *,
    lanes: Sequence[Lane] = (Lane.NOTICES, Lane.BROADCASTS),
    keep_going: Callable[[], bool] = lambda: True,
    kinds: Collection[str] = (),
) -> Delivery:
    """Deliver what is due, lane by lane, a batch at a time, until nothing is due in them (or
    `keep_going` says stop, checked between batches); with `kinds`, only rows of those kinds
    (the console sends the reports asked for in it this way, and shows the rest as queued)."""
    total = Delivery()
    for lane in lanes:
        total += await _drain(db, ports, clock, lane, kinds, keep_going)
    return total


async def _drain(
    db: Database,
    ports: Mapping[Messenger, Port],
    clock: Callable[[], datetime],
    lane: Lane,
    kinds: Collection[str] = (),
    keep_going: Callable[[], bool] = lambda: True,
) -> Delivery:
    """The lane's due rows, batch after batch (`lane.depth` in hand at once) while batches come
    back full and `keep_going` says go on; a batch that fails is logged and ends the round
    (the next look tries again)."""
    total = Delivery()
    more = True
    running: set[asyncio.Task[tuple[Delivery, bool]]] = set()
    while running or more:
        while more and len(running) < lane.depth and keep_going():
            running.add(asyncio.create_task(_deliver_a_batch(db, ports, clock, lane, kinds)))
        if not running:
            break
        done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            try:
                delivery, full = task.result()
            except Exception as failure:
                log.error("outbox %s failed\n%s", lane.value, redacted_traceback(failure))
                delivery, full = Delivery(), False
            total += delivery
            more = more and full
    return total


async def run_outbox(
    db: Database,
    ports: Mapping[Messenger, Port],
    clock: Callable[[], datetime],
    stop: asyncio.Event,
    idle: float = IDLE,
) -> None:
    """The dispatcher of a running bot: both lanes at once, each draining what is due and then
    looking again every `idle` seconds, until `stop` (a batch in hand is finished first). A
    failed round is logged without personal data and the lane goes on."""

    async def lane_loop(lane: Lane) -> None:
        while not stop.is_set():
            delivery = await _drain(db, ports, clock, lane, keep_going=lambda: not stop.is_set())
            if delivery != Delivery():
                log.debug("outbox %s: %s", lane.value, delivery)
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), idle)

    async with asyncio.TaskGroup() as lanes:
        for lane in Lane:
            lanes.create_task(lane_loop(lane))


async def _deliver_a_batch(
    db: Database,
    ports: Mapping[Messenger, Port],
    clock: Callable[[], datetime],
    lane: Lane,
    kinds: Collection[str] = (),
) -> tuple[Delivery, bool]:
    """Lease one batch of the lane (of `kinds` only, if given) and deliver it; whether the
    batch was full (more may be due)."""
    token = uuid4().hex
    leased, files = await _lease(db, clock(), token, lane, kinds)
    if not leased:
        return Delivery(), False
    async with _renewing(db, token, clock):
        delivery = await _deliver_batch(db, ports, leased, files, token, clock)
    return delivery, len(leased) == lane.batch


async def _lease(
    db: Database, now: datetime, token: str, lane: Lane, kinds: Collection[str] = ()
) -> tuple[list[_Leased], dict[int, OutFile]]:
    """A batch of the lane's due rows (of `kinds` only, if given), taken under `token`, and
    the files they carry."""
    in_lane = (
        OutboxMessage.priority >= Priority.BULK
        if lane is Lane.BROADCASTS
        else OutboxMessage.priority < Priority.BULK
    )
    of_kind = OutboxMessage.kind.in_(list(kinds)) if kinds else true()
    async with db.transaction() as session:
        rows = list(
            await session.scalars(
                select(OutboxMessage)
                .where(
                    OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.not_before <= now,
                    in_lane,
                    of_kind,
                )
                .order_by(OutboxMessage.priority, OutboxMessage.not_before, OutboxMessage.id)
                .limit(lane.batch)
                .with_for_update(skip_locked=True)
            )
        )
        for row in rows:
            row.not_before = now + LEASE
            row.attempts += 1
            row.lease_token = token
        leased = [
            _Leased(
                r.id,
                r.person_id,
                r.text,
                r.attempts,
                list(r.payload.get("buttons") or []),
                r.payload.get(REPLY_TO),
                r.payload.get(STILL),
                Priority(min(r.priority, Priority.BULK)),
                r.payload.get(BULK),
                tuple(int(f) for f in r.payload.get(FILES) or ()),
                r.payload.get(COMPOSE),
            )
            for r in rows
        ]
        wanted = sorted({f for row in leased for f in row.files})
        files = {
            f.id: OutFile(f.kind, f.name, f.data)  # type: ignore[arg-type]
            for f in await load_files(session, wanted)
        }
        return leased, files


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
    files: Mapping[int, OutFile],
    token: str,
    clock: Callable[[], datetime],
) -> Delivery:
    """The batch's rows, up to WORKERS people at once, each person's rows in lease order; the
    rows of one bulk group first together, where a messenger takes many recipients a call."""
    outcomes: list[_Outcome] = []
    by_person: dict[int, list[_Leased]] = {}
    bulk: dict[str, list[_Leased]] = {}
    for row in rows:
        if row.bulk is not None and not row.buttons and row.reply_to is None and not row.compose:
            bulk.setdefault(row.bulk, []).append(row)
        else:
            by_person.setdefault(row.person_id, []).append(row)
    for group in bulk.values():
        outcomes += await _deliver_group(db, ports, group, files, token, clock)
    workers = asyncio.Semaphore(WORKERS)

    async def one_person(queue: list[_Leased]) -> None:
        async with workers:
            for row in queue:
                outcomes.append(await _deliver_row(db, ports, row, files, token, clock))

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
    files: Mapping[int, OutFile],
    token: str,
    clock: Callable[[], datetime],
) -> _Outcome:
    """Send a leased row to each account still to get it, and mark it.

    An account found unreachable is planned around at once: a person who chose that messenger
    gets the notice on their others in the same round. A row made when it is sent is made
    first (its maker failing is a failed try)."""
    if row.compose is not None:
        try:
            made = await _composed(db, row, clock())
        except Exception as failure:  # a database hiccup or a bug: tried again later
            log.warning("outbox %s: making it failed\n%s", row.id, redacted_traceback(failure))
            return await _mark(db, row, token, type(failure).__name__, clock)
        if made is None:
            return await _skip_stale(db, row, token)
        row = made
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
                _reply(row, files, _buttons_for(session, t.account_id, row.buttons))
                for t in targets
            ]
        unreachable = False
        for n, (target, reply) in enumerate(zip(targets, replies, strict=True)):
            status, failed = await _send_one(ports[target.messenger], row, target, reply)
            unreachable |= status == DeliveryStatus.UNREACHABLE
            error = error or failed
            last = n == len(targets) - 1
            async with db.transaction() as session:  # each send recorded before the next
                await _record(session, row, target, status, failed, clock())
                if last and (error is not None or not unreachable):  # and the row marked
                    return await _mark_in(session, row, token, error, clock())
        if error is not None or not unreachable:  # nobody to send to
            return await _mark(db, row, token, error, clock)


async def _deliver_group(
    db: Database,
    ports: Mapping[Messenger, Port],
    rows: list[_Leased],
    files: Mapping[int, OutFile],
    token: str,
    clock: Callable[[], datetime],
) -> list[_Outcome]:
    """Rows of one bulk group (one broadcast): planned together; their accounts on a messenger
    that takes many recipients a call (messages.port.BulkPort) are sent to `bulk_limit` at a
    time, the others one by one. A row with an account found unreachable is then delivered on
    its own (planned around it, as any row); the others are marked."""
    outcomes: list[_Outcome] = []
    planned: list[tuple[_Leased, list[Target]]] = []
    async with db.transaction() as session:
        for row in rows:
            settled = await _settled_before_sending(session, row, token)
            if settled is not None:
                outcomes.append(settled)
                continue
            targets = await plan_deliveries(session, row.id, row.person_id, list(ports))
            planned.append((row, targets))
    results: dict[tuple[int, int], str] = {}  # (row, account) → what came of it
    together: dict[Messenger, list[tuple[_Leased, Target]]] = {}
    alone: list[tuple[_Leased, Target]] = []
    for row, targets in planned:
        for target in targets:
            if isinstance(ports[target.messenger], BulkPort):
                together.setdefault(target.messenger, []).append((row, target))
            else:
                alone.append((row, target))
    for messenger, pairs in together.items():
        port = ports[messenger]
        assert isinstance(port, BulkPort)
        for start in range(0, len(pairs), port.bulk_limit):
            chunk = pairs[start : start + port.bulk_limit]
            results |= await _deliver_chunk(db, port, chunk, files, clock)
    workers = asyncio.Semaphore(WORKERS)

    async def one(row: _Leased, target: Target) -> None:
        async with workers:
            port = ports[target.messenger]
            reply = _reply(row, files, [])
            results[row.id, target.account_id] = await _deliver_one(
                db, port, row, target, reply, clock
            )

    async with asyncio.TaskGroup() as group:
        for row, target in alone:
            group.create_task(one(row, target))
    replan: list[_Leased] = []
    async with db.transaction() as session:  # the group's rows marked together
        for row, targets in planned:
            got = [results[row.id, t.account_id] for t in targets]
            if DeliveryStatus.UNREACHABLE in got:
                replan.append(row)
                continue
            error = next((g for g in got if g != DeliveryStatus.SENT), None)
            outcomes.append(await _mark_in(session, row, token, error, clock()))
    for row in replan:  # planned around the account that could not be written to
        outcomes.append(await _deliver_row(db, ports, row, files, token, clock))
    return outcomes


async def _deliver_chunk(
    db: Database,
    port: BulkPort,
    chunk: list[tuple[_Leased, Target]],
    files: Mapping[int, OutFile],
    clock: Callable[[], datetime],
) -> dict[tuple[int, int], str]:
    """One call for up to `bulk_limit` accounts of a group (its rows share their text and
    files), every outcome recorded in one transaction."""
    first = chunk[0][0]
    addresses = [Address(target.messenger, target.chat_id) for _, target in chunk]
    key = f"outbox-bulk-{first.bulk}"
    try:
        answers = await port.deliver_to_many(
            addresses, _reply(first, files, []), key=key, priority=first.priority
        )
    except Exception as failure:  # the messenger is down or refused the call: all try again
        log.warning("outbox: a bulk delivery failed\n%s", redacted_traceback(failure))
        answers = [failure for _ in chunk]
    results: dict[tuple[int, int], str] = {}
    async with db.transaction() as session:
        for (row, target), answer in zip(chunk, answers, strict=True):
            if answer is None:
                status, error = DeliveryStatus.SENT, None
            elif isinstance(answer, RecipientUnreachable):
                status, error = DeliveryStatus.UNREACHABLE, None
                await mark_unreachable(session, target.messenger, target.external_id)
            else:
                status, error = DeliveryStatus.FAILED, type(answer).__name__
            await record_delivery(session, row.id, target.account_id, status, clock(), error)
            results[row.id, target.account_id] = error or status
    return results


def _reply(row: _Leased, files: Mapping[int, OutFile], buttons: list[list[Button]]) -> Reply:
    """The row's message: its text, the buttons made for one account, its files."""
    stored = [files[f] for f in row.files if f in files]
    return Reply(row.text, buttons, files=stored + list(row.made))


async def _composed(db: Database, row: _Leased, now: datetime) -> _Leased | None:
    """The row with the message its maker made (db.outbox.COMPOSE), made outside any write
    transaction; None, with nothing made, if what must still be true no longer is (checked
    again before sending, as for every row)."""
    assert row.compose is not None
    if row.still is not None:
        async with db.reading() as session:
            if not await still_true(session, row.still):
                return None
    made = await COMPOSERS[str(row.compose["kind"])](db, row.compose, now)
    return replace(row, text=made.text, made=tuple(made.files))


async def _skip_stale(db: Database, row: _Leased, token: str) -> _Outcome:
    """Mark the row SKIPPED as "stale" while it is still ours (LOST if it is not)."""
    async with db.transaction() as session:
        marked = await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id, OutboxMessage.lease_token == token)
            .values(status=OutboxStatus.SKIPPED, last_error=STALE, lease_token=None)
        )
    return _Outcome.SKIPPED if marked.rowcount == 1 else _Outcome.LOST


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
        return await _mark_in(session, row, token, error, clock())


async def _mark_in(
    session: AsyncSession, row: _Leased, token: str, error: str | None, now: datetime
) -> _Outcome:
    values: dict[str, Any] = {"lease_token": None}
    if error is not None:
        outcome = _Outcome.FAILED
        values |= {"last_error": error[:500], "not_before": now + _backoff(row.attempts)}
        if row.attempts >= MAX_ATTEMPTS:
            values["status"] = OutboxStatus.FAILED
    elif await delivered_count(session, row.id):
        outcome = _Outcome.SENT
        values |= {"status": OutboxStatus.SENT, "sent_at": now, "last_error": None}
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
    row: _Leased,
    target: Target,
    reply: Reply,
    clock: Callable[[], datetime],
) -> str:
    """DeliveryStatus.SENT or .UNREACHABLE, or the error of a failed try; recorded."""
    status, error = await _send_one(port, row, target, reply)
    async with db.transaction() as session:
        await _record(session, row, target, status, error, clock())
    return error or status


async def _send_one(
    port: Port, row: _Leased, target: Target, reply: Reply
) -> tuple[DeliveryStatus, str | None]:
    """What one try on one account came to: its status, and the error of a failed one."""
    address = Address(target.messenger, target.chat_id)
    try:
        key = delivery_key(row.id, target.account_id)
        await port.deliver(address, reply, key=key, priority=row.priority)
    except RecipientUnreachable:
        return DeliveryStatus.UNREACHABLE, None
    except Exception as failure:  # the messenger is down or refused: try again later
        log.warning("outbox %s: delivery failed\n%s", row.id, redacted_traceback(failure))
        return DeliveryStatus.FAILED, type(failure).__name__
    return DeliveryStatus.SENT, None


async def _record(
    session: AsyncSession,
    row: _Leased,
    target: Target,
    status: DeliveryStatus,
    error: str | None,
    now: datetime,
) -> None:
    if status == DeliveryStatus.UNREACHABLE:
        await mark_unreachable(session, target.messenger, target.external_id)
    await record_delivery(session, row.id, target.account_id, status, now, error)


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
