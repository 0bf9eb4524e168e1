"""The MAX transport: updates (from the webhook or long polling) into the core, the core's
replies out through MAX's API. It is also the MAX outgoing port (messages/port.py).

An update is handed to the core with its key (events.py) as the update id: the core records it
in the event's transaction, so an update MAX delivers again — it retries a webhook delivery for
hours until it gets 200 — or that a restarted long poll reads again changes nothing. One
person's updates are served in the order they came, different people's at once. Every press is
answered (`POST /answers`), with a notification where the core has one: a stale or forged
button gets «кнопка устарела», never silence.

Replies go out with `POST /messages`; an answer that replaces the pressed message with `PUT
/messages`. A person who stopped or blocked the bot (`bot_stopped`, or 403/404 on a send) is
marked unreachable until they write again. A failure is logged without personal data and never
stops the next update.
"""

from __future__ import annotations

import hashlib
import logging

from bot.lifecycle import InFlight, KeyedLocks, LruDict
from bot.max.client import MaxCallFailed, MaxClient
from bot.max.events import MaxEvent
from bot.max.render import FORMAT, keyboard, notification, pieces
from bot.pieces import downloaded
from db.enums import Messenger, Priority
from handlers.dispatcher import Dispatcher as Core
from messages.port import Address, Menu
from messages.safe_log import redacted_traceback
from messages.types import Incoming, OutFile, RecipientUnreachable, Reply

log = logging.getLogger(__name__)

SEEN_MEMORY = 10_000  # update keys this process remembers having taken (the core remembers all)
UPLOADS_MEMORY = 256  # files uploaded once and sent again by their token (a broadcast's poster)


class MaxTransport:
    messenger = Messenger.MAX

    def __init__(self, core: Core, client: MaxClient, username: str | None = None) -> None:
        self.core = core
        self.client = client
        self.username = username
        self.chat_locks: KeyedLocks[int] = KeyedLocks()
        self.inflight = InFlight()
        self.seen: LruDict[str, bool] = LruDict(SEEN_MEMORY)
        self.uploaded: LruDict[str, dict[str, object]] = LruDict(UPLOADS_MEMORY)
        self.upload_locks: KeyedLocks[str] = KeyedLocks()

    async def prepare(self) -> None:
        """Learn the bot's name (for deep links) once."""
        if self.username is None:
            self.username = await self.client.username()

    # Incoming -------------------------------------------------------------------------------

    def first_time(self, event: MaxEvent) -> bool:
        """False for an update this process has already taken (a redelivery while the first is
        still in hand); the core's dedupe covers the rest, across processes and restarts."""
        if event.key in self.seen:
            return False
        self.seen[event.key] = True
        return True

    async def handle(self, event: MaxEvent) -> bool:
        """One update, in its person's turn; True once it is handled and answered, False if it
        failed (a webhook then asks MAX to deliver it again)."""
        try:
            async with self.chat_locks.hold(event.chat_id):
                await self._handle(event)
        except RecipientUnreachable:
            await self.core.unreachable(Messenger.MAX, str(event.user_id))
            log.info("max: a person cannot be written to; marked unreachable")
        except MaxCallFailed as failed:  # MAX refused a request: its path and status say enough
            log.error("max update failed: %s answered HTTP %s", failed.path, failed.status)
            return False
        except Exception as error:  # never let one update stop the bot
            log.error("max update failed: %s\n%s", event.kind, redacted_traceback(error))
            return False
        return True

    async def _handle(self, event: MaxEvent) -> None:
        if event.kind == "stop":
            await self.core.unreachable(Messenger.MAX, str(event.user_id))
            return
        incoming = Incoming(
            messenger=Messenger.MAX,
            user_id=str(event.user_id),
            chat_id=str(event.chat_id),
            text=event.text,
            button=event.button,
            attachments=await downloaded(event.media, self.client.download),
            update_id=event.key,
        )
        outcome = await self.core.serve(incoming)
        dropped = outcome.menu is None and not outcome.replies
        if event.kind == "press" and not dropped:
            notice = next((r.notice for r in outcome.replies if r.notice), None)
            await self._answer_press(event, notice)
        address = Address(Messenger.MAX, str(event.chat_id))
        for n, reply in enumerate(outcome.replies):
            key = f"update-{event.key}-{n}"
            edit = event.message_id if reply.edit else None
            await self.deliver(address, reply, key=key, edit=edit)

    async def _answer_press(self, event: MaxEvent, notice: str | None) -> None:
        assert event.callback_id is not None
        try:
            await self.client.answer(event.callback_id, notification(notice) if notice else None)
        except MaxCallFailed as failed:  # too late or already answered: the reply still goes
            log.warning("max: a press was not answered (HTTP %s)", failed.status)

    # Outgoing: the MAX port -----------------------------------------------------------------

    async def deliver(
        self,
        address: Address,
        reply: Reply,
        *,
        key: str | None = None,
        edit: str | None = None,
        priority: Priority = Priority.REPLY,
    ) -> None:
        """A reply or a notice: its text in pieces within MAX's limit, the buttons under the
        last piece, then its files. With `edit` (the pressed message's mid) the message is
        replaced where MAX can. MAX has no idempotent send, so `key` is not used."""
        chat = int(address.chat_id)
        buttons = keyboard(reply.buttons)
        texts = pieces(reply.text)
        if edit is not None and len(texts) == 1:
            if await self._edit(edit, {"text": texts[0], "format": FORMAT, "attachments": buttons}):
                texts = []
        for n, piece in enumerate(texts):
            last = n == len(texts) - 1
            body = {"text": piece, "format": FORMAT, "attachments": buttons if last else []}
            await self.client.send(chat, body, priority=priority)
        for file in reply.files:
            attachment = await self._uploaded(file, priority)
            caption = pieces(file.caption)[0] if file.caption else None
            body = {"text": caption, "format": FORMAT, "attachments": [attachment]}
            await self.client.send(chat, body, priority=priority)

    async def _uploaded(self, file: OutFile, priority: Priority) -> dict[str, object]:
        """The file's attachment; the same bytes again (a poster to 600 readers) reuse the
        token of the first upload, also when several deliveries ask for it at once."""
        fingerprint = f"{file.kind}:{hashlib.sha256(file.data).hexdigest()}"
        async with self.upload_locks.hold(fingerprint):  # the outbox sends side by side
            known = self.uploaded.get(fingerprint)
            if known is None:
                known = await self.client.upload(file, priority=priority)
                self.uploaded[fingerprint] = known
        return known

    async def _edit(self, message_id: str, body: dict[str, object]) -> bool:
        """Replace the message whose button was pressed; False where MAX cannot (too old,
        deleted), so the reply goes out as a new message instead."""
        try:
            await self.client.edit(message_id, body)
        except MaxCallFailed as failed:
            log.info("max: an answer could not replace its message (HTTP %s)", failed.status)
            return False
        return True

    def deep_link(self, payload: str) -> str | None:
        """max.ru/<bot>?start=<payload>: opens the bot, whose start carries the payload (a link
        code); None until `prepare` has learnt the bot's name."""
        return f"https://max.ru/{self.username}?start={payload}" if self.username else None

    async def set_menu(self, address: Address, menu: Menu) -> None:
        """MAX has no per-chat command menu; the commands are in /help."""
