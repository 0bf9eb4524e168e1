"""The command line contract: sub-commands, exit codes and messages a librarian can read."""

from __future__ import annotations

import os
import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest

from bot.cli import main
from db.engine import Database
from tests.support.shared import shared_path

ROOT = Path(__file__).resolve().parents[1]


def bot(
    *args: str, database: str, stdin: str | None = None, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database, **extra_env}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, input=stdin,
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip


def cli(
    *args: str, database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> subprocess.CompletedProcess[str]:
    """The same command run in this process (`bot.cli.main`): the same parser, messages and
    exit codes, without paying a Python start-up per call. Process-level behaviour (a fresh
    machine, a closed pipe) is tested with `bot` in a real process."""
    monkeypatch.setenv("DATABASE_URL", database)
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["python", "-m", "bot", *args], code, out, err)


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def test_help_lists_every_sub_command(tmp_path: Path) -> None:
    result = bot("--help", database=f"sqlite+aiosqlite:///{tmp_path}/x.sqlite3")
    assert result.returncode == 0
    for command in ("console", "db", "import", "search", "invite", "demo-data"):
        assert command in result.stdout


def test_a_fresh_sqlite_database_is_created_migrated_and_seeded(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/fresh/formulyar.sqlite3"
    seeded = bot("demo-data", database=url)
    assert seeded.returncode == 0, seeded.stderr
    assert "Демо-сеть готова: 3 библиотеки" in seeded.stdout
    again = bot("demo-data", database=url)
    assert again.returncode == 1 and "База не пуста" in again.stderr


def test_import_reports_records_read_added_and_rejected(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run = partial(cli, monkeypatch=monkeypatch, capsys=capsys)
    url = _url(demo_db)
    assert run("db", "upgrade", database=url).returncode == 0  # already at head: a no-op
    path = shared_path("data", "marc", "marc21-bad-records.mrc")
    result = run("import", str(path), "--library", "school-1", database=url)
    assert result.returncode == 0, result.stderr
    assert "Запись 2 отклонена: повреждённая запись" in result.stdout
    assert "Прочитано записей: 8. Добавлено: 1, объединено с имеющимися: 1" in result.stdout
    assert "отклонено: 6." in result.stdout


def test_import_names_each_isbn_it_had_to_skip(
    demo_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = partial(cli, monkeypatch=monkeypatch, capsys=capsys)
    path = tmp_path / "fund.csv"
    path.write_text(
        "title,authors,year,isbn\n"
        "Белый Бим Чёрное ухо,Троепольский Г. Н.,2016,978-5-08-005411-2\n"
        "Тимур и его команда,Гайдар А. П.,2015,978-5-389-07435-5\n"
        "Васёк Трубачёв,Осеева В. А.,2014,978-5-389-0743\n",
        encoding="utf-8",
    )
    result = run("import", str(path), "--library", "school-1", database=_url(demo_db))
    assert result.returncode == 0, result.stderr
    assert (
        "Запись 2 («Тимур и его команда»): ISBN 978-5-389-07435-5 с неверной контрольной "
        "цифрой — пропущен, запись импортирована." in result.stdout
    )
    assert "Запись 3 («Васёк Трубачёв»): «978-5-389-0743» — не ISBN" in result.stdout
    assert "Прочитано записей: 3." in result.stdout and "отклонено: 0." in result.stdout


def test_bad_input_gets_a_clear_russian_message_and_a_nonzero_exit(
    demo_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = partial(cli, monkeypatch=monkeypatch, capsys=capsys)
    url = _url(demo_db)
    missing = run("import", "nope.csv", "--library", "school-1", database=url)
    assert missing.returncode == 2 and "Файл не найден" in missing.stderr
    not_a_catalog = tmp_path / "letter.txt"
    not_a_catalog.write_text("Дорогая Марья Ивановна!\n", encoding="utf-8")
    bad = run("import", str(not_a_catalog), "--library", "school-1", database=url)
    assert bad.returncode == 2 and "Не удалось прочитать файл" in bad.stderr
    unknown = run("invite", "--role", "librarian", "--library", "school-9", database=url)
    assert unknown.returncode == 2 and "Библиотеки с кодом «school-9» нет" in unknown.stderr
    no_card = run("invite", "--role", "reader", "--library", "school-1", "--card", "99999",
                  database=url)  # fmt: skip
    assert no_card.returncode == 2 and "нет формуляра № 99999" in no_card.stderr


def test_invite_for_a_parent_prints_the_code_first(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run = partial(cli, monkeypatch=monkeypatch, capsys=capsys)
    url = _url(demo_db)
    result = run("invite", "--role", "parent", "--library", "school-1", "--child", "1001",
                 database=url)  # fmt: skip
    code, details = result.stdout.splitlines()
    assert len(code) == 8 and code.isalnum()
    assert details.startswith("Код привязки: родитель.")


def test_no_sub_command_and_no_tokens_opens_the_console_on_demo_data(tmp_path: Path) -> None:
    """The README's run command: a fresh machine, no tokens, straight into a chat."""
    url = f"sqlite+aiosqlite:///{tmp_path}/data/formulyar.sqlite3"
    result = bot(
        database=url, stdin="/start\nмои книги\n", TELEGRAM_BOT_TOKEN="", VK_GROUP_TOKEN=""
    )
    assert result.returncode == 0, result.stderr
    assert "Здравствуйте, Мария!" in result.stdout  # the default persona is the demo student
    assert "Мария: на руках 2 книги." in result.stdout


def test_a_closed_stdout_ends_the_command_quietly_like_a_unix_tool(
    demo_db: Database, tmp_path: Path
) -> None:
    """`python -m bot invite … | head -1`, `… search --batch … | head -1`: when the reader of
    stdout goes away, the command stops with SIGPIPE's exit status (141) and no traceback."""
    env = {**os.environ, "DATABASE_URL": _url(demo_db)}
    env.pop("PYTHONUNBUFFERED", None)

    # the pipe is closed before anything is written (stdout block-buffered, flushed at the end)
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        invite = subprocess.run(
            [sys.executable, "-m", "bot", "invite", "--role", "librarian", "--library",
             "school-1"],
            cwd=ROOT, env=env, stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=180,
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert "Traceback" not in invite.stderr and "BrokenPipe" not in invite.stderr, invite.stderr
    assert invite.returncode == 141

    # the pipe is closed after the first line, with much more still to come (unbuffered)
    batch = tmp_path / "queries.txt"
    batch.write_text("муму\nкапитанская дочка\nвойна и мир\n" * 100, encoding="utf-8")
    search = subprocess.Popen(
        [sys.executable, "-m", "bot", "search", "--json", "--limit", "1", "--batch", str(batch)],
        cwd=ROOT, env={**env, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert search.stdout is not None and search.stderr is not None
    first = search.stdout.readline()
    search.stdout.close()
    errors = search.stderr.read()
    assert search.wait(timeout=180) == 141, errors
    assert '"query": "муму"' in first
    assert "Traceback" not in errors and "BrokenPipe" not in errors, errors
