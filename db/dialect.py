"""The few statements that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


async def insert_ignore(
    session: AsyncSession, model: type[DeclarativeBase], values: dict[str, Any], keys: list[str]
) -> bool:
    """INSERT … ON CONFLICT (keys) DO NOTHING; True when a row was inserted."""
    module = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    stmt = module.insert(model).values(**values).on_conflict_do_nothing(index_elements=keys)
    result = await session.execute(stmt)
    return bool(result.rowcount)
