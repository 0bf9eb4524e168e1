"""The outgoing port: the one protocol every transport implements (console and Telegram now,
VK and MAX next).

Live replies (the answer to what a person just wrote) and the outbox (notices written in the
transaction of their cause, delivered later by `jobs/`) both leave through it. A transport owns
its messenger's limits — message length, keyboard shape, request rate, waiting out a 429 — and
nothing neutral knows a messenger's numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from db.enums import Messenger
from messages.types import Reply


@dataclass(frozen=True, slots=True)
class Address:
    """Where a message goes: a chat in one messenger."""

    messenger: Messenger
    chat_id: str


@dataclass(frozen=True, slots=True)
class Menu:
    """A person's command menu: its name («reader», «parent», «librarian») and its commands
    with their descriptions, in the order they are shown."""

    name: str
    commands: tuple[tuple[str, str], ...]


class Port(Protocol):
    """One messenger, outgoing.

    `deliver` sends a reply (text, buttons, files) or raises `RecipientUnreachable` for a person
    who cannot be written to; any other exception is a failure to try again. `key` is stable
    across retries of the same delivery: a messenger with idempotent sends (VK's `random_id`)
    never doubles a retried message. `edit` names the messenger's message the reply replaces
    where it can (the one whose button was pressed); otherwise the reply goes out as new.
    """

    messenger: Messenger

    async def deliver(
        self, address: Address, reply: Reply, *, key: str | None = None, edit: str | None = None
    ) -> None: ...

    def deep_link(self, payload: str) -> str | None:
        """A link that opens the bot with `payload` in one tap (a link code), or None."""
        ...

    async def set_menu(self, address: Address, menu: Menu) -> None: ...
