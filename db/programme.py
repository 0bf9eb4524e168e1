"""The school reading programme: what each grade reads, and where the catalog has it.

The list is data (db/programme.csv: grade, author, title), written after the federal
programme's literature lists for grades 1–11 (ФОП НОО/ООО/СОО). A work is found in the
catalog by searching its title and the author's surname, and is taken only when the found
record has that very title and that author: «Детство» of Tolstoy is not Gorky's.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from db.catalog import records_by_id
from db.models import Record
from db.search import CatalogSearch
from nlu.normalize import author_surname, normalize

PROGRAMME = Path(__file__).with_suffix(".csv")
GRADES = range(1, 12)
CANDIDATES = 5  # search hits checked for each work


@dataclass(frozen=True, slots=True)
class Work:
    """A work on a grade's list: «Тарас Бульба», Гоголь Н. В."""

    grade: int
    author: str
    title: str


@cache
def programme() -> dict[int, tuple[Work, ...]]:
    """Every grade's list, in the order the programme reads it."""
    works: dict[int, list[Work]] = {grade: [] for grade in GRADES}
    with PROGRAMME.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            work = Work(int(row["grade"]), row["author"].strip(), row["title"].strip())
            works[work.grade].append(work)
    return {grade: tuple(listed) for grade, listed in works.items()}


def works_for(grade: int) -> tuple[Work, ...]:
    return programme().get(grade, ())


async def find_works(
    session: AsyncSession, search: CatalogSearch, works: tuple[Work, ...]
) -> dict[Work, Record]:
    """The catalog record of each work the catalog has (whatever its age mark: the caller
    leaves out what the reader may not see, rather than call it missing)."""
    found: dict[Work, Record] = {}
    for work in works:
        surname = author_surname(work.author)
        hits = await search.search(  # the published catalog only: no school's own works
            session, f"{work.title} {surname}", limit=CANDIDATES, visible=frozenset()
        )
        records = await records_by_id(session, [hit.record_id for hit in hits])
        for hit in hits:
            record = records.get(hit.record_id)
            if (
                record is not None
                and normalize(record.title) == normalize(work.title)
                and any(author_surname(a) == surname for a in record.author_list)
            ):
                found[work] = record
                break
    return found
