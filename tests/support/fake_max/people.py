"""Scripted people writing to the bot: starts, texts, photos, button presses, blocking.

Each action becomes the update MAX would raise (bot_started, message_created, message_callback,
bot_stopped) and is delivered the way the fake is set up (long polling or webhook); it returns
the update (or, for a press, the callback_id). What the person sees is `messages` (the bot's
messages, edits applied), `last` and `notifications` (the texts the bot showed on presses).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.support.fake_max.chats import Dialog, MaxMessage
from tests.support.fake_max.limits import START_PAYLOAD_LIMIT

if TYPE_CHECKING:
    from tests.support.fake_max.server import FakeMax

LOCALE = "ru"


class FakeMaxUser:
    """A person in a dialog with the bot."""

    def __init__(self, fake: FakeMax, dialog: Dialog, first_name: str, last_name: str) -> None:
        self.fake = fake
        self.dialog = dialog
        self.first_name = first_name
        self.last_name = last_name

    def __repr__(self) -> str:
        return f"FakeMaxUser({self.user_id}, {self.name!r})"

    @property
    def user_id(self) -> int:
        return self.dialog.user_id

    @property
    def chat_id(self) -> int:
        return self.dialog.chat_id

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def profile(self) -> dict[str, Any]:
        """The person as a User object."""
        return {
            "user_id": self.user_id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "username": None,
            "is_bot": False,
            "last_activity_time": self.fake.now_ms(),
            "name": self.name,
        }

    # Doing -----------------------------------------------------------------------------

    async def start(self, payload: str | None = None) -> dict[str, Any]:
        """The person opens the bot (by a deep link ?start=payload when given): bot_started.
        A payload over 512 characters reaches the bot as none, as MAX documents."""
        self.dialog.started = True
        self.dialog.blocked = False
        update: dict[str, Any] = self._event("bot_started")
        if payload is not None and len(payload) <= START_PAYLOAD_LIMIT:
            update["payload"] = payload
        return await self.fake.raise_update(update)

    async def write(self, text: str) -> dict[str, Any]:
        """A text message: message_created."""
        return await self.fake.raise_update(self._message(text, []))

    async def send_photo(self, data: bytes, text: str = "") -> dict[str, Any]:
        """A photo (served by the fake at its payload.url), with an optional text."""
        stored = self.fake.files.add("image", data, "photo.jpg")
        attachment = self.fake.files.attachment(stored)
        return await self.fake.raise_update(self._message(text, [attachment]))

    async def press(self, label: str) -> str:
        """Press the button with that text (else one whose text contains it) on the newest
        message having one; its callback_id. A callback button raises message_callback; a
        message button sends its text as the person's message, as MAX clients do."""
        for message in reversed(self.messages):
            button = message.button(label)
            if button is None:
                continue
            if button.type == "callback":
                return await self._press(button.payload, message)
            if button.type == "message":
                await self.write(button.text)
                return ""
            raise AssertionError(
                f"button {button.text!r} is a {button.type} button: it does something in the "
                "client and sends the bot nothing"
            )
        seen = [
            f"{m.message_id}: " + " | ".join(m.labels())
            for m in reversed(self.messages)
            if m.buttons
        ]
        raise AssertionError(
            f"no button {label!r} for {self!r}; buttons, newest first: "
            + ("; ".join(seen) if seen else "none")
        )

    async def press_payload(self, payload: str, message_id: str | None = None) -> str:
        """A forged or stale press: any payload, on message `message_id` (default: the newest
        bot message; the update's message is null when there is none)."""
        message = self.fake.chats.by_mid.get(message_id) if message_id else self.last
        return await self._press(payload, message, message_id)

    def block(self) -> None:
        """The person stopped the bot: from now on POST /messages to them answers 403
        chat.denied, and bot_stopped is raised (delivered in the background)."""
        self.dialog.blocked = True
        self.fake.raise_later(self._event("bot_stopped"))

    # Seeing ----------------------------------------------------------------------------

    @property
    def blocked(self) -> bool:
        return self.dialog.blocked

    @property
    def messages(self) -> list[MaxMessage]:
        return list(self.dialog.messages)

    @property
    def last(self) -> MaxMessage | None:
        return self.dialog.messages[-1] if self.dialog.messages else None

    @property
    def notifications(self) -> list[str]:
        return list(self.dialog.notifications)

    # Updates ---------------------------------------------------------------------------

    def _event(self, update_type: str) -> dict[str, Any]:
        return {
            "update_type": update_type,
            "timestamp": self.fake.now_ms(),
            "chat_id": self.chat_id,
            "user": self.profile(),
            "user_locale": LOCALE,
        }

    def _message(self, text: str, attachments: list[dict[str, Any]]) -> dict[str, Any]:
        now = self.fake.now_ms()
        message = {
            "sender": self.profile(),
            "recipient": {
                "chat_id": self.chat_id,
                "chat_type": "dialog",
                "user_id": self.fake.bot_user_id,
            },
            "timestamp": now,
            "body": {
                "mid": self.fake.chats.new_mid(),
                "seq": self.dialog.next_seq(),
                "text": text,
                "attachments": attachments,
                "markup": [],
            },
        }
        return {
            "update_type": "message_created",
            "timestamp": now,
            "message": message,
            "user_locale": LOCALE,
        }

    async def _press(
        self, payload: str | None, message: MaxMessage | None, message_id: str | None = None
    ) -> str:
        now = self.fake.now_ms()
        callback_id = self.fake.chats.new_callback_id()
        callback: dict[str, Any] = {
            "timestamp": now,
            "callback_id": callback_id,
            "user": self.profile(),
        }
        if payload is not None:
            callback["payload"] = payload
        mid = message.message_id if message is not None else message_id
        self.fake.register_press(callback_id, self, payload, mid)
        update = {
            "update_type": "message_callback",
            "timestamp": now,
            "callback": callback,
            "message": None if message is None else self.fake.message_object(message),
            "user_locale": LOCALE,
        }
        await self.fake.raise_update(update)
        return callback_id
