"""One size of the bench: the catalog, the queries, every system, the figures."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from bench.search.catalog import CACHE, CatalogInfo, ensure_catalog
from bench.search.machine import ROOT
from bench.search.queries import (
    CROWDED,
    KINDS,
    Query,
    load_sources,
    make_queries,
    record_keys,
)
from bench.search.stats import Answer, Figures, by_kind, figures
from bench.search.systems import Fts5, Naive, PgTrgm, System, timed_prepare

SYSTEMS = ("ours", "naive", "fts5", "pg")
WARMUP = 3
PG_THRESHOLDS = (0.3, 0.2)  # the first wins ties: it is the faster one
Log = Callable[[str], None]


@dataclass(slots=True)
class SystemRun:
    name: str
    build_s: float
    answers: dict[int, Answer]
    figures: list[Figures] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class SizeRun:
    catalog: CatalogInfo
    queries: list[Query]
    runs: list[SystemRun]
    notes: list[str]
    keys: dict[int, tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Options:
    per_kind: int
    naive_sample: int
    systems: Sequence[str]
    pg_url: str | None
    fresh: bool
    seed: int


def sample_indices(queries: Sequence[Query], per_kind: int) -> list[int]:
    """The first `per_kind` queries of each kind (by position: deterministic)."""
    taken: dict[str, int] = {}
    chosen = []
    for i, query in enumerate(queries):
        if taken.get(query.kind, 0) < per_kind:
            taken[query.kind] = taken.get(query.kind, 0) + 1
            chosen.append(i)
    return chosen


async def answer_all(
    system: System, queries: Sequence[Query], indices: Sequence[int]
) -> dict[int, Answer]:
    for i in indices[:WARMUP]:
        await system.search(queries[i].text)
    answers = {}
    for i in indices:
        started = time.perf_counter()
        ids = await system.search(queries[i].text)
        answers[i] = Answer(ids, (time.perf_counter() - started) * 1000)
    return answers


# ours, in fresh processes -----------------------------------------------------------------


def _probe(args: list[str]) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.search.probe", *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"probe failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


async def run_ours(catalog: CatalogInfo, queries: Sequence[Query], log: Log) -> SystemRun:
    db = Path(catalog.path)
    index_dir = CACHE / f"index-{catalog.size}"
    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.mkdir(parents=True)
    log("  ours: building the index in a fresh process …")
    probe_args = ["--db", str(db), "--index-dir", str(index_dir)]
    built = await asyncio.to_thread(_probe, [*probe_args, "--build"])
    queries_file = CACHE / f"queries-{catalog.size}.json"
    queries_file.write_text(json.dumps([q.text for q in queries], ensure_ascii=False), "utf-8")
    log(f"  ours: built in {built['build_s']:.1f} s; answering {len(queries)} queries …")
    served = await asyncio.to_thread(_probe, [*probe_args, "--queries", str(queries_file)])
    answers = {i: Answer(ids, ms) for i, (ids, ms) in enumerate(served.pop("answers"))}
    index_bytes = sum(p.stat().st_size for p in index_dir.iterdir() if p.is_file())
    extra = {
        "index_dir_supported": built["index_dir_supported"],
        "build_peak_rss_kb": built["VmHWM"],
        "index_bytes": index_bytes,
        **{k: v for k, v in served.items() if k not in ("mode", "VmRSS", "VmHWM")},
    }
    return SystemRun("ours", built["build_s"], answers, extra=extra)


# the alternatives, in this process ------------------------------------------------------


async def run_alternative(
    system: System, queries: Sequence[Query], indices: Sequence[int], log: Log
) -> SystemRun:
    log(f"  {system.name}: preparing …")
    build_s = await timed_prepare(system)
    log(f"  {system.name}: prepared in {build_s:.1f} s; answering {len(indices)} queries …")
    try:
        answers = await answer_all(system, queries, indices)
    finally:
        await system.close()
    return SystemRun(system.name, build_s, answers)


async def run_pg(
    url: str, db: Path, queries: Sequence[Query], calibration: Sequence[int], log: Log
) -> SystemRun:
    system = PgTrgm(url, db, PG_THRESHOLDS[0])
    log("  pg_trgm: loading (COPY + GIN index) …")
    build_s = await timed_prepare(system)
    log(f"  pg_trgm: loaded in {build_s:.1f} s; choosing the similarity threshold …")
    try:
        tried = []
        keys_cache: dict[int, tuple[str, str]] = {}
        for threshold in PG_THRESHOLDS:
            await system.set_threshold(threshold)
            answers = await answer_all(system, queries, calibration)
            wanted = {rid for a in answers.values() for rid in a.ids} - keys_cache.keys()
            keys_cache |= record_keys(db, wanted)
            pooled = figures("all", ((queries[i], a) for i, a in answers.items()), keys_cache)
            tried.append(
                {
                    "threshold": threshold,
                    "n": pooled.n,
                    "recall5": pooled.recall5,
                    "p50": pooled.p50,
                    "p95": pooled.p95,
                }
            )
        best = max(tried, key=lambda t: t["recall5"])  # max keeps the first of equals
        await system.set_threshold(best["threshold"])
        log(f"  pg_trgm: threshold {best['threshold']}; answering {len(queries)} queries …")
        answers = await answer_all(system, queries, range(len(queries)))
    finally:
        await system.close()
    extra = {
        "threshold": best["threshold"],
        "calibration": tried,
        "server_version": system.server_version,
    }
    return SystemRun("pg_trgm", build_s, answers, extra=extra)


async def run_size(size: int, options: Options, log: Log) -> SizeRun:
    catalog = await ensure_catalog(size, seed=options.seed, fresh=options.fresh, progress=log)
    db = Path(catalog.path)
    sources = load_sources(db, catalog.sources)
    queries = make_queries(sources, options.per_kind, options.seed)
    every = list(range(len(queries)))
    sample = sample_indices(queries, options.naive_sample)
    notes: list[str] = []
    crowded = sum(s.crowded for s in sources)
    notes.append(
        f"{crowded:,} of {len(sources):,} query sources have a title that {CROWDED}+ books share: "
        "their title queries add the surname, and prefix queries skip them"
    )
    made = {kind: sum(q.kind == kind for q in queries) for kind in KINDS}
    if any(n < options.per_kind for n in made.values()):
        notes.append(f"fewer queries than asked for some kinds: {made}")
    runs: list[SystemRun] = []
    if "ours" in options.systems:
        runs.append(await run_ours(catalog, queries, log))
    if "naive" in options.systems:
        runs.append(await run_alternative(Naive(db), queries, sample, log))
    if "fts5" in options.systems:
        fts = CACHE / f"fts5-{size}.sqlite3"
        runs.append(await run_alternative(Fts5(db, fts), queries, every, log))
    if "pg" in options.systems:
        if options.pg_url:
            try:
                runs.append(await run_pg(options.pg_url, db, queries, sample, log))
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                notes.append(f"pg_trgm skipped: {type(error).__name__}: {error}")
        else:
            notes.append(
                "pg_trgm skipped: no PostgreSQL URL (--pg, BENCH_DATABASE_URL or TEST_DATABASE_URL)"
            )
    returned = {rid for run in runs for a in run.answers.values() for rid in a.ids}
    keys = record_keys(db, returned)
    for run in runs:
        run.figures = by_kind(queries, run.answers, keys)
    return SizeRun(catalog, queries, runs, notes, keys)
