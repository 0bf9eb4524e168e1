"""The audit log: who did what, when, and what was refused. Ids only, never personal data.

A refusal repeated by one account (the same action at the same library) within
`REFUSAL_FOLD_WINDOW` of the last one is counted on that row — `repeats` and `last_at` —
instead of adding a row each time: a script pressing forged buttons cannot grow the table.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import event, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from db.access import Actor
from db.clock import utcnow
from db.enums import AuditOutcome
from db.models import AuditEntry

REFUSAL_FOLD_WINDOW = timedelta(hours=1)


def audit(
    session: AsyncSession,
    actor: Actor,
    action: str,
    *,
    outcome: AuditOutcome = AuditOutcome.OK,
    library_id: int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    **detail: Any,
) -> AuditEntry:
    entry = AuditEntry(
        person_id=actor.person_id,
        account_id=actor.account_id,
        library_id=library_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        detail=detail,
    )
    session.add(entry)
    return entry


def _fold_key(entry: AuditEntry) -> tuple[int, str, int | None]:
    assert entry.account_id is not None
    return entry.account_id, entry.action, entry.library_id


@event.listens_for(Session, "before_flush")
def fold_repeated_refusals(session: Session, _context: object, _instances: object) -> None:
    """Before a flush: each new refusal that repeats a recent one of the same account,
    action and library becomes `repeats + 1` on that row, and is not inserted."""
    new = [
        obj
        for obj in session.new
        if isinstance(obj, AuditEntry)
        and obj.outcome == AuditOutcome.REFUSED
        and obj.account_id is not None
        and obj.id is None
    ]
    if not new:
        return
    now = utcnow()
    connection = session.connection()
    pending: dict[tuple[int, str, int | None], AuditEntry] = {}
    for entry in new:
        key = _fold_key(entry)
        if key in pending:  # twice in one transaction
            earlier = pending[key]
            earlier.repeats = (earlier.repeats or 1) + 1
            earlier.last_at = now
            session.expunge(entry)
            continue
        account_id, action, library_id = key
        recent = connection.execute(
            select(AuditEntry.id)
            .where(
                AuditEntry.account_id == account_id,
                AuditEntry.action == action,
                AuditEntry.library_id.is_(None)
                if library_id is None
                else AuditEntry.library_id == library_id,
                AuditEntry.outcome == AuditOutcome.REFUSED,
                func.coalesce(AuditEntry.last_at, AuditEntry.at) >= now - REFUSAL_FOLD_WINDOW,
            )
            .order_by(AuditEntry.id.desc())
            .limit(1)
        ).scalar()
        if recent is None:
            pending[key] = entry
            continue
        connection.execute(
            update(AuditEntry)
            .where(AuditEntry.id == recent)
            .values(repeats=AuditEntry.repeats + 1, last_at=now)
        )
        session.expunge(entry)
