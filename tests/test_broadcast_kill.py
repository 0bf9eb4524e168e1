"""A dispatcher killed with SIGKILL in the middle of a round of notices and started again loses
nothing, and sends a notice twice only if it was on the wire at the kill (issue 14, «Crash-proof»).

A real process, `python -m bench.broadcast.sender` (jobs.outbox.deliver_due through the real
Telegram transport, built as `python -m bot` builds it), sends SIZE notices to the fake Bot API
keeping Telegram's rates. Once HALF have arrived the fake stalls sendMessage, so the process is
killed while it has sends in flight: their `outbox_deliveries` rows are still pending, and they
are the most it may send twice. The stalled sends then reach their chats all the same (the
worst case: Telegram sent them, the bot never heard back). The replacement runs at a clock
moved past the lease, as a process started after the dead one's claims ran out; it is started
ahead (it waits for a word on its stdin) so the test does not wait for a second start-up.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import func, select

from bench.broadcast.people import chat_of, in_flight, populate, text_of
from db.clock import PIN_VARIABLE
from db.engine import Database
from db.enums import OutboxStatus
from db.models import DeliveryStatus, OutboxDelivery, OutboxMessage
from jobs.outbox import LEASE
from tests.conftest import FIXED_NOW
from tests.support.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[1]
SIZE = 60
HALF = SIZE // 2
START_UP = 90.0  # seconds a sender may take to start and finish on a busy machine


class SentAnyway(FakeTelegram):
    """A Bot API whose stalled sends go out once released, even to a bot that has gone."""

    async def wait_if_held(self, method: str, key: Any, request: web.BaseRequest | None) -> bool:
        await super().wait_if_held(method, key, None)
        return True


async def _sender(db: Database, tg: FakeTelegram, now: datetime) -> asyncio.subprocess.Process:
    """A sender over the test's database at the pinned moment `now`, started and waiting for
    a line on its stdin before it sends anything."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.broadcast.sender", "--wait-for-go",
        "--db", db.engine.url.render_as_string(hide_password=False),
        "--api", tg.base_url, "--token", tg.token,
        cwd=ROOT,
        env={**os.environ, PIN_VARIABLE: now.isoformat(), "PYTHONPATH": str(ROOT)},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def _go(sender: asyncio.subprocess.Process) -> None:
    assert sender.stdin is not None and sender.stdout is not None
    assert await asyncio.wait_for(sender.stdout.readline(), START_UP) == b"ready\n"
    sender.stdin.write(b"go\n")
    await sender.stdin.drain()


@asynccontextmanager
async def _killed_at_exit(*senders: asyncio.subprocess.Process) -> AsyncIterator[None]:
    """A failing test leaves no sender behind."""
    try:
        yield
    finally:
        for sender in senders:
            if sender.returncode is None:
                sender.kill()
                await sender.wait()


def _notices_in(tg: FakeTelegram, index: int) -> int:
    return sum(message.text == text_of(index) for message in tg.messages(chat_of(index)))


def _delivered(tg: FakeTelegram) -> int:
    return sum(_notices_in(tg, i) for i in range(SIZE))


async def _statuses(db: Database) -> tuple[dict[OutboxStatus, int], int]:
    """The notices by status, and the deliveries still pending."""
    async with db.reading() as session:
        rows = await session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
        pending = await session.scalar(
            select(func.count()).where(OutboxDelivery.status == DeliveryStatus.PENDING)
        )
    return {OutboxStatus(status): n for status, n in rows}, int(pending or 0)


async def test_a_sender_killed_mid_round_and_restarted_loses_nothing(db: Database) -> None:
    await populate(db, SIZE)
    async with SentAnyway(strict=True, rate_limits=True) as tg:
        for i in range(SIZE):
            tg.user(chat_of(i))
        tg.hold("sendMessage", after=HALF)
        first = await _sender(db, tg, FIXED_NOW)
        replacement = await _sender(db, tg, FIXED_NOW + LEASE + timedelta(seconds=1))
        async with _killed_at_exit(first, replacement):
            await _go(first)
            await tg.wait_until(
                lambda: bool(tg.held("sendMessage")) and _delivered(tg) == HALF,
                timeout=START_UP,
                message="the first sender never got past half of the notices",
            )
            first.send_signal(signal.SIGKILL)
            assert await asyncio.wait_for(first.wait(), 30) == -signal.SIGKILL
            flying = await in_flight(db)
            stalled = len(tg.held("sendMessage"))
            assert _delivered(tg) == HALF
            assert flying >= stalled >= 1  # the kill caught sends on the wire
            tg.release("sendMessage")
            await tg.wait_until(lambda: _delivered(tg) == HALF + stalled, timeout=30)

            await _go(replacement)
            assert await asyncio.wait_for(replacement.wait(), START_UP) == 0

        seen = [_notices_in(tg, i) for i in range(SIZE)]
        assert [i for i, n in enumerate(seen) if n == 0] == []  # every chat got its notice
        duplicates = sum(n - 1 for n in seen if n > 1)
        assert duplicates <= flying, f"{duplicates} sent twice, {flying} in flight at the kill"
        assert await _statuses(db) == ({OutboxStatus.SENT: SIZE}, 0)
