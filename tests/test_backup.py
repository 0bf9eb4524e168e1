"""Backups of the embedded database: `python -m bot backup FILE` and `restore FILE`.

A backup is a consistent copy taken with SQLite's online backup API while the bot runs; a
restore puts one back, keeping a safety copy of what it replaces. On PostgreSQL both commands
point to pg_dump/pg_restore."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.backup import backup_sqlite
from bot.cli import main
from db.engine import Database
from db.models import Reader
from db.people import register_reader

ROOT = Path(__file__).resolve().parents[1]


def bot(*args: str, database: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database, "SEARCH_INDEX_DIR": ""}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip


@pytest.fixture
async def sqlite_demo(
    tmp_path: Path, sqlite_templates: dict[bool, Path]
) -> AsyncIterator[Database]:
    """The demo network on SQLite alone: the online backup API is SQLite's."""
    path = tmp_path / "live" / "formulyar.sqlite3"
    path.parent.mkdir()
    shutil.copyfile(sqlite_templates[True], path)
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        yield db
    finally:
        await db.dispose()


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


async def _readers(db: Database) -> int:
    async with db.reading() as session:
        return await session.scalar(select(func.count()).select_from(Reader)) or 0


async def test_backup_then_restore_brings_the_database_back(
    demo_db: Database, backend: str, tmp_path: Path
) -> None:
    copy = tmp_path / "backup" / "formulyar-copy.sqlite3"
    if backend == "postgresql":
        for command in ("backup", "restore"):
            result = bot(command, str(copy), database=_url(demo_db))
            assert result.returncode == 2
            assert "PostgreSQL" in result.stderr and "pg_dump" in result.stderr
            assert "pg_restore" in result.stderr
        assert not copy.exists()
        return

    before = await _readers(demo_db)
    made = bot("backup", str(copy), database=_url(demo_db))
    assert made.returncode == 0, made.stderr
    assert "Резервная копия" in made.stdout and copy.is_file()
    with sqlite3.connect(copy) as check:  # one self-contained file, nothing beside it
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert check.execute("SELECT count(*) FROM readers").fetchone()[0] == before

    async with demo_db.transaction() as session:
        library_id = await session.scalar(select(Reader.library_id).limit(1))
        await register_reader(session, library_id, "Новенький Пётр", class_name="5А")
    assert await _readers(demo_db) == before + 1
    await demo_db.dispose()  # the bot is stopped for a restore

    restored = bot("restore", str(copy), database=_url(demo_db))
    assert restored.returncode == 0, restored.stderr
    assert "восстановлена" in restored.stdout
    assert await _readers(demo_db) == before  # the change made after the backup is gone
    async with demo_db.reading() as session:
        assert (
            await session.scalar(select(Reader).where(Reader.full_name == "Новенький Пётр")) is None
        )

    # What was replaced is kept beside it, named in the message.
    live = Path(demo_db.engine.url.database or "")
    safety = [p for p in live.parent.iterdir() if p.name.startswith(live.stem + ".before-restore")]
    assert len(safety) == 1 and safety[0].name in restored.stdout
    with sqlite3.connect(safety[0]) as check:
        assert check.execute("SELECT count(*) FROM readers").fetchone()[0] == before + 1


async def test_restore_refuses_a_file_that_is_not_a_formulyar_database(
    sqlite_demo: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    demo_db = sqlite_demo
    monkeypatch.setenv("DATABASE_URL", _url(demo_db))

    async def restore(path: Path) -> tuple[int, str]:
        """`python -m bot restore PATH`, run in this process (bot.cli.main, in a thread: it
        runs its own event loop)."""
        capsys.readouterr()
        code = await asyncio.to_thread(main, ["restore", str(path)])
        return code, capsys.readouterr().err

    junk = tmp_path / "junk.sqlite3"
    junk.write_text("не база данных")
    code, said = await restore(tmp_path / "nope.sqlite3")
    assert code == 2 and "не найден" in said
    code, said = await restore(junk)
    assert code == 2 and "не резервная копия" in said
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    assert (await restore(other))[0] == 2
    assert await _readers(demo_db) > 0  # the live database is untouched


async def test_a_backup_taken_while_another_connection_writes_is_consistent(
    sqlite_demo: Database, tmp_path: Path
) -> None:
    live = Path(sqlite_demo.engine.url.database or "")
    async with sqlite_demo.reading() as session:  # the bot's own connection is open too
        assert await session.scalar(select(func.count()).select_from(Reader))
    committed = threading.Semaphore(0)
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        """Each transaction adds two dedupe marks: a consistent copy holds an even number."""
        try:
            connection = sqlite3.connect(live, isolation_level=None, timeout=30)
            connection.execute("PRAGMA journal_mode=WAL")
            n = 0
            while not stop.is_set():
                connection.execute("BEGIN IMMEDIATE")
                for half in ("a", "b"):
                    connection.execute(
                        "INSERT INTO processed_updates (messenger, update_id, processed_at) "
                        "VALUES ('telegram', ?, '2026-11-16 09:30:00')",
                        (f"{n}{half}",),
                    )
                connection.execute("COMMIT")
                n += 1
                committed.release()
            connection.close()
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
            committed.release()

    thread = threading.Thread(target=writer)
    thread.start()
    copies = []
    try:
        for round_ in range(3):
            for _ in range(20):  # the writer is well under way before each copy
                committed.acquire()
            target = tmp_path / f"copy-{round_}.sqlite3"
            backup_sqlite(live, target)
            copies.append(target)
    finally:
        stop.set()
        thread.join()
    assert not errors, errors
    for target in copies:
        with sqlite3.connect(target) as copy:
            assert copy.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            marks = copy.execute("SELECT count(*) FROM processed_updates").fetchone()[0]
            assert marks >= 40 and marks % 2 == 0
            halves = copy.execute(
                "SELECT count(*) FROM processed_updates WHERE update_id LIKE '%a'"
            ).fetchone()[0]
            assert halves * 2 == marks
