"""What one hostile message costs: CPU seconds (time.process_time) and peak memory (tracemalloc).

    python -m bench.hostile_input

Part 1 reads one long Latin word back into Cyrillic with the old beam search (kept below for
comparison: it kept a whole partial string per place, so memory grew with the square of the
word) and with `nlu.translit.to_cyrillic_variants` as it is now.

Part 2 sends single messages through the whole core (the dispatcher over the demo network on a
temporary SQLite database), as an unlinked person, and prints the cost of each.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from nlu import translit
from nlu.translit import _AFTER, _lattice, _Partial, _survivors

NOW = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)


def old_ranked(word: str, limit: int = 8) -> tuple[str, ...]:
    """The beam search as it was before words were capped at `translit.MAX_WORD` letters."""
    n = len(word)
    edges, cuts = _lattice(word)
    beams: list[list[_Partial]] = [[] for _ in range(n + 1)]
    beams[0].append((0.0, "", "^"))
    for start in range(n):
        if not beams[start]:
            continue
        alive = _survivors(beams[start], limit)
        cut = cuts[start]
        for length, cyr, cost, after, tail in edges[start]:
            base = cost + cut
            target = beams[start + length]
            for score, text, last in alive:
                target.append((score + base + after.get(last, 0.0), text + cyr, tail))
    closing = _AFTER["$"]
    finished = [(score + closing.get(last, 0.0), text) for score, text, last in beams[n]]
    finished.sort(key=itemgetter(0))
    return tuple(dict.fromkeys(text for _, text in finished))[:limit]


def measure(call: Callable[[], Any], reset: Callable[[], Any]) -> tuple[float, float]:
    """(CPU seconds, peak MB) of a call: timed on its own, then run again under tracemalloc
    (which slows everything down), `reset` run before each."""
    reset()
    started = time.process_time()
    call()
    cpu = time.process_time() - started
    reset()
    tracemalloc.start()
    try:
        call()
        return cpu, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def latin_word(length: int, letters: str = "abcdefghijklmnopqrstuvwxyz") -> str:
    rng = random.Random(length)
    return "".join(rng.choice(letters) for _ in range(length))


def _short_words(seed: int, length: int) -> str:
    """Different four-letter Latin words up to `length` characters: every word a new lookup."""
    rng = random.Random(seed)
    words = ("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(4)) for _ in range(60))
    return " ".join(words)[:length]


def translit_figures() -> None:
    print("Latin word → Cyrillic readings (CPU s, peak MB)")
    for length in (40, 4_096, 12_000):
        for name, letters in (("random", "abcdefghijklmnopqrstuvwxyz"), ("shch/yo/iy", "shcyoi")):
            word = latin_word(length, letters)
            reset = translit._ranked.cache_clear
            before = measure(lambda w=word: old_ranked(w), reset)
            after = measure(lambda w=word: translit.to_cyrillic_variants(w), reset)
            print(
                f"  {length:>6} letters, {name:<10}  before {before[0]:7.3f} s {before[1]:8.1f} MB"
                f"   after {after[0]:7.4f} s {after[1]:6.2f} MB"
            )


def _varied(text: str) -> Callable[[int], str]:
    """The same kind of message, a little different each time (no cache helps the second)."""
    return lambda n: text[:-1] + "abcdefghij"[n]


MESSAGES: dict[str, Callable[[int], str]] = {
    "latin word 4,096": lambda n: latin_word(4_096 + n),
    "latin word 12,000": lambda n: latin_word(12_000 + n),
    "latin word 200": lambda n: latin_word(200 - n),
    "latin word 40": lambda n: latin_word(40 - n),
    "cyrillic word 200": _varied(("абвгдежзиклмнопрстуфхцчшщыэюя" * 7)[:200]),
    "surrogate pairs 20,000": _varied("\ud83d\ude00" * 10_000),
    "words 1,000": _varied(("война и мир " * 100)[:1000]),
    "40 short latin words, 200": lambda n: _short_words(40 + n, 200),
    "emoji 4,096": _varied("😀📚" * 2048),
    "NUL 20,000": _varied("\x00" * 20_000),
    "surrogates 20,000": _varied("\ud800" * 20_000),
    "a usual query": lambda n: ["гарри поттер", "мастер и маргарита"][n],
}


async def dispatcher_figures() -> None:
    from db.clock import use_clock
    from db.demo.seed import seed_demo
    from db.engine import Database
    from db.enums import Messenger
    from db.migrate import upgrade
    from handlers import build_registry
    from handlers.dispatcher import Dispatcher
    from handlers.services import Services
    from messages.types import Incoming

    print("One message through the dispatcher, demo network on SQLite (CPU s, peak MB)")
    with tempfile.TemporaryDirectory() as folder, use_clock(lambda: NOW):
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}")
        try:
            await upgrade(db)
            await seed_demo(db, now=NOW)
            dispatcher = Dispatcher(build_registry(), Services(db=db, clock=lambda: NOW))

            async def send(text: str) -> str:
                replies = await dispatcher.handle(
                    Incoming(Messenger.CONSOLE, "stranger", "stranger", text=text)
                )
                return replies[0].text if replies else ""

            await send("война и мир")  # the search index is built before measuring
            for name, message in MESSAGES.items():
                first, second = message(0), message(1)
                started = time.process_time()
                reply = await send(first)
                cpu = time.process_time() - started
                tracemalloc.start()
                await send(second)  # another, for memory alone: tracemalloc slows it down
                peak = tracemalloc.get_traced_memory()[1] / 2**20
                tracemalloc.stop()
                print(f"  {name:<22} {cpu:7.3f} s {peak:7.2f} MB  → {reply[:50]!r}")
        finally:
            await db.dispose()


def main() -> None:
    translit_figures()
    asyncio.run(dispatcher_figures())


if __name__ == "__main__":
    main()
