"""A librarian types an inventory number or a barcode: one answer, about that copy, with the
button to act on it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from db.engine import Database
from db.enums import HoldStatus, ItemStatus
from db.models import Hold, Item, Library, Loan, Reader, Record
from tests.conftest import FIXED_NOW
from tests.support.chat import ChatFactory
from tests.support.library import keep_one_copy


async def marias_loans(db: Database) -> list[tuple[Item, str]]:
    """The copies Мария (card 1001, Школа №1) has, the overdue one first."""
    async with db.reading() as session:
        rows = await session.execute(
            select(Item, Record.title)
            .join(Loan, Loan.item_id == Item.id)
            .join(Reader, Reader.id == Loan.reader_id)
            .join(Record, Record.id == Item.record_id)
            .join(Library, Library.id == Reader.library_id)
            .where(
                Reader.card_number == "1001",
                Library.code == "school-1",
                Loan.returned_at.is_(None),
            )
            .order_by(Loan.due_at)
        )
        return [(item, title) for item, title in rows]


async def test_a_copy_on_loan_says_who_has_it_and_takes_it_back(
    chat: ChatFactory, demo_db: Database
) -> None:
    overdue, (item, title) = await marias_loans(demo_db)
    librarian = chat("librarian")

    await librarian.send(item.inventory_number)
    [answer] = librarian.replies  # the copy alone, no «ничего не нашлось» after it
    assert answer.text.startswith(
        f"Экземпляр инв. № {item.inventory_number} (штрихкод {item.barcode}): {title}"
    )
    assert " — выдан\nНа руках: Смирнова Мария, 7Б, формуляр № 1001 — вернуть до 25 ноября." in (
        answer.text
    )
    await librarian.send(overdue[0].inventory_number)
    assert "На руках: Смирнова Мария, 7Б, формуляр № 1001 — ⚠️ срок истёк 10 ноября." in (
        librarian.text
    )

    await librarian.send(item.inventory_number)
    await librarian.press("📥 Принять")
    assert f"Принято: «{title}» (инв. № {item.inventory_number}) от " in librarian.text

    barcode = item.barcode or ""
    await librarian.send(f"{barcode[0]} {barcode[1:7]} {barcode[7:]}")  # as printed under it
    [answer] = librarian.replies
    assert answer.text.endswith(" — на полке") and title in answer.text
    await librarian.press("📕 Выдать")
    assert f"«{title}» (инв. № {item.inventory_number}). Кому выдать?" in librarian.text


async def test_a_copy_on_the_hold_shelf_says_for_whom_and_until_when(
    chat: ChatFactory, demo_db: Database
) -> None:
    inventory = await keep_one_copy(demo_db, "Пиковая дама")
    async with demo_db.transaction() as session:  # approved for Мария: kept until 19 ноября
        item = await session.scalar(
            select(Item).where(Item.inventory_number == inventory, Item.library_id == 1)
        )
        assert item is not None
        maria = await session.scalar(
            select(Reader.id).where(Reader.card_number == "1001", Reader.library_id == 1)
        )
        item.status = ItemStatus.ON_HOLD_SHELF
        session.add(
            Hold(record_id=item.record_id, reader_id=maria, library_id=1, item_id=item.id,
                 status=HoldStatus.READY, created_at=FIXED_NOW,
                 ready_until=FIXED_NOW + timedelta(days=3))
        )  # fmt: skip
    librarian = chat("librarian")

    await librarian.send(inventory)
    [answer] = librarian.replies
    assert "Пиковая дама — Пушкин А. С. — на полке заказов" in answer.text
    assert (
        "Кому отложен: Смирнова Мария, 7Б, формуляр № 1001 — забрать до 19 ноября." in answer.text
    )
    await librarian.press("📕 Выдать")
    assert "Выдано: «Пиковая дама»" in librarian.text and ", 7Б." in librarian.text


async def test_a_number_that_is_also_a_title_offers_the_catalog(
    chat: ChatFactory, demo_db: Database
) -> None:
    async with demo_db.reading() as session:
        copy_title = await session.scalar(
            select(Record.title)
            .join(Item, Item.record_id == Record.id)
            .where(Item.inventory_number == "1984", Item.library_id == 1)
        )
    assert copy_title and copy_title != "1984"
    librarian = chat("librarian")
    await librarian.send("1984")
    [answer] = librarian.replies
    assert "Экземпляр инв. № 1984 (штрихкод " in answer.text and copy_title in answer.text
    await librarian.press("🔎 1984")
    assert "1. 1984 — Оруэлл Дж." in librarian.text
    await librarian.send("есть ли 1984?")  # a question about the catalog, not a copy number
    assert "1. 1984 — Оруэлл Дж." in librarian.text and "Экземпляр" not in librarian.text


async def test_a_number_that_is_no_copy_is_searched_in_the_catalog(chat: ChatFactory) -> None:
    librarian = chat("librarian")
    await librarian.send("99999")
    [answer] = librarian.replies
    assert "По запросу «99999» ничего не нашлось." in answer.text
