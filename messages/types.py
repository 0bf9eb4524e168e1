"""What comes in from any messenger and what goes back out: the core's neutral types.

Transports (bot/) turn a Telegram update, a VK event or a console line into an `Incoming`,
hand it to the dispatcher, and deliver each `Reply` through their outgoing port
(messages/port.py) in their own messenger's terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from db.enums import Messenger

if TYPE_CHECKING:
    from messages.port import Menu

FileKind = Literal["photo", "document"]


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file the person sent, already downloaded by the transport: the core's transaction
    never waits on a messenger's network.

    `barcodes` are the codes the dispatcher read from the image before the event's transaction
    opened (None: not read, as for a sender who is not a librarian)."""

    kind: FileKind
    data: bytes
    name: str | None = None
    barcodes: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Incoming:
    """One event from a person: a message, or a press of one of our buttons."""

    messenger: Messenger
    user_id: str  # the person's id in that messenger
    chat_id: str
    text: str | None = None
    button: str | None = None  # the opaque token of a pressed button
    attachments: tuple[Attachment, ...] = ()
    update_id: str | None = None  # the messenger's delivery id, for dedupe


@dataclass(frozen=True, slots=True)
class Button:
    """A button as transports see it: a label and either an opaque token or a link."""

    label: str
    token: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class OutFile:
    kind: FileKind
    name: str
    data: bytes
    caption: str | None = None


class RecipientUnreachable(Exception):
    """A messenger will not deliver to this person (they blocked the bot, left, deleted the
    chat): transports raise it, and nothing more is sent there until they write again."""


# The strictest keyboard any of our messengers allows (VK's inline keyboards): transports can
# draw every core keyboard as it is.
MAX_BUTTONS = 10
MAX_ROWS = 6
MAX_PER_ROW = 4
MAX_LABEL = 40


def in_rows(buttons: list[Button], per_row: int = MAX_PER_ROW) -> list[list[Button]]:
    """Buttons laid out in rows of at most `per_row`, evenly: 5 → 3 + 2, not 4 + 1."""
    if not buttons:
        return []
    rows = -(-len(buttons) // per_row)
    width = -(-len(buttons) // rows)
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def fit_label(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def keyboard_problems(buttons: list[list[Button]]) -> list[str]:
    """What in a keyboard breaks the limits above (empty when it fits)."""
    problems = []
    total = sum(len(row) for row in buttons)
    if total > MAX_BUTTONS:
        problems.append(f"{total} buttons (max {MAX_BUTTONS})")
    if len(buttons) > MAX_ROWS:
        problems.append(f"{len(buttons)} rows (max {MAX_ROWS})")
    for row in buttons:
        if len(row) > MAX_PER_ROW:
            problems.append(f"a row of {len(row)} (max {MAX_PER_ROW})")
        problems += [
            f"label of {len(b.label)}: {b.label!r}" for b in row if len(b.label) > MAX_LABEL
        ]
    return problems


@dataclass(slots=True)
class Reply:
    """One message back to the person.

    `edit` asks the transport to replace the message whose button was pressed, where the
    messenger can; `notice` is a short toast answering the press itself.
    """

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    files: list[OutFile] = field(default_factory=list)
    edit: bool = False
    notice: str | None = None


@dataclass(slots=True)
class Outcome:
    """What the core answers an event with: the replies, and the person's command menu as it
    is after the event (None for an event dropped as a redelivery). A transport that already
    shows this menu in the chat leaves it alone."""

    replies: list[Reply]
    menu: Menu | None = None
