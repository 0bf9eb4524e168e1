"""Catalog-file readers (db/importers): real MARC files, synthetic ISO 2709, MARCXML and CSV."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pymarc import Record

from db.importers import (
    BadIsbn,
    CatalogFormatError,
    IsbnProblem,
    ParsedItem,
    ParsedRecord,
    Rejected,
    detect_format,
    read_catalog,
)
from tests.support.shared import shared_path

FT, RT = b"\x1e", b"\x1d"


def marc_dir() -> Path:
    return shared_path("data", "marc")


def read_all(path: Path, fmt: str | None = None) -> tuple[dict[int, ParsedRecord], list[Rejected]]:
    records: dict[int, ParsedRecord] = {}
    rejected: list[Rejected] = []
    for entry in read_catalog(path, fmt):
        if isinstance(entry, Rejected):
            rejected.append(entry)
        else:
            records[entry.number] = entry
    return records, rejected


@pytest.fixture(scope="module")
def nlr() -> tuple[dict[int, ParsedRecord], list[Rejected]]:
    return read_all(marc_dir() / "rusmarc-nlr-koi8r.iso")


@pytest.fixture(scope="module")
def tpu() -> tuple[dict[int, ParsedRecord], list[Rejected]]:
    return read_all(marc_dir() / "rusmarc-tpu-koi8r.iso")


@pytest.fixture(scope="module")
def rkp() -> tuple[dict[int, ParsedRecord], list[Rejected]]:
    return read_all(marc_dir() / "marc21-rkp-cp1251.dat")


# --- real files ----------------------------------------------------------------------------

_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
_MOJIBAKE = re.compile(r"[\u2500-\u259f\ufffdÃÐÑ\u0400\u0402-\u040f\u0450\u0452-\u045f]")


@pytest.mark.parametrize(
    ("name", "count", "min_cyrillic_share"),
    [
        ("rusmarc-nlr-koi8r.iso", 72, 0.9),
        ("rusmarc-tpu-koi8r.iso", 231, 0.99),
        ("marc21-rkp-cp1251.dat", 6, 0.99),
    ],
)
def test_good_files_read_completely_without_mojibake(
    name: str, count: int, min_cyrillic_share: float
) -> None:
    records, rejected = read_all(marc_dir() / name)
    assert rejected == []
    assert sorted(records) == list(range(1, count + 1))
    for record in records.values():
        assert any(ch.isalpha() for ch in record.title), record
        assert not _MOJIBAKE.search(record.title), record
        for author in record.authors:
            assert not _MOJIBAKE.search(author), record
    cyrillic = sum(bool(_CYRILLIC.search(r.title)) for r in records.values())
    assert cyrillic / count >= min_cyrillic_share


def test_nlr_rusmarc_koi8r(nlr: tuple[dict[int, ParsedRecord], list[Rejected]]) -> None:
    records, _ = nlr
    first = records[1]
    assert first.title == "Уездное"  # 200 holds two works: "$aУездное $aМы"; the first $a
    assert first.subtitle == "Романы"  # "[Романы]" without the ISBD brackets
    assert first.authors == ["Замятин Е. И."]
    assert first.year == 1997
    assert first.publisher == "АСТ"
    assert first.isbns == ["5-7390-0346-6", "5-7390-0315-6", "5-88196-625-2"]
    assert first.series == "Шк. классики"
    assert first.language == "rus"
    assert first.kind == "book"
    assert (first.items, first.copies) == ([], 0)  # 899 has a shelfmark only

    jane = records[10]
    assert (jane.title, jane.authors, jane.year) == ("Джейн Эйр", ["Бронте Ш."], 1998)
    assert jane.publisher == "ОЛМА-ПРЕСС"
    assert jane.isbns == ["5-87322-819-1"]

    german = records[44]
    assert german.title == "Немецкий язык"
    assert german.subtitle == "Учеб. для 5 кл. общеобразоват. учреждений"
    assert german.authors == ["Бим И. Л."]
    assert german.kind == "textbook"
    assert german.isbns == ["5-09-007624-3"]

    assert "Животные" in records[4].subjects
    assert records[3].language == "eng"
    # a volume (200 ind1 = 0) gets the title of its set from 461
    assert records[21].title == "Собрание сочинений. Т. 18"
    # a malformed ISBN (9 digits) is not taken for one
    assert records[25].isbns == []


def test_tpu_rusmarc_koi8r_with_leaders_claiming_utf8(
    tpu: tuple[dict[int, ParsedRecord], list[Rejected]],
) -> None:
    raw = (marc_dir() / "rusmarc-tpu-koi8r.iso").read_bytes().split(RT)[:-1]
    assert {chunk[9:10] for chunk in raw} == {b"a"}  # the trap: leader/09 says UTF-8
    records, _ = tpu

    studies = records[5]
    assert studies.title == "История России в вопросах, задачах, графике"
    assert studies.subtitle == "Учебное пособие"
    assert studies.authors == ["Степанищев А. Т."]  # "СТЕПАНИЩЕВ" $g "Александр Тимофеевич"
    assert (studies.year, studies.publisher) == (1995, "Интерпракс")
    assert studies.isbns == ["5852351768"]
    assert studies.kind == "textbook"

    credit = records[192]
    assert credit.title == "Кредитная история России: от Екатерины II до Путина"
    assert credit.authors == ["Хейфец Б. А."]
    assert (credit.year, credit.publisher) == (2001, "Эдиториал УРСС")
    assert credit.isbns == ["5-8360-0193-6"]

    cd = records[178]
    assert (cd.title, cd.subtitle) == ("История России", "Компьютерный учебник")
    assert cd.kind == "e_resource"  # leader/06 = "m", field 135
    assert cd.authors[0] == "Антонова Т. С."

    volume = records[2]  # "Т. 1" of a two-volume set
    assert volume.title == "История России. Т. 1"
    assert volume.authors[:2] == ["Горинов М. М.", "Горский А. А."]  # "$bМ.М" normalised


def test_rkp_marc21_cp1251(rkp: tuple[dict[int, ParsedRecord], list[Rejected]]) -> None:
    records, _ = rkp
    mio = records[5]
    assert mio.title == "Мио, мой Мио!"
    assert mio.authors == ["Линдгрен, Астрид"]  # the illustrator (700 $4 ill) is not an author
    assert (mio.year, mio.publisher, mio.isbns) == (2005, "Азбука-классика", ["5352012867"])
    assert mio.series == "Мои любимые книжки"
    assert mio.language == "rus"

    pipes = records[1]
    assert pipes.title == "Основы гидравлического расчета инженерных сетей"
    assert pipes.authors == ["Ильина, Татьяна Николаевна"]
    assert pipes.kind == "textbook"
    assert pipes.subjects == ["Трубопроводы"]

    assert records[6].authors == [
        "Краснощеченко, Владимир Иванович",
        "Крищенко, Александр Петрович",
    ]
    assert records[2].series == "Серия «Эффективный тренинг»"  # RKP writes «» as <>


def test_bad_records_are_rejected_and_good_ones_survive() -> None:
    records, rejected = read_all(marc_dir() / "marc21-bad-records.mrc")
    # 8 records: 1 and 8 are intact; 2 base address 99937, 3 base address 00000,
    # 4 directory of 13 characters, 5 non-ASCII bytes in the directory, 6 base address "f0037",
    # 7 a leader with no fields at all
    assert [r.number for r in rejected] == [2, 3, 4, 5, 6, 7]
    assert all(r.reason.startswith("повреждённая запись: ") for r in rejected)
    assert rejected[0].reason == "повреждённая запись: базовый адрес данных за пределами записи"
    assert rejected[5].reason == "повреждённая запись: запись не содержит полей"
    assert sorted(records) == [1, 8]
    for record in records.values():
        assert record.title == "The pragmatic programmer"
        assert record.subtitle == "from journeyman to master"
        assert record.authors == ["Andrew Hunt", "David Thomas"]  # from 245 $c


def test_damaged_subfield_code_rejects_the_record() -> None:
    # pymarc's utf8_invalid.mrc: one record whose 260 subfield code became U+FFFD
    records, rejected = read_all(marc_dir() / "marc21-utf8-invalid.mrc")
    assert records == {}
    assert [(r.number, r.reason) for r in rejected] == [
        (1, "повреждённая запись: недопустимый код подполя в поле 260")
    ]


def test_same_records_in_cp1251_and_utf8(tmp_path: Path) -> None:
    source = marc_dir() / "rusmarc-nlr-koi8r.iso"
    expected, _ = read_all(source)
    data = source.read_bytes()
    # single-byte transcoding keeps every length and offset valid
    cp1251 = tmp_path / "nlr-cp1251.iso"
    cp1251.write_bytes(data.decode("koi8-r").encode("cp1251", errors="replace"))
    # pymarc rewrites the records in UTF-8 and sets leader/09 = "a"
    utf8 = tmp_path / "nlr-utf8.mrc"
    utf8.write_bytes(
        b"".join(
            Record(chunk + RT, file_encoding="koi8-r").as_marc() for chunk in data.split(RT)[:-1]
        )
    )
    for path in (cp1251, utf8):
        records, rejected = read_all(path)
        assert rejected == []
        assert [r.title for r in records.values()] == [r.title for r in expected.values()]
        assert [r.authors for r in records.values()] == [r.authors for r in expected.values()]


# --- synthetic ISO 2709 --------------------------------------------------------------------

Fields = list[tuple[str, str, list[tuple[str, str | bytes]] | str]]


def iso_record(
    fields: Fields, *, encoding: str = "utf-8", leader09: str = " ", char_offsets: bool = False
) -> bytes:
    """A minimal ISO 2709 writer; char_offsets mimics exporters that count characters."""
    directory = body = b""
    for tag, indicators, content in fields:
        if isinstance(content, str):
            data = content.encode(encoding) + FT
        else:
            data = indicators.encode() + b"".join(
                b"\x1f" + code.encode() + (v if isinstance(v, bytes) else v.encode(encoding))
                for code, v in content
            )
            data += FT
        size = len(data.decode(encoding)) if char_offsets else len(data)
        offset = len(body.decode(encoding)) if char_offsets else len(body)
        directory += f"{tag}{size:04d}{offset:05d}".encode()
        body += data
    base = 24 + len(directory) + 1
    leader = f"{base + len(body) + 1:05d}nam {leader09}22{base:05d} i 4500"
    return leader.encode() + directory + FT + body + RT


def rusmarc_100(charsets: str = "0150") -> tuple[str, str, list[tuple[str, str | bytes]]]:
    return ("100", "  ", [("a", f"20150101d2015    k  y0rusy{charsets}    ca")])


def test_rusmarc_holdings_age_mark_and_nonfiling_marks(tmp_path: Path) -> None:
    record = iso_record(
        [
            ("001", "", "school-1"),
            rusmarc_100("0199"),
            ("010", "  ", [("a", "978-5-389-07435-4"), ("d", "350 р.")]),
            ("101", "0 ", [("a", "rus")]),
            ("200", "1 ", [("a", b"\x88Le \x89petit prince"), ("e", "повесть-сказка")]),
            ("210", "  ", [("a", "Москва"), ("c", "Эксмо"), ("d", "2016")]),
            ("333", "  ", [("a", "6+")]),
            ("700", " 1", [("a", "Сент-Экзюпери"), ("g", "Антуан де")]),
            ("899", "  ", [("a", "Школа N 5"), ("p", "12345"), ("w", "2000000012345")]),
            ("899", "  ", [("a", "Школа N 5"), ("p", "12346")]),
        ],
        encoding="koi8-r",
    )
    path = tmp_path / "school.iso"
    path.write_bytes(record)
    records, rejected = read_all(path)
    assert rejected == []
    book = records[1]
    assert book.title == "Le petit prince"
    assert book.subtitle == "повесть-сказка"
    assert book.authors == ["Сент-Экзюпери А. де"]
    assert (book.year, book.publisher, book.age_mark) == (2016, "Эксмо", 6)
    assert book.isbns == ["978-5-389-07435-4"]
    assert book.items == [
        ParsedItem(inventory_number="12345", barcode="2000000012345"),
        ParsedItem(inventory_number="12346"),
    ]


def test_utf8_record_with_character_offsets_and_short_cp1251_record(tmp_path: Path) -> None:
    utf8 = iso_record(
        [rusmarc_100("0150"), ("200", "1 ", [("a", "Мцыри"), ("f", "М. Ю. Лермонтов")])],
        char_offsets=True,
    )
    cp1251 = iso_record([rusmarc_100("0189"), ("200", "1 ", [("a", "Мцыри")])], encoding="cp1251")
    path = tmp_path / "mixed.iso"
    path.write_bytes(utf8 + b"\r\n" + cp1251)
    records, rejected = read_all(path)
    assert rejected == []
    assert records[1].title == records[2].title == "Мцыри"
    assert records[1].authors == ["М. Ю. Лермонтов"]  # from 200 $f: no 7XX field


def test_truncated_last_record_and_record_without_title(tmp_path: Path) -> None:
    good = iso_record([rusmarc_100(), ("200", "1 ", [("a", "Муму")])])
    untitled = iso_record([rusmarc_100(), ("210", "  ", [("d", "2001")])])
    path = tmp_path / "cut.mrc"
    path.write_bytes(good + untitled + good[:40])
    records, rejected = read_all(path)
    assert list(records) == [1]
    assert [r.number for r in rejected] == [2, 3]
    assert "нет заглавия" in rejected[0].reason
    assert "обрезана" in rejected[1].reason


# --- MARCXML -------------------------------------------------------------------------------

MARCXML = """<?xml version="1.0" encoding="UTF-8"?>
<collection xmlns="http://www.loc.gov/MARC21/slim">
 <record>
  <leader>00000nam a2200000 i 4500</leader>
  <controlfield tag="008">151116s2015    ru a          000 1 rus d</controlfield>
  <datafield tag="020" ind1=" " ind2=" ">
   <subfield code="a">978-5-389-07435-4 (в пер.)</subfield></datafield>
  <datafield tag="100" ind1="1" ind2=" ">
   <subfield code="a">Пушкин, Александр Сергеевич.</subfield></datafield>
  <datafield tag="245" ind1="1" ind2="0">
   <subfield code="a">Капитанская дочка :</subfield>
   <subfield code="b">роман /</subfield>
   <subfield code="c">А. С. Пушкин.</subfield></datafield>
  <datafield tag="264" ind1=" " ind2="1">
   <subfield code="a">Москва :</subfield>
   <subfield code="b">Азбука,</subfield>
   <subfield code="c">2015.</subfield></datafield>
  <datafield tag="490" ind1="0" ind2=" ">
   <subfield code="a">Азбука-классика ;</subfield></datafield>
  <datafield tag="521" ind1=" " ind2=" "><subfield code="a">12+</subfield></datafield>
  <datafield tag="650" ind1=" " ind2="7">
   <subfield code="a">Русская литература</subfield></datafield>
  <datafield tag="852" ind1=" " ind2=" ">
   <subfield code="a">Школа № 5</subfield><subfield code="p">0001234</subfield></datafield>
 </record>
 <record>
  <leader>short</leader>
  <datafield tag="100" ind1=" " ind2=" ">
   <subfield code="a">20100101d2010    k  y0rusy0150    ca</subfield></datafield>
  <datafield tag="200" ind1="1" ind2=" ">
   <subfield code="a">Мцыри</subfield><subfield code="e">поэма</subfield></datafield>
  <datafield tag="210" ind1=" " ind2=" ">
   <subfield code="c">Детская литература</subfield><subfield code="d">2010</subfield></datafield>
  <datafield tag="700" ind1=" " ind2="1">
   <subfield code="a">Лермонтов</subfield><subfield code="g">Михаил Юрьевич</subfield></datafield>
 </record>
 <record><leader>00000nam a2200000 i 4500</leader><datafield tag="
