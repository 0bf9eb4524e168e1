"""MARC fields -> ParsedRecord, for RUSMARC/UNIMARC and MARC21 (ISO 2709 and MARCXML alike)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from db.importers.text import (
    clean,
    clean_marc,
    find_year,
    fix_caps,
    initials,
    initials_from_names,
    sort_isbns,
    unique,
)
from db.importers.types import AGE_MARKS, ParsedItem, ParsedRecord, Rejected

if TYPE_CHECKING:
    from db.importers.marc_reader import MarcField, MarcRecord

_VOLUME = re.compile(
    r"^\[?\s*(т|том|ч|часть|кн|книга|вып|выпуск|№|t|no|vol|pt|bd)\.?\s*(\d|[IVXLC]+\b)", re.I
)
# a statement of responsibility that names translators, editors, compilers, illustrators
_ROLE = re.compile(
    r"^(пер(\.|евод)|под\s+(общ\.\s*)?ред|ред(\.|актор)|сост(\.|авител)|отв\.|худож|ил\.|"
    r"иллюстр|коммент|предисл|вступ|науч\.)",
    re.I,
)
_NAME_PATTERNS = (
    re.compile(r"^(?:[А-ЯЁA-Z]\.\s?){1,3}\s?[А-ЯЁA-Z][а-яёa-z'-]+$"),  # И. О. Фамилия
    re.compile(r"^[А-ЯЁA-Z][а-яёa-z'-]+\s(?:[А-ЯЁA-Z]\.\s?){1,3}$"),  # Фамилия И. О.
    re.compile(r"^[А-ЯЁA-Z][а-яёa-z'-]+(?:\s[А-ЯЁA-Z][а-яёa-z'-]+){1,2}$"),  # Имя Фамилия
)
_TEXTBOOK = re.compile(
    r"учебн(ик|ое\s+пособие|ое\s+издание|ая\s+книга)|учеб\.(\s|$)|^учеб$|textbook", re.I
)
_AGE = re.compile(r"(?<!\d)(0|6|12|16|18)\s*\+")
_NO_PUBLISHER = {"б. и", "б.и", "б. и.", "б.и.", "s.n", "s. n", "s.n.", "s. n."}
_LANGUAGE = re.compile(r"^[a-z]{3}")
_NUMBER = re.compile(r"(?<!\d)(\d{1,4})(?!\d)")
_ROMAN = re.compile(r"\b([IVX]{1,5})\b")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}
_MAX_SERIES_NUMBER = 32767  # records.series_number is a small integer


def map_record(number: int, record: MarcRecord) -> ParsedRecord | Rejected:
    """Map one record; a record without a title (or one that breaks the mapping) is Rejected."""
    tags = {f.tag for f in record.fields}
    try:
        if "200" in tags and ("245" not in tags or _rusmarc_100(record)):
            return _unimarc(number, record)
        if "245" in tags:
            return _marc21(number, record)
    except Exception as exc:  # one odd record must not stop the import
        return Rejected(number, f"не удалось разобрать запись: {type(exc).__name__}: {exc}")
    return Rejected(number, "нет заглавия (нет поля 200 или 245)")


def _rusmarc_100(record: MarcRecord) -> str:
    for f in record.get("100"):
        value = f.first("a") or ""
        if len(value) >= 22 and value[:8].isdigit():
            return value
    return ""


def _join(parts: list[str | None], sep: str = ". ") -> str | None:
    result = ""
    for part in filter(None, parts):
        if not result:
            result = part
        elif result.endswith((".", "!", "?")) and sep == ". ":
            result += " " + part
        else:
            result += sep + part
    return result or None


def _first(fields: list[MarcField], code: str, **kwargs: bool) -> str | None:
    for f in fields:
        for value in f.all(code):
            text = clean_marc(value, **kwargs)
            if text:
                return text
    return None


def _all(fields: list[MarcField], code: str) -> list[str]:
    return [t for f in fields for v in f.all(code) if (t := clean_marc(v, unbracket=True))]


def _publisher(fields: list[MarcField], code: str) -> str | None:
    for f in fields:
        for value in f.all(code):
            text = clean_marc(value, unbracket=True)
            if text and text.casefold() not in _NO_PUBLISHER:
                return text
    return None


def _age(fields: list[MarcField]) -> int | None:
    for value in (v for f in fields for v in f.all("a")):
        match = _AGE.search(value)
        if match and int(match.group(1)) in AGE_MARKS:
            return int(match.group(1))
    return None


def _series_number(fields: list[MarcField]) -> int | None:
    """The book's place in its series from $v: «N 6», «т. 3», «кн. 12», «III»."""
    for value in (v for f in fields for v in f.all("v")):
        if match := _NUMBER.search(value):
            number = int(match.group(1))
        elif match := _ROMAN.search(value.upper()):
            number = _roman(match.group(1))
        else:
            continue
        if 0 < number <= _MAX_SERIES_NUMBER:
            return number
    return None


