"""The outgoing port: the one protocol every transport implements (console and Telegram now,
VK and MAX next).

Live replies (the answer to what a person just wrote) and the outbox (notices written in the
transaction of their cause, delivered later by `jobs/`) both leave through it. A transport owns
its messenger's limits — message length, keyboard shape, request rate, waiting out a 429 — and
nothing neutral knows a messenger's numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from db.enums import Messenger, Priority
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
    `priority` orders sends when the messenger's rate is the limit: a live reply (the default)
    before notices, notices before broadcasts.
    """

    messenger: Messenger

    async def deliver(
        self,
        address: Address,
        reply: Reply,
        *,
        key: str | None = None,
        edit: str | None = None,
        priority: Priority = Priority.REPLY,
    ) -> None: ...

    def deep_link(self, payload: str) -> str | None:
        """A link that opens the bot with `payload` in one tap (a link code), or None."""
        ...

    async def set_menu(self, address: Address, menu: Menu) -> None: ...


@runtime_checkable
class BulkPort(Protocol):
    """A messenger that takes one message for many chats in one call (VK's `peer_ids`): a
    broadcast to 10,000 people is a hundred calls, not ten thousand.

    `deliver_to_many` sends the reply (text and files, no buttons: a button's token belongs to
    one account) to at most `bulk_limit` addresses and tells, per address in their order, what
    came of it: None (sent), `RecipientUnreachable`, or another exception (to try again). `key`
    is the same for every address and every retry, so an idempotent messenger never shows a
    retried message twice.
    """

    messenger: Messenger
    bulk_limit: int

    async def deliver_to_many(
        self, addresses: Sequence[Address], reply: Reply, *, key: str, priority: Priority
    ) -> list[Exception | None]: ...
