"""The sending side: jobs.outbox.deliver_due with the real transports, built as `python -m bot`
builds them, until no notice is pending. Run in the bench's process, or on its own (the --kill
and --pg runs, so it can be killed, or run twice)::

    python -m bench.broadcast.sender --db sqlite+aiosqlite:///x.sqlite3 --api http://… --token T

It prints one line at the end, «sent N skipped N failed N»: what this process settled. With
--wait-for-go it prints «ready» once it has started up and sends nothing until a line comes on
its stdin (the kill test starts the replacement of the process it kills ahead of time).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Mapping

from bench.broadcast.people import pending
from bot.app import App
from bot.config import Settings
from bot.max.run import MaxEdge
from bot.max.transport import MaxTransport
from bot.telegram.run import TelegramEdge
from bot.telegram.transport import TelegramTransport
from bot.vk.run import VkEdge
from bot.vk.transport import VkTransport
from db.clock import utcnow
from db.engine import Database
from db.enums import Messenger
from handlers import build_registry
from handlers.dispatcher import Dispatcher
from handlers.services import Services
from jobs.outbox import Delivery, deliver_due
from messages.port import Port

IDLE = 0.5  # seconds between rounds while the rest waits out a lease or another sender


def _app(db: Database, **settings: object) -> App:
    """The application as the root builds it, over the bench's database and fakes."""
    services = Services(db)
    configured = Settings(_env_file=None, search_index_dir=None, **settings)
    return App(configured, db, services, Dispatcher(build_registry(), services))


def transport_for(db: Database, api_base: str, token: str) -> TelegramTransport:
    """The Telegram transport exactly as `python -m bot` builds it (bot/telegram/run.py): its
    pace from bot.pacing.pace_for — in memory on SQLite, shared through the database's
    rate_slots by every process on PostgreSQL — over `api_base`."""
    app = _app(db, telegram_bot_token=token, telegram_api_base=api_base)
    return TelegramEdge.from_app(app).transport


def vk_transport_for(db: Database, api_base: str, token: str, group_id: int) -> VkTransport:
    """The VK transport exactly as `python -m bot` builds it (bot/vk/run.py), over `api_base`."""
    app = _app(db, vk_group_token=token, vk_group_id=group_id, vk_api_base=api_base)
    return VkEdge.from_app(app).transport


def max_transport_for(db: Database, api_base: str, token: str) -> MaxTransport:
    """The MAX transport exactly as `python -m bot` builds it (bot/max/run.py): MaxClient paced
    at its REQUESTS_PER_SECOND by bot.pacing.pace_for, over `api_base`."""
    app = _app(db, max_bot_token=token, max_api_base=api_base)
    return MaxEdge.from_app(app).transport


async def send_all(db: Database, ports: Mapping[Messenger, Port]) -> Delivery:
    """Deliver until every notice is settled; what this process settled. A round that sent
    nothing waits IDLE (rows leased by a killed sender come due again after the lease; rows
    another sender holds are its to settle)."""
    total = Delivery()
    while await pending(db):
        done = await deliver_due(db, ports, utcnow)
        total += done
        if not done.sent:
            await asyncio.sleep(IDLE)
    return total


def tally(done: Delivery) -> str:
    return f"sent {done.sent} skipped {done.skipped} failed {done.failed}"


async def _main(url: str, api_base: str, token: str) -> Delivery:
    db = Database(url)
    transport = transport_for(db, api_base, token)
    try:
        return await send_all(db, {Messenger.TELEGRAM: transport})
    finally:
        await transport.close()
        await db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.broadcast.sender")
    parser.add_argument("--db", required=True, help="the bench's database URL")
    parser.add_argument("--api", required=True, help="the Bot API base URL")
    parser.add_argument("--token", required=True)
    parser.add_argument(
        "--wait-for-go", action="store_true", help="start up, then wait for a line on stdin"
    )
    args = parser.parse_args(argv)
    if args.wait_for_go:
        print("ready", flush=True)
        sys.stdin.readline()
    done = asyncio.run(_main(args.db, args.api, args.token))
    print(tally(done), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
