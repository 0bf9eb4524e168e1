"""What the catalog-file readers produce: parsed records, rejected records, format errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

KINDS = ("book", "textbook", "periodical", "e_resource", "student_work")
AGE_MARKS = (0, 6, 12, 16, 18)


@dataclass(slots=True)
class ParsedItem:
    """One physical copy."""

    inventory_number: str | None = None
    barcode: str | None = None


class IsbnProblem(StrEnum):
    CHECK_DIGIT = "check_digit"  # 10 or 13 digits, but the check digit does not match
    NOT_AN_ISBN = "not_an_isbn"  # a long number in the ISBN field that cannot be an ISBN


@dataclass(slots=True, frozen=True)
class BadIsbn:
    """An ISBN of the file that cannot go into the catalog, as written there, and why."""

    isbn: str
    problem: IsbnProblem


@dataclass(slots=True)
class ParsedRecord:
    """One bibliographic record read from a catalog file."""

    number: int  # 1-based position of the record in the file (data row number for CSV)
    title: str
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    publisher: str | None = None
    isbns: list[str] = field(default_factory=list)
    series: str | None = None
    series_number: int | None = None  # the book's place in its series (225$v, 490$v)
    subjects: list[str] = field(default_factory=list)
    bbk: str | None = None  # the BBK classification index (RUSMARC 686, MARC21 084)
    annotation: str | None = None  # what the book is about (RUSMARC 330, MARC21 520)
    language: str | None = None
    kind: str = "book"
    age_mark: int | None = None
    items: list[ParsedItem] = field(default_factory=list)
    copies: int = 0  # extra copies without inventory numbers
    # ISBNs the record names that cannot be used (the record itself is fine without them)
    bad_isbns: list[BadIsbn] = field(default_factory=list)


@dataclass(slots=True)
class Rejected:
    """A record (or CSV row) that could not be imported, with a short reason in Russian."""

    number: int
    reason: str


class CatalogFormatError(Exception):
    """The file is not a catalog in any supported format (CSV, ISO 2709 MARC, MARCXML)."""
