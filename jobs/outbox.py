"""Delivering the outbox: notices written in the transactions of their causes go out to the
person's reachable messenger accounts.

A due row is leased first (its `not_before` pushed LEASE ahead, attempts counted) in a short
transaction — `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several dispatchers never take the
same row — then sent with no transaction open, then marked sent. A crash between the two
leaves the row to come due again after the lease: a notice may, rarely, arrive twice; it is
never lost. Failures are retried with a growing pause and given up after MAX_ATTEMPTS.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update

from db.conversation import new_button_token
from db.engine import Database
from db.enums import Messenger, OutboxStatus
from db.models import Account, OutboxMessage
from db.people import mark_unreachable
from messages.safe_log import redacted_traceback
from messages.types import Button, RecipientUnreachable, fit_label

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 5
BATCH = 50
PAUSE = 1 / 25  # seconds between sends: under Telegram's ~30 messages a second


class Sender(Protocol):
    async def send_notice(
        self, chat_id: str, text: str, buttons: list[list[Button]] | None = None
    ) -> None:
        """Deliver or raise: RecipientUnreachable for a person who cannot be written to."""


@dataclass(frozen=True, slots=True)
class Delivery:
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


async def deliver_due(
    db: Database,
    senders: Mapping[Messenger, Sender],
    clock: Callable[[], datetime],
    pause: float = PAUSE,
) -> Delivery:
    """One round: lease what is due, send it, record the outcome."""
    leased = await _lease(db, clock())
    sent = skipped = failed = 0
    for row in leased:
        outcome = await _send(db, senders, row)
        now = clock()
        async with db.transaction() as session:
            if outcome == "sent":
                values = {"status": OutboxStatus.SENT, "sent_at": now, "last_error": None}
                sent += 1
            elif outcome == "skipped":
                values = {"status": OutboxStatus.SKIPPED, "last_error": "unreachable"}
                skipped += 1
            else:
                failed += 1
                values = {"last_error": outcome[:500], "not_before": now + _backoff(row.attempts)}
                if row.attempts >= MAX_ATTEMPTS:
                    values["status"] = OutboxStatus.FAILED
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row.id).values(**values)
            )
        if pause:
            await asyncio.sleep(pause)
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
            _Leased(r.id, r.person_id, r.text, r.attempts, list(r.payload.get("buttons") or []))
            for r in rows
        ]


async def _send(db: Database, senders: Mapping[Messenger, Sender], row: _Leased) -> str:
    """ "sent", "skipped" (no reachable account), or the error of a failed try."""
    async with db.reading() as session:
        accounts = list(
            await session.scalars(
                select(Account).where(
                    Account.person_id == row.person_id,
                    Account.unreachable.is_(False),
                    Account.messenger.in_(list(senders)),
                )
            )
        )
    delivered, error = False, None
    for account in accounts:
        try:
            buttons = await _buttons_for(db, account.id, row.buttons)
            await senders[account.messenger].send_notice(account.chat_id, row.text, buttons)
            delivered = True
        except RecipientUnreachable:
            async with db.transaction() as session:
                await mark_unreachable(session, account.messenger, account.external_id)
        except Exception as failure:  # the messenger is down or refused: try again later
            log.warning("outbox %s: send failed\n%s", row.id, redacted_traceback(failure))
            error = type(failure).__name__
    if delivered:
        return "sent"
    return error or "skipped"


async def _buttons_for(
    db: Database, account_id: int, rows: list[list[dict[str, Any]]]
) -> list[list[Button]] | None:
    """A notice's buttons as tokens that work for this account only (checked again on press)."""
    if not rows:
        return None
    async with db.transaction() as session:
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
