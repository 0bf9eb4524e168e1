"""Composition root: builds the database, the search service and the dispatcher, and closes
them again. Every entry point (console, messengers, CLI) goes through `open_app`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.config import Settings
from db.engine import Database
from db.migrate import upgrade
from db.search import CatalogSearch
from handlers import build_registry
from handlers.dispatcher import Dispatcher
from handlers.services import Services

log = logging.getLogger(__name__)


@dataclass(slots=True)
class App:
    settings: Settings
    db: Database
    services: Services
    dispatcher: Dispatcher


@asynccontextmanager
async def open_app(settings: Settings, *, migrate: bool | None = None) -> AsyncIterator[App]:
    """The running application. The embedded SQLite database migrates itself on start;
    PostgreSQL is migrated on purpose with `python -m bot db upgrade`."""
    db = Database(settings.database_url, hide_parameters=True)
    try:
        if migrate if migrate is not None else db.dialect == "sqlite":
            await upgrade(db)
        services = Services(db=db, search=CatalogSearch(index_dir=settings.search_index_dir))
        yield App(settings, db, services, Dispatcher(build_registry(), services))
    finally:
        await db.dispose()


async def warm_up(app: App) -> None:
    """Load (or build) the search index before the first person asks."""
    async with app.db.reading() as session:
        await app.services.search.refresh(session)
