"""Scripted people writing to the community: texts, photos, documents and button presses.

Each action becomes the event VK would raise (message_new, or message_event for a callback
button) and is delivered the way the fake is set up (Long Poll or Callback API); it returns the
event's id. What the person sees is `messages` (the bot's messages to them, edits applied),
`last`, and `snackbars` (the texts the bot showed on their presses).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from tests.support.fake_vk.conversations import BotMessage

if TYPE_CHECKING:
    from tests.support.fake_vk.server import FakeVK


class FakeVKUser:
    """A person in a private conversation with the community."""

    def __init__(self, vk: FakeVK, user_id: int, first_name: str, last_name: str) -> None:
        self.vk = vk
        self.user_id = user_id
        self.peer_id = user_id
        self.first_name = first_name
        self.last_name = last_name

    def __repr__(self) -> str:
        return f"FakeVKUser({self.user_id}, {self.first_name!r} {self.last_name!r})"

    def profile(self) -> dict[str, Any]:
        """As users.get describes the person."""
        return {
            "id": self.user_id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "can_access_closed": True,
            "is_closed": False,
        }

    # Doing -----------------------------------------------------------------------------

    async def write(
        self, text: str, *, ref: str | None = None, ref_source: str | None = None
    ) -> str:
        """A text message (ref/ref_source: the person came by a link carrying them)."""
        return await self._message(text, ref=ref, ref_source=ref_source)

    async def send_photo(self, data: bytes, text: str = "") -> str:
        """A photo (its sizes' URLs served by the fake), with an optional text."""
        media = self.vk.files.photo(self.user_id, data)
        return await self._message(text, attachments=[media.attachment()])

    async def send_document(self, data: bytes, title: str) -> str:
        media = self.vk.files.doc(self.user_id, data, title)
        return await self._message("", attachments=[media.attachment()])

    async def press(self, label: str) -> str:
        """Press the button labelled `label` (else one whose label contains it) on the newest
        bot message having one. A callback button raises message_event; a text button sends
        its label as a message with the button's payload, as VK clients do."""
        for message in reversed(self.messages):
            button = message.button(label)
            if button is None:
                continue
            if button.kind == "callback":
                return await self._press(_decoded(button.payload), message.cmid)
            if button.kind == "text":
                return await self._message(button.label, payload=button.payload)
            raise AssertionError(
                f"button {button.label!r} is a {button.kind} button: it opens something in the "
                "client and sends the bot nothing"
            )
        seen = [
            f"cmid {m.cmid}: " + " | ".join(label for row in m.buttons for label, _ in row)
            for m in reversed(self.messages)
            if m.buttons
        ]
        raise AssertionError(
            f"no button {label!r} for {self!r}; buttons, newest first: "
            + ("; ".join(seen) if seen else "none")
        )

    async def press_payload(self, payload: str, cmid: int | None = None) -> str:
        """A forged press on a callback button: any payload (JSON is decoded as VK does), on
        message `cmid` (default: the newest bot message)."""
        if cmid is None:
            cmid = self.last.cmid if self.last else 1
        return await self._press(_decoded(payload), cmid)

    def deny(self) -> None:
        """The person forbade the community to write: messages.send to them answers 901.
        (Silently; `forbid_messages` also raises the event VK sends.)"""
        self.vk.conversations.peer(self.peer_id).denied = True

    def allow(self) -> None:
        self.vk.conversations.peer(self.peer_id).denied = False

    async def forbid_messages(self) -> str:
        """`deny()`, and the message_deny event VK raises for it."""
        self.deny()
        return await self.vk.deliver("message_deny", {"user_id": self.user_id})

    async def allow_messages(self, key: str = "") -> str:
        """`allow()`, and the message_allow event VK raises for it (`key`: the one passed to
        messages.allowMessagesFromGroup, "" when allowed from the chat)."""
        self.allow()
        return await self.vk.deliver("message_allow", {"user_id": self.user_id, "key": key})

    # Seeing ----------------------------------------------------------------------------

    @property
    def denied(self) -> bool:
        return self.vk.conversations.peer(self.peer_id).denied

    @property
    def messages(self) -> list[BotMessage]:
        return self.vk.messages(self.peer_id)

    @property
    def last(self) -> BotMessage | None:
        messages = self.messages
        return messages[-1] if messages else None

    @property
    def snackbars(self) -> list[str]:
        return self.vk.conversations.snackbars(self.peer_id)

    # Events ----------------------------------------------------------------------------

    async def _message(self, text: str, **extra: Any) -> str:
        message = self.vk.conversations.incoming(self.user_id, text, **extra)
        return await self.vk.deliver("message_new", message)

    async def _press(self, payload: Any, cmid: int) -> str:
        event_id = self.vk.new_event_id()
        event = self.vk.conversations.press(event_id, self.user_id, payload, cmid)
        return await self.vk.deliver("message_event", event, event_id=event_id)


def _decoded(payload: str | None) -> Any:
    """A payload as VK puts it into message_event: decoded JSON (or the text, if it is none)."""
    if payload is None:
        return None
    try:
        return json.loads(payload)
    except ValueError:
        return payload
