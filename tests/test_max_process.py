"""`python -m bot` with MAX's settings: the real process starts MAX beside VK, subscribes its
webhook with the secret, answers a person in MAX and in VK, handles an update MAX delivers again
once, stops cleanly on SIGTERM and never logs the token; then it runs MAX by long polling alone.
A webhook without a usable secret is a plain message and exit status 2."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.cli import main
from db.engine import Database
from tests.support.bot_process import BotProcess
from tests.support.fake_max import FakeMaxUser, running_fake_max
from tests.support.fake_vk import FakeVK
from tests.test_vk_process import answered, eventually

SECRET = "process-Secret-42"


def max_answers(person: FakeMaxUser, fragment: str) -> int:
    return sum(fragment in m.text for m in person.messages)


async def test_python_m_bot_runs_max_by_webhook_beside_vk_and_then_by_long_polling(
    vk: FakeVK, sqlite_demo_db: Database, unused_tcp_port: int
) -> None:
    async with running_fake_max() as fake:
        env = {
            **os.environ,
            "DATABASE_URL": sqlite_demo_db.engine.url.render_as_string(hide_password=False),
            "SEARCH_INDEX_DIR": "",
            "LOG_LEVEL": "INFO",
            "TELEGRAM_BOT_TOKEN": "",
            "VK_GROUP_TOKEN": vk.token,
            "VK_GROUP_ID": str(vk.group_id),
            "VK_API_BASE": vk.base_url,
            "VK_CALLBACK_SECRET": "",
            "MAX_BOT_TOKEN": fake.token,
            "MAX_API_BASE": fake.base_url,
            "MAX_WEBHOOK_URL": f"http://127.0.0.1:{unused_tcp_port}/max/updates",
            "MAX_WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN_HOST": "127.0.0.1",
            "WEBHOOK_LISTEN_PORT": str(unused_tcp_port),
        }
        in_max, in_vk = fake.user("Маша", "Орлова"), vk.user()
        first = await BotProcess.start(env)
        try:
            await eventually(lambda: bool(fake.subscriptions), first)
            [subscription] = fake.subscriptions
            assert subscription["url"] == env["MAX_WEBHOOK_URL"]
            assert subscription["secret"] == SECRET
            update = await in_max.write("/help")
            await eventually(lambda: max_answers(in_max, "Что я умею") == 1, first)
            assert await fake.redeliver(update) == 200
            await eventually(lambda: vk.a_checks > 0, first)
            await in_vk.write("/help")
            await answered(vk, first, in_vk.user_id, "Что я умею")
            assert first.logged("MAX: бот formulyar_test_bot принимает вебхуки")
        finally:
            assert await first.stop() == 0  # SIGTERM: finishes what it has and exits by itself
        assert max_answers(in_max, "Что я умею") == 1  # the redelivery: nothing

        polling = {**env, "VK_GROUP_TOKEN": "", "MAX_WEBHOOK_URL": "", "MAX_WEBHOOK_SECRET": ""}
        second = await BotProcess.start(polling)
        try:
            await eventually(lambda: second.logged("MAX: бот formulyar_test_bot слушает"), second)
            assert second.logged("MAX: подписка на вебхук снята")  # else polling would get nothing
            assert fake.subscriptions == []
            await in_max.write("война и мир")
            await eventually(lambda: max_answers(in_max, "Война и мир") == 1, second)
        finally:
            assert await second.stop() == 0
        for bot in (first, second):
            assert not bot.logged(fake.token) and not bot.logged(vk.token)


@pytest.mark.parametrize("secret", ["", "ab", "has spaces in it"])
def test_a_max_webhook_without_a_usable_secret_is_explained(
    secret: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/max.sqlite3",
        "TELEGRAM_BOT_TOKEN": "",
        "VK_GROUP_TOKEN": "",
        "MAX_BOT_TOKEN": "max.secret-token",
        "MAX_API_BASE": "http://127.0.0.1:9",
        "MAX_WEBHOOK_URL": "https://school.example/max/updates",
        "MAX_WEBHOOK_SECRET": secret,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["serve"]) == 2
    shown = capsys.readouterr().err
    assert "Для вебхука MAX нужен MAX_WEBHOOK_SECRET" in shown
    assert "max.secret-token" not in shown
