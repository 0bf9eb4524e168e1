"""What is kept, and for how long: the tables that would otherwise only grow.

- Button tokens: `BUTTON_TTL` (a month); an older button says it is stale when pressed.
- Dedupe marks of messenger updates: `DEDUPE_KEEP` (a week), well past any redelivery
  (Telegram keeps an update 24 hours; MAX retries a webhook for hours).
- The catalog change log: search indexes replay it from the change they last saw, and
  replaying a record reads it afresh, so only the latest change of each record matters —
  every older one is folded away (the highest id, which indexes compare with, always stays).
- Refused attempts in the audit: `AUDIT_REFUSED_KEEP` (a year); granted actions stay.
  Repeats of one refusal are folded into one row as they happen (db/audit.py).
- A chat's rate slot (bot/pacing.py, «chat:…», PostgreSQL only): a day after its last use;
  a token's own slot row stays.
- A stored file nothing refers to (the photo of a broadcast preview never sent): a day after
  it was stored; a file a broadcast carries stays with the broadcast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.conversation import BUTTON_TTL
from db.enums import AuditOutcome
from db.models import (
    AuditEntry,
    Broadcast,
    ButtonToken,
    CatalogChange,
    ProcessedUpdate,
    ProjectWork,
    RateSlot,
    Record,
    StoredFile,
)

DEDUPE_KEEP = timedelta(days=7)
CHAT_SLOT_KEEP = timedelta(days=1)
ORPHAN_FILE_KEEP = timedelta(days=1)
AUDIT_REFUSED_KEEP = timedelta(days=365)

__all__ = [
    "AUDIT_REFUSED_KEEP",
    "BUTTON_TTL",
    "DEDUPE_KEEP",
    "Pruned",
    "compact_change_log",
    "prune",
]


@dataclass(frozen=True, slots=True)
class Pruned:
    """Rows removed by one round, per table."""

    processed_updates: int
    button_tokens: int
    catalog_changes: int
    audit_refusals: int
    chat_slots: int = 0
    orphan_files: int = 0


async def prune_processed_updates(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < now - DEDUPE_KEEP)
    )
    return result.rowcount or 0


async def prune_button_tokens(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(
        delete(ButtonToken).where(ButtonToken.created_at <= now - BUTTON_TTL)
    )
    return result.rowcount or 0


async def compact_change_log(session: AsyncSession) -> int:
    """Delete every change of a record but its latest. An index that last saw change N
    replays the records changed after N: each such record still has its latest change after
    N, so it is still replayed, and read as it is now."""
    later = aliased(CatalogChange)
    superseded = (
        select(later.id)
        .where(later.record_id == CatalogChange.record_id, later.id > CatalogChange.id)
        .exists()
    )
    result = await session.execute(
        delete(CatalogChange).where(superseded).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


async def prune_audit_refusals(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(
        delete(AuditEntry).where(
            AuditEntry.outcome == AuditOutcome.REFUSED,
            func.coalesce(AuditEntry.last_at, AuditEntry.at) < now - AUDIT_REFUSED_KEEP,
        )
    )
    return result.rowcount or 0


async def prune_chat_slots(session: AsyncSession, now: datetime) -> int:
    """Chats' rate slots not used for CHAT_SLOT_KEEP (their moments are epoch seconds)."""
    result = await session.execute(
        delete(RateSlot).where(
            RateSlot.key.like("chat:%"),
            RateSlot.next_at < (now - CHAT_SLOT_KEEP).timestamp(),
        )
    )
    return result.rowcount or 0


async def prune_orphan_files(session: AsyncSession, now: datetime) -> int:
    """Stored files older than ORPHAN_FILE_KEEP that no broadcast, project work or record
    (a student work in the e-library) carries."""
    carriers = (Broadcast.file_id, ProjectWork.file_id, Record.file_id)
    kept = [StoredFile.id.not_in(select(c).where(c.is_not(None))) for c in carriers]
    result = await session.execute(
        delete(StoredFile).where(StoredFile.created_at < now - ORPHAN_FILE_KEEP, *kept)
    )
    return result.rowcount or 0


async def prune(session: AsyncSession, now: datetime) -> Pruned:
    return Pruned(
        processed_updates=await prune_processed_updates(session, now),
        button_tokens=await prune_button_tokens(session, now),
        catalog_changes=await compact_change_log(session),
        audit_refusals=await prune_audit_refusals(session, now),
        chat_slots=await prune_chat_slots(session, now),
        orphan_files=await prune_orphan_files(session, now),
    )
