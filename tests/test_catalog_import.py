"""Importing real catalog exports into the union catalog, on both databases."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from db.catalog_import import SkippedIsbn, import_catalog
from db.engine import Database
from db.importers import IsbnProblem
from db.models import Item, Library, Network, Record, RecordIsbn
from tests.support.shared import shared_path

FILES = {
    "rusmarc-nlr-koi8r.iso": 72,
    "rusmarc-tpu-koi8r.iso": 231,
    "marc21-rkp-cp1251.dat": 6,
}


async def _two_libraries(db: Database) -> None:
    async with db.transaction() as session:
        network = Network(name="Тестовая сеть")
        session.add(network)
        await session.flush()
        for n in (1, 2):
            session.add(
                Library(network_id=network.id, code=f"school-{n}", name=f"Школа {n}",
                        short_name=f"Школа №{n}")
            )  # fmt: skip


async def _count(db: Database, model: type) -> int:
    async with db.reading() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_every_real_file_imports_and_a_second_import_adds_nothing(db: Database) -> None:
    await _two_libraries(db)
    marc = shared_path("data", "marc")
    for name, expected in FILES.items():
        report = await import_catalog(db, marc / name, "school-1")
        assert report.read == expected, name
        assert report.rejected == [], name
        assert report.added + report.merged == expected
        assert report.copies_added == expected  # no holdings in the files: one copy each

    records, items = await _count(db, Record), await _count(db, Item)
    assert items == sum(FILES.values())

    for name, expected in FILES.items():
        again = await import_catalog(db, marc / name, "school-1")
        assert (again.read, again.added, again.copies_added) == (expected, 0, 0), name
        assert again.merged == expected
    assert (await _count(db, Record), await _count(db, Item)) == (records, items)


async def test_real_titles_and_authors_read_as_russian(db: Database) -> None:
    await _two_libraries(db)
    marc = shared_path("data", "marc")
    for name in FILES:
        await import_catalog(db, marc / name, "school-1")
    async with db.reading() as session:
        uezdnoe = (await session.scalars(select(Record).where(Record.title == "Уездное"))).one()
        assert uezdnoe.author_list == ["Замятин Е. И."]
        titles = set(await session.scalars(select(Record.title)))
        authors = " ".join(await session.scalars(select(Record.authors)))
    assert "Замятин" in authors
    # one title from each of the other two files, exactly as a librarian would read it
    assert any(t.startswith("История России") for t in titles)  # TPU
    assert any("бюджет" in t.casefold() or "России" in t for t in titles)  # RKP
    for title in titles:
        assert "\ufffd" not in title and "Ã" not in title
        assert not any("\u2500" <= ch <= "\u257f" for ch in title)  # KOI8 read as cp866 etc.


async def test_broken_records_are_reported_and_the_rest_imports(db: Database) -> None:
    await _two_libraries(db)
    marc = shared_path("data", "marc")
    bad = await import_catalog(db, marc / "marc21-bad-records.mrc", "school-1")
    assert bad.read == 8
    assert [r.number for r in bad.rejected] == [2, 3, 4, 5, 6, 7]
    assert all(r.reason for r in bad.rejected)
    assert bad.added == 1 and bad.merged == 1  # records 1 and 8 are the same book
    invalid = await import_catalog(db, marc / "marc21-utf8-invalid.mrc", "school-1")
    assert (invalid.read, invalid.added) == (1, 0)
    assert invalid.rejected[0].reason.startswith("повреждённая запись")


async def test_union_catalog_links_a_second_librarys_copies_to_the_same_records(
    db: Database,
) -> None:
    await _two_libraries(db)
    path = shared_path("data", "marc", "rusmarc-nlr-koi8r.iso")
    await import_catalog(db, path, "school-1")
    records = await _count(db, Record)
    second = await import_catalog(db, path, "school-2")
    assert (second.added, second.merged, second.copies_added) == (0, 72, 72)
    assert await _count(db, Record) == records
    async with db.reading() as session:
        per_library = dict(
            (
                await session.execute(
                    select(Item.library_id, func.count()).group_by(Item.library_id)
                )
            ).all()
        )
    assert sorted(per_library.values()) == [72, 72]


async def test_csv_import_dedupes_by_isbn_10_or_13_and_by_title_authors_year(
    db: Database, tmp_path: Path
) -> None:
    await _two_libraries(db)
    first = tmp_path / "school1.csv"
    first.write_text(
        "title,authors,year,isbn,inventory_number,copies\n"
        "Война и мир,Толстой Л. Н.,2019,978-5-389-07435-4,100,2\n"
        "Капитанская дочка,Пушкин А. С.,2018,,200,\n",
        encoding="utf-8",
    )
    # the same books as another library describes them: ISBN-10, ё and another author form
    second = tmp_path / "school2.csv"
    second.write_text(
        "название;авторы;год;isbn;экземпляры\n"
        "ВОЙНА И МИР (в двух книгах);Толстой, Лев Николаевич;2019;5-389-07435-1;3\n"
        "«Капитанская дочка»;Пушкин, Александр Сергеевич;2018;;1\n",
        encoding="cp1251",
    )
    one = await import_catalog(db, first, "school-1")
    assert (one.added, one.copies_added) == (2, 3)
    two = await import_catalog(db, second, "school-2")
    assert (two.added, two.merged, two.copies_added) == (0, 2, 4)
    async with db.reading() as session:
        isbns = set(await session.scalars(select(RecordIsbn.isbn13)))
        numbers = set(
            await session.scalars(
                select(Item.inventory_number).join(Library).where(Library.code == "school-1")
            )
        )
    assert isbns == {"9785389074354"}
    assert {"100", "200"} <= numbers and len(numbers) == 3


async def test_volumes_sharing_a_set_isbn_stay_apart_and_duplicates_are_copies(
    db: Database,
) -> None:
    """TPU: «История России в портретах» Т. 1 and Т. 2 carry one ISBN but are two records;
    records 16 and 27 describe one edition of «История России: ХХ век» — two copies of it."""
    await _two_libraries(db)
    report = await import_catalog(
        db, shared_path("data", "marc", "rusmarc-tpu-koi8r.iso"), "school-1"
    )
    assert report.copies_added == 231
    async with db.reading() as session:
        portraits = set(
            await session.scalars(
                select(Record.title).where(Record.title.like("История России в портретах%"))
            )
        )
        copies_of_xx = await session.scalar(
            select(func.count())
            .select_from(Item)
            .join(Record)
            .where(Record.title == "История России: ХХ век", Record.year == 1996)
        )
    assert {"История России в портретах. Т. 1", "История России в портретах. Т. 2"} <= portraits
    assert copies_of_xx == 2


async def test_an_isbn_with_a_wrong_check_digit_is_reported_and_the_record_still_imported(
    db: Database, tmp_path: Path
) -> None:
    await _two_libraries(db)
    path = tmp_path / "fund.csv"
    path.write_text(
        "title,authors,year,isbn\n"
        "Война и мир,Толстой Л. Н.,2019,978-5-389-07435-4\n"
        "Капитанская дочка,Пушкин А. С.,2018,978-5-389-07435-5\n"  # check digit 4, not 5
        "Муму,Тургенев И. С.,2017,978-5-389-0743\n",  # 12 digits: not an ISBN at all
        encoding="utf-8",
    )
    report = await import_catalog(db, path, "school-1")
    assert (report.read, report.added, report.rejected) == (3, 3, [])
    assert report.skipped_isbns == [
        SkippedIsbn(2, "Капитанская дочка", "978-5-389-07435-5", IsbnProblem.CHECK_DIGIT),
        SkippedIsbn(3, "Муму", "978-5-389-0743", IsbnProblem.NOT_AN_ISBN),
    ]
    async with db.reading() as session:
        titles = set(await session.scalars(select(Record.title)))
        isbns = set(await session.scalars(select(RecordIsbn.isbn13)))
    assert {"Война и мир", "Капитанская дочка", "Муму"} <= titles
    assert isbns == {"9785389074354"}


async def test_real_rusmarc_isbns_with_wrong_check_digits_are_named_in_the_report(
    db: Database,
) -> None:
    await _two_libraries(db)
    report = await import_catalog(
        db, shared_path("data", "marc", "rusmarc-tpu-koi8r.iso"), "school-1"
    )
    skipped = {(s.number, s.isbn, s.problem) for s in report.skipped_isbns}
    assert (46, "5859290046", IsbnProblem.CHECK_DIGIT) in skipped
    assert (223, "5-89516-011-1", IsbnProblem.CHECK_DIGIT) in skipped
    assert len(skipped) == 5
