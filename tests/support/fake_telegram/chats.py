"""What the fake keeps of each chat: the bot's messages as the person sees them now (edits
applied), the person's own messages, and whether the person blocked the bot."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any


@dataclass
class BotMessage:
    """A message from the bot as the person sees it now."""

    message_id: int
    chat_id: int
    text: str | None  # visible text: markup parsed away
    caption: str | None
    kind: str  # "text" | "photo" | "document" (other sends: "sticker", "voice", ...)
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)
    file: bytes | None = field(default=None, repr=False)
    file_name: str | None = None
    edited: bool = False
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)  # of the text or caption
    reply_markup: dict[str, Any] | None = None  # as sent (reply keyboards too)
    source: str | None = None  # the text or caption as the bot sent it, markup included
    date: int = 0
    edit_date: int | None = None
    media: dict[str, Any] = field(default_factory=dict, repr=False)  # "photo": [...] etc.

    def edit(self, markup: Any, date: int) -> None:
        """Mark the message edited at `date`, with `markup` as its keyboard now."""
        self.reply_markup = copy.deepcopy(markup) if isinstance(markup, dict) else None
        self.buttons = inline_buttons(markup)
        self.edited = True
        self.edit_date = date


@dataclass
class ChatState:
    """One chat as Telegram holds it."""

    chat: dict[str, Any]  # the Chat object
    next_message_id: int = 1  # shared by the bot's messages and the person's
    bot_messages: dict[int, BotMessage] = field(default_factory=dict)
    user_messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    blocked: bool = False

    def add_bot_message(
        self,
        kind: str,
        params: dict[str, Any],
        date: int,
        *,
        text: str | None = None,
        caption: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        source: str | None = None,
        file: bytes | None = None,
        file_name: str | None = None,
        media: dict[str, Any] | None = None,
    ) -> BotMessage:
        """A message the bot sent with `params` (its reply_markup and parse_mode)."""
        markup = params.get("reply_markup")
        message = BotMessage(
            message_id=self.next_message_id,
            chat_id=self.chat["id"],
            text=text,
            caption=caption,
            kind=kind,
            buttons=inline_buttons(markup),
            file=file,
            file_name=file_name,
            parse_mode=params.get("parse_mode"),
            entities=list(entities or []),
            reply_markup=copy.deepcopy(markup) if isinstance(markup, dict) else None,
            source=source,
            date=date,
            media=media or {},
        )
        self.next_message_id += 1
        self.bot_messages[message.message_id] = message
        return message

    def message_object(self, message: BotMessage, bot_user: dict[str, Any]) -> dict[str, Any]:
        """The Message object Telegram sends for a bot message, as it is now."""
        result: dict[str, Any] = {
            "message_id": message.message_id,
            "from": dict(bot_user),
            "chat": dict(self.chat),
            "date": message.date,
        }
        if message.edit_date is not None:
            result["edit_date"] = message.edit_date
        entities_key = "entities"
        if message.text is not None:
            result["text"] = message.text
        if message.caption is not None:
            result["caption"] = message.caption
            entities_key = "caption_entities"
        if message.entities and (message.text is not None or message.caption is not None):
            result[entities_key] = copy.deepcopy(message.entities)
        result.update(copy.deepcopy(message.media))
        markup = message.reply_markup
        if markup and markup.get("inline_keyboard"):
            result["reply_markup"] = {"inline_keyboard": copy.deepcopy(markup["inline_keyboard"])}
        return result


def inline_buttons(markup: Any) -> list[list[dict[str, Any]]]:
    """The rows of an inline keyboard (none for other markup)."""
    if not isinstance(markup, dict) or not isinstance(markup.get("inline_keyboard"), list):
        return []
    return [[dict(button) for button in row] for row in markup["inline_keyboard"]]


def same_markup(new: Any, old: Any) -> bool:
    """Whether an edit leaves the inline keyboard as it was ("message is not modified")."""

    def inline(markup: Any) -> Any:
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            return markup["inline_keyboard"]
        return None

    return inline(new) == inline(old)