def _roman(text: str) -> int:
    values = [_ROMAN_VALUES[ch] for ch in text]
    return sum(-v if v < after else v for v, after in zip(values, [*values[1:], 0], strict=True))


def _bbk(fields: list[MarcField]) -> str | None:
    """The BBK index: a classification field whose $2 names BBK (rubbk, rubbkd, …) or none."""
    for f in fields:
        scheme = (f.first("2") or "").casefold()
        if scheme and not scheme.startswith(("rubbk", "bbk", "ббк")):
            continue
        text = _first([f], "a")
        if text:
            return text[:60]
    return None


def _annotation(fields: list[MarcField]) -> str | None:
    """The summary notes ($a), joined: what the book is about. Sentences keep their full stops
    (ISBD trimming is for headings, not for prose)."""
    notes = [" ".join(v.split()) for f in fields for v in f.all("a")]
    return " ".join(n for n in notes if n) or None


def _statement_authors(statement: str | None) -> list[str]:
    """Authors from a statement of responsibility (200$f, 245$c), when no 7XX/1XX exists."""
    text = clean_marc(statement, unbracket=True)
    if not text or _ROLE.match(text):
        return []
    text = clean(text.split(";")[0]) or ""
    pieces = [clean(p) or "" for p in re.split(r",\s*|\s+и\s+|\s+and\s+", text)]
    if len(pieces) > 1 and all(any(p.match(piece) for p in _NAME_PATTERNS) for piece in pieces):
        return pieces
    return [text] if text else []


# --- RUSMARC / UNIMARC ---------------------------------------------------------------------


def _person(f: MarcField) -> str | None:
    surname = clean(f.first("a"))
    if not surname:
        return None
    surname = fix_caps(surname)
    if f.ind2 == "0":  # name in direct order: "Абэ Кобо", "Андрей" $c "архиеп. Критский"
        return _join([_join([surname, clean(f.first("d"))], " "), clean(f.first("c"))], ", ")
    rest = initials(f.first("b")) or initials_from_names(f.first("g"))
    return f"{surname} {rest}" if rest else surname


def _corporate(f: MarcField) -> str | None:
    return _join([clean(f.first("a")), *(clean(b) for b in f.all("b"))])


def _unimarc_authors(record: MarcRecord, f200: MarcField) -> list[str]:
    groups = (
        [_person(f) for f in record.get("700") + record.get("701")],
        [_corporate(f) for f in record.get("710", "711")],
        [_person(f) for f in record.get("702")],
        [_corporate(f) for f in record.get("712")],
    )
    for group in groups:
        names = unique([n for n in group if n])
        if names:
            return names
    return _statement_authors(f200.first("f"))


def _parent_title(record: MarcRecord) -> str | None:
    """Title of the set a volume belongs to: 461 $t, or $a of the embedded 200 ($1200...)."""
    for f in record.get("461"):
        if f.first("t"):
            return clean_marc(f.first("t"), unbracket=True)
        in_200 = False
        for code, value in f.subfields:
            if code == "1":
                in_200 = value.startswith("200")
                if in_200 and "$a" in value:  # embedded field written as text: "2001 $a...$e..."
                    return clean_marc(value.split("$a", 1)[1].split("$", 1)[0], unbracket=True)
            elif in_200 and code == "a":
                return clean_marc(value, unbracket=True)
    return None


def _part_names(f200: MarcField) -> list[str | None]:
    """200 $h/$i (part number/name) that follow the first $a, up to the next $a (another work)."""
    parts: list[str | None] = []
    seen_a = False
    for code, value in f200.subfields:
        if code == "a":
            if seen_a:
                break
            seen_a = True
        elif code in "hi":
            parts.append(clean_marc(value, unbracket=True))
    return parts


def _unimarc_kind(record: MarcRecord, subtitle: str | None) -> str:
    leader = record.leader.ljust(24)
    if leader[6] in "lm" or record.get("135"):
        return "e_resource"
    if leader[7] == "s":
        return "periodical"
    codes = next((f.first("a") or "" for f in record.get("105")), "")
    if (len(codes) >= 8 and "j" in codes[4:8]) or _TEXTBOOK.search(subtitle or ""):
        return "textbook"
    return "book"


