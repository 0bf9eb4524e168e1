"""`python -m bot backup FILE` and `python -m bot restore FILE` for the embedded SQLite database.

A backup is taken with SQLite's online backup API (`sqlite3.Connection.backup`) in one step:
the copy is the database as of one moment, consistent even while the bot keeps writing (WAL
lets writers go on meanwhile). It is written beside the target and renamed into place, and
switched to a plain rollback journal so that it is one self-contained file.

A restore puts such a file back into the database named by DATABASE_URL — through the same
API, so a WAL file beside it cannot mix old pages with new — after taking a safety copy of
the current database next to it. Stop the bot first and start it again afterwards. The saved
search index is deleted: it describes the catalog that was replaced.

PostgreSQL has its own tools (pg_dump, pg_restore): both commands say so.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import Settings
from db.clock import utcnow
from db.engine import SQLITE_BUSY_TIMEOUT_MS, normalise_url
from messages import texts
from messages.i18n import say

# Tables every Формуляр database has: a file without them is not one of our backups.
REQUIRED_TABLES = frozenset({"alembic_version", "records", "readers", "loans"})


class NotABackup(Exception):
    """The file is not a Формуляр SQLite database."""


def sqlite_path(database_url: str) -> Path | None:
    """The database file behind a SQLite URL; None for PostgreSQL (or an in-memory database)."""
    url = normalise_url(make_url(database_url))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    return connection


def backup_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of `source` at `target`, taken while others may be writing."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = _connect(source)
    try:
        dst = sqlite3.connect(partial, isolation_level=None)
        try:
            src.backup(dst)  # all pages in one step: one read snapshot, never restarted
            dst.execute("PRAGMA journal_mode=DELETE")
            if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("the copy failed its integrity check")
        finally:
            dst.close()
    finally:
        src.close()
    partial.replace(target)


def check_backup(path: Path) -> None:
    """Refuse anything but a sound Формуляр database."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise NotABackup(path)
            tables = {
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type='table'"
                )
            }
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise NotABackup(path) from error
    if not REQUIRED_TABLES <= tables:
        raise NotABackup(path)


def restore_sqlite(backup: Path, live: Path) -> Path | None:
    """Replace the database at `live` with `backup`; returns the safety copy of what was
    there (None when there was no database yet)."""
    check_backup(backup)
    safety = None
    if live.exists():
        stamp = utcnow().strftime("%Y%m%d-%H%M%S")
        safety = live.with_name(f"{live.stem}.before-restore-{stamp}{live.suffix}")
        backup_sqlite(live, safety)
    live.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        dst = _connect(live)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return safety


def run_backup(settings: Settings, target: Path) -> int:
    live = sqlite_path(settings.database_url)
    if live is None:
        print(texts.CLI_BACKUP_POSTGRES, file=sys.stderr)
        return 2
    if not live.is_file():
        print(say(texts.CLI_BACKUP_NO_DATABASE, path=live), file=sys.stderr)
        return 2
    try:
        backup_sqlite(live, target)
    except (OSError, sqlite3.Error) as error:
        print(say(texts.CLI_BACKUP_FAILED, reason=error), file=sys.stderr)
        return 1
    print(say(texts.CLI_BACKUP_DONE, path=target))
    return 0


def run_restore(settings: Settings, backup: Path) -> int:
    live = sqlite_path(settings.database_url)
    if live is None:
        print(texts.CLI_BACKUP_POSTGRES, file=sys.stderr)
        return 2
    if not backup.is_file():
        print(say(texts.CLI_NO_FILE, path=backup), file=sys.stderr)
        return 2
    try:
        safety = restore_sqlite(backup, live)
    except NotABackup:
        print(say(texts.CLI_RESTORE_NOT_A_BACKUP, path=backup), file=sys.stderr)
        return 2
    except (OSError, sqlite3.Error) as error:
        print(say(texts.CLI_BACKUP_FAILED, reason=error), file=sys.stderr)
        return 1
    if settings.search_index_dir is not None:
        shutil.rmtree(settings.search_index_dir, ignore_errors=True)
    print(say(texts.CLI_RESTORE_DONE, path=live))
    if safety is not None:
        print(say(texts.CLI_RESTORE_SAFETY, path=safety))
    return 0
