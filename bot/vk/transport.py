"""The VK transport: events (from the Bots Long Poll or the Callback API) into the core, the
core's replies out through VK's API. It is also the VK outgoing port (messages/port.py).

An event is handed to the core with its `event_id` as the update id: the core records it in the
event's transaction, so an event VK delivers again (or that a restarted Long Poll reads again)
changes nothing. One person's events are served in the order they came, different people's at
once. Every press of a callback button is answered (`messages.sendMessageEventAnswer`), with a
toast where the core has one — a stale or forged button gets «кнопка устарела», never silence.

Replies go out with `messages.send` and a `random_id` derived from the delivery key, so a
delivery retried after a timeout or a restart never shows twice; an answer that replaces the
pressed message goes out with `messages.edit`. A person who does not allow messages from the
community (VK's 901/902, or a `message_deny` event) is marked unreachable, and the next time
they write the bot tells them how to allow messages. A failure is logged without personal data
and never stops the next event.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from bot.lifecycle import InFlight, KeyedLocks, LruDict
from bot.pieces import downloaded, split_text
from bot.vk.client import UNREACHABLE, VkCallFailed, VkClient, random_id
from bot.vk.events import VkEvent
from bot.vk.render import EMPTY_KEYBOARD, TEXT_LIMIT, keyboard, snackbar
from db.enums import Messenger, Priority
from handlers.dispatcher import Dispatcher as Core
from messages.port import Address, Menu
from messages.safe_log import redacted_traceback
from messages.types import Incoming, OutFile, RecipientUnreachable, Reply

log = logging.getLogger(__name__)

SEEN_MEMORY = 10_000  # event ids this process remembers having taken (the core remembers all)
BULK_LIMIT = 100  # recipients of one messages.send (peer_ids)


class VkTransport:
    messenger = Messenger.VK
    bulk_limit = BULK_LIMIT

    def __init__(self, core: Core, client: VkClient, group_id: int) -> None:
        self.core = core
        self.client = client
        self.group_id = group_id
        self.chat_locks: KeyedLocks[int] = KeyedLocks()
        self.inflight = InFlight()
        self.seen: LruDict[str, bool] = LruDict(SEEN_MEMORY)

    # Incoming -------------------------------------------------------------------------------

    def first_time(self, event: VkEvent) -> bool:
        """False for an event this process has already taken (a redelivery while the first is
        still in hand); the core's dedupe covers the rest, across processes and restarts."""
        if event.event_id in self.seen:
            return False
        self.seen[event.event_id] = True
        return True

    async def handle(self, event: VkEvent) -> None:
        """One event, in its person's turn; returns once it is handled and answered."""
        try:
            async with self.chat_locks.hold(event.peer_id):
                await self._handle(event)
        except RecipientUnreachable:
            await self.core.unreachable(Messenger.VK, str(event.user_id))
            log.info("vk: a person does not allow messages; marked unreachable")
        except VkCallFailed as failed:  # VK refused a call: its method and code say enough
            log.error(
                "vk event failed: event=%s, %s answered error %s",
                event.event_id,
                failed.method,
                failed.code,
            )
        except Exception as error:  # never let one event stop the bot
            log.error("vk event failed: event=%s\n%s", event.event_id, redacted_traceback(error))

    async def _handle(self, event: VkEvent) -> None:
        if event.kind == "deny":
            await self.core.unreachable(Messenger.VK, str(event.user_id))
            return
        if event.kind == "allow":
            return  # reachable again from their next message on; nothing to answer
        incoming = Incoming(
            messenger=Messenger.VK,
            user_id=str(event.user_id),
            chat_id=str(event.peer_id),
            text=event.text,
            button=event.button,
            attachments=await downloaded(event.media, self.client.download),
            update_id=event.event_id,
        )
        outcome = await self.core.serve(incoming)
        dropped = outcome.menu is None and not outcome.replies
        if event.kind == "press" and not dropped:
            notice = next((r.notice for r in outcome.replies if r.notice), None)
            await self._answer_press(event, notice)
        address = Address(Messenger.VK, str(event.peer_id))
        pressed = str(event.message) if event.message is not None else None
        for n, reply in enumerate(outcome.replies):
            key = f"update-{event.event_id}-{n}"
            await self.deliver(address, reply, key=key, edit=pressed if reply.edit else None)

    async def _answer_press(self, event: VkEvent, notice: str | None) -> None:
        """Every press is answered, so the button stops spinning; with a toast where the core
        has something to say."""
        try:
            await self.client.call(
                "messages.sendMessageEventAnswer",
                event_id=event.press_id,
                user_id=event.user_id,
                peer_id=event.peer_id,
                event_data=snackbar(notice) if notice else None,
            )
        except VkCallFailed as failed:  # too late (VK gives a minute): the reply still goes
            log.warning("vk: a press was not answered (error %s)", failed.code)

    # Outgoing: the VK port ------------------------------------------------------------------

    async def deliver(
        self,
        address: Address,
        reply: Reply,
        *,
        key: str | None = None,
        edit: str | None = None,
        priority: Priority = Priority.REPLY,
    ) -> None:
        """A reply or a notice: its text in pieces within VK's limit, the buttons under the
        last piece, then its files, each piece with a `random_id` from `key`. With `edit` (the
        conversation message id of the pressed message) the message is replaced where VK can."""
        peer = int(address.chat_id)
        buttons = keyboard(reply.buttons)
        pieces = split_text(reply.text, TEXT_LIMIT)
        if edit is not None and len(pieces) == 1:
            if await self._edit(peer, int(edit), pieces[0], buttons):
                pieces = []
        for n, piece in enumerate(pieces):
            last = n == len(pieces) - 1
            await self.client.call(
                "messages.send",
                priority=priority,
                peer_id=peer,
                random_id=random_id(f"{key}-{n}" if key else None),
                message=piece,
                keyboard=buttons if last else None,
                dont_parse_links=1,
            )
        for n, file in enumerate(reply.files):
            await self.client.call(
                "messages.send",
                priority=priority,
                peer_id=peer,
                random_id=random_id(f"{key}-file-{n}" if key else None),
                attachment=await self._upload(peer, file),
                message=file.caption[:TEXT_LIMIT] if file.caption else None,
            )

    async def deliver_to_many(
        self, addresses: Sequence[Address], reply: Reply, *, key: str, priority: Priority
    ) -> list[Exception | None]:
        """One message (no buttons) to up to BULK_LIMIT people: each piece and each file is one
        `messages.send` with `peer_ids`, its `random_id` from `key` (the same for everyone and
        on every retry). A person VK refuses is not sent the later pieces; what came of each
        address is told in their order."""
        peers = [int(a.chat_id) for a in addresses[:BULK_LIMIT]]
        outcome: dict[int, Exception | None] = dict.fromkeys(peers)
        parts: list[tuple[str, dict[str, object]]] = [
            (f"{key}-{n}", {"message": piece})
            for n, piece in enumerate(split_text(reply.text, TEXT_LIMIT))
        ]
        for n, file in enumerate(reply.files):
            try:
                attachment = await self._upload(peers[0], file)
            except VkCallFailed as failed:
                return [failed for _ in peers]
            caption = file.caption[:TEXT_LIMIT] if file.caption else None
            parts.append((f"{key}-file-{n}", {"attachment": attachment, "message": caption}))
        for part_key, content in parts:
            going = [peer for peer in peers if outcome[peer] is None]
            if not going:
                break
            try:
                answers = await self.client.call(
                    "messages.send",
                    priority=priority,
                    peer_ids=",".join(map(str, going)),
                    random_id=random_id(part_key),
                    dont_parse_links=1,
                    **content,
                )
            except VkCallFailed as failed:
                for peer in going:
                    outcome[peer] = failed
                continue
            for peer, refused in _refusals(going, answers).items():
                outcome[peer] = refused
        return [outcome[peer] for peer in peers]

    async def _upload(self, peer: int, file: OutFile) -> str:
        if file.kind == "photo":
            return await self.client.upload_photo(peer, file.name, file.data)
        return await self.client.upload_document(peer, file.name, file.data)

    async def _edit(self, peer: int, message: int, text: str, buttons: str | None) -> bool:
        """Replace the message whose button was pressed; False where VK cannot (too old,
        deleted), so the reply goes out as a new message instead."""
        try:
            await self.client.call(
                "messages.edit",
                peer_id=peer,
                cmid=message,
                message=text,
                keyboard=buttons or EMPTY_KEYBOARD,
                dont_parse_links=1,
            )
        except VkCallFailed as failed:
            log.info("vk: an answer could not replace its message (error %s)", failed.code)
            return False
        return True

    def deep_link(self, payload: str) -> str | None:
        """vk.me/club<id>?ref=<payload>: opens the community's chat, and the first message
        carries the payload (a link code) as its `ref`."""
        return f"https://vk.me/club{self.group_id}?ref={payload}"

    async def set_menu(self, address: Address, menu: Menu) -> None:
        """VK has no per-chat command menu; the commands are in /help."""


def _refusals(peers: list[int], answers: object) -> dict[int, Exception]:
    """The people a `peer_ids` send did not reach, from VK's answer per peer: those VK will not
    write to (901, 902) are unreachable, other errors are failures to try again; a peer missing
    from the answer is a failure too."""
    answered: dict[int, dict[str, Any]] = {}
    if isinstance(answers, list):
        answered = {int(a["peer_id"]): a for a in answers if isinstance(a, dict) and "peer_id" in a}
    refused: dict[int, Exception] = {}
    for peer in peers:
        answer = answered.get(peer)
        if answer is None:
            refused[peer] = VkCallFailed("messages.send", None)
            continue
        error = answer.get("error")
        if not error:
            continue
        code = int(error.get("code", 0))
        refused[peer] = (
            RecipientUnreachable() if code in UNREACHABLE else VkCallFailed("messages.send", code)
        )
    return refused
