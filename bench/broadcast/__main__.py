"""The broadcast bench (issue 14, «Benchmark»).

    python -m bench.broadcast                 # 10,000 notices, one sending process
    python -m bench.broadcast --size 1000 --kill
    python -m bench.broadcast --size 2000 --pg postgresql+asyncpg://postgres@127.0.0.1:5432/
    python -m bench.broadcast --vk            # one broadcast to 10,000 VK people
    python -m bench.broadcast --max           # one broadcast to 10,000 MAX people

Queues one outbox notice to each of N people with a Telegram account in a fresh database and
delivers them with jobs.outbox.deliver_due through the real Telegram transport, built as
`python -m bot` builds it, to the local fake Bot API (tests/support/fake_telegram) keeping
Telegram's rates: 30 messages a second overall, 1 a second per chat, 429 with retry_after
beyond. Meanwhile a live reply goes out every 0.5 s through a transport's `deliver` and is
timed. Prints the effective rate, the busiest second, the 429s met, duplicates, losses and the
live replies' delay beside the issue's goals.

- --kill: the sending runs in its own process (python -m bench.broadcast.sender), is killed
  with SIGKILL once half the notices have reached their chats (at a moment it has sends in
  flight), and is started again; the duplicates are held against the deliveries that were in
  flight at the kill.
- --pg URL: the database is PostgreSQL (a database of its own on that server, made afresh),
  and two sending processes deliver the same notices at once; their Telegram pace is shared
  through the database. Each one's tally is printed.
- --vk: one broadcast (db.broadcasts.start_broadcast) to N people with a VK account, through
  the real VK transport to the fake VK API; prints the API calls it took (bench/broadcast/vk.py).
- --max: the same broadcast to N people with a MAX account, through the real MAX transport to
  the fake MAX API (30 requests a second, 429 beyond); prints the requests a second it kept
  beside that limit, and the time at best, N / 30 s (bench/broadcast/max.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.broadcast.arrivals import Arrivals
from bench.broadcast.max import run_max
from bench.broadcast.people import FIRST_CHAT, chat_of, in_flight, pending, prepare
from bench.broadcast.postgres import DEFAULT_NAME, drop_database, fresh_database
from bench.broadcast.probe import probe, probe_chats
from bench.broadcast.report import (
    MAX_LIMIT,
    Figures,
    busiest_second,
    count,
    lines,
    max_lines,
    vk_lines,
)
from bench.broadcast.sender import send_all, tally, transport_for
from bench.broadcast.vk import run_vk
from bench.search.machine import git_commit
from db.engine import Database
from db.enums import Messenger
from tests.support.fake_http import Call
from tests.support.fake_telegram import FakeTelegram

POLL = 0.1  # seconds between looks at the sending subprocesses
SENDERS = 2  # dispatcher processes of the --pg run


class TimedTelegram(Arrivals, FakeTelegram):
    """The fake Bot API, noting when each call came (monotonic seconds)."""

    def sends(self) -> list[tuple[float, Call]]:
        """The sends that came, accepted or answered 429: notices and live replies alike count
        towards the limit."""
        return self.arrivals("sendMessage")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.broadcast",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--size", type=int, default=10_000, help="notices (people) (10000)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--kill", action="store_true", help="send in a subprocess, SIGKILL it halfway, restart"
    )
    mode.add_argument(
        "--pg", metavar="URL", help="two sending processes on PostgreSQL at this server"
    )
    mode.add_argument("--vk", action="store_true", help="one broadcast to VK people")
    mode.add_argument("--max", action="store_true", help="one broadcast to MAX people")
    parser.add_argument(
        "--pg-database",
        default=DEFAULT_NAME,
        help=f"the database --pg drops and creates, named bench_… ({DEFAULT_NAME})",
    )
    return parser.parse_args(argv)


def _delivered(tg: FakeTelegram) -> int:
    """Notices the fake accepted (the live replies go to other chats)."""
    return sum(
        call.status == 200 and call.params.get("chat_id", 0) >= FIRST_CHAT
        for call in tg.calls_to("sendMessage")
    )


@dataclass
class Sender:
    """One `python -m bench.broadcast.sender` process."""

    process: asyncio.subprocess.Process

    @classmethod
    async def start(cls, url: str, tg: FakeTelegram) -> Sender:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.broadcast.sender",
            *("--db", url, "--api", tg.base_url, "--token", tg.token),
            env={**os.environ, "PYTHONPATH": str(Path.cwd())},
            stdout=asyncio.subprocess.PIPE,
        )
        return cls(process)

    async def finish(self) -> str:
        """Its tally once it has exited («exit N, no tally» if it printed none)."""
        out, _ = await self.process.communicate()
        printed = out.decode(errors="replace").strip().splitlines()
        return printed[-1] if printed else f"exit {self.process.returncode}, no tally"


async def _send_killed(db: Database, url: str, tg: FakeTelegram, size: int) -> tuple[int, str]:
    """Send in a subprocess, SIGKILL it once half the notices are out and it has sends in
    flight (not between two batches, when it has none), restart it; the deliveries in flight
    at the kill, and the restarted sender's tally."""
    first = await Sender.start(url, tg)
    while _delivered(tg) < size // 2 or not await in_flight(db):
        try:
            await asyncio.wait_for(first.process.wait(), POLL)
            break  # it finished before half were out (a tiny size)
        except TimeoutError:
            continue
    if first.process.returncode is None:
        first.process.send_signal(signal.SIGKILL)
    await first.finish()
    flying = await in_flight(db)
    print(f"killed the sender after {_delivered(tg)} messages; {flying} deliveries in flight")
    second = await Sender.start(url, tg)
    return flying, await second.finish()


