"""The --pg run's database: one of its own on the given server, dropped and created again for
each run through the server's `postgres` maintenance database, and dropped at the end. Only a
database whose name starts with «bench_» is ever dropped: a production URL given by mistake
loses nothing."""

from __future__ import annotations

import asyncpg
from sqlalchemy.engine import make_url

DEFAULT_NAME = "bench_broadcast"
PREFIX = "bench_"


def _admin_dsn(server: str) -> str:
    url = make_url(server).set(drivername="postgresql", database="postgres")
    return url.render_as_string(hide_password=False)


def _checked(name: str) -> str:
    if not name.startswith(PREFIX) or not name.replace("_", "").isalnum():
        raise ValueError(f"the bench's database is named {PREFIX}…, letters and digits: {name!r}")
    return name


async def fresh_database(server: str, name: str = DEFAULT_NAME) -> str:
    """Drop `name` on the server of `server` (any database URL of it) and create it empty; its
    SQLAlchemy URL."""
    name = _checked(name)
    admin = await asyncpg.connect(_admin_dsn(server))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = make_url(server).set(drivername="postgresql+asyncpg", database=name)
    return url.render_as_string(hide_password=False)


async def drop_database(server: str, name: str = DEFAULT_NAME) -> None:
    admin = await asyncpg.connect(_admin_dsn(server))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{_checked(name)}" WITH (FORCE)')
    finally:
        await admin.close()
