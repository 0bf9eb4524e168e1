"""The live-reply probe: while the broadcast goes, a reply to a person every PERIOD through a
transport's `deliver` (the way the core answers a message), timed from the call to Telegram's
answer. The replies rotate over PROBE_CHATS chats so that Telegram's 1-a-second-per-chat limit
is not what they meet."""

from __future__ import annotations

import asyncio
import time

from bot.telegram.transport import TelegramTransport
from db.enums import Messenger
from messages.port import Address
from messages.types import Reply

PERIOD = 0.5  # seconds between live replies
PROBE_CHATS = 10
FIRST_PROBE_CHAT = 900_000


def probe_chats() -> list[int]:
    return [FIRST_PROBE_CHAT + n for n in range(PROBE_CHATS)]


async def probe(transport: TelegramTransport, stop: asyncio.Event, delays: list[float]) -> None:
    """Send a live reply every PERIOD until `stop`; each one's seconds go to `delays`."""
    chats = probe_chats()
    n = 0
    while not stop.is_set():
        address = Address(Messenger.TELEGRAM, str(chats[n % len(chats)]))
        started = time.monotonic()
        await transport.deliver(address, Reply(f"Ответ №{n}: «Ревизор» на полке, 2 экз."))
        delays.append(time.monotonic() - started)
        n += 1
        try:
            await asyncio.wait_for(stop.wait(), max(0.0, PERIOD - delays[-1]))
        except TimeoutError:
            pass
