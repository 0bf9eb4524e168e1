"""Where a transport's stream of events stands (VK's Long Poll `ts`), kept in the database so
that a restarted process goes on from there: what queued while it was down is handled, not
dropped."""

from __future__ import annotations

from sqlalchemy import select, update

from db.dialect import insert_ignore
from db.engine import Database
from db.models import InstallationSetting


async def load_position(db: Database, name: str) -> str | None:
    async with db.reading() as session:
        return await session.scalar(
            select(InstallationSetting.value).where(InstallationSetting.key == name)
        )


async def save_position(db: Database, name: str, value: str) -> None:
    async with db.transaction() as session:
        row = {"key": name, "value": value}
        if not await insert_ignore(session, InstallationSetting, row, ["key"]):
            await session.execute(
                update(InstallationSetting)
                .where(InstallationSetting.key == name)
                .values(value=value)
            )
