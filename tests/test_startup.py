"""Start-up stays light: a command that does not talk to a messenger never imports one.

aiogram alone takes seconds to import; the console, `search` and the other librarian's tools
must not pay for it. Each case runs the real CLI entry in a fresh interpreter and looks at
what it left in `sys.modules` (not at a timing, which a busy machine would make flaky).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from db.engine import Database

ROOT = Path(__file__).resolve().parents[1]
MESSENGER_LIBRARIES = ("aiogram", "aiohttp", "vk_api", "maxapi")

# Runs `python -m bot ARGS…` in-process and reports which of the named modules got imported.
PROBE = """
import sys
from bot.cli import main

names = sys.argv[1].split(",")
try:
    code = main(sys.argv[2:])
except SystemExit as exit:
    code = exit.code
loaded = [name for name in names if name in sys.modules]
print("LOADED:" + ",".join(loaded), file=sys.stderr)
sys.exit(code)
"""


def _loaded_after(
    args: list[str], database: str, *, stdin: str = "", watch: tuple[str, ...] = ()
) -> tuple[list[str], subprocess.CompletedProcess[str]]:
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "TELEGRAM_BOT_TOKEN": "",
        "VK_GROUP_TOKEN": "",
        "SEARCH_INDEX_DIR": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(watch or MESSENGER_LIBRARIES), *args],
        cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    line = [s for s in result.stderr.splitlines() if s.startswith("LOADED:")][-1]
    return [name for name in line.removeprefix("LOADED:").split(",") if name], result


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def test_the_console_imports_no_messenger_library(demo_db: Database) -> None:
    loaded, result = _loaded_after(["console"], _url(demo_db), stdin="/start\nмуму\n/quit\n")
    assert "бот>" in result.stdout
    assert loaded == []


def test_search_imports_no_messenger_library(demo_db: Database) -> None:
    loaded, result = _loaded_after(["search", "--json", "капитанская дочка"], _url(demo_db))
    assert "Капитанская дочка" in result.stdout
    assert loaded == []


def test_invite_imports_no_messenger_library(demo_db: Database) -> None:
    loaded, result = _loaded_after(
        ["invite", "--role", "librarian", "--library", "school-1"], _url(demo_db)
    )
    assert len(result.stdout.splitlines()[0]) == 8
    assert loaded == []


def test_help_does_not_even_load_the_database_layer(tmp_path: Path) -> None:
    watch = (*MESSENGER_LIBRARIES, "sqlalchemy", "handlers.dispatcher")
    loaded, result = _loaded_after(
        ["--help"], f"sqlite+aiosqlite:///{tmp_path}/x.sqlite3", watch=watch
    )
    assert "console" in result.stdout
    assert loaded == []
