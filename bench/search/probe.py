"""The project's engine in a fresh process, measured the way a bot starts and serves.

    python -m bench.search.probe --db CATALOG --index-dir DIR [--build] [--queries FILE]

`--build` builds the index (and saves it to DIR) and reports how long that took and the peak
memory. Without it the probe opens the catalog with the saved index, answers the first query
(time since the process started = time to be ready), then answers every query of FILE (a JSON
list of strings) and reports per-query latency, answers, and memory after them. Prints one JSON
object on stdout.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # before the heavy imports below, which count as start-up

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from bench.search.systems import Ours, supports_index_dir  # noqa: E402


def since_process_start() -> float:
    """Seconds since the kernel started this process (covers interpreter start-up too)."""
    with open("/proc/self/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    start_ticks = int(fields[19])  # field 22 of stat(5); fields[0] is field 3
    with open("/proc/uptime") as handle:
        uptime = float(handle.read().split()[0])
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def memory_kb() -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak) of this process, in kB."""
    found = {}
    with open("/proc/self/status") as handle:
        for line in handle:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0])
    return found


async def build(db: Path, index_dir: Path | None) -> dict[str, Any]:
    ours = Ours(db, index_dir)
    try:
        started = time.perf_counter()
        await ours.prepare()
        seconds = time.perf_counter() - started
    finally:
        await ours.close()
    return {"mode": "build", "build_s": seconds, "documents": len(ours.search_engine.index)}


async def serve(db: Path, index_dir: Path | None, queries: list[str]) -> dict[str, Any]:
    imported = time.perf_counter()
    ours = Ours(db, index_dir)
    try:
        await ours.prepare()
        refreshed = time.perf_counter()
        first = await ours.search(queries[0] if queries else "война и мир")
        answered = time.perf_counter()
        ready = since_process_start()
        after_first = memory_kb()
        answers = []
        for query in queries:
            t0 = time.perf_counter()
            ids = await ours.search(query)
            answers.append((ids, (time.perf_counter() - t0) * 1000))
        steady = memory_kb()
    finally:
        await ours.close()
    return {
        "mode": "serve",
        "ready_s": ready,
        "import_s": imported - STARTED,
        "open_and_load_s": refreshed - imported,
        "first_query_s": answered - refreshed,
        "first_answer": first,
        "rss_after_first_kb": after_first["VmRSS"],
        "hwm_after_first_kb": after_first["VmHWM"],
        "steady_rss_kb": steady["VmRSS"],
        "peak_rss_kb": steady["VmHWM"],
        "documents": len(ours.search_engine.index),
        "answers": answers,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.search.probe")
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--queries", type=Path, help="JSON list of query strings")
    args = parser.parse_args()
    queries = json.loads(args.queries.read_text(encoding="utf-8")) if args.queries else []
    if args.build:
        result = asyncio.run(build(args.db, args.index_dir))
    else:
        result = asyncio.run(serve(args.db, args.index_dir, queries))
    result |= memory_kb()
    result["index_dir_supported"] = supports_index_dir()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
