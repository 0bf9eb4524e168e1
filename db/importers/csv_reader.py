"""CSV catalog files: one row per title, a header row naming the columns (English or Russian).

Copies: a row may give an inventory number and/or barcode (several may be separated by ";",
paired by position) and a `copies` count. Each inventory number/barcode becomes a ParsedItem.
When numbered items are present, `copies` means the TOTAL number of copies, so
ParsedRecord.copies = max(copies - len(items), 0) extra copies without numbers; without numbered
items, ParsedRecord.copies = copies (0 if the column is empty or absent).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from itertools import zip_longest

from db.importers.encoding import plausibility
from db.importers.text import clean, sort_isbns, unique
from db.importers.types import (
    AGE_MARKS,
    CatalogFormatError,
    ParsedItem,
    ParsedRecord,
    Rejected,
)

_ALIASES = {
    "title": ("title", "название", "заглавие", "наименование"),
    "subtitle": ("subtitle", "подзаголовок"),
    "authors": ("authors", "author", "автор", "авторы"),
    "year": ("year", "год", "год издания"),
    "isbn": ("isbn", "isbns", "исбн"),
    "publisher": ("publisher", "издательство", "издатель"),
    "series": ("series", "серия"),
    "series_number": ("series_number", "номер в серии", "№ в серии", "книга серии"),
    "bbk": ("bbk", "ббк", "индекс ббк"),
    "annotation": ("annotation", "аннотация", "описание", "summary"),
    "subjects": ("subjects", "subject", "темы", "тема", "рубрики", "ключевые слова"),
    "language": ("language", "язык"),
    "age_mark": ("age_mark", "age", "возраст", "возрастная маркировка", "возрастной ценз"),
    "kind": ("kind", "вид", "тип", "вид издания"),
    "inventory_number": ("inventory_number", "инвентарный номер", "инв. номер", "инв. №"),
    "barcode": ("barcode", "штрихкод", "штрих-код"),
    "copies": ("copies", "экземпляры", "экземпляров", "количество экземпляров", "кол-во"),
}
_COLUMN = {alias: key for key, aliases in _ALIASES.items() for alias in aliases}
_KINDS = {
    "book": "book", "книга": "book", "книги": "book",
    "textbook": "textbook", "учебник": "textbook", "учебное пособие": "textbook",
    "periodical": "periodical", "периодика": "periodical", "журнал": "periodical",
    "газета": "periodical", "периодическое издание": "periodical",
    "e_resource": "e_resource", "электронный ресурс": "e_resource",
    "электронное издание": "e_resource",
    "student_work": "student_work", "ученическая работа": "student_work",
    "работа ученика": "student_work", "работа учащегося": "student_work",
}  # fmt: skip
_AGE = re.compile(r"^(\d{1,2})\s*\+?$")
_YEAR = re.compile(r"^(\d{1,4})\s*(г\.?|год)?$", re.I)
_SERIES_NUMBER = re.compile(r"^(?:№|n|т\.?|кн\.?|книга|том)?\s*(\d{1,4})$", re.I)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) if the bytes are valid UTF-8, else Windows-1251 — unless the
    file is UTF-8 spoilt by a few stray bytes, which reads better as UTF-8 with "\ufffd"."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        sample = data[:200_000]
        as_utf8 = plausibility(sample.decode("utf-8-sig", errors="replace"))
        if as_utf8 > plausibility(sample.decode("cp1251", errors="replace")):
            return data.decode("utf-8-sig", errors="replace")
        return data.decode("cp1251", errors="replace")


def _normalise_header(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").strip().strip('"').casefold().split()).replace(
        "ё", "е"
    )


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def header_columns(text: str) -> tuple[str, dict[str, int]] | None:
    """(delimiter, {field: column index}) if the first non-empty line is a catalog header."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = _sniff_delimiter(first)
    names = next(csv.reader([first], delimiter=delimiter), [])
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        key = _COLUMN.get(_normalise_header(name))
        if key and key not in columns:
            columns[key] = index
    return (delimiter, columns) if "title" in columns else None


