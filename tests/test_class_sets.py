"""Taking a class's textbooks back at the end of the year when not everyone hands theirs in:
the librarian marks who did not, takes the rest, and the marked students keep their loans."""

from __future__ import annotations

from sqlalchemy import func, select

from db.engine import Database
from db.enums import RecordKind
from db.models import Item, Loan, Reader, Record
from messages import texts
from tests.support.chat import Chat, ChatFactory
from tests.support.library import forge, notices_for


def labels(person: Chat) -> list[str]:
    return [b.label for reply in person.replies for row in reply.buttons for b in row]


async def class_7b(db: Database) -> list[Reader]:
    async with db.reading() as session:
        return list(
            await session.scalars(
                select(Reader)
                .where(Reader.library_id == 1, Reader.class_name == "7Б")
                .order_by(Reader.full_name, Reader.id)
            )
        )


async def textbooks_on_loan(db: Database, reader_ids: list[int] | None = None) -> int:
    """Textbooks on loan to these readers (by default: to 7Б — the demo's older classes hold
    their sets since September)."""
    if reader_ids is None:
        reader_ids = [reader.id for reader in await class_7b(db)]
    async with db.reading() as session:
        query = (
            select(func.count())
            .select_from(Loan)
            .join(Item, Item.id == Loan.item_id)
            .join(Record, Record.id == Item.record_id)
            .where(Loan.returned_at.is_(None), Record.kind == RecordKind.TEXTBOOK)
            .where(Loan.reader_id.in_(reader_ids))
        )
        return await session.scalar(query) or 0


async def issue_russian(librarian: Chat) -> None:
    await librarian.send("выдать 7Б комплект: Русский язык 7")
    await librarian.press("Выдать комплект")
    assert "Выдано 13 экземпляров ученикам 7Б." in librarian.text


async def show(person: Chat, name: str) -> None:
    """Page on until the student's button is on screen."""
    while not any(name in label for label in labels(person)):
        await person.press("Дальше")


async def test_the_librarian_marks_who_did_not_hand_in_and_takes_the_rest(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian, student = chat("librarian"), chat("student")
    await issue_russian(librarian)
    first, *_ = await class_7b(demo_db)

    await librarian.send("/collect 7Б")
    assert "У 7Б на руках 13 учебников. Принять все разом?" in librarian.text
    assert f"1. {first.full_name}: Русский язык. 7 класс" in librarian.text
    assert "Страница 1 из 3." in librarian.text
    assert len(labels(librarian)) == 8  # six students, ▶ and «принять все»

    await librarian.press(first.full_name)  # did not hand it in
    assert librarian.replies[0].edit
    assert "Принять у остальных: 12 учебников." in librarian.text
    assert f"1. ✋ {first.full_name} — не сдаёт: Русский язык. 7 класс" in librarian.text
    assert f"✋ {first.full_name}" in labels(librarian)
    await show(librarian, "Смирнова Мария")
    await librarian.press("Смирнова Мария")
    assert f"✋ Не сдают (учебники останутся за ними): {first.full_name}, Смирнова Мария." in (
        librarian.text
    )
    # Pressed again, a student is back among those handing in; and marked once more.
    await librarian.press("✋ Смирнова Мария")
    assert "Принять у остальных: 12 учебников." in librarian.text
    await librarian.press("Смирнова Мария")
    assert "Принять у остальных: 11 учебников." in librarian.text
    assert "Принять все" not in " ".join(labels(librarian))

    await librarian.press("Принять у остальных")
    assert librarian.text == (
        f"Принято у 7Б: 11 учебников.\nОстались на руках: {first.full_name} — 1, "
        "Смирнова Мария — 1."
    )
    assert await textbooks_on_loan(demo_db) == 2
    await student.send("мои книги")
    assert "Русский язык. 7 класс" in student.text
    assert not any(n.startswith("📥 Учебники сданы") for n in await notices_for(demo_db, "student"))

    # Later the two hand theirs in: one tap takes all that is left.
    await librarian.send("/collect 7Б")
    assert "У 7Б на руках 2 учебника. Принять все разом?" in librarian.text
    await librarian.press("Принять все")
    assert librarian.text == "Принято у 7Б: 2 учебника."
    assert await textbooks_on_loan(demo_db) == 0


async def test_forged_collect_buttons_touch_only_the_librarians_own_class(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    await issue_russian(librarian)
    students = await class_7b(demo_db)
    async with demo_db.reading() as session:
        stranger = await session.scalar(  # a reader of another class
            select(Reader.id).where(Reader.library_id == 1, Reader.class_name != "7Б").limit(1)
        )
    assert stranger is not None

    # A student forging the librarian's button is refused; nothing is taken back.
    student = chat("student")
    await student.send("мои книги")
    await student.press_token(await forge(demo_db, "student", "set.collect", class_name="7Б"))
    assert student.text == texts.ACCESS_DENIED
    assert await textbooks_on_loan(demo_db) == 13

    # The other school's librarian forging the button acts on their own school only.
    other = chat("librarian2")
    await other.send("/help")
    await other.press_token(
        await forge(demo_db, "librarian2", "set.collect", class_name="7Б", kept=[])
    )
    assert await textbooks_on_loan(demo_db) == 13

    # A stranger's id among the marked changes nothing: it is not a student of this class.
    await librarian.press_token(
        await forge(
            demo_db, "librarian", "set.collect_page", class_name="7Б", kept=[stranger], page=1
        )
    )
    assert "Принять у остальных" not in librarian.text and "✋" not in " ".join(labels(librarian))
    await librarian.press_token(
        await forge(
            demo_db, "librarian", "set.collect", class_name="7Б", kept=[stranger, students[0].id]
        )
    )
    assert librarian.text.startswith("Принято у 7Б: 12 учебников.")
    assert await textbooks_on_loan(demo_db) == 1
    assert await textbooks_on_loan(demo_db, [students[0].id]) == 1


async def test_a_class_set_is_due_on_an_open_day(chat: ChatFactory) -> None:
    librarian, student = chat("librarian"), chat("student")
    await librarian.send("/closed 31.05 подготовка к сдаче учебников")
    await issue_russian(librarian)
    await student.send("мои книги")
    assert "Русский язык. 7 класс (Баранов М. Т.) — вернуть до 1 июня" in student.text
