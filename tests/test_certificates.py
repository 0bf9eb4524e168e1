"""A project's certificate: one A4 landscape page whose Russian text a PDF reader can extract."""

from __future__ import annotations

import io
from datetime import date

import pytest

from messages.certificates import certificate_pdf

pypdf = pytest.importorskip("pypdf")

SCHOOL = "МБОУ «Средняя общеобразовательная школа № 1»"
DAY = date(2026, 12, 25)


def _page(pdf: bytes) -> tuple[str, int, tuple[float, float]]:
    """The extracted text (lines joined by spaces), the number of pages, the page's size (pt)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    text = " ".join(page.extract_text().split())
    return text, len(reader.pages), (float(page.mediabox.width), float(page.mediabox.height))


def test_certificate_names_the_child_the_project_the_school_and_the_date() -> None:
    pdf = certificate_pdf("Мария Смирнова", "Читаем вместе: зимние сказки", SCHOOL, DAY)

    text, pages, (width, height) = _page(pdf)
    assert pdf.startswith(b"%PDF-")
    assert pages == 1
    assert width == pytest.approx(841.89, abs=1) and height == pytest.approx(595.28, abs=1)
    assert "СЕРТИФИКАТ" in text
    assert "Мария Смирнова" in text
    assert "за успешное завершение проекта" in text
    assert "«Читаем вместе: зимние сказки»" in text
    assert SCHOOL in text
    assert "25 декабря 2026 г." in text
    assert len(pdf) < 200_000  # the font is subset: only the glyphs used are embedded


def test_a_name_with_yo_and_a_hyphenated_surname_comes_out_as_given() -> None:
    pdf = certificate_pdf("Алёна Римская-Корсакова", "Лето с книгой", SCHOOL, DAY)

    text, pages, _ = _page(pdf)
    assert pages == 1
    assert "Алёна Римская-Корсакова" in text
    assert "«Лето с книгой»" in text


def test_a_certificate_of_taking_part_says_so() -> None:
    text, _, _ = _page(
        certificate_pdf("Пётр Иванов", "Лето с книгой", SCHOOL, DAY, completed=False)
    )

    assert "Пётр Иванов за участие в проекте «Лето с книгой»" in text
    assert "завершение" not in text


def test_a_long_title_wraps_and_a_long_name_still_fits_on_the_one_page() -> None:
    title = (
        "Большое литературное путешествие по сказкам народов России, Сибири и Дальнего "
        "Востока: читаем, рисуем, пишем отзывы и ставим спектакль всем классом"
    )
    name = "Александра-Виктория Константинопольская-Великорецкая"
    pdf = certificate_pdf(name, title, SCHOOL, DAY)

    text, pages, _ = _page(pdf)
    assert pages == 1
    assert name in text
    assert f"«{title}»" in text  # every word of it, over several lines


def test_what_never_fits_is_cut_with_an_ellipsis_and_stays_on_one_page() -> None:
    pdf = certificate_pdf("Очень Длинное Имя " * 20, "Проект " * 100, SCHOOL, DAY)

    text, pages, _ = _page(pdf)
    assert pages == 1
    assert text.count("…") == 2  # the name and the title
    assert SCHOOL in text and "25 декабря 2026 г." in text  # the footer is still there


def test_the_same_certificate_gives_the_same_bytes() -> None:
    args = ("Мария Смирнова", "Читаем вместе: зимние сказки", SCHOOL, DAY)

    assert certificate_pdf(*args) == certificate_pdf(*args)
    assert certificate_pdf(*args) != certificate_pdf(*args[:3], date(2026, 12, 26))
