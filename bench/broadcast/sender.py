"""The sending side: jobs.outbox.deliver_due with the real Telegram transport until no notice
is pending. Run in the bench's process, or on its own (the --kill run, so it can be killed)::

    python -m bench.broadcast.sender --db sqlite+aiosqlite:///x.sqlite3 --api http://… --token T
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from bench.broadcast.people import pending
from bot.telegram.transport import TelegramTransport
from db.clock import utcnow
from db.engine import Database
from db.enums import Messenger
from handlers import build_registry
from handlers.dispatcher import Dispatcher
from handlers.services import Services
from jobs.outbox import deliver_due

IDLE = 0.5  # seconds between rounds while the rest waits out a lease


def transport_for(db: Database, api_base: str, token: str) -> TelegramTransport:
    """The transport as the bot builds it (its own pace), over `api_base`."""
    return TelegramTransport(Dispatcher(build_registry(), Services(db)), token, api_base)


async def send_all(db: Database, transport: TelegramTransport) -> None:
    """Deliver until every notice is settled; a round that sent nothing waits IDLE (rows
    leased by a killed sender come due again after the lease)."""
    ports = {Messenger.TELEGRAM: transport}
    while await pending(db):
        done = await deliver_due(db, ports, utcnow)
        if not done.sent:
            await asyncio.sleep(IDLE)


async def _main(url: str, api_base: str, token: str) -> None:
    db = Database(url)
    transport = transport_for(db, api_base, token)
    try:
        await send_all(db, transport)
    finally:
        await transport.close()
        await db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.broadcast.sender")
    parser.add_argument("--db", required=True, help="the bench's database URL")
    parser.add_argument("--api", required=True, help="the Bot API base URL")
    parser.add_argument("--token", required=True)
    args = parser.parse_args(argv)
    asyncio.run(_main(args.db, args.api, args.token))
    return 0


if __name__ == "__main__":
    sys.exit(main())
