"""The Telegram transport: aiogram's polling or webhook in, the core's replies out.

Updates are handed to the core with their `update_id` (the core stores it, so a redelivered
update changes nothing). Sending waits out 429 (`retry_after`) and, on 403 (the person blocked
the bot), marks the account unreachable. A failure here is logged without personal data and
never stops the next update from being served.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
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
    BotCommandScopeChat,
    BotCommandScopeDefault,
    BufferedInputFile,
    CallbackQuery,
    Message,
    Update,
)
from aiohttp import web
from sqlalchemy import select

from bot.telegram.menu import commands, menu_for
from bot.telegram.render import CAPTION_LIMIT, escape, keyboard, split_text
from db.access import load_actor
from db.enums import Messenger
from db.models import Account
from db.people import mark_unreachable
from handlers.core import Attachment, Button, Incoming, RecipientUnreachable, Reply
from handlers.dispatcher import Dispatcher as Core
from handlers.safe_log import redacted_traceback
from handlers.services import Services
from nlu.intents import link_code

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]
MAX_RETRIES = 3
T = TypeVar("T")


class Unreachable(RecipientUnreachable):
    """The person blocked the bot: stop sending to this chat."""


class TelegramTransport:
    def __init__(self, core: Core, services: Services, token: str, api_base: str) -> None:
        self.core = core
        self.services = services
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_base))
        self.bot = Bot(
            token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML)
        )
        self.dispatcher = Dispatcher()
        router = Router(name="formulyar")
        router.message()(self.on_message)
        router.callback_query()(self.on_callback)
        self.dispatcher.include_router(router)
        self.menus: dict[int, str] = {}  # chat → the menu it has, since this process started
        # Updates run as concurrent tasks; one chat's are served in the order they came.
        self.chat_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.username: str | None = None

    # Lifecycle ------------------------------------------------------------------------------

    async def prepare(self) -> None:
        """Who we are (for deep links) and the default command menu."""
        me = await self.bot.get_me()
        self.username = me.username
        if self.username:
            username = self.username
            self.services.deep_link = lambda code: f"https://t.me/{username}?start={code}"
        await self._send(
            lambda: self.bot.set_my_commands(commands("reader"), scope=BotCommandScopeDefault())
        )

    async def run_polling(self, polling_timeout: int = 25) -> None:
        """Long polling until stopped; call `prepare` first."""
        await self.bot.delete_webhook(drop_pending_updates=False)
        await self.dispatcher.start_polling(
            self.bot,
            handle_signals=False,
            close_bot_session=False,
            allowed_updates=ALLOWED_UPDATES,
            polling_timeout=polling_timeout,
        )

    async def stop_polling(self) -> None:
        await self.dispatcher.stop_polling()

    def webhook_app(self, url: str, secret: str) -> web.Application:
        """An aiohttp app serving Telegram's POSTs at the webhook URL's path; a request without
        the right X-Telegram-Bot-Api-Secret-Token is refused by aiogram's handler (401)."""
        from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application

        app = web.Application()
        handler = SimpleRequestHandler(
            dispatcher=self.dispatcher, bot=self.bot, secret_token=secret
        )
        handler.register(app, path=urlsplit(url).path or "/")
        setup_application(app, self.dispatcher, bot=self.bot)

        async def on_startup(_: web.Application) -> None:
            await self.prepare()
            await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

        app.on_startup.append(on_startup)
        return app

    async def close(self) -> None:
        await self.bot.session.close()

    # Incoming -------------------------------------------------------------------------------

    async def on_message(self, message: Message, event_update: Update) -> None:
        if message.from_user is None:
            return
        attachments = self._attachments(message)
        incoming = Incoming(
            messenger=Messenger.TELEGRAM,
            user_id=str(message.from_user.id),
            chat_id=str(message.chat.id),
            text=message.text or message.caption,
            attachments=attachments,
            update_id=str(event_update.update_id),
        )
        await self._serve(incoming, message.chat.id, None)
        text = (message.text or "").strip()
        if (
            message.chat.id not in self.menus
            or text.startswith("/start")
            or link_code(text) is not None
        ):
            await self._update_menu(message.chat.id, str(message.from_user.id))

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
            async with self.chat_locks[chat_id]:
                await self._serve_in_order(incoming, chat_id, source, query)
        except Unreachable:
            await self._mark_unreachable(incoming.user_id)
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
        replies = await self.core.handle(incoming)
        if query is not None:  # always answered: the spinner on the button stops
            notice = next((r.notice for r in replies if r.notice), None)
            await self._send(partial(query.answer, text=notice[:200] if notice else None))
        await self._deliver(chat_id, replies, source)

    def _attachments(self, message: Message) -> tuple[Attachment, ...]:
        file_id = None
        kind = "photo"
        if message.photo:
            file_id = message.photo[-1].file_id  # the largest size
        elif message.document and (message.document.mime_type or "").startswith("image/"):
            file_id, kind = message.document.file_id, "document"
        if file_id is None:
            return ()

        async def fetch(file_id: str = file_id) -> bytes:
            buffer = await self.bot.download(file_id, destination=BytesIO())
            return buffer.getvalue() if buffer else b""

        return (Attachment(kind, fetch),)  # type: ignore[arg-type]

    # Outgoing -------------------------------------------------------------------------------

    async def _deliver(self, chat_id: int, replies: list[Reply], source: Message | None) -> None:
        for reply in replies:
            markup = keyboard(reply.buttons)
            pieces = split_text(reply.text)
            if reply.edit and source is not None and len(pieces) == 1:
                if await self._edit(source, pieces[0], markup):
                    continue
            for n, piece in enumerate(pieces):
                last = n == len(pieces) - 1
                send = partial(
                    self.bot.send_message,
                    chat_id,
                    escape(piece),
                    reply_markup=markup if last else None,
                )
                await self._send(send)
            for file in reply.files:
                upload = BufferedInputFile(file.data, filename=file.name)
                caption = escape(file.caption[:CAPTION_LIMIT]) if file.caption else None
                method = self.bot.send_photo if file.kind == "photo" else self.bot.send_document
                await self._send(partial(method, chat_id, upload, caption=caption))

    async def send_notice(
        self, chat_id: str, text: str, buttons: list[list[Button]] | None = None
    ) -> None:
        """A notice from the outbox (jobs/outbox.py), in pieces if long; its buttons go
        under the last piece."""
        pieces = split_text(text)
        markup = keyboard(buttons or [])
        for n, piece in enumerate(pieces):
            markup_here = markup if n == len(pieces) - 1 else None
            await self._send(
                partial(
                    self.bot.send_message, int(chat_id), escape(piece), reply_markup=markup_here
                )
            )

    async def _edit(self, source: Message, text: str, markup: Any) -> bool:
        """Replace the message whose button was pressed; False where Telegram cannot (too old,
        not ours), so the reply goes out as a new message instead."""
        try:
            await self._send(
                lambda: self.bot.edit_message_text(
                    escape(text),
                    chat_id=source.chat.id,
                    message_id=source.message_id,
                    reply_markup=markup,
                )
            )
        except TelegramBadRequest as error:
            return "message is not modified" in str(error)
        return True

    async def _send(self, call: Callable[[], Awaitable[T]]) -> T:
        """One Bot API call: a 429 is waited out (retry_after) up to MAX_RETRIES times; a 403
        means the person blocked the bot."""
        for attempt in range(MAX_RETRIES + 1):
            try:
                return await call()
            except TelegramRetryAfter as flood:
                if attempt == MAX_RETRIES:
                    raise
                await asyncio.sleep(flood.retry_after)
            except TelegramForbiddenError as forbidden:
                raise Unreachable() from forbidden
        raise AssertionError("unreachable")

    async def _mark_unreachable(self, user_id: str) -> None:
        async with self.services.db.transaction() as session:
            await mark_unreachable(session, Messenger.TELEGRAM, user_id)
        log.info("telegram account blocked the bot; marked unreachable")

    async def _update_menu(self, chat_id: int, user_id: str) -> None:
        """Librarians and parents get their own command menu in their own chat."""
        async with self.services.db.reading() as session:
            account = await session.scalar(
                select(Account).where(
                    Account.messenger == Messenger.TELEGRAM, Account.external_id == user_id
                )
            )
            if account is None:
                return
            actor = await load_actor(session, account.id, account.person_id)
        menu = menu_for(actor.roles)
        previous = self.menus.get(chat_id)
        self.menus[chat_id] = menu
        if menu == previous or (previous is None and menu == "reader"):
            return  # the default menu already is the reader's
        scope = BotCommandScopeChat(chat_id=chat_id)
        try:
            await self._send(partial(self.bot.set_my_commands, commands(menu), scope=scope))
        except Unreachable:
            return