"""


def test_marcxml(tmp_path: Path) -> None:
    path = tmp_path / "catalog.xml"
    path.write_text(MARCXML, encoding="utf-8")
    records, rejected = read_all(path)
    pushkin = records[1]
    assert (pushkin.title, pushkin.subtitle) == ("Капитанская дочка", "роман")
    assert pushkin.authors == ["Пушкин, Александр Сергеевич"]
    assert (pushkin.year, pushkin.publisher) == (2015, "Азбука")
    assert pushkin.isbns == ["978-5-389-07435-4"]
    assert pushkin.series == "Азбука-классика"
    assert (pushkin.language, pushkin.age_mark) == ("rus", 12)
    assert pushkin.subjects == ["Русская литература"]
    assert pushkin.items == [ParsedItem(barcode="0001234")]
    mtsyri = records[2]  # RUSMARC in MARCXML, with a leader of the wrong length
    assert (mtsyri.title, mtsyri.subtitle) == ("Мцыри", "поэма")
    assert mtsyri.authors == ["Лермонтов М. Ю."]
    assert (mtsyri.year, mtsyri.publisher) == (2010, "Детская литература")
    # the document breaks off inside the third record
    assert [r.number for r in rejected] == [3]
    assert rejected[0].reason.startswith("повреждённый XML")


# --- CSV -----------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_utf8_comma_english_headers(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "books.csv",
        "Title, Authors ,year,ISBN,publisher,series,subjects,age_mark,kind,Notes\n"
        'Мастер и Маргарита,Булгаков М. А.,2019,"978-5-17-118366-0, 5-7390-0346-6",АСТ,'
        "Эксклюзивная классика,роман; мистика,16+,книга,на полке у окна\n"
        "Алгебра. 7 класс,Макарычев Ю. Н.; Миндюк Н. Г.,2021,,Просвещение,,,12 +,учебник,\n",
    )
    records, rejected = read_all(path)
    assert rejected == []
    novel, algebra = records[1], records[2]
    assert novel.title == "Мастер и Маргарита"
    assert novel.authors == ["Булгаков М. А."]
    assert novel.isbns == ["978-5-17-118366-0", "5-7390-0346-6"]
    assert (novel.year, novel.publisher, novel.series) == (2019, "АСТ", "Эксклюзивная классика")
    assert novel.subjects == ["роман", "мистика"]
    assert (novel.age_mark, novel.kind) == (16, "book")
    assert algebra.authors == ["Макарычев Ю. Н.", "Миндюк Н. Г."]
    assert (algebra.kind, algebra.age_mark, algebra.isbns) == ("textbook", 12, [])


RUSSIAN_CSV = (
    "Название;Авторы;Год;Издательство;Возрастная маркировка;Вид;Инвентарный номер;"
    "Штрихкод;Экземпляры\n"
    "Капитанская дочка;Пушкин А. С.;2015;Азбука;12+;книга;И-101;2000000000101;3\n"
    "Война и мир;Толстой, Лев Николаевич;2010;Эксмо;12;книга;;;4\n"
    "Детский журнал «Мурзилка»;;2023;;0+;периодика;И-102;;\n"
)


@pytest.mark.parametrize(
    ("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("cp1251", False)]
)
def test_csv_russian_headers_semicolon_encodings(tmp_path: Path, encoding: str, bom: bool) -> None:
    data = RUSSIAN_CSV.replace("\n", "\r\n").encode(encoding)
    path = tmp_path / "fond.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    records, rejected = read_all(path)
    assert rejected == []
    pushkin, tolstoy, magazine = records[1], records[2], records[3]
    assert (pushkin.title, pushkin.authors) == ("Капитанская дочка", ["Пушкин А. С."])
    assert (pushkin.year, pushkin.publisher, pushkin.age_mark) == (2015, "Азбука", 12)
    # one numbered copy; "Экземпляры" 3 is the total, so two more without numbers
    assert pushkin.items == [ParsedItem(inventory_number="И-101", barcode="2000000000101")]
    assert pushkin.copies == 2
    assert tolstoy.authors == ["Толстой, Лев Николаевич"]
    assert (tolstoy.items, tolstoy.copies) == ([], 4)
    assert magazine.title == "Детский журнал «Мурзилка»"
    assert (magazine.kind, magazine.age_mark) == ("periodical", 0)
    assert (magazine.items, magazine.copies) == ([ParsedItem(inventory_number="И-102")], 0)


def test_csv_bad_rows_are_rejected_with_row_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "mixed.csv",
        "title;year;kind;age_mark;copies\n"
        "Хорошая книга;2001;;;\n"  # 1
        ";2002;;;\n"  # 2: no title
        "Книга с годом словами;около 2000;;;\n"  # 3
        "Ковёр;2003;ковёр;;\n"  # 4: unknown kind
        "Возраст;2004;;13+;\n"  # 5: not a legal age mark
        "Минус;2005;;;-1\n"  # 6
        "Дробь;2005;;;1.5\n"  # 7
        "\n"  # 8: blank, skipped
        "Ещё хорошая;;student_work;18+;2\n",  # 9
    )
    records, rejected = read_all(path)
    assert sorted(records) == [1, 9]
    assert [r.number for r in rejected] == [2, 3, 4, 5, 6, 7]
    assert rejected[0].reason == "нет названия"
    assert "год" in rejected[1].reason
    assert "вид" in rejected[2].reason
    assert "возрастная маркировка" in rejected[3].reason
    assert all("экземпляров" in r.reason for r in rejected[4:])
    assert (records[9].kind, records[9].age_mark, records[9].copies) == ("student_work", 18, 2)


def test_not_a_catalog(tmp_path: Path) -> None:
    png = tmp_path / "photo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    letter = write(tmp_path, "letter.txt", "Дорогая Мария Ивановна,\nвозвращаю книги.\n")
    table = write(tmp_path, "marks.csv", "ученик;оценка\nИванов;5\n")
    for path in (png, letter, table):
        with pytest.raises(CatalogFormatError):
            read_catalog(path)
    with pytest.raises(CatalogFormatError):
        read_catalog(letter, "marc")
    with pytest.raises(CatalogFormatError):
        read_catalog(write(tmp_path, "empty.xml", "<html><body/></html>"))


def test_format_detection(tmp_path: Path) -> None:
    csv_text = "название,автор\nМуму,Тургенев И. С.\n"
    assert detect_format(tmp_path / "a.txt", csv_text.encode()) == "csv"
    assert detect_format(tmp_path / "a.bin", b"\xef\xbb\xbf<?xml version='1.0'?>") == "marcxml"
    record = iso_record([rusmarc_100(), ("200", "1 ", [("a", "Муму")])])
    assert detect_format(tmp_path / "a.txt", record) == "marc"
    path = write(tmp_path, "list.txt", csv_text)
    assert [r.title for r in read_catalog(path)] == ["Муму"]
    with pytest.raises(ValueError, match="unknown catalog format"):
        read_catalog(path, "xlsx")


def test_csv_encoding_edge_cases(tmp_path: Path) -> None:
    # a big UTF-8 file: the header is read right whatever the size
    rows = "".join(f"Книга № {n};Автор {n}\n" for n in range(6000))
    big = write(tmp_path, "big.csv", "название;автор\n" + rows)
    assert sum(1 for _ in read_catalog(big)) == 6000
    # UTF-8 spoilt by one stray cp1251 byte is still read as UTF-8
    spoilt = tmp_path / "spoilt.csv"
    spoilt.write_bytes("название;автор\nЗолотой ключик;Толстой А. Н.\n".encode() + b"\xab\n")
    records, _ = read_all(spoilt)
    assert records[1].title == "Золотой ключик"


def test_readers_name_the_isbns_they_cannot_use(tmp_path: Path) -> None:
    """A wrong check digit or a number of the wrong length is not silently dropped: the
    record carries it in `bad_isbns`, and the good ISBNs still come through."""
    path = write(
        tmp_path,
        "isbn.csv",
        "title,isbn\n"
        'Муму,"978-5-389-07435-5; 5-389-07435-1; 978-5-389-0743; 4607001234567"\n'
        "Ася,5-389-07435-1\n",
    )
    records, rejected = read_all(path)
    assert rejected == []
    assert records[1].bad_isbns == [
        BadIsbn("978-5-389-07435-5", IsbnProblem.CHECK_DIGIT),
        BadIsbn("978-5-389-0743", IsbnProblem.NOT_AN_ISBN),
        BadIsbn("4607001234567", IsbnProblem.NOT_AN_ISBN),
    ]
    assert "5-389-07435-1" in records[1].isbns
    assert records[2].bad_isbns == []


def test_rusmarc_reader_names_isbns_with_wrong_check_digits(
    tpu: tuple[dict[int, ParsedRecord], list[Rejected]],
) -> None:
    records, _ = tpu  # RUSMARC 010
    assert records[46].bad_isbns == [BadIsbn("5859290046", IsbnProblem.CHECK_DIGIT)]
    assert sum(len(r.bad_isbns) for r in records.values()) == 5


def test_marc21_isbn_with_a_wrong_check_digit(tmp_path: Path) -> None:
    path = tmp_path / "catalog.xml"
    path.write_text(MARCXML.replace("07435-4 (в пер.)", "07435-5 (в пер.)"), encoding="utf-8")
    records, _ = read_all(path)  # MARC21 020
    assert records[1].bad_isbns == [BadIsbn("978-5-389-07435-5", IsbnProblem.CHECK_DIGIT)]
