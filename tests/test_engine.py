"""The database layer under concurrent writers, and the schema against the models."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text, update
from sqlalchemy.engine import Connection

from db.engine import Database
from db.migrate import is_up_to_date
from db.models import Base, Network


async def test_concurrent_writers_never_see_database_locked(db: Database) -> None:
    """Read-then-write transactions from many connections at once: all succeed, none lost.

    Each task reads a counter and writes it back incremented. On SQLite a deferred
    transaction upgrading to a writer would fail with "database is locked"; on PostgreSQL an
    unlocked read-modify-write would lose updates. Both must come out exact.
    """
    async with db.transaction() as session:
        session.add(Network(id=1, name="0"))
    second = Database(db.engine.url)  # another engine: another pool, as another process would
    tasks_per_engine, rounds = 8, 5

    async def bump(database: Database) -> None:
        for _ in range(rounds):
            async with database.transaction() as session:
                query = select(Network).where(Network.id == 1)
                if database.dialect == "postgresql":
                    query = query.with_for_update()
                network = await session.scalar(query)
                await asyncio.sleep(0)  # let the others in between the read and the write
                await session.execute(
                    update(Network).where(Network.id == 1).values(name=str(int(network.name) + 1))
                )

    try:
        await asyncio.gather(*(bump(d) for d in (db, second) for _ in range(tasks_per_engine)))
    finally:
        await second.dispose()
    async with db.reading() as session:
        final = await session.scalar(select(Network.name).where(Network.id == 1))
    assert int(final) == 2 * tasks_per_engine * rounds


async def test_sqlite_connections_are_configured(db: Database) -> None:
    if db.dialect != "sqlite":
        return
    async with db.engine.connect() as connection:
        mode = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
        timeout = (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar()
        foreign_keys = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
    assert (mode, foreign_keys) == ("wal", 1)
    assert timeout >= 5000


async def test_migrations_produce_exactly_the_models(db: Database) -> None:
    assert await is_up_to_date(db)

    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with db.engine.connect() as connection:
        diff = await connection.run_sync(differences)
    assert diff == []


async def test_foreign_keys_are_enforced(db: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    from db.models import Library

    try:
        async with db.transaction() as session:
            session.add(Library(network_id=999, code="x", name="x", short_name="x"))
    except IntegrityError:
        return
    raise AssertionError("a library of a missing network was accepted")


async def test_raw_sql_works_on_both(db: Database) -> None:
    async with db.reading() as session:
        assert (await session.execute(text("SELECT 1"))).scalar() == 1
