"""Processes with roles, on PostgreSQL: `python -m bot serve` answers people and runs no jobs;
two `python -m bot jobs` side by side run each round once — one leads, the other stands by and
takes over when the first is stopped. Real subprocesses, the fake Telegram server."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from db.engine import Database
from db.enums import Messenger
from db.models import Account
from db.outbox import notify
from tests.conftest import FIXED_NOW, _open
from tests.support.bot_process import BotProcess
from tests.support.fake_telegram import FakeTelegram
from tests.support.library import also_on_telegram
from tests.support.shared import under_ci

ROOT = Path(__file__).resolve().parents[1]
PATIENCE = 90.0  # seconds a process may take to get somewhere on a busy machine
STUDENT_CHAT = 8101
LEADING = "scheduler leading"
HOLD_SHELF_DONE = "round hold_shelf done"


@pytest.fixture
async def pg_demo_db(
    tmp_path: Path, sqlite_templates: dict[bool, Path], pg_templates: dict[bool, str] | None
) -> AsyncIterator[Database]:
    if pg_templates is None:
        if under_ci():
            pytest.fail("CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests must run")
        pytest.skip("TEST_DATABASE_URL is not set: several processes need PostgreSQL")
    async for database in _open("postgresql", True, tmp_path, sqlite_templates, pg_templates):
        yield database


async def eventually(condition: Callable[[], bool], what: str, *processes: BotProcess) -> None:
    for _ in range(int(PATIENCE / 0.05)):
        if condition():
            return
        if any(p.process.returncode is not None for p in processes):
            break
        await asyncio.sleep(0.05)
    logs = "\n".join(f"--- {p.name}:\n{''.join(p.log[-30:])}" for p in processes)
    raise AssertionError(f"{what} did not happen\n{logs}")


async def test_serve_and_two_job_runners_side_by_side_run_each_round_once(
    tg: FakeTelegram, pg_demo_db: Database
) -> None:
    await also_on_telegram(pg_demo_db, "student", str(STUDENT_CHAT))
    student = tg.user(STUDENT_CHAT, "Маша")
    async with pg_demo_db.transaction() as session:
        person_id = await session.scalar(
            select(Account.person_id).where(
                Account.messenger == Messenger.TELEGRAM, Account.external_id == str(STUDENT_CHAT)
            )
        )
        assert person_id is not None
        await notify(
            session, person_id, "test", "Уведомление из очереди", "roles-test", not_before=FIXED_NOW
        )
    env = {
        **os.environ,
        "DATABASE_URL": pg_demo_db.engine.url.render_as_string(hide_password=False),
        "SEARCH_INDEX_DIR": "",
        "LOG_LEVEL": "INFO",
        "TELEGRAM_BOT_TOKEN": tg.token,
        "TELEGRAM_API_BASE": tg.base_url,
        "TELEGRAM_WEBHOOK_URL": "",
        "VK_GROUP_TOKEN": "",
    }
    serve, *runners = await asyncio.gather(
        BotProcess.start(env, "serve"), BotProcess.start(env, "jobs"), BotProcess.start(env, "jobs")
    )
    try:
        await eventually(
            lambda: (
                sum(r.count(HOLD_SHELF_DONE) for r in runners) == 1
                and sum(r.count("held elsewhere") >= 1 for r in runners) == 1
            ),
            "one runner leading and the other waiting",
            *runners,
        )
        [leader] = [r for r in runners if r.count(LEADING)]
        [standby] = [r for r in runners if r is not leader]
        # People are served by `serve`, which runs no rounds.
        await eventually(lambda: bool(tg.calls_to("getUpdates")), "polling", serve)
        await student.send("/help")
        await eventually(
            lambda: any("Что я умею" in (m.text or "") for m in student.messages), "a reply", serve
        )
        # The queued notice went out once, from the leading runner.
        await eventually(
            lambda: any("Уведомление из очереди" in (m.text or "") for m in student.messages),
            "the notice",
            leader,
        )
        await asyncio.sleep(1.0)  # more outbox rounds pass: still once
        notices = [m for m in student.messages if "Уведомление из очереди" in (m.text or "")]
        assert len(notices) == 1
        assert (leader.count(HOLD_SHELF_DONE), standby.count(HOLD_SHELF_DONE)) == (1, 0)
        assert (leader.count(LEADING), standby.count(LEADING)) == (1, 0)
        assert serve.count("round ") == 0 and serve.count(LEADING) == 0

        # The leader stops; the one standing by takes over and runs the rounds.
        assert await leader.stop() == 0
        await eventually(lambda: standby.count(HOLD_SHELF_DONE) == 1, "the take-over", standby)
        assert leader.count(HOLD_SHELF_DONE) == 1
    finally:
        for process in (serve, *runners):
            await process.stop()


def test_help_documents_the_roles_and_a_role_without_a_messenger_says_what_is_missing(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/roles.sqlite3",
        "TELEGRAM_BOT_TOKEN": "",
        "VK_GROUP_TOKEN": "",
    }

    def bot(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip

    shown = bot("--help").stdout
    assert "serve" in shown and "только мессенджеры" in shown
    assert "jobs" in shown and "только фоновые задачи" in shown
    for role in ("serve", "jobs"):
        result = bot(role)
        assert result.returncode == 2
        assert "Не настроен ни один мессенджер" in result.stderr
