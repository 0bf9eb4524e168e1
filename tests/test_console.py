"""The console transport driven by a script, as a newcomer and a developer would use it."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

from bot.console import ConsoleChat, run_script
from db.engine import Database
from db.enums import RoleName
from db.people import create_link_code, library_by_code, reader_by_card
from handlers.dispatcher import Dispatcher
from tests.conftest import FIXED_NOW

ROOT = Path(__file__).resolve().parents[1]


async def _reader_code(db: Database, card: str) -> str:
    async with db.transaction() as session:
        library = await library_by_code(session, "school-1")
        reader = await reader_by_card(session, library.id, card)
        return (
            await create_link_code(session, RoleName.READER, reader_id=reader.id, now=FIXED_NOW)
        ).code


async def test_script_start_link_search_my_books(dispatcher: Dispatcher, demo_db: Database) -> None:
    code = await _reader_code(demo_db, "1002")
    out = io.StringIO()
    chat = ConsoleChat(handle=dispatcher.handle, persona="newcomer", out=out)
    await run_script(
        chat,
        [
            "/start",
            "# the librarian handed this code over on paper",
            code,
            "незнайка на луне",
            "[📖 1]",
            "мои книги",
            "война и мир",
        ],
    )
    transcript = out.getvalue()
    blocks = transcript.split("newcomer> ")[1:]
    start, link, search, details, my_books, too_old = blocks
    assert "привяжите читательский формуляр" in start
    assert "Формуляр № 1002 (Школа №1) привязан" in link
    assert re.search(r"1\. Незнайка на Луне — Носов Н\. Н\., \d{4}", search)
    assert "в вашей школе:" in search
    assert "[1] 📖 1" in search
    assert "Где есть:" in details
    assert "• Школа №1: свободно" in details
    assert re.search(
        r"на руках 1 книга\.\n\s+1\. .+ — вернуть до \d{1,2} (ноября|декабря)", my_books
    )
    # card 1002 is a fifth-former (11): «Война и мир» is marked 12+
    assert "только книги для читателей постарше" in too_old


async def test_buttons_press_by_number_and_personas_switch(
    dispatcher: Dispatcher, demo_db: Database
) -> None:
    out = io.StringIO()
    chat = ConsoleChat(handle=dispatcher.handle, persona="student", out=out)
    await run_script(chat, ["гарри поттер", "1", "/as parent", "мои книги"])
    text = out.getvalue()
    assert "Нашлось 7 записей по запросу «гарри поттер»" in text
    assert "Где есть:" in text  # «1» pressed the first 📖 button
    assert "— теперь вы: parent" in text
    # the parent sees both children, in two schools
    assert "Мария: на руках" in text and "Илья: на руках" in text


async def test_quit_ends_a_piped_script_like_the_interactive_chat(
    dispatcher: Dispatcher, demo_db: Database
) -> None:
    for word in ("/quit", "/exit", "  /QUIT "):
        out = io.StringIO()
        chat = ConsoleChat(handle=dispatcher.handle, persona="student", out=out)
        await run_script(chat, ["мои книги", word, "гарри поттер"])
        text = out.getvalue()
        assert "на руках 2 книги" in text
        assert "Такой команды нет" not in text, word
        assert "student> гарри поттер" not in text, word  # nothing after /quit is read
        assert "Нашлось" not in text, word


def test_real_cli_invite_and_console_script(demo_db: Database, tmp_path: Path) -> None:
    """`python -m bot invite` prints the code alone on its first line; the console reads a
    script from stdin — the same commands the README shows."""
    env = {
        **os.environ,
        "DATABASE_URL": demo_db.engine.url.render_as_string(hide_password=False),
    }
    invite = subprocess.run(
        [sys.executable, "-m", "bot", "invite", "--role", "reader", "--library", "school-1",
         "--card", "1003"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    code, details = invite.stdout.splitlines()[:2]
    assert re.fullmatch(r"[A-Z2-9]{8}", code)
    assert "читатель" in details and "Действует до" in details

    script = f"/start\n{code}\nнезнайка на луне\nмои книги\n"
    console = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--as", "phone-of-1003"],
        cwd=ROOT, env=env, input=script, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert "Формуляр № 1003 (Школа №1) привязан" in console.stdout
    assert "Незнайка на Луне — Носов Н. Н." in console.stdout
    assert "на руках 1 книга" in console.stdout
    assert console.stderr == ""
