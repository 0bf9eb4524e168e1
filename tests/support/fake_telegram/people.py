"""People simulated for the bot: a person in a private chat sends text and photos and presses
buttons; what they see is the bot's messages in their chat, edits applied."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tests.support.fake_telegram.chats import BotMessage
from tests.support.fake_telegram.entities import utf16_len

if TYPE_CHECKING:
    from tests.support.fake_telegram.server import FakeTelegram


class FakeUser:
    """A person in a private chat with the bot."""

    def __init__(
        self,
        tg: FakeTelegram,
        user_id: int,
        first_name: str,
        language_code: str | None,
        username: str | None,
    ) -> None:
        self.tg = tg
        self.user_id = user_id
        self.chat_id = user_id
        self.first_name = first_name
        self.answers: list[str | None] = []
        self.user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            self.user["username"] = username
        if language_code:
            self.user["language_code"] = language_code

    def __repr__(self) -> str:
        return f"FakeUser({self.user_id}, {self.first_name!r})"

    async def send(self, text: str) -> int:
        """A text message (a leading /command gets its bot_command entity); the update_id."""
        content: dict[str, Any] = {"text": text}
        command = re.match(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?", text)
        if command:
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}
            ]
        return await self.tg.deliver({"message": self.tg._user_message(self, content)})

    async def send_photo(self, data: bytes, caption: str | None = None) -> int:
        """A photo (2-3 sizes; the largest is `data`, fetchable by getFile); the update_id."""
        content: dict[str, Any] = {"photo": self.tg.files.store_photo(data, "AgACAgIAAxkBAAIU")[0]}
        if caption is not None:
            content["caption"] = caption
        return await self.tg.deliver({"message": self.tg._user_message(self, content)})

    async def send_document(
        self, data: bytes, file_name: str, mime_type: str, caption: str | None = None
    ) -> int:
        """A file (fetchable by getFile), with its name and type; the update_id."""
        stored = self.tg.files.store(data, "BQACAgIAAxkBAAIV", "documents", file_name, mime_type)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        content: dict[str, Any] = {"document": document}
        if caption is not None:
            content["caption"] = caption
        return await self.tg.deliver({"message": self.tg._user_message(self, content)})

    async def press(self, label: str) -> int:
        """Press the button whose text contains `label` on the newest bot message having one."""
        for message in reversed(self.messages):
            for row in message.buttons:
                for button in row:
                    if label in str(button.get("text", "")):
                        if "callback_data" not in button:
                            raise AssertionError(
                                f"button {button.get('text')!r} in message {message.message_id} "
                                f"has no callback_data: {button}"
                            )
                        return await self._callback(button["callback_data"], message.message_id)
        seen = [
            f"message {message.message_id}: "
            + " | ".join(str(button.get("text")) for row in message.buttons for button in row)
            for message in reversed(self.messages)
            if message.buttons
        ]
        raise AssertionError(
            f"no button containing {label!r} in chat {self.chat_id}; buttons, newest first: "
            + ("; ".join(seen) if seen else "none")
        )

    async def press_data(self, data: str, message_id: int | None = None) -> int:
        """A callback_query with any data (a forged payload): on `message_id` (a message the bot
        does not have appears as inaccessible), or on the newest bot message."""
        if message_id is None:
            message_id = self.last.message_id if self.last else 1
        return await self._callback(data, message_id)

    async def _callback(self, data: str, message_id: int) -> int:
        return await self.tg.deliver({"callback_query": self.tg._callback(self, data, message_id)})

    @property
    def messages(self) -> list[BotMessage]:
        return self.tg.messages(self.chat_id)

    @property
    def last(self) -> BotMessage | None:
        messages = self.messages
        return messages[-1] if messages else None

    @property
    def blocked(self) -> bool:
        return self.tg._chats[self.chat_id].blocked
