"""The catalog search bench.

    python -m bench.search --size 100000
    python -m bench.search --sizes 10000,100000,1000000 --systems naive,fts5,pg --json out.json

Generates (or reuses) a catalog per size under bench/.cache, makes queries of eight kinds from
its records, and measures the project's engine against rapidfuzz, SQLite FTS5 and pg_trgm.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.search.catalog import DEFAULT_SEED
from bench.search.keyboard import LAYOUT_SOURCE
from bench.search.machine import git_commit, machine
from bench.search.report import curve, size_section
from bench.search.runner import SYSTEMS, Options, SizeRun, run_size
from bench.search.translit import TRANSLIT_SOURCE


def _sizes(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.search",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--size", type=int, help="records in the catalog (default 10000)")
    group.add_argument("--sizes", type=_sizes, help="several sizes, e.g. 10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=300, help="queries per kind (300)")
    parser.add_argument(
        "--naive-sample", type=int, default=30, help="queries per kind for the naive scan (30)"
    )
    parser.add_argument(
        "--pg",
        default=os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL"),
        help="PostgreSQL URL for pg_trgm (default: $BENCH_DATABASE_URL or $TEST_DATABASE_URL)",
    )
    parser.add_argument(
        "--systems", default=",".join(SYSTEMS), help=f"a subset of {','.join(SYSTEMS)}"
    )
    parser.add_argument("--fresh", action="store_true", help="rebuild cached catalogs")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="write every figure to this JSON file")
    args = parser.parse_args(argv)
    args.size_list = args.sizes or [args.size or 10_000]
    args.system_list = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = set(args.system_list) - set(SYSTEMS)
    if unknown:
        parser.error(f"unknown systems: {', '.join(sorted(unknown))} (known: {', '.join(SYSTEMS)})")
    return args


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def header(args: argparse.Namespace) -> tuple[list[str], dict[str, Any]]:
    info = machine()
    commit = git_commit()
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Формуляр · catalog search bench · commit {commit} · {now}",
        f"machine: {info['cores']} cores · {info['cpu']} · {info['memory_gib']} GiB RAM · "
        f"{info['os']} · Python {info['python']} · SQLite {info['sqlite']} · "
        f"rapidfuzz {info['rapidfuzz']} · numpy {info['numpy']}",
        f"queries: {args.queries} per kind (naive: {args.naive_sample} per kind) · seed "
        f"{args.seed} · layout: {LAYOUT_SOURCE} · translit: {TRANSLIT_SOURCE} · "
        f"systems: {','.join(args.system_list)}",
    ]
    data = {
        "commit": commit,
        "when": now,
        "machine": info,
        "queries_per_kind": args.queries,
        "naive_sample": args.naive_sample,
        "seed": args.seed,
        "layout": LAYOUT_SOURCE,
        "translit": TRANSLIT_SOURCE,
        "systems": args.system_list,
    }
    return lines, data


def _clean(value: Any) -> Any:
    """JSON without NaN."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


async def main(args: argparse.Namespace) -> int:
    lines, data = header(args)
    print("\n".join(lines), flush=True)
    options = Options(
        per_kind=args.queries,
        naive_sample=args.naive_sample,
        systems=args.system_list,
        pg_url=args.pg,
        fresh=args.fresh,
        seed=args.seed,
    )
    runs: list[SizeRun] = []
    sections = []
    for size in args.size_list:
        log(f"size {size:,}:")
        run = await run_size(size, options, log)
        runs.append(run)
        text, figures = size_section(run)
        sections.append(figures)
        print("\n" + "\n".join(text), flush=True)
    if len(runs) > 1:
        print("\n" + "\n".join(curve(runs)), flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        document = _clean({"header": data, "sizes": sections})
        args.json.write_text(json.dumps(document, ensure_ascii=False, indent=1), "utf-8")
        log(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
