"""Files kept for the messages that carry them: a broadcast's photo or document is stored once
and sent to every recipient from here, in whichever messenger each one reads (a Telegram
file id means nothing to VK or MAX, so the bytes are what is kept)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import StoredFile

MAX_BYTES = 10 * 1024 * 1024  # what every messenger we serve takes as one photo or document
KINDS = ("photo", "document")

# An outbox row's payload names its files: {"files": [<stored_files.id>, ...]}.
FILES = "files"


async def store_file(
    session: AsyncSession, kind: str, name: str, data: bytes, now: datetime
) -> StoredFile:
    """Keep a file; its id goes into the payloads of the messages that carry it."""
    if kind not in KINDS:
        raise ValueError(f"no such file kind: {kind}")
    if not data or len(data) > MAX_BYTES:
        raise ValueError(f"a stored file is 1…{MAX_BYTES} bytes")
    stored = StoredFile(kind=kind, name=name[:200] or "file", data=data, created_at=now)
    session.add(stored)
    await session.flush()
    return stored


async def load_files(session: AsyncSession, ids: list[int]) -> list[StoredFile]:
    """The files of these ids, in that order (an id whose file is gone is left out)."""
    if not ids:
        return []
    found = {
        f.id: f for f in await session.scalars(select(StoredFile).where(StoredFile.id.in_(ids)))
    }
    return [found[i] for i in ids if i in found]
