"""The audit log: who did what, when, and what was refused. Ids only, never personal data."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.access import Actor
from db.enums import AuditOutcome
from db.models import AuditEntry


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
