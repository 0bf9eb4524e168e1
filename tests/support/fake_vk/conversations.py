"""The community's conversations: people's messages, the bot's messages, presses to answer.

Message ids are the community's, shared by incoming and outgoing messages; each peer numbers its
messages (conversation_message_id, "cmid") on its own. messages.send needs a random_id: VK sends
a message once per (peer, random_id) and answers a repeat with the first message's id. An edit
replaces the text, the keyboard and the attachments (an edit without `keyboard` leaves the
message without one, as VK does) and keeps the earlier versions. A press on a callback button is
answered once, by messages.sendMessageEventAnswer with the press's own event_id.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support.fake_vk.files import FileStore, Media
from tests.support.fake_vk.keyboard import Button, buttons_of
from tests.support.fake_vk.spec import BAD_PARAMETER, DENY_SEND, NOT_FOUND, VkError

CHAT_PEER_START = 2_000_000_000
EDIT_KIND_DISALLOWED = 920
CLIENT_INFO = {
    "button_actions": [
        "text",
        "vkpay",
        "open_app",
        "location",
        "open_link",
        "callback",
        "intent_subscribe",
        "intent_unsubscribe",
    ],
    "keyboard": True,
    "inline_keyboard": True,
    "carousel": True,
    "lang_id": 0,
}


@dataclass(frozen=True)
class Version:
    """A bot message as it was before an edit."""

    text: str
    keyboard: dict[str, Any] | None
    attachments: tuple[Media, ...]


@dataclass
class BotMessage:
    """A message from the bot as the person sees it now (edits applied)."""

    message_id: int
    peer_id: int
    conversation_message_id: int
    random_id: int
    text: str
    keyboard: dict[str, Any] | None = None  # as sent, parsed
    attachments: list[Media] = field(default_factory=list)  # resolved to the uploaded bytes
    date: int = 0
    history: list[Version] = field(default_factory=list)  # earlier versions, oldest first

    @property
    def cmid(self) -> int:
        return self.conversation_message_id

    @property
    def edited(self) -> bool:
        return bool(self.history)

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Rows of (label, payload)."""
        return [[(b.label, b.payload) for b in row] for row in buttons_of(self.keyboard)]

    def button(self, label: str) -> Button | None:
        """The button with this label, else the first whose label contains it."""
        flat = [button for row in buttons_of(self.keyboard) for button in row]
        exact = [button for button in flat if button.label == label]
        return (exact or [button for button in flat if label in button.label] or [None])[0]

    def _content(self) -> tuple[str, Any, tuple[str, ...]]:
        return self.text, self.keyboard, tuple(media.ref for media in self.attachments)


@dataclass
class Press:
    """A press on a callback button: the message_event delivered, and how it was answered."""

    event_id: str  # the delivered event's id (what `redeliver` takes)
    answer_id: str  # object.event_id: what messages.sendMessageEventAnswer must name
    user_id: int
    peer_id: int
    payload: Any
    conversation_message_id: int
    answered: bool = False
    answer: dict[str, Any] | None = None  # event_data as decoded


@dataclass
class _Peer:
    peer_id: int
    next_cmid: int = 1
    messages: dict[int, BotMessage] = field(default_factory=dict)  # by cmid
    incoming: dict[int, dict[str, Any]] = field(default_factory=dict)  # by cmid
    by_random_id: dict[int, BotMessage] = field(default_factory=dict)
    denied: bool = False
    snackbars: list[str] = field(default_factory=list)


