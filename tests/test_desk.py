"""The librarian's desk: issuing step by step to a reader found by class or name, a photo of a
barcode, registering readers and handing out codes, the overdue list, and the audit trail."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image
from sqlalchemy import select

from db.engine import Database
from db.enums import AuditOutcome, ItemStatus, Messenger
from db.models import AuditEntry, Reader
from handlers import build_registry
from handlers.dispatcher import Dispatcher
from handlers.services import Services
from messages import texts
from nlu.barcode import barcode_image
from tests.support.chat import Chat, ChatFactory
from tests.support.clock import Clock
from tests.support.library import copies, linked_reader, notices_for


async def test_issue_step_by_step_to_a_reader_found_by_class_then_name(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    [item, *_] = [i for i in await copies(demo_db, "Ревизор") if i.status == ItemStatus.AVAILABLE]
    await librarian.send("/issue")
    assert librarian.text.startswith("Пришлите инвентарный номер или штрихкод")
    await librarian.send(item.barcode or "")
    assert f"«Ревизор» (инв. № {item.inventory_number}). Кому выдать?" in librarian.text
    await librarian.send("7б")  # the class: one button per pupil
    assert librarian.text == "7Б: 13 учеников. Выберите:\nСтраница 1 из 2."
    assert len([b for row in librarian.replies[0].buttons for b in row]) == 9  # 8 and ▶
    await librarian.press("Дальше")
    assert librarian.replies[0].edit and "Страница 2 из 2." in librarian.text
    await librarian.press("Смирнова Мария")
    assert "Выдано: «Ревизор»" in librarian.text and "→ Смирнова Мария, 7Б." in librarian.text

    [other, *_] = [
        i for i in await copies(demo_db, "Горе от ума") if i.status == ItemStatus.AVAILABLE
    ]
    await librarian.send(f"/issue {other.inventory_number}")
    await librarian.send("смирнова мрия")  # a typo, and the school has two of that name
    assert librarian.text == texts.DESK_READER_SIMILAR.format(query="смирнова мрия")
    await librarian.press("Смирнова Мария, 7Б, № 1001")
    assert "Выдано: «Горе от ума»" in librarian.text
    notices = await notices_for(demo_db, "student")
    assert notices[-1] == "📕 Выдана книга «Горе от ума». Вернуть до 30 ноября."
    assert (await notices_for(demo_db, "parent"))[-1].startswith(
        "Мария: выдана книга «Горе от ума»"
    )


async def test_a_photo_of_a_barcode_is_read_and_goes_to_the_return_flow(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    lent = next(i for i in await copies(demo_db, "Бедная Лиза") if i.status == ItemStatus.ON_LOAN)
    photo = barcode_image(lent.barcode or "", "EAN13")

    await librarian.send_photo(photo)
    assert librarian.text.startswith(f"Экземпляр инв. № {lent.inventory_number}")
    assert "— выдан\nНа руках: Смирнова Мария, 7Б, формуляр № 1001" in librarian.text
    await librarian.press("Принять")
    assert librarian.text.startswith("Принято: «Бедная Лиза»")

    await librarian.send("/issue")
    await librarian.send_photo(photo)  # the same copy, issued again from a photo
    assert "«Бедная Лиза»" in librarian.text and "Кому выдать?" in librarian.text
    await librarian.send("1001")
    assert "Выдано: «Бедная Лиза»" in librarian.text

    await librarian.send_photo(b"not a photo at all")
    assert librarian.text.startswith("Не вижу на фото штрихкода.")
    student = chat("student")
    await student.send_photo(photo)
    assert student.text.startswith("Фото я понимаю только от библиотекарей")


async def test_register_a_reader_and_hand_out_codes_with_a_deep_link(
    services: Services, demo_db: Database
) -> None:
    services.links[Messenger.CONSOLE] = lambda code: f"https://t.me/formulyar_bot?start={code}"
    librarian = Chat(Dispatcher(build_registry(), services), "librarian")
    await librarian.send("/register Кузнецова  Алёна 6 а")
    assert librarian.text.startswith(
        "Записана новая читательница: Кузнецова Алёна, 6А, формуляр № "
    )
    card = librarian.text.split("формуляр № ")[1].split(".")[0]
    await librarian.press("Код для родителя")
    assert "Код привязки для родителя ученицы Кузнецовой Алёны (6А): " in librarian.text
    code = librarian.text.split(": ")[1].split("\n")[0]
    assert f"Ссылка: https://t.me/formulyar_bot?start={code}" in librarian.text
    [qr] = librarian.replies[0].files  # a QR code of the same link, to print or show
    scanned = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.data)))
    assert [r.text for r in scanned] == [f"https://t.me/formulyar_bot?start={code}"]

    parent = Chat(librarian.dispatcher, "new-parent")
    await parent.send(f"/start {code}")
    assert parent.text == (
        "Готово! Вы привязаны как родитель Алёны (Школа №1). "
        "«Мои книги» покажет, какие книги у неё на руках и когда их вернуть."
    )
    await parent.send("мои книги")
    assert parent.text == "Алёна: книг на руках нет."
    await librarian.send("/register Кузнецова")
    assert librarian.text == "Так: /register Фамилия Имя 7Б"
    await librarian.send(f"/reader {card}")
    assert f"Кузнецова Алёна, 6А · формуляр № {card} (Школа №1)" in librarian.text


async def test_the_overdue_list_and_the_audit_trail(chat: ChatFactory, demo_db: Database) -> None:
    librarian = chat("librarian")
    await librarian.send("/overdue")
    assert librarian.text.startswith("Должники (Школа №1): 1 книга.")
    assert "• 7Б Смирнова Мария (№ 1001): «Недоросль»" in librarian.text
    assert librarian.text.endswith("— 6 дней")
    inventory = librarian.text.split("инв. № ")[1].split(" ")[0]
    await librarian.send(f"/return {inventory}")
    await librarian.send("/overdue")
    assert librarian.text == "Просроченных книг нет (Школа №1). 🎉"

    async with demo_db.reading() as session:
        entries = list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    [returned] = [e for e in entries if e.action == "loan.return"]
    assert returned.outcome == AuditOutcome.OK and returned.person_id is not None
    assert returned.library_id is not None and returned.detail["overdue_days"] == 6
    assert "Смирнова" not in str(returned.detail)  # ids only, no names in the audit


async def test_reading_history_starts_when_turned_on_and_is_forgotten_when_off(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    student, librarian = chat("student"), chat("librarian")
    await librarian.send("/reader 1001")
    first, second = (part.split(")")[0] for part in librarian.text.split("инв. № ")[1:3])
    await librarian.send(f"/return {first}")  # «Недоросль», returned before history is on
    await student.send("/history")
    assert student.text.startswith("История чтения не ведётся")
    clock.advance(hours=1)
    await student.press("Вести историю")
    assert student.text == "Готово: история чтения включена."
    await student.send("/history")
    assert student.text == texts.HISTORY_ON_EMPTY  # what was read before is not shown
    clock.advance(days=1)
    await librarian.send(f"/return {second}")  # «Бедная Лиза», returned with history on
    await student.send("/history")
    assert student.text.startswith("Прочитано (Мария):\n• Бедная Лиза (Карамзин Н. М.)")
    assert "Недоросль" not in student.text
    parent = chat("parent")
    await parent.send("/history")
    assert "Бедная Лиза" in parent.text  # a parent sees what the child chose to keep
    assert "Вести историю" not in [
        b.label for r in parent.replies for row in r.buttons for b in row
    ]

    await student.press("Не показывать историю")
    assert student.text.startswith("Готово: история чтения выключена и забыта.")
    clock.advance(hours=1)
    await student.send("/history")
    await student.press("Вести историю")
    await student.send("/history")
    assert student.text == texts.HISTORY_ON_EMPTY  # switched on again: it starts afresh


async def test_a_librarian_renews_on_a_readers_behalf(chat: ChatFactory, demo_db: Database) -> None:
    librarian = chat("librarian")
    await librarian.send("/reader 1001")
    assert "2. «Бедная Лиза»" in librarian.text and "— до 25 ноября" in librarian.text
    await librarian.press("🔄 2")
    assert librarian.text == "Продлено: «Бедная Лиза» — теперь вернуть до 9 декабря."
    assert (await notices_for(demo_db, "student"))[-1] == (
        "🔄 Книга «Бедная Лиза» продлена до 9 декабря."
    )
    other_school = chat("librarian2")
    await other_school.send("/reader 1001")
    assert "Смирнова" not in other_school.text  # card 1001 there is another child


async def test_a_long_request_queue_fits_the_strictest_keyboard(chat: ChatFactory) -> None:
    librarian = chat("librarian")
    for card in ("1062", "1063", "1064", "1065"):
        reader = await linked_reader(chat, librarian, card, f"reader{card}")
        await reader.send("хочу взять ревизор")
        await reader.press("📌 1")
        assert "Заявка на книгу «Ревизор» отправлена" in reader.text
    await librarian.send("/holds")
    assert "Заявки на одобрение (Школа №1): 4." in librarian.text
    assert "…и ещё 1 заявка: решите эти — список обновится." in librarian.text
    assert [b.label for row in librarian.replies[0].buttons for b in row] == [
        "✅ 1", "❌ 1", "✅ 2", "❌ 2", "✅ 3", "❌ 3",
    ]  # fmt: skip
    await librarian.press("✅ 1")
    assert "Заявки на одобрение (Школа №1): 3." in librarian.text
    assert "…и ещё" not in librarian.text.split("На полке заказов")[0]


async def test_a_registered_readers_gender_is_stored_and_texts_agree_with_it(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    await librarian.send("/register Фомин Лев 6А")
    assert librarian.text.startswith("Записан новый читатель: Фомин Лев, 6А, формуляр № ")
    await librarian.press("Код для ученика")
    assert "Код привязки для ученика Фомина Льва (6А): " in librarian.text

    # Nobody can tell whether Саша Белых is a boy or a girl: texts fit both.
    await librarian.send("/register Белых Саша 6А")
    assert librarian.text.startswith("Записан новый читатель: Белых Саша, 6А, формуляр № ")
    card = librarian.text.split("формуляр № ")[1].split(".")[0]
    await librarian.press("Заблокировать")
    assert librarian.text.startswith("За что блокируем Белых Сашу?")
    await librarian.send("Долг с прошлого года")
    assert librarian.text == (
        "Читатель Белых Саша заблокирован: долг с прошлого года. "
        "Выдача и брони закрыты до разблокировки."
    )
    await librarian.send(f"/unblock {card}")
    assert librarian.text == "Читатель Белых Саша разблокирован."

    async with demo_db.reading() as session:
        rows = await session.execute(
            select(Reader.full_name, Reader.gender).where(
                Reader.full_name.in_(["Фомин Лев", "Белых Саша"])
            )
        )
        assert dict(rows.all()) == {"Фомин Лев": "m", "Белых Саша": None}


async def test_the_demo_readers_have_their_gender(demo_db: Database) -> None:
    async with demo_db.reading() as session:
        genders = dict((await session.execute(select(Reader.full_name, Reader.gender))).all())
    assert genders["Смирнова Мария"] == "f"
    assert genders["Алексеев Кирилл"] == "m"
    assert None not in genders.values()
