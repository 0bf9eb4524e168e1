"""Notifications as outbox rows, written in the transaction that caused them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.clock import utcnow
from db.dialect import insert_ignore
from db.enums import Messenger
from db.models import Account, OutboxMessage


async def notify(
    session: AsyncSession,
    person_id: int,
    kind: str,
    text: str,
    dedupe_key: str,
    *,
    not_before: datetime | None = None,
    payload: dict[str, Any] | None = None,
) -> bool:
    """Queue a message for a person once per dedupe key; False if it was already queued."""
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
        },
        ["dedupe_key"],
    )


async def queued_after(session: AsyncSession, after_id: int) -> list[tuple[int, str, str]]:
    """Notices queued after a given outbox id, with the console persona they are for
    (id, persona or "", text) — the console shows them as they appear."""
    rows = await session.execute(
        select(OutboxMessage.id, Account.external_id, OutboxMessage.text)
        .outerjoin(
            Account,
            (Account.person_id == OutboxMessage.person_id)
            & (Account.messenger == Messenger.CONSOLE),
        )
        .where(OutboxMessage.id > after_id)
        .order_by(OutboxMessage.id)
    )
    return [(row_id, persona or "", text) for row_id, persona, text in rows]


async def last_id(session: AsyncSession) -> int:
    return await session.scalar(select(func.max(OutboxMessage.id))) or 0
