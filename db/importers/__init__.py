"""Catalog-file readers: CSV, ISO 2709 (MARC21, RUSMARC/UNIMARC) and MARCXML.

    for entry in read_catalog(Path("fond.iso")):
        if isinstance(entry, Rejected): ...   # entry.number, entry.reason (Russian)
        else: ...                             # ParsedRecord

read_catalog() works out the format eagerly, so CatalogFormatError (a file that is not a
catalog at all) is raised by the call itself, before anything is iterated. Damaged records
never raise: they come out as Rejected, and the records after them still come through.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from db.importers.csv_reader import decode_text, header_columns, read_csv
from db.importers.marc_reader import read_iso2709, read_marcxml
from db.importers.types import (
    BadIsbn,
    CatalogFormatError,
    IsbnProblem,
    ParsedItem,
    ParsedRecord,
    Rejected,
)

__all__ = [
    "FORMATS",
    "BadIsbn",
    "CatalogFormatError",
    "IsbnProblem",
    "ParsedItem",
    "ParsedRecord",
    "Rejected",
    "detect_format",
    "read_catalog",
]

FORMATS = ("csv", "marc", "marcxml")
_LEADER_START = re.compile(rb"^\d{5}")
_NOT_A_CATALOG = (
    "Файл не похож на каталог: ожидается CSV со строкой заголовков, MARC (ISO 2709) или MARCXML"
)


def _head(data: bytes) -> bytes:
    return data.lstrip(b"\xef\xbb\xbf\r\n\t \x00")


def detect_format(path: Path, data: bytes) -> str:
    """The format by content: "csv", "marc" or "marcxml".

    ISO 2709 starts with 5 digits, XML with "<"; anything else must have a CSV header with a
    title column. Raises CatalogFormatError otherwise.
    """
    head = _head(data)
    if _LEADER_START.match(head) and (b"\x1d" in data or b"\x1e" in data):
        return "marc"
    if head.startswith(b"<"):
        return "marcxml"
    if b"\x00" not in data[:4096] and header_columns(decode_text(data)) is not None:
        return "csv"
    if path.suffix.casefold() == ".csv":
        raise CatalogFormatError(
            "В CSV-файле нет строки заголовков со столбцом названия (title или «название»)"
        )
    raise CatalogFormatError(_NOT_A_CATALOG)


def read_catalog(path: Path, fmt: str | None = None) -> Iterator[ParsedRecord | Rejected]:
    """Parsed records and rejections of a catalog file, in file order.

    fmt: "csv", "marc" (ISO 2709), "marcxml", or None to detect from the content.
    """
    path = Path(path)
    if fmt is not None and fmt not in FORMATS:
        raise ValueError(f"unknown catalog format {fmt!r}; expected one of {FORMATS}")
    data = path.read_bytes()
    if not data.strip():
        raise CatalogFormatError("Файл пуст")
    fmt = fmt or detect_format(path, data)
    if fmt == "csv":
        return read_csv(data)
    if fmt == "marcxml":
        if b"<record" not in data and b":record" not in data:
            raise CatalogFormatError("XML-файл не содержит записей MARCXML (<record>)")
        return read_marcxml(path)
    if not (_LEADER_START.match(_head(data)) and b"\x1d" in data):
        raise CatalogFormatError("Файл не в формате ISO 2709 (MARC): нет лидера записи")
    return read_iso2709(data)
