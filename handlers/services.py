"""Long-lived things handlers use, built once by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from db.clock import utcnow
from db.engine import Database
from db.search import CatalogSearch


@dataclass(slots=True)
class Services:
    db: Database
    search: CatalogSearch = field(default_factory=CatalogSearch)
    clock: Callable[[], datetime] = utcnow
    # A messenger link that redeems a link code in one tap (Telegram's t.me/<bot>?start=…);
    # set by the transport that knows its bot's name, None where there is none (console).
    deep_link: Callable[[str], str | None] = lambda _code: None