class Conversations:
    """Every peer the community talks to; see the module docstring."""

    def __init__(
        self,
        files: FileStore,
        now: Callable[[], int],
        violate: Callable[[str], None],
    ) -> None:
        self.files = files
        self._now = now
        self._violate = violate  # a violation for a call that is served all the same
        self.peers: dict[int, _Peer] = {}
        self.presses: dict[str, Press] = {}  # by answer_id
        self.duplicates_suppressed = 0
        self._next_message_id = 1

    def peer(self, peer_id: int) -> _Peer:
        if peer_id not in self.peers:
            self.peers[peer_id] = _Peer(peer_id)
        return self.peers[peer_id]

    def _ids(self, peer: _Peer) -> tuple[int, int]:
        message_id, cmid = self._next_message_id, peer.next_cmid
        self._next_message_id += 1
        peer.next_cmid += 1
        return message_id, cmid

    def messages(self, peer_id: int) -> list[BotMessage]:
        peer = self.peers.get(peer_id)
        return [] if peer is None else [peer.messages[key] for key in sorted(peer.messages)]

    # What people do ---------------------------------------------------------------------

    def incoming(self, user_id: int, text: str, **extra: Any) -> dict[str, Any]:
        """The object of a message_new event: a person's message to the community."""
        peer = self.peer(user_id)
        message_id, cmid = self._ids(peer)
        message = {
            "date": self._now(),
            "from_id": user_id,
            "id": message_id,
            "out": 0,
            "version": message_id,
            "attachments": [],
            "conversation_message_id": cmid,
            "fwd_messages": [],
            "important": False,
            "is_hidden": False,
            "peer_id": user_id,
            "random_id": 0,
            "text": text,
            **{key: value for key, value in extra.items() if value is not None},
        }
        peer.incoming[cmid] = message
        return {"message": copy.deepcopy(message), "client_info": copy.deepcopy(CLIENT_INFO)}

    def press(self, event_id: str, user_id: int, payload: Any, cmid: int) -> dict[str, Any]:
        """The object of a message_event (a press on a callback button), kept for its answer."""
        answer_id = hashlib.sha1(f"press:{event_id}".encode()).hexdigest()[:12]
        self.presses[answer_id] = Press(event_id, answer_id, user_id, user_id, payload, cmid)
        event = {
            "user_id": user_id,
            "peer_id": user_id,
            "event_id": answer_id,
            "conversation_message_id": cmid,
        }
        if payload is not None:
            event["payload"] = copy.deepcopy(payload)
        return event

    def unanswered(self) -> list[str]:
        """The event ids of presses the bot has not answered."""
        return [press.event_id for press in self.presses.values() if not press.answered]

    def snackbars(self, peer_id: int) -> list[str]:
        return list(self.peer(peer_id).snackbars)

    # messages.send -----------------------------------------------------------------------

    def send(self, params: dict[str, Any]) -> int | list[dict[str, Any]]:
        if "random_id" not in params:
            raise VkError(
                BAD_PARAMETER,
                "random_id is a required parameter",
                violation="no random_id (a retry would send the message twice)",
            )
        if params["random_id"] == 0:
            self._violate("messages.send: random_id 0 turns VK's duplicate check off")
        targets = [name for name in ("peer_id", "user_id", "peer_ids") if name in params]
        unsupported = [name for name in ("chat_id", "domain") if name in params]
        if len(targets) != 1 or unsupported:
            given = ", ".join(targets + unsupported) or "none"
            raise VkError(
                BAD_PARAMETER,
                "peer_id is undefined",
                violation=f"exactly one of peer_id, user_id, peer_ids is needed "
                f"(the fake models no chats or screen names); given: {given}",
            )
        if not params.get("message") and not params.get("attachment"):
            if "sticker_id" not in params and "forward" not in params:
                raise VkError(
                    BAD_PARAMETER,
                    "message is empty or invalid",
                    violation="neither message nor attachment",
                )
        attachments = self._attachments(params.get("attachment", ""))
        if "peer_ids" in params:
            return [self._send_to_many(peer, params, attachments) for peer in params["peer_ids"]]
        return self._send_one(params[targets[0]], params, attachments).message_id

    def _send_to_many(
        self, peer_id: int, params: dict[str, Any], attachments: list[Media]
    ) -> dict[str, Any]:
        try:
            message = self._send_one(peer_id, params, attachments)
        except VkError as error:
            if error.violation:
                self._violate(f"messages.send: {error.violation}")
            return {
                "peer_id": peer_id,
                "message_id": 0,
                "conversation_message_id": 0,
                "error": {"code": error.code, "description": error.detail or ""},
            }
        return {
            "peer_id": peer_id,
            "message_id": message.message_id,
            "conversation_message_id": message.conversation_message_id,
        }

    def _send_one(
        self, peer_id: int, params: dict[str, Any], attachments: list[Media]
    ) -> BotMessage:
        peer = self._writable(peer_id)
        random_id = params["random_id"]
        new = BotMessage(
            message_id=0,
            peer_id=peer_id,
            conversation_message_id=0,
            random_id=random_id,
            text=params.get("message", ""),
            keyboard=params.get("keyboard"),
            attachments=attachments,
            date=self._now(),
        )
        earlier = peer.by_random_id.get(random_id) if random_id else None
        if earlier is not None:
            self.duplicates_suppressed += 1
            if earlier._content() != new._content():
                self._violate(
                    f"messages.send: random_id {random_id} was used for another message to "
                    f"{peer_id}; VK drops the new one silently: {new.text[:60]!r}"
                )
            return earlier
        new.message_id, new.conversation_message_id = self._ids(peer)
        peer.messages[new.conversation_message_id] = new
        if random_id:
            peer.by_random_id[random_id] = new
        return new

    def _writable(self, peer_id: int) -> _Peer:
        peer = self.peers.get(peer_id)
        if peer is None:
            what = "a chat" if peer_id >= CHAT_PEER_START else "no person the test created"
            raise VkError(
                DENY_SEND,
                violation=f"peer_id {peer_id} is {what} (vk.user(...) creates a person)",
            )
        if peer.denied:
            raise VkError(DENY_SEND)
        return peer

    def _attachments(self, text: str) -> list[Media]:
        return [self.files.resolve(item) for item in text.split(",") if item.strip()]

    # messages.edit -----------------------------------------------------------------------

    def edit(self, params: dict[str, Any]) -> int:
        peer = self.peers.get(params["peer_id"])
        if "cmid" not in params and "message_id" not in params:
            raise VkError(
                BAD_PARAMETER,
                "message_id or cmid is required",
                violation="no message named (cmid or message_id)",
            )
        if not params.get("message") and not params.get("attachment"):
            raise VkError(
                BAD_PARAMETER,
                "message is empty or invalid",
                violation="neither message nor attachment",
            )
        message = None if peer is None else self._find(peer, params)
        if message is None:
            if peer is not None and self._is_incoming(peer, params):
                raise VkError(
                    EDIT_KIND_DISALLOWED,
                    violation="a person's message (the bot can edit its own only)",
                )
            raise VkError(NOT_FOUND, "message not found")
        attachments = self._attachments(params.get("attachment", ""))
        message.history.append(Version(message.text, message.keyboard, tuple(message.attachments)))
        message.text = params.get("message", "")
        message.keyboard = params.get("keyboard")
        message.attachments = attachments
        return 1

    @staticmethod
    def _find(peer: _Peer, params: dict[str, Any]) -> BotMessage | None:
        if "cmid" in params:
            return peer.messages.get(params["cmid"])
        found = [m for m in peer.messages.values() if m.message_id == params["message_id"]]
        return found[0] if found else None

    @staticmethod
    def _is_incoming(peer: _Peer, params: dict[str, Any]) -> bool:
        if "cmid" in params:
            return params["cmid"] in peer.incoming
        return any(m["id"] == params["message_id"] for m in peer.incoming.values())

    # messages.sendMessageEventAnswer ---------------------------------------------------

    def answer(self, params: dict[str, Any]) -> int:
        press = self.presses.get(params["event_id"])
        if press is None:
            raise VkError(
                BAD_PARAMETER,
                "event_id is invalid",
                violation=f"event_id {params['event_id']!r} "
                "was never issued (answer object.event_id of the message_event)",
            )
        if (params["user_id"], params["peer_id"]) != (press.user_id, press.peer_id):
            raise VkError(
                BAD_PARAMETER,
                "user_id or peer_id is invalid",
                violation=f"event {press.answer_id} came from "
                f"user {press.user_id} in peer {press.peer_id}, answered to user "
                f"{params['user_id']} in peer {params['peer_id']}",
            )
        if press.answered:
            raise VkError(
                BAD_PARAMETER,
                "event_id is invalid",
                violation=f"event {press.answer_id} was answered twice",
            )
        press.answered = True
        press.answer = params.get("event_data")
        if isinstance(press.answer, dict) and press.answer.get("type") == "show_snackbar":
            self.peer(press.peer_id).snackbars.append(str(press.answer.get("text", "")))
        return 1