def _unimarc(number: int, record: MarcRecord) -> ParsedRecord | Rejected:
    f200 = next((f for f in record.get("200") if clean_marc(f.first("a"))), None)
    if f200 is None:
        return Rejected(number, "нет заглавия (поле 200 $a пусто)")
    own = clean_marc(f200.first("a"), unbracket=True) or ""
    title = _join([own, *_part_names(f200)])
    if f200.ind1 == "0" or _VOLUME.match(own):
        title = _join([_parent_title(record), title])
    subtitle = _join([clean_marc(v, unbracket=True) for v in f200.all("e")], " : ")
    f100 = _rusmarc_100(record)
    imprint = record.get("210", "214")
    year = find_year(_first(imprint, "d"))
    if year is None and f100[9:13].isdigit():
        year = int(f100[9:13])
    subjects = [
        _join([clean(f.first("a")), initials(f.first("b"))], " ") or "" for f in record.get("600")
    ]
    subjects += _all(record.get("601", "606", "607", "610"), "a")
    language = next((v for f in record.get("101") for v in f.all("a") if _LANGUAGE.match(v)), None)
    items = [
        ParsedItem(inventory_number=clean(f.first("p")), barcode=clean(f.first("w")))
        for f in record.get("899")
        if clean(f.first("p")) or clean(f.first("w"))
    ]
    isbns, bad_isbns = sort_isbns(v for f in record.get("010") for v in f.all("a"))
    return ParsedRecord(
        number=number,
        title=title or own,
        subtitle=subtitle,
        authors=_unimarc_authors(record, f200),
        year=year,
        publisher=_publisher(imprint, "c"),
        isbns=isbns,
        series=_first(record.get("225"), "a", unbracket=True),
        series_number=_series_number(record.get("225")),
        subjects=unique([s for s in subjects if s]),
        bbk=_bbk(record.get("686")),
        annotation=_annotation(record.get("330")),
        language=language[:3] if language else None,
        kind=_unimarc_kind(record, subtitle),
        age_mark=_age(record.get("333")),
        items=items,
        bad_isbns=bad_isbns,
    )


# --- MARC21 ---------------------------------------------------------------------------------


def _marc21_name(f: MarcField) -> str | None:
    name = clean(f.first("a"))
    return fix_caps(name) if name else None


def _marc21_authors(record: MarcRecord, f245: MarcField) -> list[str]:
    def is_author(f: MarcField) -> bool:
        roles = " ".join(f.all("4") + f.all("e")).casefold()
        return any(role in roles for role in ("aut", "cre", "авт"))

    primary = [_marc21_name(f) for f in record.get("100")]
    primary += [_marc21_name(f) for f in record.get("700") if is_author(f)]
    groups = (
        primary,
        [_marc21_name(f) for f in record.get("700")],
        [_corporate(f) for f in record.get("110", "111", "710", "711")],
    )
    for group in groups:
        names = unique([n for n in group if n])
        if names:
            return names
    return _statement_authors(f245.first("c"))


def _marc21_kind(record: MarcRecord, subtitle: str | None) -> str:
    leader = record.leader.ljust(24)
    electronic = any((f.data or "")[:1] == "c" for f in record.get("007"))
    if leader[6] == "m" or electronic:
        return "e_resource"
    if leader[7] in "sb":
        return "periodical"
    genres = " ".join(v for f in record.get("655") for v in f.all("a"))
    if _TEXTBOOK.search(subtitle or "") or _TEXTBOOK.search(genres):
        return "textbook"
    return "book"


def _marc21(number: int, record: MarcRecord) -> ParsedRecord | Rejected:
    f245 = next((f for f in record.get("245") if clean_marc(f.first("a"))), None)
    if f245 is None:
        return Rejected(number, "нет заглавия (поле 245 $a пусто)")
    parts = [clean_marc(v, unbracket=True) for c, v in f245.subfields if c in "anp"]
    title = _join(parts) or ""
    subtitle = _join([clean_marc(v, unbracket=True) for v in f245.all("b")], " : ")
    f008 = next((f.data or "" for f in record.get("008")), "")
    imprint = record.get("260") + [f for f in record.get("264") if f.ind2 == "1"]
    year = find_year(_first(imprint, "c"))
    if year is None and f008[7:11].isdigit():
        year = int(f008[7:11])
    language = next((v for f in record.get("041") for v in f.all("a") if _LANGUAGE.match(v)), None)
    if language is None and _LANGUAGE.match(f008[35:38]):
        language = f008[35:38]
    items = [
        ParsedItem(barcode=barcode)
        for f in record.get("852", "876")
        if (barcode := clean(f.first("p")))
    ]
    isbns, bad_isbns = sort_isbns(v for f in record.get("020") for v in f.all("a"))
    return ParsedRecord(
        number=number,
        title=title,
        subtitle=subtitle,
        authors=_marc21_authors(record, f245),
        year=year,
        publisher=_publisher(imprint, "b"),
        isbns=isbns,
        series=_first(record.get("490", "440", "830"), "a", unbracket=True),
        series_number=_series_number(record.get("490", "440", "830")),
        subjects=unique(_all(record.get("600", "610", "650", "651", "653"), "a")),
        bbk=_bbk(record.get("084")),
        annotation=_annotation(record.get("520")),
        language=language[:3] if language else None,
        kind=_marc21_kind(record, subtitle),
        age_mark=_age(record.get("521")),
        items=items,
        bad_isbns=bad_isbns,
    )
