"""`python -m bot` with VK's settings: the real process starts VK beside Telegram, answers people
in both, keeps its Long Poll position across a crash (SIGKILL) so a message written while it was
down is answered once after the restart, stops cleanly on SIGTERM, and never logs the token. A
VK token without its community id, or a Callback API secret without the confirmation code, is a
plain message and exit status 2."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from db.engine import Database
from tests.support.bot_process import BotProcess
from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_vk import FakeVK

PATIENCE = 90.0  # seconds a process may take to get somewhere on a busy machine


async def eventually(condition: Callable[[], bool], bot: BotProcess) -> None:
    for _ in range(int(PATIENCE / 0.05)):
        if condition() or bot.process.returncode is not None:
            break
        await asyncio.sleep(0.05)
    assert condition(), "".join(bot.log[-30:])


async def answered(
    vk: FakeVK, bot: BotProcess, user_id: int, fragment: str, times: int = 1
) -> None:
    def seen() -> int:
        return sum(fragment in m.text for m in vk.messages(user_id))

    for _ in range(int(PATIENCE / 0.05)):
        if seen() >= times or bot.process.returncode is not None:
            break
        await asyncio.sleep(0.05)
    assert seen() == times, f"{fragment!r} {seen()} times, not {times}\n{''.join(bot.log[-30:])}"


async def test_python_m_bot_runs_vk_beside_telegram_and_resumes_after_a_crash(
    vk: FakeVK, tg: FakeTelegram, sqlite_demo_db: Database
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": sqlite_demo_db.engine.url.render_as_string(hide_password=False),
        "SEARCH_INDEX_DIR": "",
        "LOG_LEVEL": "INFO",
        "TELEGRAM_BOT_TOKEN": tg.token,
        "TELEGRAM_API_BASE": tg.base_url,
        "TELEGRAM_WEBHOOK_URL": "",
        "VK_GROUP_TOKEN": vk.token,
        "VK_GROUP_ID": str(vk.group_id),
        "VK_API_BASE": vk.base_url,
        "VK_CALLBACK_SECRET": "",
    }
    in_vk, in_telegram = vk.user(), tg.user(9101, "Маша")
    first = await BotProcess.start(env)
    try:
        await eventually(lambda: vk.a_checks > 0, first)  # VK gives events from then on
        await in_vk.write("/help")
        await answered(vk, first, in_vk.user_id, "Что я умею")
        await in_telegram.send("/help")
        await tg.wait_until(
            lambda: any("Что я умею" in (m.text or "") for m in in_telegram.messages), timeout=60
        )
        assert first.logged(f"VK: сообщество club{vk.group_id} слушает события")
    finally:
        await first.stop(signal.SIGKILL)  # a crash: nothing is finished or saved on the way out

    await in_vk.write("война и мир")  # while the bot is down
    second = await BotProcess.start({**env, "TELEGRAM_BOT_TOKEN": ""})  # VK alone this time
    try:
        await answered(vk, second, in_vk.user_id, "Война и мир")
        await in_vk.write("/help")
        await answered(vk, second, in_vk.user_id, "Что я умею", times=2)  # not a third
    finally:
        assert await second.stop() == 0  # SIGTERM: finishes what it has and exits by itself
    for bot in (first, second):
        assert not bot.logged(vk.token) and not bot.logged(tg.token)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"VK_GROUP_ID": ""}, "Для VK нужен VK_GROUP_ID"),
        (
            {"VK_GROUP_ID": "5", "VK_CALLBACK_SECRET": "s", "VK_CONFIRMATION_CODE": ""},
            "Для Callback API нужен VK_CONFIRMATION_CODE",
        ),
    ],
)
def test_vk_settings_that_cannot_work_are_explained(
    settings: dict[str, str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/vk.sqlite3",
        "TELEGRAM_BOT_TOKEN": "",
        "VK_GROUP_TOKEN": "vk1.a.secret",
        "VK_API_BASE": "http://127.0.0.1:9/method",
        **settings,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["serve"]) == 2
    shown = capsys.readouterr().err
    assert message in shown and "vk1.a.secret" not in shown
