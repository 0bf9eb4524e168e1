"""Everyday requests in people's own words, as students, parents and librarians write them:
greetings and thanks, holds, how many books, renewing them all, cancelling a hold, the library's
rules, the reading history; a librarian's desk words — and the same words from anyone else,
which show nothing of the desk. A command that is also a book's title; a long message searched
for the part of it that names a work."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.catalog import RecordData, add_record
from db.engine import Database
from db.enums import HoldStatus, ItemStatus
from db.models import Hold, Loan
from messages import texts
from messages.i18n import say
from tests.support.chat import Chat, ChatFactory
from tests.support.library import copies, forge, keep_one_copy, linked_reader

BOOK = "Пиковая дама"
OVERDUE = "• Книга «Недоросль» просрочена на 6 дней — продлить уже нельзя, верните её в библиотеку."


def labels(person: Chat) -> list[str]:
    return [b.label for reply in person.replies for row in reply.buttons for b in row]


async def reserve(person: Chat, title: str) -> None:
    await person.send(f"хочу взять {title}")
    await person.press("📌 1")
    assert "Заявка на книгу" in person.text, person.text


async def hold_statuses(db: Database) -> list[HoldStatus]:
    async with db.reading() as session:
        return list(await session.scalars(select(Hold.status).order_by(Hold.id)))


async def open_loans(db: Database) -> int:
    async with db.reading() as session:
        return len(list(await session.scalars(select(Loan.id).where(Loan.returned_at.is_(None)))))


# Greeting and thanks ---------------------------------------------------------------------------


@pytest.mark.parametrize("hello", ["привет", "Здравствуйте!", "добрый день", "здрасте", "ghbdtn"])
async def test_a_greeting_answers_each_person_as_who_they_are(
    chat: ChatFactory, hello: str
) -> None:
    student, parent, librarian, newcomer = (
        chat("student"),
        chat("parent"),
        chat("librarian"),
        chat("newcomer"),
    )
    await student.send(hello)
    assert student.text == say(texts.GREETING_READER, name="Мария")
    await parent.send(hello)
    assert parent.text == texts.GREETING_PARENT
    await librarian.send(hello)
    assert librarian.text == say(texts.GREETING_LIBRARIAN, library="Школа №1")
    await newcomer.send(hello)
    assert newcomer.text == texts.GREETING_GUEST


@pytest.mark.parametrize("thanks", ["спасибо", "спс", "Спасибо большое!", "спосибо", "благодарю"])
async def test_thanks_is_answered_kindly(chat: ChatFactory, thanks: str) -> None:
    for persona in ("student", "parent", "librarian"):
        person = chat(persona)
        await person.send(thanks)
        assert person.text == texts.THANKS


# Holds -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "asked", ["мои брони", "что я забронировал", "мои заявки", "мои бронии", "vjb ,hjyb"]
)
async def test_a_student_sees_her_holds_and_cancels_one_with_a_tap(
    chat: ChatFactory, demo_db: Database, asked: str
) -> None:
    student = chat("student")
    await student.send(asked)
    assert student.text == "Мария: броней нет.\n\n" + texts.MY_HOLDS_HOW
    await reserve(student, BOOK)
    await student.send(asked)
    assert student.text == (
        "Мария: 1 бронь.\n📌1. Пиковая дама — ждёт одобрения библиотекаря\n\n"
        + texts.MY_HOLDS_CANCEL_HINT
    )
    await student.press("✖ 📌1")
    assert student.text.startswith("Бронь на книгу «Пиковая дама» снята.\n\nМария: броней нет.")
    assert await hold_statuses(demo_db) == [HoldStatus.CANCELLED]


async def test_a_parent_sees_each_childs_holds_and_cancels_for_them(
    chat: ChatFactory, demo_db: Database
) -> None:
    student, parent = chat("student"), chat("parent")
    await reserve(student, BOOK)
    await parent.send("брони дочки")
    assert "Мария: 1 бронь.\n📌1. Пиковая дама — ждёт одобрения библиотекаря" in parent.text
    assert "Илья: броней нет." in parent.text
    assert texts.MY_HOLDS_HOW not in parent.text  # a parent does not reserve for a child
    await parent.press("✖ 📌1")
    assert "Бронь на книгу «Пиковая дама» снята." in parent.text
    assert await hold_statuses(demo_db) == [HoldStatus.CANCELLED]


@pytest.mark.parametrize(
    "asked",
    [
        "отмени бронь на дубровского",
        "Отмените бронь на «Дубровского»",
        "сними бронь с дубровского",
        "мне больше не нужен дубровский",
    ],
)
async def test_a_hold_named_by_its_title_is_cancelled(
    chat: ChatFactory, demo_db: Database, asked: str
) -> None:
    student = chat("student")
    await reserve(student, BOOK)
    await reserve(student, "дубровский")
    await student.send(asked)
    assert student.text == "Бронь на книгу «Дубровский» снята."
    assert await hold_statuses(demo_db) == [HoldStatus.PENDING, HoldStatus.CANCELLED]
    await student.send("мои брони")
    assert "Мария: 1 бронь.\n📌1. Пиковая дама" in student.text


@pytest.mark.parametrize("asked", ["не нужна книга", "отмени бронь", "отменить бронь"])
async def test_a_hold_not_named_is_asked_for(
    chat: ChatFactory, demo_db: Database, asked: str
) -> None:
    student = chat("student")
    await student.send(asked)
    assert student.text == texts.CANCEL_HOLD_NONE
    await reserve(student, BOOK)
    await reserve(student, "дубровский")
    await student.send(asked)
    assert student.text.startswith(texts.CANCEL_HOLD_WHICH + "\n\nМария: 2 брони.")
    assert labels(student) == ["✖ 📌1", "✖ 📌2"]
    await student.press("✖ 📌2")
    assert student.text.startswith("Бронь на книгу «Дубровский» снята.")
    assert await hold_statuses(demo_db) == [HoldStatus.PENDING, HoldStatus.CANCELLED]


async def test_cancelling_a_hold_nobody_has_lists_the_holds_there_are(
    chat: ChatFactory, demo_db: Database
) -> None:
    student, parent = chat("student"), chat("parent")
    await reserve(student, BOOK)
    await student.send("отмени бронь на войну и мир")
    assert student.text.startswith("Среди ваших броней нет похожей на «")
    assert "📌1. Пиковая дама" in student.text
    await parent.send("отмени бронь на пиковую даму")  # a parent cancels for the child
    assert parent.text == "Бронь на книгу «Пиковая дама» снята."
    assert await hold_statuses(demo_db) == [HoldStatus.CANCELLED]


async def test_a_cancel_button_is_authorised_again_when_pressed(
    chat: ChatFactory, demo_db: Database
) -> None:
    student, stranger = chat("student"), chat("librarian2")
    await reserve(student, BOOK)
    async with demo_db.reading() as session:
        hold_id = await session.scalar(select(Hold.id))
    await stranger.send("привет")
    await stranger.press_token(
        await forge(demo_db, "librarian2", "hold.cancel_listed", hold=hold_id)
    )
    assert stranger.text == texts.ACCESS_DENIED
    assert await hold_statuses(demo_db) == [HoldStatus.PENDING]


# How many books, renewing them all ---------------------------------------------------------------


@pytest.mark.parametrize(
    "asked",
    [
        "сколько у меня книг",
        "Сколько у меня книг?",
        "сколько книг у меня на руках",
        "скок у меня книг",
    ],
)
async def test_how_many_books_with_the_right_plural(chat: ChatFactory, asked: str) -> None:
    student, parent, librarian = chat("student"), chat("parent"), chat("librarian")
    await student.send(asked)
    assert student.text == "У вас на руках 2 книги, из них 1 просрочена."
    await parent.send(asked)
    assert parent.text == (
        "Мария: на руках 2 книги, из них 1 просрочена.\n"
        "Илья: на руках 2 книги, из них 1 просрочена."
    )
    await librarian.send("/return 5")  # «Бедная Лиза» back: the overdue one is left
    await student.send(asked)
    assert student.text == "У вас на руках 1 книга — и она просрочена."
    await student.press("📚 Мои книги")
    assert "Мария: на руках 1 книга." in student.text
    await librarian.send("/return 1")
    await student.send(asked)
    assert student.text == texts.LOAN_COUNT_OWN_NONE
    assert labels(student) == []


@pytest.mark.parametrize(
    "asked",
    ["продли всё", "продлить все книги", "продли все мои книги", "продлите все книги пожалуйста"],
)
async def test_renew_all_renews_what_may_be_and_says_why_not_the_rest(
    chat: ChatFactory, asked: str
) -> None:
    student = chat("student")
    await student.send(asked)
    assert student.text == (
        "Продлена 1 книга:\n• «Бедная Лиза» — теперь вернуть до 9 декабря\n\n"
        "Не продлены:\n" + OVERDUE
    )


async def test_a_parent_renews_all_of_each_childs_books(chat: ChatFactory) -> None:
    parent = chat("parent")
    await parent.send("продли все книги")
    assert parent.text.startswith("Продлены 2 книги:\n")
    assert "• Мария: «Бедная Лиза» — теперь вернуть до 9 декабря" in parent.text
    assert "• Илья: «Басни» — теперь вернуть до 9 декабря" in parent.text
    assert "Не продлены:\n" in parent.text
    assert "• Мария: Книга «Недоросль» просрочена на 6 дней" in parent.text
    assert "• Илья: Книга «Недоросль» просрочена на 6 дней" in parent.text


async def test_renew_all_when_nothing_can_be_renewed(chat: ChatFactory) -> None:
    student, librarian = chat("student"), chat("librarian")
    classmate = await linked_reader(chat, librarian, "1062", "classmate")
    await classmate.send("продли всё")
    assert classmate.text == texts.RENEW_NOTHING
    await reserve(classmate, "бедная лиза")  # someone waits for her book now
    await student.send("продли всё")
    assert student.text == (
        texts.RENEW_ALL_NONE
        + "\n"
        + OVERDUE
        + "\n• Книгу «Бедная Лиза» продлить нельзя: её ждут другие читатели."
    )
    await librarian.send("/block 1001 потеряла учебник")
    await student.send("продли всё")
    assert student.text == (
        texts.RENEW_ALL_NONE + "\n• " + texts.REFUSALS["reader_blocked_self"]
    )  # said once, and the librarian's note stays with the librarian


async def test_everyday_words_from_someone_not_linked_ask_for_a_code(chat: ChatFactory) -> None:
    newcomer = chat("newcomer")
    for asked in ("мои брони", "сколько у меня книг", "продли всё", "отмени бронь", "что я читал"):
        await newcomer.send(asked)
        assert newcomer.text == texts.MY_BOOKS_NOT_LINKED, asked


# Rules and reading history ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "asked",
    [
        "правила",
        "сколько можно держать книгу",
        "какие правила в библиотеке",
        "на сколько дают книгу",
    ],
)
async def test_the_rules_are_told_to_a_reader_in_sentences(chat: ChatFactory, asked: str) -> None:
    student, parent, librarian, newcomer = (
        chat("student"),
        chat("parent"),
        chat("librarian"),
        chat("newcomer"),
    )
    await librarian.send("/rule все просрочка 3")
    await librarian.send("/closed 30.12 санитарный день")
    await student.send(asked)
    assert student.text == (
        "Правила библиотеки (Школа №1):\n"
        "• Книги выдаются на 14 дней, на руках — не больше 5. Продлить можно 2 раза, даже с "
        "просрочкой до 3 дней, если книгу не ждут другие читатели.\n"
        "• Учебники выдаются до конца учебного года, на руках — не больше 20. Продлевать их "
        "нельзя.\n"
        "• Отложенная для вас книга ждёт на полке заказов 3 дня — потом бронь снимается.\n"
        + texts.READER_RULES_APPROVAL["manual"]
        + "\n"
        + say(texts.READER_RULES_OPEN, weekdays="пн–пт")
        + "\n• Ближайшие дни, когда библиотека закрыта: 30 декабря."
    )
    await parent.send(asked)  # each child's school
    assert "Правила библиотеки (Школа №1):" in parent.text
    assert "Правила библиотеки (Гимназия №2):" in parent.text
    assert "Продлить можно 2 раза, пока срок не прошёл и книгу не ждут" in parent.text
    for reader in (student, parent):  # never a librarian's wording
        assert "/rule" not in reader.text and "ПОЛЕ" not in reader.text
    await librarian.send(asked)
    assert librarian.text.startswith("Правила выдачи (Школа №1), заявки: одобряет библиотекарь.")
    assert "/rule" in librarian.text
    await newcomer.send(asked)
    assert newcomer.text == texts.READER_RULES_NOT_LINKED


@pytest.mark.parametrize("asked", ["что я читал", "что я читал?", "история чтения"])
async def test_a_reader_asks_what_she_has_read(chat: ChatFactory, asked: str) -> None:
    student, librarian = chat("student"), chat("librarian")
    await student.send(asked)
    assert student.text == texts.HISTORY_OFF
    await student.press(texts.BUTTON_HISTORY_ON)
    await librarian.send("/return 5")
    await student.send(asked)
    assert student.text.startswith(
        "Прочитано (Мария):\n• Бедная Лиза (Карамзин Н. М.) — вернули 16 ноября"
    )


@pytest.mark.parametrize(
    "asked", ["что читает сын", "что читает дочка", "что читают дети", "что читал сын"]
)
async def test_a_parent_sees_the_reading_only_a_child_chose_to_keep(
    chat: ChatFactory, asked: str
) -> None:
    student, parent, librarian = chat("student"), chat("parent"), chat("librarian")
    await parent.send(asked)
    assert parent.text == (
        "История чтения Марии не ведётся: включить её может только она сама — в своём "
        "аккаунте.\n\n"
        "История чтения Ильи не ведётся: включить её может только он сам — в своём аккаунте."
    )
    await student.send("/history")
    await student.press(texts.BUTTON_HISTORY_ON)
    await librarian.send("/return 5")
    await parent.send(asked)
    assert parent.text.startswith("Прочитано (Мария):\n• Бедная Лиза (Карамзин Н. М.)")
    assert parent.text.endswith(
        "История чтения Ильи не ведётся: включить её может только он сам — в своём аккаунте."
    )
    assert labels(parent) == []  # only the reader turns her history on or off


# The librarian's desk, and the same words from anyone else ---------------------------------------


async def nothing_of_the_desk(person: Chat, asked: str) -> None:
    await person.send(asked)
    assert person.text == texts.DESK_ONLY, (asked, person.text)


@pytest.mark.parametrize(
    "asked", ["новые заявки", "заявки", "есть новые заявки?", "заявки новые есть?"]
)
async def test_new_requests_in_words(chat: ChatFactory, asked: str) -> None:
    student, parent, librarian = chat("student"), chat("parent"), chat("librarian")
    await librarian.send(asked)
    assert librarian.text == "Новых заявок нет (Школа №1)."
    await reserve(student, BOOK)
    await librarian.send(asked)
    assert "Заявки на одобрение (Школа №1): 1." in librarian.text
    assert "1. «Пиковая дама» — Смирнова Мария, 7Б (формуляр № 1001)" in librarian.text
    await librarian.press("✅ 1")
    assert "Одобрено: «Пиковая дама» для Смирновой Марии." in librarian.text
    await nothing_of_the_desk(student, asked)
    await nothing_of_the_desk(parent, asked)


@pytest.mark.parametrize("asked", ["полка заказов", "что на полке", "что на полке заказов"])
async def test_the_hold_shelf_in_words(chat: ChatFactory, asked: str) -> None:
    student, librarian = chat("student"), chat("librarian")
    await librarian.send(asked)
    assert librarian.text == "На полке заказов пусто (Школа №1)."
    await reserve(student, BOOK)
    await librarian.send("/holds")
    await librarian.press("✅ 1")
    await librarian.send(asked)
    assert librarian.text == (
        "На полке заказов: 1 книга.\n1. «Пиковая дама» — Смирнова Мария, 7Б, до 19 ноября"
    )
    await librarian.press("📕 Выдать 1")
    assert "Выдано: «Пиковая дама»" in librarian.text
    await nothing_of_the_desk(student, asked)


@pytest.mark.parametrize("asked", ["должники", "кто не сдал книги", "список должников"])
async def test_the_overdue_list_in_words(chat: ChatFactory, asked: str) -> None:
    librarian, parent = chat("librarian"), chat("parent")
    await librarian.send(asked)
    assert librarian.text == (
        "Должники (Школа №1): 1 книга.\n"
        "• 7Б Смирнова Мария (№ 1001): «Недоросль», инв. № 1 — 6 дней"
    )
    await nothing_of_the_desk(parent, asked)


@pytest.mark.parametrize(
    "asked",
    ["должники 7б", "кто не сдал книги в 7Б", "должники 7 б класса", "кто не вернул книги 7б"],
)
async def test_the_overdue_of_one_class(chat: ChatFactory, asked: str) -> None:
    librarian, librarian2, student = chat("librarian"), chat("librarian2"), chat("student")
    await librarian.send(asked)
    assert librarian.text == (
        "Должники 7Б (Школа №1): 1 книга.\n"
        "• 7Б Смирнова Мария (№ 1001): «Недоросль», инв. № 1 — 6 дней"
    )
    await librarian2.send(asked)  # the other school's 7Б: its own readers only
    assert librarian2.text == "У 7Б просроченных книг нет (Гимназия №2). 🎉"
    await nothing_of_the_desk(student, asked)


async def test_the_overdue_of_a_class_with_none_or_of_no_class(chat: ChatFactory) -> None:
    librarian = chat("librarian")
    await librarian.send("должники 5а")
    assert librarian.text == "У 5А просроченных книг нет (Школа №1). 🎉"
    await librarian.send("должники 7я")
    assert librarian.text == say(texts.REFUSALS["class_unknown"], class_name="7Я")


@pytest.mark.parametrize(
    "asked",
    [
        "у кого недоросль",
        "у кого сейчас «Недоросль»?",
        "кто взял недоросль",
        "кто читает недоросль",
    ],
)
async def test_who_has_a_book_names_only_the_librarians_own_readers(
    chat: ChatFactory, asked: str
) -> None:
    librarian, librarian2, student = chat("librarian"), chat("librarian2"), chat("student")
    await librarian.send(asked)
    assert librarian.text == (
        "«Недоросль» на руках у 1 читателя (Школа №1):\n"
        "• Смирнова Мария, 7Б (№ 1001) — инв. № 1, до 10 ноября, ⚠️ просрочка 6 дней"
    )
    await librarian2.send(asked)
    assert "Смирнов Илья, 5А (№ 1001)" in librarian2.text
    assert "Смирнова Мария" not in librarian2.text
    await student.send(asked)  # a reader's question about a book is a search for it
    assert "Недоросль — Фонвизин Д. И." in student.text
    assert "Смирнов" not in student.text and "№ 1001" not in student.text


async def test_who_has_a_book_nobody_has(chat: ChatFactory) -> None:
    librarian = chat("librarian")
    await librarian.send("у кого пиковая дама")
    assert librarian.text == "«Пиковая дама» сейчас ни у кого из ваших читателей нет (Школа №1)."


@pytest.mark.parametrize("asked", ["выдать {inventory}", "выдать {inventory} пиковую даму"])
async def test_issue_in_words_with_a_copys_number(
    chat: ChatFactory, demo_db: Database, asked: str
) -> None:
    librarian = chat("librarian")
    inventory = (await copies(demo_db, BOOK))[0].inventory_number
    await librarian.send(asked.format(inventory=inventory))
    assert librarian.text == say(texts.DESK_ASK_READER, title=BOOK, inventory=inventory)
    await librarian.send("1001")
    assert librarian.text == (
        f"Выдано: «Пиковая дама» (инв. № {inventory}) → Смирнова Мария, 7Б. Вернуть до 30 ноября."
    )


@pytest.mark.parametrize("asked", ["выдать пиковую даму", "выдать книгу пиковая дама"])
async def test_issue_in_words_with_a_title(
    chat: ChatFactory, demo_db: Database, asked: str
) -> None:
    librarian = chat("librarian")
    first, second = [item.inventory_number for item in await copies(demo_db, BOOK)]
    await librarian.send(asked)  # two on the shelf: which one is in the librarian's hands?
    assert librarian.text == say(texts.DESK_ISSUE_WHICH_COPY, title=BOOK, n=2)
    await librarian.send(second)
    assert librarian.text == say(texts.DESK_ASK_READER, title=BOOK, inventory=second)
    await librarian.send("стоп")
    kept = await keep_one_copy(demo_db, BOOK)
    await librarian.send(asked)  # one on the shelf: that one
    assert librarian.text == say(texts.DESK_ASK_READER, title=BOOK, inventory=kept)
    assert first == kept


@pytest.mark.parametrize(
    "asked", ["выдать {inventory} смирновой марии", "выдать {inventory} смирновой"]
)
async def test_issue_in_words_with_a_copy_and_a_readers_name(
    chat: ChatFactory, demo_db: Database, asked: str
) -> None:
    librarian = chat("librarian")
    inventory = (await copies(demo_db, BOOK))[0].inventory_number
    await librarian.send(asked.format(inventory=inventory))
    assert "Смирнова Мария, 7Б, № 1001" in labels(librarian)  # two Марии Смирновы: which?
    await librarian.press("Смирнова Мария, 7Б")
    assert librarian.text == (
        f"Выдано: «Пиковая дама» (инв. № {inventory}) → Смирнова Мария, 7Б. Вернуть до 30 ноября."
    )


@pytest.mark.parametrize("asked", ["выдать смирновой марии", "выдай книгу смирновой марии"])
async def test_issue_in_words_to_a_reader_asks_for_the_copies(
    chat: ChatFactory, demo_db: Database, asked: str
) -> None:
    librarian = chat("librarian")
    inventory = (await copies(demo_db, BOOK))[0].inventory_number
    await librarian.send(asked)
    await librarian.press("Смирнова Мария, 7Б")
    assert librarian.text.startswith("Выдача для Смирновой Марии, 7Б: пришлите инвентарный номер")
    await librarian.send(inventory)
    assert librarian.text.startswith(f"Выдано: «Пиковая дама» (инв. № {inventory})")


@pytest.mark.parametrize("asked", ["выдать книгу", "выдача", "выдай книгу"])
async def test_issue_in_words_without_a_book_asks_for_one(chat: ChatFactory, asked: str) -> None:
    librarian = chat("librarian")
    await librarian.send(asked)
    assert librarian.text == texts.DESK_ASK_COPY


async def test_issue_words_from_readers_issue_nothing(chat: ChatFactory, demo_db: Database) -> None:
    student, parent = chat("student"), chat("parent")
    loans = await open_loans(demo_db)
    await nothing_of_the_desk(student, "выдать книгу")
    await nothing_of_the_desk(parent, "выдача")
    await student.send("выдать пиковую даму")
    assert "Кому выдать" not in student.text
    assert await open_loans(demo_db) == loans


@pytest.mark.parametrize("asked", ["принять книгу 1", "возврат 1", "прими книгу 1"])
async def test_return_in_words_with_a_copys_number(chat: ChatFactory, asked: str) -> None:
    librarian, student = chat("librarian"), chat("student")
    await librarian.send(asked)
    assert librarian.text == (
        "Принято: «Недоросль» (инв. № 1) от Смирновой Марии, 7Б. Просрочка 6 дней."
    )
    await nothing_of_the_desk(student, "возврат")


@pytest.mark.parametrize("asked", ["возврат", "принять книги", "приём книг", "возврат книги"])
async def test_return_in_words_starts_taking_books_back(chat: ChatFactory, asked: str) -> None:
    librarian = chat("librarian")
    await librarian.send(asked)
    assert librarian.text == texts.DESK_ASK_RETURN
    await librarian.send("5")
    assert librarian.text.startswith("Принято: «Бедная Лиза» (инв. № 5) от Смирновой Марии, 7Б.")


@pytest.mark.parametrize(
    "asked",
    ["найди ученика смирнова", "читатель смирнова", "найди читателя смирнову", "ученик смирнова"],
)
async def test_a_reader_by_name_in_words(chat: ChatFactory, asked: str) -> None:
    librarian, student = chat("librarian"), chat("student")
    await librarian.send(asked)
    assert "Смирнова Мария, 7Б, № 1001" in labels(librarian)
    await librarian.press("Смирнова Мария, 7Б")
    assert librarian.text.startswith("Смирнова Мария, 7Б · формуляр № 1001 (Школа №1)")
    await student.send(asked)
    assert "№ 1001" not in student.text
    assert not [label for label in labels(student) if "Смирнова" in label]


async def test_a_name_from_a_reader_is_a_search_for_the_author(chat: ChatFactory) -> None:
    """«найди пушкина» reads like a librarian looking up a reader; from a pupil it is a search."""
    student = chat("student")
    await student.send("найди пушкина")
    assert "Пушкин А. С." in student.text and student.text != texts.DESK_ONLY


async def test_a_reader_of_another_school_is_never_found(chat: ChatFactory) -> None:
    librarian = chat("librarian")
    await librarian.send("читатель смирнов илья")
    assert "Илья" not in librarian.text
    assert not [label for label in labels(librarian) if "Илья" in label]


@pytest.mark.parametrize(
    "asked",
    [
        "комплект алгебра 7б",
        "7 б учебники по алгебре",
        "выдать 7Б комплект: Алгебра",
        "учебники алгебра 7б",
        "комплект учебников 7б алгебра",
    ],
)
async def test_a_class_set_with_class_and_subject_in_any_order(
    chat: ChatFactory, asked: str
) -> None:
    librarian, student = chat("librarian"), chat("student")
    await librarian.send(asked)
    assert librarian.text == (
        "Комплект для 7Б (13 учеников):\n• Алгебра. 7 класс: выдать 13, свободно 30"
    )
    await student.send(asked)
    assert "Комплект для" not in student.text


@pytest.mark.parametrize(
    ("asked", "textbook"),
    [
        ("7б комплект по физике", "Физика. 7 класс"),
        ("комплект история 7б", "История России. 7 класс"),
        ("русский язык 7б комплект", "Русский язык. 7 класс"),
    ],
)
async def test_a_class_set_of_other_subjects(chat: ChatFactory, asked: str, textbook: str) -> None:
    librarian = chat("librarian")
    await librarian.send(asked)
    assert librarian.text.startswith("Комплект для 7Б (13 учеников):\n• " + textbook + ":")


# A command that is also a title; a long message ------------------------------------------------


async def add_title(db: Database, title: str, age_mark: int) -> None:
    async with db.transaction() as session:
        await add_record(
            session, RecordData(title=title, authors=["Осеева В. А."], age_mark=age_mark)
        )


async def test_a_command_that_is_also_a_title_offers_the_search(
    chat: ChatFactory, demo_db: Database
) -> None:
    student, newcomer = chat("student"), chat("newcomer")
    await student.send("мои книги")
    assert not [label for label in labels(student) if label.startswith("🔎")]
    await add_title(demo_db, "Мои книги", age_mark=6)
    await student.send("мои книги")
    assert student.text.startswith("Мария: на руках 2 книги.")  # the command is answered
    await student.press("🔎 Искать «мои книги» в каталоге")
    assert "1. Мои книги — Осеева В. А." in student.text
    await newcomer.send("Мои книги")
    assert newcomer.text == texts.MY_BOOKS_NOT_LINKED
    assert "🔎 Искать «Мои книги» в каталоге" in labels(newcomer)
    await student.send("война и мир")  # a search is not offered itself
    assert not [label for label in labels(student) if label.startswith("🔎 Искать")]


async def test_a_title_a_reader_may_not_see_is_not_offered(
    chat: ChatFactory, demo_db: Database
) -> None:
    student, librarian = chat("student"), chat("librarian")
    await add_title(demo_db, "Новые заявки", age_mark=18)
    await student.send("новые заявки")
    assert student.text == texts.DESK_ONLY
    assert labels(student) == []
    await librarian.send("новые заявки")
    assert librarian.text.startswith("Новых заявок нет (Школа №1).")
    assert "🔎 Искать «новые заявки» в каталоге" in labels(librarian)


async def test_a_long_message_is_searched_for_the_work_it_names(chat: ChatFactory) -> None:
    student = chat("student")
    await student.send(
        "нам задали прочитать к пятнице у марьи ивановны капитанскую дочку а в библиотеке нет"
    )
    assert student.text.startswith(
        "Ищу: «капитанскую дочку»\nНашлась 1 запись по запросу «капитанскую дочку»:"
    )
    assert "марьи ивановны" not in student.text
    await student.send("капитанская дочка")
    assert not student.text.startswith("Ищу:")


async def test_items_untouched_by_words_of_the_desk(chat: ChatFactory, demo_db: Database) -> None:
    """No desk word from a reader changes a copy: the search answered, nothing else."""
    student = chat("student")
    before = [item.status for item in await copies(demo_db, BOOK)]
    for asked in ("выдать пиковую даму", "возврат 72", "полка заказов"):
        await student.send(asked)
    assert [item.status for item in await copies(demo_db, BOOK)] == before
    assert ItemStatus.ON_LOAN not in before
