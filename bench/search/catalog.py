"""Generated catalogs in SQLite, built through the project's own schema and cached on disk.

A catalog is `bench/.cache/catalog-<size>-s<seed>-v<version>.sqlite3`, with a JSON sidecar
that says how it was made (and which records the queries come from). The sidecar is written
last, so a catalog without one is incomplete and is built again.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import insert

from bench.search.records import CatalogGenerator, libraries
from db import migrate
from db.engine import Database
from db.models import Item, Library, Network, Record, RecordIsbn

GENERATOR_VERSION = 1
DEFAULT_SEED = 20261122
CHUNK = 20_000
CACHE = Path(__file__).resolve().parents[1] / ".cache"

GENERATOR_MODULES = ("vocab", "morph", "titles", "isbns", "records", "catalog")

Progress = Callable[[str], None]


def generator_fingerprint() -> str:
    """A digest of the generator's source: a cached catalog from other code is made again."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in GENERATOR_MODULES:
        digest.update((here / f"{name}.py").read_bytes())
    return digest.hexdigest()[:16]


@dataclass(slots=True)
class CatalogInfo:
    path: str
    size: int
    seed: int
    version: int
    fingerprint: str
    records: int
    items: int
    libraries: int
    isbns: int
    isbn10_derived: int
    latin: int
    textbooks: int
    real_titles: int
    reused_titles: int
    generated_seconds: float
    file_bytes: int
    sources: list[int] = field(repr=False)
    cached: bool = False

    def summary(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("sources")
        data["sources"] = len(self.sources)
        return data


def catalog_path(size: int, seed: int = DEFAULT_SEED, cache: Path = CACHE) -> Path:
    return cache / f"catalog-{size}-s{seed}-v{GENERATOR_VERSION}.sqlite3"


def _sidecar(path: Path) -> Path:
    return path.with_suffix(".json")


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _file_bytes(path: Path) -> int:
    return path.stat().st_size


def _write_sidecar(path: Path, info: CatalogInfo) -> None:
    _sidecar(path).write_text(json.dumps(asdict(info)), encoding="utf-8")


def _prepare_file(path: Path) -> None:
    _remove(path)
    _sidecar(path).unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)


def load_info(path: Path) -> CatalogInfo | None:
    sidecar = _sidecar(path)
    if not path.exists() or not sidecar.exists():
        return None
    data = json.loads(sidecar.read_text(encoding="utf-8"))
    if data.get("version") != GENERATOR_VERSION:
        return None
    if data.get("fingerprint") != generator_fingerprint():
        return None
    return CatalogInfo(**data)


async def write_catalog(path: Path, size: int, seed: int, progress: Progress) -> CatalogInfo:
    """Generate `size` records into a new SQLite file at `path` (replacing it)."""
    _prepare_file(path)
    started = time.perf_counter()
    db = Database(f"sqlite+aiosqlite:///{path}")
    generator = CatalogGenerator(size, seed)
    sources: list[int] = []
    try:
        await migrate.upgrade(db)
        async with db.transaction() as session:
            await session.execute(
                insert(Network.__table__), [{"id": 1, "name": "Школьные библиотеки (бенчмарк)"}]
            )
            await session.execute(insert(Library.__table__), libraries())
        for chunk in generator.chunks(CHUNK):
            async with db.transaction() as session:
                await session.execute(insert(Record.__table__), chunk.records)
                if chunk.isbns:
                    await session.execute(insert(RecordIsbn.__table__), chunk.isbns)
                await session.execute(insert(Item.__table__), chunk.items)
            sources.extend(chunk.sources)
            done = generator.totals.records
            if done % (CHUNK * 10) == 0 or done == size:
                progress(f"  {done:,} records ({time.perf_counter() - started:.0f} s)")
    finally:
        await db.dispose()  # the last connection checkpoints the WAL into the file
    totals = generator.totals
    info = CatalogInfo(
        path=str(path),
        size=size,
        seed=seed,
        version=GENERATOR_VERSION,
        fingerprint=generator_fingerprint(),
        records=totals.records,
        items=totals.items,
        libraries=len(libraries()),
        isbns=totals.isbns,
        isbn10_derived=totals.isbn10_derived,
        latin=totals.latin,
        textbooks=totals.textbooks,
        real_titles=totals.real_titles,
        reused_titles=totals.reused_titles,
        generated_seconds=round(time.perf_counter() - started, 2),
        file_bytes=_file_bytes(path),
        sources=sources,
    )
    _write_sidecar(path, info)
    return info


async def _upgrade_schema(path: Path, progress: Progress) -> None:
    """Bring a cached catalog to the project's current schema (a no-op when it is there)."""
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        if not await migrate.is_up_to_date(db):
            progress(f"upgrading the schema of {path.name} …")
            await migrate.upgrade(db)
    finally:
        await db.dispose()


async def ensure_catalog(
    size: int,
    *,
    seed: int = DEFAULT_SEED,
    cache: Path = CACHE,
    fresh: bool = False,
    progress: Progress = print,
) -> CatalogInfo:
    """The cached catalog of this size and seed, generated first if absent (or `fresh`)."""
    path = catalog_path(size, seed, cache)
    info = None if fresh else load_info(path)
    if info is not None:
        info.cached = True
        await _upgrade_schema(path, progress)
        return info
    progress(f"generating a catalog of {size:,} records into {path} …")
    return await write_catalog(path, size, seed, progress)
