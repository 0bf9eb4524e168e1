"""MAX's updates as the transport needs them, read through maxapi's own models. Only what the bot
answers is kept: a person's message in their dialog with the bot, a press of one of our
buttons, the bot started (with a deep link's payload) and the bot stopped (blocked).

MAX gives an update no id of its own, and a webhook delivery it retries carries the same update
again; the update's key is built from what MAX does keep unique: a message's `mid`, a press's
`callback_id`, and for start/stop the person and the update's timestamp.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any, Literal

from maxapi.enums.chat_type import ChatType
from maxapi.types.attachments.file import File
from maxapi.types.attachments.image import Image
from maxapi.types.message import Message
from maxapi.types.updates import UpdateUnionAdapter
from maxapi.types.updates.bot_started import BotStarted
from maxapi.types.updates.bot_stopped import BotStopped
from maxapi.types.updates.message_callback import MessageCallback
from maxapi.types.updates.message_created import MessageCreated
from pydantic import ValidationError

from bot.pieces import Media

log = logging.getLogger(__name__)

IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "gif", "webp", "bmp", "heic", "tif", "tiff"})
KEY_LIMIT = 64  # characters of processed_updates.update_id

Kind = Literal["message", "press", "start", "stop"]
UPDATE_TYPES = ("message_created", "message_callback", "bot_started", "bot_stopped")


@dataclass(frozen=True, slots=True)
class MaxEvent:
    kind: Kind
    key: str  # the same for a redelivered update
    user_id: int
    chat_id: int
    text: str | None = None
    button: str | None = None  # the core's token of a pressed button ("" if none)
    callback_id: str | None = None  # for the answer to a press
    message_id: str | None = None  # mid of the message whose button was pressed
    media: tuple[Media, ...] = ()


def parse(raw: Any) -> MaxEvent | None:
    """The event, or None for an update the bot does not answer (or a malformed one)."""
    if not isinstance(raw, dict):
        return None
    try:
        update = UpdateUnionAdapter.validate_python(raw)
    except ValidationError:
        if raw.get("update_type") in UPDATE_TYPES:
            log.warning("max: an update of type %s could not be read", raw.get("update_type"))
        return None
    if isinstance(update, MessageCreated):
        return _message(update.message)
    if isinstance(update, MessageCallback):
        return _press(update)
    if isinstance(update, BotStarted):
        text = f"/start {update.payload}" if update.payload else "/start"
        user = update.user.user_id
        key = _key(f"started-{user}-{update.timestamp}")
        return MaxEvent("start", key, user, update.chat_id, text=text)
    if isinstance(update, BotStopped):
        user = update.user.user_id
        return MaxEvent("stop", _key(f"stopped-{user}-{update.timestamp}"), user, update.chat_id)
    return None


def _message(message: Message) -> MaxEvent | None:
    sender, body = message.sender, message.body
    recipient = message.recipient
    if sender is None or body is None or sender.is_bot or recipient.chat_id is None:
        return None
    if recipient.chat_type != ChatType.DIALOG:
        return None  # a group chat or a channel: the bot serves people one to one
    media = tuple(m for a in body.attachments or () if (m := _media(a)) is not None)
    return MaxEvent(
        "message",
        _key(f"m-{body.mid}"),
        sender.user_id,
        recipient.chat_id,
        text=body.text or None,
        media=media,
    )


def _press(update: MessageCallback) -> MaxEvent | None:
    callback, message = update.callback, update.message
    chat_id = message.recipient.chat_id if message is not None else None
    if chat_id is None:
        return None
    mid = message.body.mid if message is not None and message.body is not None else None
    return MaxEvent(
        "press",
        _key(f"c-{callback.callback_id}"),
        callback.user.user_id,
        chat_id,
        button=callback.payload or "",
        callback_id=callback.callback_id,
        message_id=mid,
    )


def _media(attachment: Any) -> Media | None:
    """A photo, or a file that is an image (a barcode sent «as a file»)."""
    payload = getattr(attachment, "payload", None)
    url = getattr(payload, "url", None)
    if not isinstance(url, str) or not url:
        return None
    if isinstance(attachment, Image):
        return Media("photo", url)
    if isinstance(attachment, File):
        name = attachment.filename or ""
        if name.rsplit(".", 1)[-1].lower() in IMAGE_EXTENSIONS:
            return Media("document", url, name)
    return None


def _key(key: str) -> str:
    if len(key) <= KEY_LIMIT:
        return key
    return "h-" + hashlib.sha256(key.encode()).hexdigest()[:40]
