"""Notifications as outbox rows, written in the transaction that caused them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import insert_ignore
from db.models import OutboxMessage, utcnow


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
