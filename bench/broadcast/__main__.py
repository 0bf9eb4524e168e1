"""The broadcast bench (issue 14, «Benchmark»).

    python -m bench.broadcast                 # 10,000 notices, one sending process
    python -m bench.broadcast --size 1000 --kill

Queues one outbox notice to each of N people with a Telegram account in a fresh SQLite
database and delivers them with jobs.outbox.deliver_due through the real Telegram transport, to
the local fake Bot API (tests/support/fake_telegram) keeping Telegram's rates: 30 messages a
second overall, 1 a second per chat, 429 with retry_after beyond. Meanwhile a live reply goes out
every 0.5 s through a transport's `deliver` and is timed. Prints the effective rate, the 429s met,
duplicates, losses and the live replies' delay beside the issue's goals.

With --kill the sending runs in its own process (python -m bench.broadcast.sender), is killed
with SIGKILL once half the notices have reached their chats, and is started again; the duplicates
are then held against the deliveries that were in flight at the kill. The live replies then go
through a transport in the bench's own process (its own pace). Not measured yet: two
dispatchers on PostgreSQL, VK.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.broadcast.people import FIRST_CHAT, chat_of, in_flight, pending, prepare
from bench.broadcast.probe import probe, probe_chats
from bench.broadcast.report import Figures, count, lines
from bench.broadcast.sender import send_all, transport_for
from bench.search.machine import git_commit
from db.engine import Database
from tests.support.fake_telegram import FakeTelegram

POLL = 0.1  # seconds between looks at the sending subprocess


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.broadcast",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--size", type=int, default=10_000, help="notices to send (10000)")
    parser.add_argument(
        "--kill", action="store_true", help="send in a subprocess, SIGKILL it halfway, restart"
    )
    return parser.parse_args(argv)


def _delivered(tg: FakeTelegram) -> int:
    """Notices the fake accepted (the live replies go to other chats)."""
    return sum(
        call.status == 200 and call.params.get("chat_id", 0) >= FIRST_CHAT
        for call in tg.calls_to("sendMessage")
    )


async def _subprocess(url: str, tg: FakeTelegram) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.broadcast.sender",
        *("--db", url, "--api", tg.base_url, "--token", tg.token),
        env={**os.environ, "PYTHONPATH": str(Path.cwd())},
    )


async def _send_killed(db: Database, url: str, tg: FakeTelegram, size: int) -> int:
    """Send in a subprocess, SIGKILL it once half the notices are out, restart it; the
    deliveries in flight at the kill."""
    first = await _subprocess(url, tg)
    while _delivered(tg) < size // 2:
        try:
            await asyncio.wait_for(first.wait(), POLL)
            break  # it finished before half were out (a tiny size)
        except TimeoutError:
            continue
    if first.returncode is None:
        first.send_signal(signal.SIGKILL)
    await first.wait()
    flying = await in_flight(db)
    print(f"killed the sender after {_delivered(tg)} messages; {flying} deliveries in flight")
    second = await _subprocess(url, tg)
    await second.wait()
    return flying


async def run(size: int, kill: bool, folder: Path) -> Figures:
    url = f"sqlite+aiosqlite:///{folder / 'broadcast.sqlite3'}"
    db = Database(url)
    await prepare(db, size)
    async with FakeTelegram(strict=False, rate_limits=True) as tg:
        for chat in [*map(chat_of, range(size)), *probe_chats()]:
            tg.user(chat)
        transport = transport_for(db, tg.base_url, tg.token)
        stop, delays = asyncio.Event(), []
        live = asyncio.create_task(probe(transport, stop, delays))
        started = time.monotonic()
        flying = None
        if kill:
            flying = await _send_killed(db, url, tg, size)
        else:
            await send_all(db, transport)
        seconds = time.monotonic() - started
        stop.set()
        await live
        left = await pending(db)
        if left:
            print(f"{left} notices still pending")
        await transport.close()
        duplicates, lost = count(tg, size)
        refused = tg.rates.refused if tg.rates else 0
        violations = len(tg.violations)
    await db.dispose()
    return Figures(size, seconds, refused, duplicates, lost, delays, flying, violations)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    mode = "SIGKILL halfway and restart" if args.kill else "one sending process"
    print(f"Формуляр · broadcast bench · commit {git_commit()} · {now}")
    print(f"notices: {args.size} · {mode} · SQLite · fake Bot API at 30/s overall, 1/s per chat")
    with tempfile.TemporaryDirectory(prefix="bench-broadcast-") as folder:
        figures = asyncio.run(run(args.size, args.kill, Path(folder)))
    print("\n".join(lines(figures)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
