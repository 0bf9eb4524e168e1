"""Drive the core like a person: send text, press buttons by label, read the replies."""

from __future__ import annotations

from collections.abc import Callable

from db.enums import Messenger
from handlers.dispatcher import Dispatcher
from messages.types import Attachment, Button, Incoming, Reply, keyboard_problems


class Chat:
    def __init__(
        self, dispatcher: Dispatcher, persona: str, messenger: Messenger = Messenger.CONSOLE
    ) -> None:
        self.dispatcher = dispatcher
        self.persona = persona
        self.messenger = messenger
        self.replies: list[Reply] = []

    async def send(self, text: str) -> list[Reply]:
        return await self._deliver(Incoming(self.messenger, self.persona, self.persona, text=text))

    async def send_photo(self, data: bytes, caption: str = "") -> list[Reply]:
        photo = Attachment("photo", data)
        return await self._deliver(
            Incoming(self.messenger, self.persona, self.persona, text=caption or None,
                     attachments=(photo,))
        )  # fmt: skip

    async def press(self, label: str) -> list[Reply]:
        """Press the button whose label contains `label` in the latest replies."""
        return await self.press_token(self.button(label).token or "")

    async def press_token(self, token: str) -> list[Reply]:
        return await self._deliver(
            Incoming(self.messenger, self.persona, self.persona, button=token)
        )

    def button(self, label: str) -> Button:
        for reply in reversed(self.replies):
            for row in reply.buttons:
                for button in row:
                    if label.casefold() in button.label.casefold():
                        return button
        labels = [b.label for r in self.replies for row in r.buttons for b in row]
        raise AssertionError(f"no button {label!r}; buttons: {labels}")

    @property
    def text(self) -> str:
        """All text of the latest replies."""
        return "\n".join(r.text for r in self.replies)

    async def _deliver(self, incoming: Incoming) -> list[Reply]:
        self.replies = await self.dispatcher.handle(incoming)
        for reply in self.replies:  # every screen must fit the strictest messenger's keyboard
            problems = keyboard_problems(reply.buttons)
            assert not problems, f"keyboard too big: {problems}\n{reply.text[:200]}"
        return self.replies


ChatFactory = Callable[[str], Chat]
