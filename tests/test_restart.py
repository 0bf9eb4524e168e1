"""A restart loses nothing: the real `python -m bot` against the fake Bot API, killed mid-batch.

Four people each send five messages — a link code first, then /help and «мои книги» — while
the fake Telegram lets the first replies through and then stalls sendMessage, so the process is
stopped with work in hand. SIGKILL (a crash) and SIGTERM (a deploy), in webhook and in polling
mode. After a restart the fake delivers again whatever was not acknowledged (a webhook retry;
getUpdates from the last confirmed offset), and then:

- every update Telegram considers acknowledged was handled: its processed_updates row exists;
- each was handled once: every link code redeemed once, nobody got a second «привязан» or a
  refusal of their own code, no chat got more replies than it sent messages;
- SIGTERM ends the process by itself (status 0) once what it had in hand is finished.

The figures (lost out of N) are printed; RESTART_BOT_ROOT runs the scenario against another
checkout (the code before this change) to measure it the same way.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from db.engine import Database
from db.enums import Messenger, RoleName
from db.models import LinkCode, ProcessedUpdate, Reader
from db.people import create_link_code, library_by_code
from messages import texts
from tests.conftest import FIXED_NOW
from tests.support.bot_process import BotProcess
from tests.support.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[1]
BOT_ROOT = Path(os.environ.get("RESTART_BOT_ROOT") or ROOT)
PEOPLE = 4
MESSAGES = ("/help", "мои книги", "/help", "мои книги")  # after each person's link code
LET_THROUGH = 6  # replies sent before Telegram stalls
SECRET = "restart-Secret_1"
FIRST_USER = 7001


@dataclass
class Outcome:
    mode: str
    signal: str
    sent: int = 0
    acknowledged: set[int] = field(default_factory=set)
    processed: Counter[str] = field(default_factory=Counter)
    replies: dict[int, list[str]] = field(default_factory=dict)
    codes_used: int = 0
    exit_code: int | None = None

    @property
    def lost(self) -> list[int]:
        return sorted(u for u in self.acknowledged if self.processed[str(u)] == 0)

    def figures(self) -> str:
        return (
            f"{self.mode}/{self.signal}: {len(self.lost)} of {len(self.acknowledged)} "
            f"acknowledged updates lost ({self.sent} sent, "
            f"{sum(map(len, self.replies.values()))} replies, exit {self.exit_code})"
        )


async def _codes(db: Database) -> list[str]:
    async with db.transaction() as session:
        library = await library_by_code(session, "school-1")
        readers = list(
            await session.scalars(
                select(Reader).where(Reader.library_id == library.id).order_by(Reader.id)
            )
        )[-PEOPLE:]
        return [
            (
                await create_link_code(session, RoleName.READER, reader_id=reader.id, now=FIXED_NOW)
            ).code
            for reader in readers
        ]


async def _listening(tg: FakeTelegram, port: int) -> None:
    async def accepts() -> bool:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            return False
        writer.close()
        return True

    for _ in range(3000):
        if tg.webhook_url and await accepts():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the restarted bot never listened for its webhook")


async def restart_scenario(
    tg: FakeTelegram, db: Database, mode: str, how: int, port: int
) -> Outcome:
    outcome = Outcome(mode, signal.Signals(how).name)
    env = {
        **os.environ,
        "DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
        "SEARCH_INDEX_DIR": "",
        "TELEGRAM_BOT_TOKEN": tg.token,
        "TELEGRAM_API_BASE": tg.base_url,
        "TELEGRAM_WEBHOOK_URL": "",
        "VK_GROUP_TOKEN": "",
    }
    if mode == "webhook":
        env |= {
            "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN_HOST": "127.0.0.1",
            "WEBHOOK_LISTEN_PORT": str(port),
        }
    codes = await _codes(db)
    users = [tg.user(FIRST_USER + n, f"Читатель{n}") for n in range(PEOPLE)]
    scripts = {user.chat_id: [f"/start {codes[n]}", *MESSAGES] for n, user in enumerate(users)}
    update_ids: list[int] = []

    async def say_all(user_index: int) -> None:
        user = users[user_index]
        for text in scripts[user.chat_id]:
            update_ids.append(await user.send(text))

    def replies_in(chat_id: int) -> int:
        return len(tg.messages(chat_id))

    def mid_flight() -> bool:
        """The first replies went out; every chat with more to answer is stalled on one."""
        busy = [c for c in scripts if replies_in(c) < len(scripts[c])]
        return (
            sum(map(replies_in, scripts)) == LET_THROUGH
            and bool(busy)
            and sorted(c for c in tg.held("sendMessage") if c is not None) == sorted(busy)
        )

    tg.hold("sendMessage", after=LET_THROUGH)
    senders: list[asyncio.Task[None]] = []
    if mode == "polling":  # waiting for the bot's getUpdates
        for n in range(PEOPLE):
            await say_all(n)
    bot = await BotProcess.start(env, root=BOT_ROOT)
    try:
        if mode == "webhook":
            await _listening(tg, port)
            senders = [asyncio.create_task(say_all(n)) for n in range(PEOPLE)]
        await tg.wait_until(mid_flight, timeout=90, message="the bot mid-batch")
        if how == signal.SIGTERM:
            bot.process.send_signal(how)
            # Telegram answers again once the bot has taken the signal (or has died of it).
            await tg.wait_until(
                lambda: bot.logged("stopping") or bot.process.returncode is not None, timeout=30
            )
            tg.release("sendMessage")
        outcome.exit_code = await bot.stop(how)
        tg.release("sendMessage")
        await asyncio.gather(*senders)
        outcome.sent = len(update_ids)

        bot = await BotProcess.start(env, root=BOT_ROOT)  # the restart
        if mode == "webhook":
            await _listening(tg, port)
            for _ in range(600):
                if await tg.retry_unacknowledged() == 0:
                    break
                await asyncio.sleep(0.1)
        await tg.wait_until(
            lambda: set(update_ids) <= tg.acknowledged,
            timeout=90,
            message="every update acknowledged after the restart",
        )
        await bot.stop(signal.SIGTERM)
        # `python -m bot` with a token runs Telegram, says how, and never logs the token.
        assert bot.logged("слушает обновления" if mode == "polling" else "принимает вебхуки")
        assert not bot.logged(tg.token)
    finally:
        tg.release("sendMessage")
        if bot.process.returncode is None:
            bot.process.kill()
            await bot.process.wait()

    outcome.acknowledged = set(update_ids) & tg.acknowledged
    async with db.reading() as session:
        rows = await session.scalars(
            select(ProcessedUpdate.update_id).where(ProcessedUpdate.messenger == Messenger.TELEGRAM)
        )
        outcome.processed = Counter(rows)
        outcome.codes_used = len(
            list(
                await session.scalars(
                    select(LinkCode).where(LinkCode.code.in_(codes), LinkCode.used_at.is_not(None))
                )
            )
        )
    outcome.replies = {user.chat_id: [m.text or "" for m in user.messages] for user in users}
    return outcome


# Each way of taking updates meets each way of dying, and each database sees both of each: four
# cases, not all eight (a real bot started twice per case is about 20 s of the suite's budget).
@pytest.mark.parametrize(
    ("backend", "mode", "how"),
    [
        ("sqlite", "webhook", signal.SIGKILL),
        ("sqlite", "polling", signal.SIGTERM),
        ("postgresql", "webhook", signal.SIGTERM),
        ("postgresql", "polling", signal.SIGKILL),
    ],
    indirect=["backend"],
)
async def test_a_restart_loses_no_acknowledged_update_and_handles_each_once(
    tg: FakeTelegram,
    demo_db: Database,
    mode: str,
    how: int,
    unused_tcp_port: int,
) -> None:
    outcome = await restart_scenario(tg, demo_db, mode, how, unused_tcp_port)
    print(outcome.figures())
    assert outcome.sent == PEOPLE * (1 + len(MESSAGES))
    assert outcome.lost == [], outcome.figures()
    assert len(outcome.acknowledged) == outcome.sent  # all of them, in the end
    assert outcome.codes_used == PEOPLE  # each person's code redeemed, once
    for chat_id, replies in outcome.replies.items():
        assert len(replies) <= 1 + len(MESSAGES), (chat_id, replies)
        assert sum("привязан" in reply for reply in replies) <= 1, replies
        assert texts.LINK_REFUSED["used"] not in replies, replies  # a code redeemed twice
    if how == signal.SIGTERM:
        assert outcome.exit_code == 0  # it stopped by itself, having finished its work
        # a graceful stop answers what it took: every person got their link confirmed
        assert all(any("привязан" in r for r in rs) for rs in outcome.replies.values())
