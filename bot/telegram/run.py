"""`python -m bot` with a Telegram token: long polling, or a webhook server when
TELEGRAM_WEBHOOK_URL is set (which then needs TELEGRAM_WEBHOOK_SECRET).

SIGTERM and SIGINT stop it gracefully (bot.lifecycle): polling asks for no new updates and the
webhook answers 503 (Telegram delivers again later), what is in hand is finished within the
deadline, and then the bot session and the database are closed.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from contextlib import suppress

from aiohttp import web

from bot.app import App
from bot.lifecycle import Shutdown
from bot.telegram.transport import TelegramTransport
from db.enums import Messenger
from jobs.scheduler import build_scheduler
from messages import texts
from messages.i18n import say

log = logging.getLogger(__name__)


def transport_for(app: App) -> TelegramTransport:
    token = app.settings.telegram_bot_token
    assert token is not None
    telegram = TelegramTransport(
        app.dispatcher, token.get_secret_value(), app.settings.telegram_api_base
    )
    app.services.links[Messenger.TELEGRAM] = telegram.deep_link
    return telegram


async def run_telegram(app: App, shutdown: Shutdown | None = None) -> int:
    settings = app.settings
    shutdown = shutdown or Shutdown()
    shutdown.install()
    telegram = transport_for(app)
    scheduler = build_scheduler(app.db, {Messenger.TELEGRAM: telegram}, app.services.clock)
    scheduler.start()
    try:
        if not settings.telegram_webhook_url:
            await telegram.prepare()
            print(say(texts.CLI_TELEGRAM_POLLING, username=telegram.username), file=sys.stderr)
            await _poll_until_stopped(telegram, shutdown)
            return 0
        secret = settings.telegram_webhook_secret
        if secret is None or not secret.get_secret_value():
            print(texts.CLI_WEBHOOK_NEEDS_SECRET, file=sys.stderr)
            return 2
        url = settings.telegram_webhook_url
        server = web.AppRunner(
            telegram.webhook_app(url, secret.get_secret_value(), register=False),
            shutdown_timeout=1.0,
        )
        await server.setup()
        try:
            site = web.TCPSite(server, settings.webhook_listen_host, settings.webhook_listen_port)
            await site.start()
            await telegram.register_webhook(url, secret.get_secret_value())  # now listening
            print(
                say(
                    texts.CLI_TELEGRAM_WEBHOOK,
                    username=telegram.username,
                    host=settings.webhook_listen_host,
                    port=settings.webhook_listen_port,
                ),
                file=sys.stderr,
            )
            await shutdown.wait()
            telegram.stop_taking_work()  # new requests: 503
            if not await telegram.drained(shutdown.deadline):
                log.error("stopping: the deadline passed with updates in hand (delivered again)")
        finally:
            await server.cleanup()  # closes the listener
        return 0
    finally:
        shutdown.uninstall()
        scheduler.shutdown(wait=False)
        await telegram.close()


async def _poll_until_stopped(telegram: TelegramTransport, shutdown: Shutdown) -> None:
    polling = asyncio.ensure_future(telegram.run_polling())
    stop = asyncio.ensure_future(shutdown.wait())
    try:
        await asyncio.wait({polling, stop}, return_when=asyncio.FIRST_COMPLETED)
        if polling.done():
            polling.result()  # polling ended on its own: an error to report
            return
        await telegram.stop_polling()  # no new getUpdates; the batch in hand goes on
        done, _ = await asyncio.wait({polling}, timeout=shutdown.deadline)
        if not done:
            log.error("stopping: the deadline passed with updates in hand (delivered again)")
    finally:
        stop.cancel()
        if not polling.done():
            polling.cancel()
        with suppress(asyncio.CancelledError, Exception):
            await polling
