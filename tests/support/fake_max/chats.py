"""Dialogs between people and the bot: the bot's messages as people see them, and presses.

Each person has one dialog (chat_id ≠ user_id, as in MAX); the bot may address it by either
(POST /messages?user_id= or ?chat_id=). Message ids are "mid.<hex>" strings; `seq` counts the
messages of a dialog. An edit (PUT /messages, or POST /answers with a `message`) replaces the
text when `text` is given, and the attachments when `attachments` is given — an empty list
removes them all, the keyboard included; `null` or no field keeps them — and keeps the
earlier version in `history`. A press gives a callback_id the bot must answer once with
POST /answers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Button:
    """A button of an inline keyboard as sent."""

    text: str
    payload: str | None
    type: str
    url: str | None = None


@dataclass(frozen=True)
class Version:
    """A message as it was before an edit."""

    text: str
    format: str | None
    buttons: tuple[tuple[Button, ...], ...]
    attachments: tuple[dict[str, Any], ...]


@dataclass
class MaxMessage:
    """A message of the bot as the person sees it now (edits applied)."""

    message_id: str  # "mid.…"
    chat_id: int
    user_id: int  # the person of the dialog
    seq: int
    text: str
    format: str | None = None
    buttons: list[list[Button]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)  # media, as MAX shows them
    files: list[bytes] = field(default_factory=list, repr=False)  # uploaded content attached
    timestamp: int = 0  # ms
    notify: bool = True
    history: list[Version] = field(default_factory=list)  # earlier versions, oldest first

    @property
    def mid(self) -> str:
        return self.message_id

    @property
    def edited(self) -> bool:
        return bool(self.history)

    def labels(self) -> list[str]:
        """The buttons' texts, row by row."""
        return [button.text for row in self.buttons for button in row]

    def button(self, label: str) -> Button | None:
        """The button with this text, else the first whose text contains it."""
        flat = [button for row in self.buttons for button in row]
        exact = [button for button in flat if button.text == label]
        return (exact or [button for button in flat if label in button.text] or [None])[0]

    def version(self) -> Version:
        rows = tuple(tuple(row) for row in self.buttons)
        return Version(self.text, self.format, rows, tuple(self.attachments))

    def keyboard(self) -> dict[str, Any] | None:
        """The inline keyboard as an Attachment object, None if the message has none."""
        if not self.buttons:
            return None
        rows = [[_button_object(button) for button in row] for row in self.buttons]
        return {"type": "inline_keyboard", "payload": {"buttons": rows}}


@dataclass
class Press:
    """A press on a callback button and how the bot answered it."""

    callback_id: str
    user_id: int
    chat_id: int
    payload: str | None
    message_id: str | None
    answered: int = 0  # how many times POST /answers named it
    notification: str | None = None


@dataclass
class Dialog:
    """One person's chat with the bot."""

    chat_id: int
    user_id: int
    seq: int = 0
    messages: list[MaxMessage] = field(default_factory=list)  # the bot's, oldest first
    notifications: list[str] = field(default_factory=list)
    blocked: bool = False
    started: bool = False

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq


class Chats:
    """Every dialog of the bot, messages by id, presses by callback_id."""

    def __init__(self) -> None:
        self.by_chat: dict[int, Dialog] = {}
        self.by_user: dict[int, Dialog] = {}
        self.by_mid: dict[str, MaxMessage] = {}
        self.presses: dict[str, Press] = {}
        self._counter = 0

    def open(self, user_id: int, chat_id: int) -> Dialog:
        dialog = Dialog(chat_id, user_id)
        self.by_chat[chat_id] = dialog
        self.by_user[user_id] = dialog
        return dialog

    def new_mid(self) -> str:
        self._counter += 1
        return "mid." + hashlib.sha1(f"max-mid-{self._counter}".encode()).hexdigest()[:24]

    def new_callback_id(self) -> str:
        self._counter += 1
        return "cb." + hashlib.sha1(f"max-callback-{self._counter}".encode()).hexdigest()[:24]

    def add(self, dialog: Dialog, message: MaxMessage) -> MaxMessage:
        dialog.messages.append(message)
        self.by_mid[message.message_id] = message
        return message

    def unanswered(self) -> list[str]:
        return [press.callback_id for press in self.presses.values() if not press.answered]


def buttons_of(attachments: list[dict[str, Any]]) -> list[list[Button]]:
    """The inline keyboard among request attachments, as Buttons (validated already)."""
    for attachment in attachments:
        if attachment.get("type") == "inline_keyboard":
            rows = attachment.get("payload", {}).get("buttons", [])
            return [
                [
                    Button(
                        text=str(button.get("text", "")),
                        payload=button.get("payload"),
                        type=str(button.get("type", "")),
                        url=button.get("url"),
                    )
                    for button in row
                ]
                for row in rows
            ]
    return []


def _button_object(button: Button) -> dict[str, Any]:
    item: dict[str, Any] = {"type": button.type, "text": button.text}
    if button.payload is not None:
        item["payload"] = button.payload
    if button.url is not None:
        item["url"] = button.url
    return item
