"""Finding a reader at the desk: a look-alike name is a suggestion, never an answer; typed
barcodes and cards that do not exist get a plain answer."""

from __future__ import annotations

from sqlalchemy import func, select

from db.engine import Database
from db.models import Item, Library, Loan, Reader
from messages import texts
from tests.support.chat import ChatFactory
from tests.support.library import circulation_counts, copies


async def _names(db: Database, library: str) -> set[str]:
    async with db.reading() as session:
        return set(
            await session.scalars(
                select(Reader.full_name).join(Library).where(Library.code == library)
            )
        )


async def test_a_name_nobody_has_offers_look_alikes_and_opens_nobody(
    chat: ChatFactory, demo_db: Database
) -> None:
    names = await _names(demo_db, "school-1")
    assert "Петров Иван" not in names and any(n.startswith("Петров ") for n in names)
    librarian = chat("librarian")
    await librarian.send("/reader Петров Иван")
    assert librarian.text.startswith("Читателя «Петров Иван» в вашей библиотеке нет.")
    assert "формуляр №" not in librarian.text  # no card was opened
    labels = [b.label for row in librarian.replies[-1].buttons for b in row]
    assert labels and any("Петров" in label for label in labels)
    await librarian.press("Петров")  # choosing a suggestion opens that card
    assert "формуляр №" in librarian.text


async def test_a_name_at_another_school_is_not_guessed(
    chat: ChatFactory, demo_db: Database
) -> None:
    assert "Смирнова Мария" not in await _names(demo_db, "school-2")
    librarian2 = chat("librarian2")
    await librarian2.send("/reader Смирнова Мария")
    assert "формуляр №" not in librarian2.text
    assert librarian2.text.startswith("Читателя «Смирнова Мария» в вашей библиотеке нет.")


async def test_an_exact_name_opens_the_card_and_nobody_gets_a_plain_answer(
    chat: ChatFactory,
) -> None:
    librarian = chat("librarian")
    await librarian.send("/reader смирнова мария")  # several girls of that name: a list
    await librarian.press("№ 1001")
    assert "Смирнова Мария, 7Б · формуляр № 1001" in librarian.text
    await librarian.send("/reader 1001")
    assert "Смирнова Мария, 7Б · формуляр № 1001" in librarian.text
    await librarian.send("/reader Щукинзон Эльвира")
    assert librarian.text == say_none("Щукинзон Эльвира")
    await librarian.send("/reader")
    assert librarian.text == texts.DESK_READER_USAGE


def say_none(query: str) -> str:
    return texts.DESK_READER_NONE.format(query=query)


async def test_block_and_unblock_answer_about_the_card_itself(chat: ChatFactory) -> None:
    librarian = chat("librarian")
    await librarian.send("/block 9999 шумел")
    assert librarian.text == texts.DESK_CARD_NONE.format(card="9999")
    await librarian.send("/unblock 1001")
    assert librarian.text.startswith("Формуляр № 1001 (Смирнова Мария) не заблокирован")


async def test_issuing_to_a_look_alike_name_asks_instead_of_issuing(
    chat: ChatFactory, demo_db: Database
) -> None:
    free = (await copies(demo_db, "Ревизор"))[0].inventory_number
    before = await circulation_counts(demo_db)
    librarian = chat("librarian")
    await librarian.send(f"/issue {free} Петров Иван")
    assert librarian.text.startswith("Читателя «Петров Иван» в вашей библиотеке нет.")
    assert await circulation_counts(demo_db) == before


async def test_a_copy_on_loan_is_refused_at_once_and_the_next_message_is_not_a_reader(
    chat: ChatFactory, demo_db: Database
) -> None:
    async with demo_db.reading() as session:
        inventory = await session.scalar(
            select(Item.inventory_number)
            .join(Loan, Loan.item_id == Item.id)
            .join(Library, Library.id == Item.library_id)
            .where(Loan.returned_at.is_(None), Library.code == "school-1")
            .limit(1)
        )
    librarian = chat("librarian")
    await librarian.send(f"/issue {inventory}")
    assert "уже выдан" in librarian.text and "Кому выдать" not in librarian.text
    await librarian.send("мои книги")  # read as what it is, not as a reader's name
    assert "Читателя" not in librarian.text


async def test_a_barcode_typed_in_groups_is_a_barcode(chat: ChatFactory, demo_db: Database) -> None:
    item = (await copies(demo_db, "Ревизор"))[0]
    assert item.barcode and len(item.barcode) == 13
    grouped = f"{item.barcode[0]} {item.barcode[1:7]} {item.barcode[7:]}"
    librarian = chat("librarian")
    await librarian.send(f"/issue {grouped}")
    assert "«Ревизор»" in librarian.text and "Кому выдать" in librarian.text
    await librarian.send("1001")
    assert "Выдано: «Ревизор»" in librarian.text
    await librarian.send("/return")
    await librarian.send(grouped)
    assert "Принято: «Ревизор»" in librarian.text


async def test_register_writes_names_properly_and_asks_before_a_namesake(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    await librarian.send("/register кузнецова-петрова алиса 6а")
    assert "Кузнецова-Петрова Алиса, 6А" in librarian.text
    await librarian.send("/register КУЗНЕЦОВА-ПЕТРОВА алиса 6б")
    assert librarian.text.startswith(texts.DESK_REGISTER_NAMESAKES)
    assert "Кузнецова-Петрова Алиса, 6А" in librarian.text
    assert await _names(demo_db, "school-1") >= {"Кузнецова-Петрова Алиса"}
    async with demo_db.reading() as session:
        count = await session.scalar(
            select(func.count()).where(Reader.full_name == "Кузнецова-Петрова Алиса")
        )
    assert count == 1  # nothing written until the librarian decides
    await librarian.press("Записать нового")
    assert "Кузнецова-Петрова Алиса, 6Б" in librarian.text
    async with demo_db.reading() as session:
        count = await session.scalar(
            select(func.count()).where(Reader.full_name == "Кузнецова-Петрова Алиса")
        )
    assert count == 2


async def test_stop_says_what_stays_done_and_cancel_with_nothing_says_so(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    await librarian.send("/cancel")
    assert librarian.text == texts.NOTHING_TO_CANCEL
    await librarian.send("/reader 1001")
    inventory = librarian.text.split("инв. № ")[1].split(")")[0]
    await librarian.send("/return")
    await librarian.send(inventory)
    assert "Принято:" in librarian.text
    await librarian.send("стоп")
    assert librarian.text == "Приём закончен. Принятые книги остаются принятыми."
    async with demo_db.reading() as session:
        still_returned = await session.scalar(
            select(func.count())
            .select_from(Loan)
            .join(Item, Item.id == Loan.item_id)
            .where(
                Item.inventory_number == inventory,
                Item.library_id == 1,  # numbers repeat from school to school
                Loan.returned_at.is_not(None),
            )
        )
    assert still_returned
