"""Long-lived things handlers use, built once by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from db.clock import utcnow
from db.engine import Database
from db.enums import Messenger
from db.search import CatalogSearch


@dataclass(slots=True)
class Services:
    db: Database
    search: CatalogSearch = field(default_factory=CatalogSearch)
    clock: Callable[[], datetime] = utcnow
    # Per messenger, a link that redeems a link code in one tap (Telegram's t.me/<bot>?start=…):
    # the root puts each transport's outgoing port's `deep_link` here.
    links: dict[Messenger, Callable[[str], str | None]] = field(default_factory=dict)

    def deep_link(self, messenger: Messenger, code: str) -> str | None:
        """The one-tap link for `code` in that messenger, or None where it has none (console)."""
        link = self.links.get(messenger)
        return link(code) if link is not None else None

    def deep_links(self, code: str, first: Messenger) -> list[tuple[Messenger, str]]:
        """The one-tap links for `code` in every messenger that has them, `first`'s first: a
        librarian on Telegram can hand a code to a family that lives in VK."""
        order = sorted(self.links, key=lambda messenger: messenger != first)
        return [(m, link) for m in order if (link := self.deep_link(m, code))]
