"""The Telegram transport: aiogram's polling or webhook in, the core's replies out.

Updates are handed to the core with their `update_id` (the core stores it, so a redelivered
update changes nothing). An update is acknowledged to Telegram only once it is handled: the
webhook answers 200 after the core has committed and the replies went out (in the request, not
in the background), and long polling asks for the next offset only after the whole batch is
served — so a process killed mid-update gets that update again after its restart. One chat's
updates are served in the order they came; different chats at once.

The transport is also the Telegram outgoing port (messages/port.py): live replies and the
outbox's notices leave through `deliver`, paced under Telegram's ≈30 messages a second (across
the deployment's processes where the root gives a shared pace, bot/pacing.py). Sending
waits out 429 (`retry_after`) and raises `RecipientUnreachable` on 403 (the person blocked the
bot); the core marks the account. The transport never opens a database session: what it needs
besides the replies (the person's command menu) comes with the core's outcome. A failure here is
logged without personal data and never stops the next update from being served. A webhook body
that is not a JSON update is answered 400 and logged without its content.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from functools import partial
from io import BytesIO
from typing import Any, TypeVar
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    BufferedInputFile,
    CallbackQuery,
    Message,
    Update,
)
from aiohttp import web
from pydantic import ValidationError

from bot.lifecycle import Closed, InFlight, KeyedLocks, LruDict
from bot.pacing import ChatSpacing, InMemoryChatSpacing, Pace, Pacing
from bot.pieces import split_text
from bot.telegram.render import CAPTION_LIMIT, TEXT_LIMIT, escape, keyboard
from db.enums import Messenger, Priority
from handlers.dispatcher import Dispatcher as Core
from messages.port import Address, Menu
from messages.safe_log import redacted_traceback
from messages.types import Attachment, Incoming, OutFile, RecipientUnreachable, Reply

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]
MAX_RETRIES = 3
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MENU_MEMORY = 10_000  # chats whose command menu this process remembers
MAX_DOWNLOAD = 20 * 1024 * 1024  # bytes: the most the Bot API lets a bot download
UPLOADS_REMEMBERED = 100  # files whose Telegram file_id this process remembers
MAX_POLL_PAUSE = 30.0  # seconds between getUpdates attempts while Telegram cannot be reached
FOLLOW_UP_PAUSE = 0.2  # seconds between getUpdates while updates are being served
MESSAGES_PER_SECOND = 29  # evenly spaced: no second holds 30 unless a send is 70 ms late
CHAT_INTERVAL = 1.0  # seconds between two notices to one chat (Telegram: about one a second)
T = TypeVar("T")


class TelegramTransport:
    messenger = Messenger.TELEGRAM

    def __init__(
        self,
        core: Core,
        token: str,
        api_base: str,
        pace: Pacing | None = None,
        chat_spacing: ChatSpacing | None = None,
    ) -> None:
        self.core = core
        self.pace = pace or Pace(MESSAGES_PER_SECOND)
        self.chat_spacing = chat_spacing or InMemoryChatSpacing(CHAT_INTERVAL)
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_base))
        self.bot = Bot(
            token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML)
        )
        self.dispatcher = Dispatcher()
        router = Router(name="formulyar")
        router.message()(self.on_message)
        router.callback_query()(self.on_callback)
        self.dispatcher.include_router(router)
        # chat → the name of the menu it has (a chat forgotten here is given its menu again)
        self.menus: LruDict[str, str] = LruDict(MENU_MEMORY)
        # a file's fingerprint → the file_id Telegram gave its first upload
        self.uploaded: LruDict[str, str] = LruDict(UPLOADS_REMEMBERED)
        self.upload_locks: KeyedLocks[str] = KeyedLocks()  # one first upload of a file
        # Updates are served concurrently; one chat's in the order they came.
        self.chat_locks: KeyedLocks[int] = KeyedLocks()
        self._chat_turns: dict[int | None, asyncio.Task[bool]] = {}  # a chat's latest polled
        self.inflight = InFlight()  # webhook requests and polled batches being served
        self._stopping = asyncio.Event()
        self.username: str | None = None

    # Lifecycle ------------------------------------------------------------------------------

    async def prepare(self) -> None:
        """Who we are (for deep links) and the default command menu."""
        me = await self.bot.get_me()
        self.username = me.username
        default = _commands(self.core.registry.menu_for(frozenset()))
        await self._send(lambda: self.bot.set_my_commands(default, scope=BotCommandScopeDefault()))

    async def run_polling(self, polling_timeout: int = 25) -> None:
        """Long polling until `stop_polling`; call `prepare` first.

        Updates are served as they come: each chat's in the order they came, different chats at
        once, and polling goes on while earlier updates are being served, so a librarian's slow
        photo never holds up a student's search. The offset of each getUpdates confirms only
        what is finished: while an update is being served, Telegram is asked from that update
        on (and what is already in hand is skipped), without waiting and at most every
        FOLLOW_UP_PAUSE. So an update Telegram forgets has been handled, and whatever a killed
        process had in hand comes again at its next start. Stopped, what is in hand is finished
        and confirmed.
        """
        await self.bot.delete_webhook(drop_pending_updates=False)
        taken: int | None = None  # the first update id not yet taken
        serving: dict[int, asyncio.Task[bool]] = {}
        refused: set[int] = set()  # taken as the transport stopped: not handled, not confirmed
        asked: int | None = None  # the offset Telegram was last given
        failures = 0
        stop = asyncio.ensure_future(self._stopping.wait())
        try:
            while not self._stopping.is_set():
                if serving:  # do not spin: a moment, or until one of them is done
                    await asyncio.wait(
                        {*serving.values(), stop},
                        timeout=FOLLOW_UP_PAUSE,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                    if self._stopping.is_set():
                        break
                offset = min(serving) if serving else taken
                fetch = asyncio.ensure_future(
                    self.bot.get_updates(
                        offset=offset,
                        timeout=0 if serving else polling_timeout,
                        allowed_updates=ALLOWED_UPDATES,
                        request_timeout=polling_timeout + 30,
                    )
                )
                done, _ = await asyncio.wait({fetch, stop}, return_when=asyncio.FIRST_COMPLETED)
                if fetch not in done:
                    fetch.cancel()
                    with suppress(asyncio.CancelledError, Exception):
                        await fetch
                    break
                try:
                    updates = fetch.result()
                except Exception as error:
                    failures += 1
                    log.error("telegram getUpdates failed: %s", type(error).__name__)
                    with suppress(TimeoutError):
                        pause = min(2.0**failures, MAX_POLL_PAUSE)
                        await asyncio.wait_for(self._stopping.wait(), pause)
                    continue
                failures = 0
                asked = offset
                for update in updates:
                    if taken is not None and update.update_id < taken:
                        continue  # in hand already, or done and confirmed with this request
                    taken = update.update_id + 1
                    task = self._serve_in_turn(update)
                    serving[update.update_id] = task
                    task.add_done_callback(partial(_settled, serving, refused, update.update_id))
            if serving:  # stopping: finish what is in hand (the root's deadline cancels us)
                await asyncio.wait(serving.values())
        finally:
            stop.cancel()
        unfinished = refused | set(serving)
        final = min(unfinished) if unfinished else taken
        if final is not None and final != asked:
            await self._confirm(final)

    def _serve_in_turn(self, update: Update) -> asyncio.Task[bool]:
        """Serve an update after the chat's previous one; True once handled, False if the
        transport was stopping and did not take it."""
        chat = _chat_of(update)
        previous = self._chat_turns.get(chat)

        async def serve() -> bool:
            if previous is not None:
                await asyncio.wait({previous})
            try:
                async with self.inflight.track():
                    await self.handle_update(update)
            except Closed:
                return False
            except Exception as error:
                log.error(
                    "telegram update failed: update=%s\n%s",
                    update.update_id,
                    redacted_traceback(error),
                )
            return True

        task = asyncio.create_task(serve())
        self._chat_turns[chat] = task

        def forget(done: asyncio.Task[bool]) -> None:
            if self._chat_turns.get(chat) is done:
                del self._chat_turns[chat]

        task.add_done_callback(forget)
        return task

    async def _confirm(self, offset: int | None) -> None:
        """Tell Telegram everything before `offset` is done (getUpdates taking nothing)."""
        with suppress(Exception):
            await self.bot.get_updates(offset=offset, limit=1, timeout=0)

    async def handle_update(self, update: Update) -> None:
        """One update through aiogram's routing into the core; returns once it is handled."""
        await self.dispatcher.feed_update(self.bot, update)

    async def stop_polling(self) -> None:
        self.stop_taking_work()

    def stop_taking_work(self) -> None:
        """No new getUpdates, and new webhook requests are answered 503 (Telegram retries
        them later); what is in hand goes on. `drained` waits for it."""
        self._stopping.set()
        self.inflight.close()

    async def drained(self, timeout: float) -> bool:  # noqa: ASYNC109 (the shutdown deadline)
        return await self.inflight.drained(timeout)

    def webhook_app(self, url: str, secret: str, *, register: bool = True) -> web.Application:
        """An aiohttp app serving Telegram's POSTs at the webhook URL's path.

        A request without the right X-Telegram-Bot-Api-Secret-Token is refused (401), a body
        that is not a JSON update answered 400, and an update answered 200 once handled. With
        `register`, the app calls getMe and setWebhook on start-up; otherwise call
        `register_webhook` once the server listens.
        """
        app = web.Application()
        self.add_webhook_route(app, url, secret)
        if register:

            async def on_startup(_: web.Application) -> None:
                await self.register_webhook(url, secret)

            app.on_startup.append(on_startup)
        return app

    def add_webhook_route(self, app: web.Application, url: str, secret: str) -> None:
        """Telegram's POSTs at the webhook URL's path, on the application's HTTP server."""
        expected = secret.encode()

        async def on_update(request: web.Request) -> web.Response:
            if self.inflight.closed:
                return web.Response(status=503, text="stopping")
            given = request.headers.get(SECRET_HEADER, "").encode()
            if not hmac.compare_digest(given, expected):
                return web.Response(status=401, text="Unauthorized")
            update = await self._read_update(request)
            if update is None:
                return web.Response(status=400, text="not a Telegram update")
            try:
                async with self.inflight.track():
                    await self.handle_update(update)
            except Closed:
                return web.Response(status=503, text="stopping")
            except Exception as error:  # Telegram delivers it again; the core dedupes
                log.error(
                    "telegram update failed: update=%s\n%s",
                    update.update_id,
                    redacted_traceback(error),
                )
                return web.Response(status=500, text="failed")
            return web.json_response({})

        app.router.add_post(urlsplit(url).path or "/", on_update)

    async def register_webhook(self, url: str, secret: str) -> None:
        await self.prepare()
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def _read_update(self, request: web.Request) -> Update | None:
        """The update in the body, or None (logged without what the body held)."""
        try:
            data = json.loads(await request.read())
        except ValueError:  # not JSON, or not UTF-8
            log.warning("telegram webhook: the body is not JSON; answered 400")
            return None
        try:
            return Update.model_validate(data, context={"bot": self.bot})
        except ValidationError as error:
            where = sorted({".".join(map(str, e["loc"]))[:60] for e in error.errors()})[:5]
            log.warning(
                "telegram webhook: the body is not an update (%s); answered 400",
                ", ".join(where) or type(data).__name__,
            )
            return None

    async def close(self) -> None:
        await self.bot.session.close()

    # Incoming -------------------------------------------------------------------------------

    async def on_message(self, message: Message, event_update: Update) -> None:
        if message.from_user is None:
            return
        attachments = await self._attachments(message)
        incoming = Incoming(
            messenger=Messenger.TELEGRAM,
            user_id=str(message.from_user.id),
            chat_id=str(message.chat.id),
            text=message.text or message.caption,
            attachments=attachments,
            update_id=str(event_update.update_id),
        )
        await self._serve(incoming, message.chat.id, None)

    async def on_callback(self, query: CallbackQuery, event_update: Update) -> None:
        message = query.message if isinstance(query.message, Message) else None
        chat_id = message.chat.id if message else query.from_user.id
        incoming = Incoming(
            messenger=Messenger.TELEGRAM,
            user_id=str(query.from_user.id),
            chat_id=str(chat_id),
            button=query.data or "",
            update_id=str(event_update.update_id),
        )
        await self._serve(incoming, chat_id, message, query)

    async def _serve(
        self,
        incoming: Incoming,
        chat_id: int,
        source: Message | None,
        query: CallbackQuery | None = None,
    ) -> None:
        try:
            async with self.chat_locks.hold(chat_id):
                await self._serve_in_order(incoming, chat_id, source, query)
        except RecipientUnreachable:
            await self.core.unreachable(Messenger.TELEGRAM, incoming.user_id)
            log.info("telegram account blocked the bot; marked unreachable")
        except Exception as error:  # never let one update stop the bot
            log.error(
                "telegram delivery failed: update=%s\n%s",
                incoming.update_id,
                redacted_traceback(error),
            )

    async def _serve_in_order(
        self,
        incoming: Incoming,
        chat_id: int,
        source: Message | None,
        query: CallbackQuery | None,
    ) -> None:
        outcome = await self.core.serve(incoming)
        if query is not None:  # always answered: the spinner on the button stops
            notice = next((r.notice for r in outcome.replies if r.notice), None)
            await self._send(partial(query.answer, text=notice[:200] if notice else None))
        address = Address(Messenger.TELEGRAM, str(chat_id))
        pressed = str(source.message_id) if source is not None else None
        for n, reply in enumerate(outcome.replies):
            key = f"update-{incoming.update_id}-{n}"
            await self.deliver(address, reply, key=key, edit=pressed if reply.edit else None)
        if outcome.menu is not None:
            await self.set_menu(address, outcome.menu)

    async def _attachments(self, message: Message) -> tuple[Attachment, ...]:
        """The photo or document downloaded before the core sees the message (a document with
        its name; one over the Bot API's download limit is left out)."""
        file_id, kind, name = None, "photo", None
        if message.photo:
            file_id = message.photo[-1].file_id  # the largest size
        elif message.document and (message.document.file_size or 0) <= MAX_DOWNLOAD:
            file_id, kind = message.document.file_id, "document"
            name = message.document.file_name
        if file_id is None:
            return ()

        buffer = await self.bot.download(file_id, destination=BytesIO())
        data = buffer.getvalue() if buffer else b""
        return (Attachment(kind, data, name),)  # type: ignore[arg-type]

    # Outgoing: the Telegram port ---------------------------------------------------------

    async def deliver(
        self,
        address: Address,
        reply: Reply,
        *,
        key: str | None = None,
        edit: str | None = None,
        priority: Priority = Priority.REPLY,
    ) -> None:
        """A reply or a notice: its text in pieces within Telegram's limit, the buttons under
        the last piece, then its files. With `edit`, the message of that id is replaced where
        Telegram can. Telegram has no idempotent send, so `key` is not used. A notice or a
        broadcast (`priority` below a reply's) keeps Telegram's one message a second per chat."""
        chat_id = int(address.chat_id)
        markup = keyboard(reply.buttons)
        pieces = split_text(reply.text, TEXT_LIMIT)
        if edit is not None and len(pieces) == 1:
            if await self._edit(chat_id, edit, pieces[0], markup):
                pieces = []
        for n, piece in enumerate(pieces):
            last = n == len(pieces) - 1
            send = partial(
                self.bot.send_message, chat_id, escape(piece), reply_markup=markup if last else None
            )
            await self._send(send, address.chat_id, priority)
        for file in reply.files:
            await self._send_file(chat_id, file, priority)

    async def _send_file(self, chat_id: int, file: OutFile, priority: Priority) -> None:
        """A photo or a document; the same bytes sent again (a broadcast's poster to 600
        readers) go by the file_id Telegram gave the first upload, not uploaded each time."""
        caption = escape(file.caption[:CAPTION_LIMIT]) if file.caption else None
        method = self.bot.send_photo if file.kind == "photo" else self.bot.send_document
        fingerprint = _fingerprint(file)
        known = self.uploaded.get(fingerprint)
        if known is None:  # the first upload: deliveries side by side wait for its file_id
            async with self.upload_locks.hold(fingerprint):
                known = self.uploaded.get(fingerprint)
                if known is None:
                    upload = BufferedInputFile(file.data, file.name)
                    sent = await self._send(
                        partial(method, chat_id, upload, caption=caption), str(chat_id), priority
                    )
                    file_id = _file_id(sent)
                    if file_id is not None:
                        self.uploaded[fingerprint] = file_id
                    return
        await self._send(partial(method, chat_id, known, caption=caption), str(chat_id), priority)

    def deep_link(self, payload: str) -> str | None:
        """t.me/<bot>?start=<payload>; None until `prepare` has learnt the bot's name."""
        return f"https://t.me/{self.username}?start={payload}" if self.username else None

    async def set_menu(self, address: Address, menu: Menu) -> None:
        """The person's command menu in their own chat, unless the chat already has it (the
        default menu, a reader's, is set for everyone by `prepare`)."""
        previous = self.menus.get(address.chat_id)
        self.menus[address.chat_id] = menu.name
        default = self.core.registry.menu_for(frozenset()).name
        if menu.name == previous or (previous is None and menu.name == default):
            return
        scope = BotCommandScopeChat(chat_id=int(address.chat_id))
        try:
            await self._send(partial(self.bot.set_my_commands, _commands(menu), scope=scope))
        except RecipientUnreachable:
            return

    async def _edit(self, chat_id: int, message_id: str, text: str, markup: Any) -> bool:
        """Replace the message whose button was pressed; False where Telegram cannot (too old,
        not ours), so the reply goes out as a new message instead."""
        try:
            await self._send(
                lambda: self.bot.edit_message_text(
                    escape(text), chat_id=chat_id, message_id=int(message_id), reply_markup=markup
                )
            )
        except TelegramBadRequest as error:
            return "message is not modified" in str(error)
        return True

    async def _send(
        self,
        call: Callable[[], Awaitable[T]],
        chat: str | None = None,
        priority: Priority = Priority.REPLY,
    ) -> T:
        """One Bot API call: a 429 pauses the pace for its retry_after (the next `wait` waits it
        out, in every process sharing the pace) up to MAX_RETRIES times; a 403 means the person
        blocked the bot. A notice to `chat` first waits for the chat's own turn."""
        for attempt in range(MAX_RETRIES + 1):
            if chat is not None and priority > Priority.REPLY:
                await self.chat_spacing.wait(chat)
            await self.pace.wait(priority)
            try:
                return await call()
            except TelegramRetryAfter as flood:
                if attempt == MAX_RETRIES:
                    raise
                await self.pace.pause(flood.retry_after)  # every sender waits, not only this one
            except TelegramForbiddenError as forbidden:
                raise RecipientUnreachable() from forbidden
        raise AssertionError("unreachable")


def _fingerprint(file: OutFile) -> str:
    return f"{file.kind}:{hashlib.sha256(file.data).hexdigest()}"


def _file_id(sent: object) -> str | None:
    """The file_id of what a sendPhoto / sendDocument put in the chat (the largest size)."""
    if not isinstance(sent, Message):
        return None
    if sent.photo:
        return sent.photo[-1].file_id
    if sent.document is not None:
        return sent.document.file_id
    return None


def _chat_of(update: Update) -> int | None:
    if update.message is not None:
        return update.message.chat.id
    if update.callback_query is not None:
        message = update.callback_query.message
        return message.chat.id if message is not None else update.callback_query.from_user.id
    return None


def _commands(menu: Menu) -> list[BotCommand]:
    return [BotCommand(command=name, description=about) for name, about in menu.commands]


def _settled(
    serving: dict[int, asyncio.Task[bool]],
    refused: set[int],
    update_id: int,
    task: asyncio.Task[bool],
) -> None:
    """A polled update is no longer in hand: handled, or refused as the transport stopped."""
    serving.pop(update_id, None)
    if task.cancelled() or not task.result():
        refused.add(update_id)
