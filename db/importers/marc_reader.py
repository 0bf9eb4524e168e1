"""ISO 2709 (MARC21, RUSMARC/UNIMARC) and MARCXML files -> MarcRecord -> ParsedRecord | Rejected.

ISO 2709 records are parsed here rather than by pymarc.MARCReader: the file is split on the
record terminator, so one damaged record (bad length, bad base address, bad directory) becomes a
Rejected and the next record is still found; and the bytes of each record are decoded only once
its encoding has been worked out (see encoding.py), since the labels in these files lie.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax import SAXException, SAXParseException

from pymarc import Indicators, Leader, Record
from pymarc.marcxml import XmlHandler, parse_xml

from db.importers.encoding import EncodingGuesser, decode
from db.importers.marc_mapping import map_record
from db.importers.types import ParsedRecord, Rejected

RECORD_END = b"\x1d"
FIELD_END = b"\x1e"
SUBFIELD = b"\x1f"
_DAMAGED = "повреждённая запись: "
_FILLER = b"\r\n\t \x00\x1a"  # line breaks between records, NUL padding, DOS end-of-file


@dataclass(slots=True)
class MarcField:
    tag: str
    ind1: str = " "
    ind2: str = " "
    subfields: list[tuple[str, str]] = field(default_factory=list)
    data: str | None = None  # control fields (001-009) only

    def first(self, code: str) -> str | None:
        return next((value for c, value in self.subfields if c == code), None)

    def all(self, code: str) -> list[str]:
        return [value for c, value in self.subfields if c == code]


@dataclass(slots=True)
class MarcRecord:
    leader: str
    fields: list[MarcField] = field(default_factory=list)

    def get(self, *tags: str) -> list[MarcField]:
        return [f for f in self.fields if f.tag in tags]


class DamagedRecord(Exception):
    """Raised inside the ISO 2709 parser; the message is the Russian reason."""


@dataclass(slots=True)
class _RawField:
    tag: str
    indicators: str = "  "
    subfields: list[tuple[str, bytes]] = field(default_factory=list)
    data: bytes | None = None


def read_iso2709(data: bytes) -> Iterator[ParsedRecord | Rejected]:
    """Every record of an ISO 2709 file, numbered from 1; never raises for one bad record."""
    guesser = EncodingGuesser()
    chunks = data.split(RECORD_END)
    last = len(chunks) - 1
    number = 0
    for index, chunk in enumerate(chunks):
        chunk = chunk.lstrip(_FILLER)
        if not chunk.strip(_FILLER):
            continue
        number += 1
        try:
            if index == last:
                raise DamagedRecord(_DAMAGED + "запись обрезана (нет признака конца записи)")
            record = _decode_record(chunk, guesser)
        except DamagedRecord as exc:
            yield Rejected(number, str(exc))
            continue
        except Exception as exc:  # anything unforeseen in one record must not stop the file
            yield Rejected(number, f"{_DAMAGED}{type(exc).__name__}: {exc}")
            continue
        yield map_record(number, record)


def _parse_raw(chunk: bytes) -> tuple[str, list[_RawField]]:
    """Leader and fields of one record (bytes, terminator removed); raises DamagedRecord."""
    if len(chunk) < 25:
        raise DamagedRecord(_DAMAGED + "нет лидера записи")
    try:
        leader = chunk[:24].decode("ascii")
    except UnicodeDecodeError:
        raise DamagedRecord(_DAMAGED + "недопустимые символы в лидере") from None
    if not leader[:5].isdigit():
        raise DamagedRecord(_DAMAGED + "неверная длина в лидере")
    if not leader[12:17].isdigit():
        raise DamagedRecord(_DAMAGED + "неверный базовый адрес данных в лидере")
    base = int(leader[12:17])
    if base < 25:
        raise DamagedRecord(_DAMAGED + "не указан базовый адрес данных")
    if base > len(chunk):
        raise DamagedRecord(_DAMAGED + "базовый адрес данных за пределами записи")
    len_size = int(leader[20]) if leader[20].isdigit() and leader[20] != "0" else 4
    pos_size = int(leader[21]) if leader[21].isdigit() and leader[21] != "0" else 5
    entry_size = 3 + len_size + pos_size
    directory = chunk[24 : base - 1]
    if chunk[base - 1 : base] != FIELD_END:
        raise DamagedRecord(_DAMAGED + "справочник не завершён разделителем поля")
    if not directory:
        raise DamagedRecord(_DAMAGED + "запись не содержит полей")
    if len(directory) % entry_size or not directory.isascii():
        raise DamagedRecord(_DAMAGED + "неверный справочник записи")
    entries = []
    for start in range(0, len(directory), entry_size):
        entry = directory[start : start + entry_size].decode("ascii")
        tag, length, offset = entry[:3], entry[3 : 3 + len_size], entry[3 + len_size :]
        if not (tag.isalnum() and length.isdigit() and offset.isdigit()):
            raise DamagedRecord(_DAMAGED + "неверный справочник записи")
        entries.append((tag, int(length), int(offset)))
    bodies = _field_bodies(chunk, base, entries)
    fields = [_split_field(tag, body) for (tag, _, _), body in zip(entries, bodies, strict=True)]
    return leader, fields


def _field_bodies(chunk: bytes, base: int, entries: list[tuple[str, int, int]]) -> list[bytes]:
    """Field data by the directory; if offsets are off (lengths counted in characters by
    some UTF-8 exporters) but the fields are in directory order, split on field terminators."""
    bodies = []
    for _, length, offset in entries:
        end = base + offset + length
        if length < 1 or end > len(chunk) or chunk[end - 1 : end] != FIELD_END:
            break
        bodies.append(chunk[base + offset : end - 1])
    else:
        return bodies
    parts = chunk[base:].split(FIELD_END)
    if parts and not parts[-1].strip():
        parts.pop()
    if len(parts) != len(entries):
        raise DamagedRecord(_DAMAGED + "поля не совпадают со справочником")
    return parts


def _split_field(tag: str, body: bytes) -> _RawField:
    if tag < "010" and tag.isdigit():
        return _RawField(tag, data=body)
    head, *subs = body.split(SUBFIELD)
    indicators = (head.decode("latin-1") + "  ")[:2]
    result = _RawField(tag, indicators)
    for sub in subs:
        if not sub:
            continue
        if not (sub[0] < 0x80 and chr(sub[0]).isalnum()):
            # A code byte that is not a letter or digit means the record was damaged on the
            # way (pymarc's utf8_invalid.mrc: the 260 code became U+FFFD). Guessing the code
            # back would hide that from the librarian, so the record is rejected.
            raise DamagedRecord(_DAMAGED + f"недопустимый код подполя в поле {tag}")
        result.subfields.append((chr(sub[0]), sub[1:]))
    return result


def _charset_codes(raw: list[_RawField]) -> str:
    """RUSMARC 100$a/26-29, if the record has a RUSMARC-shaped 100$a."""
    for f in raw:
        if f.tag == "100":
            for code, value in f.subfields:
                if code == "a" and len(value) >= 30 and value[:8].isdigit():
                    return value[26:30].decode("latin-1")
    return ""


def _decode_record(chunk: bytes, guesser: EncodingGuesser) -> MarcRecord:
    leader, raw = _parse_raw(chunk)
    tags = {f.tag for f in raw}
    marc21 = "245" in tags and "200" not in tags
    values = [v for f in raw for _, v in f.subfields] + [f.data for f in raw if f.data]
    encoding = guesser.guess(
        values, leader09=leader[9], charset_codes=_charset_codes(raw), marc21=marc21
    )
    fields = []
    for f in raw:
        if f.data is not None:
            fields.append(MarcField(f.tag, data=decode(f.data, encoding)))
        else:
            subfields = [(code, decode(value, encoding)) for code, value in f.subfields]
            fields.append(MarcField(f.tag, f.indicators[0], f.indicators[1], subfields))
    return MarcRecord(leader, fields)


class _Collector(XmlHandler):
    """pymarc's SAX handler, collecting MarcRecords; tolerates a leader of the wrong length."""

    def __init__(self) -> None:
        super().__init__()
        self.collected: list[MarcRecord] = []

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:
        if name[1] == "leader" and self._record is not None:
            self._record.leader = Leader("".join(self._text).ljust(24)[:24])
            self._text = []
            return
        super().endElementNS(name, qname)

    def process_record(self, record: Record) -> None:
        fields = []
        for f in record.fields:
            if f.is_control_field():
                fields.append(MarcField(f.tag, data=f.data or ""))
            else:
                ind = f.indicators or Indicators(" ", " ")
                subfields = [(sf.code, sf.value or "") for sf in f.subfields]
                fields.append(MarcField(f.tag, ind.first or " ", ind.second or " ", subfields))
        self.collected.append(MarcRecord(str(record.leader), fields))


def read_marcxml(path: Path) -> Iterator[ParsedRecord | Rejected]:
    """Records of a MARCXML (MARC21 slim or UNIMARC/RUSMARC slim) file.

    A broken XML document yields the records read before the damage and then one Rejected.
    """
    handler = _Collector()
    error: str | None = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parse_xml(str(path), handler)
        except SAXParseException as exc:
            error = f"повреждённый XML (строка {exc.getLineNumber()}): {exc.getMessage()}"
        except SAXException as exc:
            error = f"повреждённый XML: {exc.getMessage()}"
        except Exception as exc:  # e.g. a record with a leader that is not 24 characters
            error = f"повреждённый XML: {type(exc).__name__}: {exc}"
    for number, record in enumerate(handler.collected, start=1):
        yield map_record(number, record)
    if error is not None:
        yield Rejected(len(handler.collected) + 1, error)
