"""VK's events (Bots Long Poll and Callback API deliver the same objects) as the transport
needs them. Only what the bot answers is read: a person's message to the community, a press of
one of our callback buttons, and a person allowing or denying the community's messages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from bot.pieces import Media
from bot.vk.render import token_of

CHATS_FROM = 2_000_000_000  # peer ids of group conversations start here; the bot serves people
IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "gif", "webp", "bmp", "heic"})

Kind = Literal["message", "press", "allow", "deny"]


@dataclass(frozen=True, slots=True)
class VkEvent:
    kind: Kind
    event_id: str  # VK's unique id of the event: a redelivery carries the same
    user_id: int
    peer_id: int
    text: str | None = None
    button: str | None = None  # the core's token of a pressed button ("" if not ours)
    press_id: str | None = None  # message_event's own event_id, for the answer
    message: int | None = None  # conversation_message_id of the message whose button was pressed
    media: tuple[Media, ...] = ()


def parse(raw: Any) -> VkEvent | None:
    """The event, or None for one the bot does not answer (or a malformed one)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("object"), dict):
        return None
    event_id = raw.get("event_id")
    if not isinstance(event_id, str) or not event_id:
        return None
    kind, body = raw.get("type"), raw["object"]
    try:
        if kind == "message_new":
            return _message(event_id, body)
        if kind == "message_event":
            return _press(event_id, body)
        if kind in ("message_allow", "message_deny"):
            user = int(body["user_id"])
            return VkEvent("allow" if kind == "message_allow" else "deny", event_id, user, user)
    except (KeyError, TypeError, ValueError):
        return None
    return None


def _message(event_id: str, body: dict[str, Any]) -> VkEvent | None:
    message = body.get("message", body)  # API 5.103+: {message, client_info}
    user, peer = int(message["from_id"]), int(message["peer_id"])
    if user <= 0 or peer >= CHATS_FROM:
        return None  # another community, or a group conversation
    text = message.get("text") or None
    ref = message.get("ref")
    if isinstance(ref, str) and ref:
        text = f"/start {ref}"  # vk.me/<community>?ref=CODE: a link code, as Telegram's /start
    elif _command(message.get("payload")) == "start":
        text = "/start"  # the «Начать» button of a new conversation
    media = tuple(m for a in message.get("attachments") or () if (m := _media(a)) is not None)
    return VkEvent("message", event_id, user, peer, text=text, media=media)


def _press(event_id: str, body: dict[str, Any]) -> VkEvent:
    user, peer = int(body["user_id"]), int(body["peer_id"])
    message = body.get("conversation_message_id")
    return VkEvent(
        "press",
        event_id,
        user,
        peer,
        button=token_of(body.get("payload")),
        press_id=str(body["event_id"]),
        message=int(message) if message is not None else None,
    )


def _command(payload: Any) -> str | None:
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return None
    command = payload.get("command") if isinstance(payload, dict) else None
    return command if isinstance(command, str) else None


def _media(attachment: Any) -> Media | None:
    """A photo (its largest size), or a document that is an image."""
    if not isinstance(attachment, dict):
        return None
    if attachment.get("type") == "photo":
        sizes = (attachment.get("photo") or {}).get("sizes") or []
        sized = [s for s in sizes if isinstance(s, dict) and s.get("url")]
        if not sized:
            return None
        best = max(sized, key=lambda s: int(s.get("width") or 0) * int(s.get("height") or 0))
        return Media("photo", str(best["url"]))
    if attachment.get("type") == "doc":
        doc = attachment.get("doc") or {}
        if str(doc.get("ext") or "").lower() in IMAGE_EXTENSIONS and doc.get("url"):
            return Media("document", str(doc["url"]), doc.get("title"))
    return None
