"""The --vk run: one broadcast of a school's librarian to N readers, each with a VK account,
delivered by jobs.outbox.deliver_due through the real VK transport (vk_api, built as
`python -m bot` builds it) to the local fake VK API (tests/support/fake_vk), which keeps the
community token's 20 requests a second and checks every call against the published schema.
Counted from what the fake received: API calls by method, and what each person sees."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from bench.broadcast.people import BROADCAST_TEXT, prepare_broadcast, vk_user_of
from bench.broadcast.report import VkFigures, shown
from bench.broadcast.sender import send_all, vk_transport_for
from db.engine import Database
from db.enums import Messenger
from tests.support.fake_vk import FakeVK


async def run_vk(size: int, folder: Path) -> VkFigures:
    db = Database(f"sqlite+aiosqlite:///{folder / 'broadcast-vk.sqlite3'}")
    queued = await prepare_broadcast(db, size, Messenger.VK, vk_user_of)
    async with FakeVK(strict=False) as vk:
        for i in range(size):
            vk.user(vk_user_of(i))
        transport = vk_transport_for(db, vk.base_url, vk.token, vk.group_id)
        started = time.monotonic()
        try:
            await send_all(db, {Messenger.VK: transport})
        finally:
            transport.client.close()
        seconds = time.monotonic() - started
        dialogs = ([m.text for m in vk.messages(vk_user_of(i))] for i in range(size))
        duplicates, lost = shown(dialogs, BROADCAST_TEXT)
        figures = VkFigures(
            size=size,
            queued=queued,
            seconds=seconds,
            calls=Counter(call.method for call in vk.calls),
            duplicates=duplicates,
            lost=lost,
            suppressed=vk.duplicates_suppressed,
            rate_errors=len(vk.rate_errors),
            errors=Counter(f"{method} {code}" for method, code in vk.errors_given if code != 6),
            violations=len(vk.violations),
        )
    await db.dispose()
    return figures