def read_csv(data: bytes) -> Iterator[ParsedRecord | Rejected]:
    """Parse a CSV catalog. Raises CatalogFormatError at once if there is no title column."""
    if b"\x00" in data[:4096]:
        raise CatalogFormatError("Файл не похож на CSV: в нём есть двоичные данные")
    text = decode_text(data)
    found = header_columns(text)
    if found is None:
        raise CatalogFormatError(
            "В CSV-файле нет строки заголовков со столбцом названия (title или «название»)"
        )
    return _rows(text, *found)


def _rows(text: str, delimiter: str, columns: dict[str, int]) -> Iterator[ParsedRecord | Rejected]:
    reader = csv.reader(io.StringIO(text.lstrip("\r\n")), delimiter=delimiter)
    next(reader, None)  # header
    for number, row in enumerate(reader, start=1):
        if not any(cell.strip() for cell in row):
            continue
        cells = {key: (row[i].strip() if i < len(row) else "") for key, i in columns.items()}
        try:
            yield _record(number, cells)
        except ValueError as exc:
            yield Rejected(number, str(exc))


def _split(value: str, separators: str = ";") -> list[str]:
    return [p for part in re.split(f"[{separators}]", value) if (p := clean(part))]


def _int_field(value: str, pattern: re.Pattern[str], message: str) -> int | None:
    if not value:
        return None
    match = pattern.match(value)
    if not match:
        raise ValueError(f"{message}: «{value}»")
    return int(match.group(1))


def _record(number: int, cells: dict[str, str]) -> ParsedRecord:
    title = clean(cells.get("title"))
    if not title:
        raise ValueError("нет названия")
    year = _int_field(cells.get("year", ""), _YEAR, "год не является числом")
    if year is not None and not 1000 <= year <= 2100:
        raise ValueError(f"неправдоподобный год: «{cells['year']}»")
    age = _int_field(cells.get("age_mark", ""), _AGE, "неверная возрастная маркировка")
    if age is not None and age not in AGE_MARKS:
        raise ValueError(
            f"неверная возрастная маркировка: «{cells['age_mark']}»"
            " (допустимы 0+, 6+, 12+, 16+ и 18+)"
        )
    kind_text = " ".join(cells.get("kind", "").casefold().replace("ё", "е").split())
    kind = _KINDS.get(kind_text, "book" if not kind_text else "")
    if not kind:
        raise ValueError(f"неизвестный вид издания: «{cells['kind']}»")
    copies_text = cells.get("copies", "")
    if copies_text and not copies_text.isdigit():
        raise ValueError(f"число экземпляров должно быть целым неотрицательным: «{copies_text}»")
    items = [
        ParsedItem(inventory_number=inv, barcode=code)
        for inv, code in zip_longest(
            _split(cells.get("inventory_number", "")), _split(cells.get("barcode", ""))
        )
    ]
    copies = int(copies_text) if copies_text else 0
    isbns, bad_isbns = sort_isbns(_split(cells.get("isbn", ""), ";,"))
    language = clean(cells.get("language"))
    series_number = _int_field(
        cells.get("series_number", ""), _SERIES_NUMBER, "номер в серии не является числом"
    )
    return ParsedRecord(
        number=number,
        title=title,
        subtitle=clean(cells.get("subtitle")),
        authors=unique(_split(cells.get("authors", ""))),
        year=year,
        publisher=clean(cells.get("publisher")),
        isbns=isbns,
        series=clean(cells.get("series")),
        series_number=series_number or None,
        subjects=unique(_split(cells.get("subjects", ""))),
        bbk=clean(cells.get("bbk")),
        annotation=" ".join(cells.get("annotation", "").split()) or None,  # prose keeps its «.»
        language=language.casefold() if language else None,
        kind=kind,
        age_mark=age,
        items=items,
        copies=max(copies - len(items), 0) if items else copies,
        bad_isbns=bad_isbns,
    )