async def _send_twice(url: str, tg: FakeTelegram) -> tuple[str, ...]:
    """SENDERS processes on one database at once; each one's tally."""
    senders = [await Sender.start(url, tg) for _ in range(SENDERS)]
    return tuple([await sender.finish() for sender in senders])


def _first_notice(tg: TimedTelegram, started: float) -> float | None:
    for moment, call in tg.sends():
        if call.status == 200 and call.params.get("chat_id", 0) >= FIRST_CHAT:
            return moment - started
    return None


async def run(size: int, mode: str, url: str) -> Figures:
    """One Telegram run over the database at `url` (migrated and filled here)."""
    db = Database(url)
    await prepare(db, size)
    async with TimedTelegram(strict=False, rate_limits=True) as tg:
        for chat in [*map(chat_of, range(size)), *probe_chats()]:
            tg.user(chat)
        transport = transport_for(db, tg.base_url, tg.token)
        stop, delays = asyncio.Event(), []
        live = asyncio.create_task(probe(transport, stop, delays))
        started = time.monotonic()
        flying, senders = None, ()
        if mode == "kill":
            flying, restarted = await _send_killed(db, url, tg, size)
            senders = ("killed", restarted)
        elif mode == "pg":
            senders = await _send_twice(url, tg)
        else:
            senders = (tally(await send_all(db, {Messenger.TELEGRAM: transport})),)
        seconds = time.monotonic() - started
        stop.set()
        await live
        left = await pending(db)
        if left:
            print(f"{left} notices still pending")
        await transport.close()
        duplicates, lost = count(tg, size)
        figures = Figures(
            size,
            seconds,
            tg.rates.refused if tg.rates else 0,
            duplicates,
            lost,
            delays,
            flying,
            len(tg.violations),
            peak=busiest_second([moment for moment, _ in tg.sends()]),
            first=_first_notice(tg, started),
            senders=senders if len(senders) > 1 else (),
        )
    await db.dispose()
    return figures


async def run_pg(size: int, server: str, name: str) -> Figures:
    url = await fresh_database(server, name)
    try:
        return await run(size, "pg", url)
    finally:
        await drop_database(server, name)


def _headline(args: argparse.Namespace) -> str:
    if args.vk:
        return (
            f"people: {args.size} · one broadcast · VK · SQLite · "
            "fake VK API at 20 requests/s, peer_ids up to 100"
        )
    if args.max:
        return (
            f"people: {args.size} · one broadcast · MAX · SQLite · "
            f"fake MAX API at {MAX_LIMIT} requests/s"
        )
    if args.pg:
        where = f"PostgreSQL ({args.pg_database})"
        mode = f"{SENDERS} sending processes"
    else:
        where = "SQLite"
        mode = "SIGKILL halfway and restart" if args.kill else "one sending process"
    return f"notices: {args.size} · {mode} · {where} · fake Bot API at 30/s overall, 1/s per chat"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"Формуляр · broadcast bench · commit {git_commit()} · {now}")
    print(_headline(args), flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-broadcast-") as folder:
        sqlite = f"sqlite+aiosqlite:///{Path(folder) / 'broadcast.sqlite3'}"
        if args.vk:
            printed = vk_lines(asyncio.run(run_vk(args.size, Path(folder))))
        elif args.max:
            printed = max_lines(asyncio.run(run_max(args.size, Path(folder))))
        elif args.pg:
            printed = lines(asyncio.run(run_pg(args.size, args.pg, args.pg_database)))
        else:
            printed = lines(asyncio.run(run(args.size, "kill" if args.kill else "", sqlite)))
    print("\n".join(printed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
