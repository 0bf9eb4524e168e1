"""Delivering the outbox: notices written in the transactions of their causes go out through
the outgoing port (messages/port.py) to each of the person's accounts that should have them.

A due row is leased first (its `not_before` pushed LEASE ahead, attempts counted) in a short
transaction — `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several dispatchers never take the
same row. Then, per account, with no transaction open while a messenger is called:

- the targets are planned (db.outbox.plan_deliveries): every reachable account on a messenger
  with a port, or only the messenger the person chose — less the accounts that already got the
  row or cannot be written to; each planned account gets a pending `outbox_deliveries` row;
- each is sent with a key stable across retries (`outbox-<row>-<account>`), and its outcome
  recorded: sent, unreachable (the account is marked so; a person who chose that messenger
  then gets the notice on the others) or failed.

The row is SENT once every target is sent or unreachable (SKIPPED when none could take it);
while any target failed it comes due again after a growing pause, and only the failed ones are
tried; after MAX_ATTEMPTS it is FAILED. A crash between a send and its record leaves the row
to come due again after the lease: a notice may, rarely, reach an account twice (a messenger
with idempotent sends drops the second by its key); it is never lost. Each transport keeps its
own messenger's rate limits: nothing here waits between sends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.conversation import new_button_token
from db.engine import Database
from db.enums import Messenger, OutboxStatus
from db.models import DeliveryStatus, OutboxMessage
from db.outbox import REPLY_TO, Target, delivered_count, plan_deliveries, record_delivery
from db.people import mark_unreachable
from messages.port import Address, Port
from messages.safe_log import redacted_traceback
from messages.types import Button, RecipientUnreachable, Reply, fit_label

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 5
BATCH = 50


@dataclass(frozen=True, slots=True)
class Delivery:
    """One round's notices by outcome (a notice counts once, however many accounts it had)."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0  # this round; retried later unless out of attempts


@dataclass(frozen=True, slots=True)
class _Leased:
    id: int
    person_id: int
    text: str
    attempts: int
    buttons: list[list[dict[str, Any]]]  # actions with their arguments, tokens made per account
    reply_to: int | None  # the one account the notice answers (db.outbox.REPLY_TO), if any


def delivery_key(outbox_id: int, account_id: int) -> str:
    """The idempotency key of one notice to one account: the same on every retry."""
    return f"outbox-{outbox_id}-{account_id}"


async def deliver_due(
    db: Database, ports: Mapping[Messenger, Port], clock: Callable[[], datetime]
) -> Delivery:
    """One round: lease what is due, send it to each target account, record the outcome."""
    leased = await _lease(db, clock())
    sent = skipped = failed = 0
    for row in leased:
        error = await _deliver_row(db, ports, row, clock)
        async with db.transaction() as session:
            if error is not None:
                failed += 1
                values: dict[str, Any] = {
                    "last_error": error[:500],
                    "not_before": clock() + _backoff(row.attempts),
                }
                if row.attempts >= MAX_ATTEMPTS:
                    values["status"] = OutboxStatus.FAILED
            elif await delivered_count(session, row.id):
                values = {"status": OutboxStatus.SENT, "sent_at": clock(), "last_error": None}
                sent += 1
            else:
                values = {"status": OutboxStatus.SKIPPED, "last_error": "unreachable"}
                skipped += 1
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row.id).values(**values)
            )
    return Delivery(sent, skipped, failed)


async def _lease(db: Database, now: datetime) -> list[_Leased]:
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
        return [
            _Leased(
                r.id,
                r.person_id,
                r.text,
                r.attempts,
                list(r.payload.get("buttons") or []),
                r.payload.get(REPLY_TO),
            )
            for r in rows
        ]


async def _deliver_row(
    db: Database, ports: Mapping[Messenger, Port], row: _Leased, clock: Callable[[], datetime]
) -> str | None:
    """Send a leased row to each account still to get it; the error of a failed send, if any.

    An account found unreachable is planned around at once: a person who chose that messenger
    gets the notice on their others in the same round."""
    error = None
    while True:
        async with db.transaction() as session:
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
            return error


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
