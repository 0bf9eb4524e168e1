"""Broadcasts with a photo or a file, to a grade, and an admin's to the network's librarians:
the photo goes out from the librarian's Telegram to every student of a class after the text;
a file too big is refused with nothing lost; a cancelled preview leaves no file behind; all the
7th classes are one audience; the methodist writes to every librarian of the network, each
after their own school's quiet hours; nobody else may, whatever their buttons say."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from sqlalchemy import func, select, update

from bot.telegram import TelegramTransport
from db.broadcasts import Audience, by_grade
from db.engine import Database
from db.enums import AuditOutcome, Messenger, RoleName
from db.models import (
    AuditEntry,
    Broadcast,
    Library,
    OutboxMessage,
    ProjectWork,
    Reader,
    StoredFile,
)
from db.school_classes import grade_of, typed_grade
from db.stored_files import FILES, MAX_BYTES
from jobs.outbox import deliver_due
from jobs.retention import retention_round
from messages import texts
from messages.types import Attachment, Incoming
from tests.support.chat import Chat, ChatFactory
from tests.support.clock import Clock
from tests.support.fake_telegram import FakeTelegram
from tests.support.library import forge, link_code
from tests.test_outbox import FakePort
from tests.test_telegram import expect

TEXT = "Конкурс чтецов в пятницу: приходите в библиотеку!"
NETWORK = "Сеть школьных библиотек Центрального района"
LIBRARIAN_TG, FIRST_TG, SECOND_TG = 1101, 2201, 2202


def picture(colour: str = "orange") -> bytes:
    """A real little PNG (the fake Telegram makes thumbnails of it)."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="PNG")
    return out.getvalue()


async def send_file(
    person: Chat, kind: str, data: bytes, name: str | None, caption: str = ""
) -> None:
    """A photo or a document from the console, as a transport hands it over downloaded."""
    attachment = Attachment(kind, data, name)  # type: ignore[arg-type]
    incoming = Incoming(
        person.messenger, person.persona, person.persona, text=caption or None,
        attachments=(attachment,),
    )  # fmt: skip
    person.replies = await person.dispatcher.handle(incoming)


async def cards_of(db: Database, class_name: str) -> list[str]:
    async with db.reading() as session:
        return list(
            await session.scalars(
                select(Reader.card_number)
                .where(Reader.library_id == 1, Reader.class_name == class_name)
                .order_by(Reader.id)
            )
        )


async def count(db: Database, model: Any, *where: Any) -> int:
    async with db.reading() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


# The demo's project works keep files of their own (db/demo/projects.py): not a broadcast's.
NOT_A_WORK = StoredFile.id.not_in(
    select(ProjectWork.file_id).where(ProjectWork.file_id.is_not(None))
)


async def broadcast_rows(db: Database) -> list[OutboxMessage]:
    async with db.reading() as session:
        return list(
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.kind == "broadcast")
                .order_by(OutboxMessage.id)
            )
        )


async def audited(db: Database, action: str) -> list[tuple[AuditOutcome, int | None]]:
    async with db.reading() as session:
        rows = await session.execute(
            select(AuditEntry.outcome, AuditEntry.library_id)
            .where(AuditEntry.action == action)
            .order_by(AuditEntry.id)
        )
        return [(outcome, library) for outcome, library in rows]


def files_of(port: FakePort) -> list[tuple[str, str, bytes]]:
    return [
        (address.chat_id, file.kind, file.data)
        for address, reply, _ in port.delivered
        for file in reply.files
    ]


# A photo -----------------------------------------------------------------------------------


async def test_a_photo_broadcast_reaches_every_student_of_the_class_in_telegram(
    tg: FakeTelegram, polling: TelegramTransport, demo_db: Database, clock: Clock
) -> None:
    """The librarian sends the photo with the text as its caption from Telegram; the preview
    shows both; once confirmed, each student of 7Б gets the text and then the photo — two in
    Telegram, one in the console."""
    photo = picture()
    first_card, second_card = [c for c in await cards_of(demo_db, "7Б") if c != "1001"][:2]
    students = []
    for user_id, card in ((FIRST_TG, first_card), (SECOND_TG, second_card)):
        student = tg.user(user_id)
        await student.send(await link_code(demo_db, clock, RoleName.READER, card=card))
        await expect(tg, student, "привязан")
        students.append(student)
    librarian = tg.user(LIBRARIAN_TG, "Ольга")
    await librarian.send(await link_code(demo_db, clock, RoleName.LIBRARIAN))
    await expect(tg, librarian, "Вы — библиотекарь")

    await librarian.send("/broadcast 7Б")
    await expect(tg, librarian, "Кому именно (7Б)?")
    await librarian.press("Ученикам")
    await expect(tg, librarian, "Можно приложить фото или файл")
    since = len(librarian.messages)
    await librarian.send_photo(photo, caption=TEXT)
    await expect(tg, librarian, "Фото будет приложено к сообщению.", since)
    shown = next(m for m in librarian.messages[since:] if m.kind == "text")
    assert shown.text == (
        f"Так сообщение увидят получатели — текст и это фото:\n\n📢 Школа №1:\n\n{TEXT}"
    )
    assert [m.file for m in librarian.messages[since:] if m.kind == "photo"] == [photo]
    assert await broadcast_rows(demo_db) == []  # a preview sends nothing
    await expect(tg, librarian, "Получат: 3 человека (7Б: ученики)", since)

    await librarian.press("Отправить")
    await expect(tg, librarian, "Рассылка №1 отправляется: 3 сообщения.")
    async with demo_db.reading() as session:
        sent = await session.get(Broadcast, 1)
        assert sent is not None and sent.file_id is not None and sent.text == TEXT
        stored = await session.get(StoredFile, sent.file_id)
        assert stored is not None and (stored.kind, stored.data) == ("photo", photo)
    rows = await broadcast_rows(demo_db)
    assert [r.payload[FILES] for r in rows] == [[sent.file_id]] * 3

    console = FakePort(Messenger.CONSOLE)
    done = await deliver_due(
        demo_db, {Messenger.TELEGRAM: polling, Messenger.CONSOLE: console}, clock
    )
    assert done.sent == 3
    for student in students:
        got = [(m.kind, m.text, m.file) for m in student.messages if m.kind in ("text", "photo")]
        assert got[-2:] == [("text", f"📢 Школа №1:\n\n{TEXT}", None), ("photo", None, photo)]
    assert console.sent == [("student", f"📢 Школа №1:\n\n{TEXT}")]
    assert files_of(console) == [("student", "photo", photo)]


async def test_a_pdf_from_telegram_goes_into_the_broadcast_with_its_name(
    tg: FakeTelegram, polling: TelegramTransport, demo_db: Database, clock: Clock
) -> None:
    pdf = b"%PDF-1.4\n% a programme of the reading week\n%%EOF\n"
    librarian = tg.user(LIBRARIAN_TG, "Ольга")
    await librarian.send(await link_code(demo_db, clock, RoleName.LIBRARIAN))
    await expect(tg, librarian, "Вы — библиотекарь")
    await librarian.send("/broadcast 7Б")
    await expect(tg, librarian, "Кому именно (7Б)?")
    await librarian.press("Ученикам")
    await expect(tg, librarian, "Можно приложить фото или файл")
    since = len(librarian.messages)
    await librarian.send_document(pdf, "программа.pdf", "application/pdf", caption=TEXT)
    await expect(tg, librarian, "Получат:", since)
    previewed = [m for m in librarian.messages[since:] if m.kind == "document"]
    assert [(m.file, m.file_name) for m in previewed] == [(pdf, "программа.pdf")]
    async with demo_db.reading() as session:
        stored = await session.scalar(select(StoredFile).where(NOT_A_WORK))
    assert stored is not None and (stored.kind, stored.name, stored.data) == (
        "document",
        "программа.pdf",
        pdf,
    )


async def test_a_file_with_no_text_goes_alone_under_the_schools_name(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    librarian = chat("librarian")
    await librarian.send("/broadcast 7Б")
    await librarian.press("Ученикам и родителям")
    plan = b"%PDF-1.4 the reading list for the winter holidays"
    await send_file(librarian, "document", plan, "Список на каникулы.pdf")
    shown, counts = librarian.replies
    assert shown.text == (
        "Так сообщение увидят получатели — текст и файл «Список на каникулы.pdf»:\n\n📢 Школа №1"
    )
    assert [(f.kind, f.name, f.data) for f in shown.files] == [
        ("document", "Список на каникулы.pdf", plan)
    ]
    assert counts.text.startswith("Получат: 2 человека (7Б: ученики и родители).")
    assert counts.text.endswith(" Файл будет приложен к сообщению.")
    await librarian.press("Отправить")

    port = FakePort(Messenger.CONSOLE)
    assert (await deliver_due(demo_db, {Messenger.CONSOLE: port}, clock)).sent == 2
    assert sorted(port.sent) == [("parent", "📢 Школа №1"), ("student", "📢 Школа №1")]
    assert sorted(files_of(port)) == [("parent", "document", plan), ("student", "document", plan)]
    await librarian.send("/broadcasts")
    assert "№1 от 16.11 12:30 (7Б: ученики и родители, завершена): 📎 без текста" in (
        librarian.text
    )


async def test_a_file_too_big_is_refused_and_the_librarian_sends_another(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    await librarian.send("/broadcast 7Б")
    await librarian.press("Ученикам")
    await send_file(librarian, "photo", b"\xff" * (MAX_BYTES + 1), None, caption=TEXT)
    assert librarian.text == (
        "Файл слишком большой: 10,1 МБ, а можно не больше 10 МБ. Ничего не отправлено — "
        "пришлите фото или файл поменьше (или только текст)."
    )
    assert await count(demo_db, StoredFile, NOT_A_WORK) == 0
    await send_file(librarian, "photo", picture(), None, caption=TEXT)  # still awaited
    assert "Так сообщение увидят получатели — текст и это фото" in librarian.text
    assert await count(demo_db, StoredFile, NOT_A_WORK) == 1


async def test_no_file_outlives_its_preview_unless_it_is_sent(
    chat: ChatFactory, demo_db: Database
) -> None:
    """Cancelled: the file goes. Two previews and the second sent: the first one's file goes,
    the sent one stays with its broadcast."""
    librarian = chat("librarian")
    await librarian.send("/broadcast 7Б")
    await librarian.press("Ученикам")
    await send_file(librarian, "photo", picture(), None, caption=TEXT)
    assert await count(demo_db, StoredFile, NOT_A_WORK) == 1
    await librarian.press("Отмена")
    assert "никто ничего не получил" in librarian.text
    assert await count(demo_db, StoredFile, NOT_A_WORK) == 0

    for colour in ("red", "blue"):
        await librarian.send("/broadcast 7Б")
        await librarian.press("Ученикам")
        await send_file(librarian, "photo", picture(colour), None, caption=colour)
    assert await count(demo_db, StoredFile, NOT_A_WORK) == 2
    await librarian.press("Отправить")
    async with demo_db.reading() as session:
        kept = list(await session.scalars(select(StoredFile.data).where(NOT_A_WORK)))
        carried = await session.scalar(select(Broadcast.file_id))
    assert kept == [picture("blue")] and carried is not None


async def test_a_preview_left_unanswered_leaves_its_file_a_day_at_most(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    """Neither sent nor cancelled: the retention round takes the file the next day; a file a
    sent broadcast carries stays."""
    librarian = chat("librarian")
    await librarian.send("/broadcast 7Б")
    await librarian.press("Ученикам")
    await send_file(librarian, "photo", picture("red"), None, caption="отправлю")
    await librarian.press("Отправить")
    await librarian.send("/broadcast 7Б")
    await librarian.press("Ученикам")
    await send_file(librarian, "photo", picture("blue"), None, caption="забуду")
    assert await count(demo_db, StoredFile, NOT_A_WORK) == 2
    assert (await retention_round(demo_db, clock)).orphan_files == 0  # not a day old yet
    clock.advance(days=1, minutes=1)
    assert (await retention_round(demo_db, clock)).orphan_files == 1
    async with demo_db.reading() as session:
        assert list(await session.scalars(select(StoredFile.data).where(NOT_A_WORK))) == [
            picture("red")
        ]


async def test_a_photo_outside_a_broadcast_is_still_read_for_a_barcode(
    chat: ChatFactory,
) -> None:
    librarian = chat("librarian")
    await send_file(librarian, "photo", picture(), None)
    assert librarian.text == texts.DESK_PHOTO_NO_CODE  # not taken for a broadcast


# A grade -------------------------------------------------------------------------------------


def test_grades_are_read_from_classes_and_typed_words() -> None:
    assert [grade_of(n) for n in ("7Б", "10А", "1А", "Подг")] == [7, 10, 1, None]
    assert by_grade(["1А", "10А", "10Б", "Подг", "11А"]) == {
        1: ["1А"], 10: ["10А", "10Б"], 11: ["11А"], None: ["Подг"],
    }  # fmt: skip
    typed = ("7", "7-е", "7е классы", "все 7-е", "Все 7-е классы", "7 кл", "7Б", "семь", "107")
    assert [typed_grade(t) for t in typed] == [7, 7, 7, 7, 7, 7, None, None, None]
    grade = Audience("grade", "both", grade=11)
    assert grade.stored == "grade 11 both" and Audience.from_stored(grade.stored) == grade
    longest = Audience("class", "parents", class_name="11" + "Я" * 10)
    assert len(longest.stored) <= 60


async def test_all_the_7th_classes_are_one_audience(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    """A 7А pupil joins: «все 7-е» reach her and 7Б's student and parent; 7Б alone does not."""
    seventh_a = (await cards_of(demo_db, "7А"))[0]
    pupil = chat("pupil-7a")
    await pupil.send(await link_code(demo_db, clock, RoleName.READER, card=seventh_a))
    assert "привязан" in pupil.text
    in_grade = len(await cards_of(demo_db, "7А")) + len(await cards_of(demo_db, "7Б"))

    librarian = chat("librarian")
    await librarian.send("/broadcast")
    await librarian.press("Класс…")
    await librarian.press("7-е…")
    await librarian.press("Все 7-е классы")
    assert "Кому именно (все 7-е классы)?" in librarian.text
    await librarian.press("Ученикам и родителям")
    await librarian.send(TEXT)
    assert (
        "Получат: 3 человека (все 7-е классы: ученики и родители). "
        f"По {in_grade - 2} читателям отправить некому"
    ) in librarian.text
    await librarian.send("/broadcast 7Б")
    await librarian.press("Ученикам и родителям")
    await librarian.send(TEXT)
    assert "Получат: 2 человека (7Б: ученики и родители)" in librarian.text

    await librarian.send("/broadcast все 7-е")
    assert "Кому именно (все 7-е классы)?" in librarian.text
    await librarian.press("Ученикам")
    await librarian.send(TEXT)
    assert "Получат: 2 человека (все 7-е классы: ученики)" in librarian.text
    await librarian.press("Отправить")
    port = FakePort(Messenger.CONSOLE)
    await deliver_due(demo_db, {Messenger.CONSOLE: port}, clock)
    assert sorted(chat_id for chat_id, _ in port.sent) == ["pupil-7a", "student"]
    async with demo_db.reading() as session:
        assert await session.scalar(select(Broadcast.audience)) == "grade 7 readers"

    await librarian.send("/broadcast")
    await librarian.send("12")
    assert "12-х классов в библиотеке нет" in librarian.text
    await librarian.send("7 классы")
    assert "Кому именно (все 7-е классы)?" in librarian.text


# The network's librarians --------------------------------------------------------------------


async def test_the_methodist_writes_to_every_librarian_of_the_network(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    """Each librarian gets it after their own school's quiet hours: at 21:30 in Vladivostok
    school-3's librarian waits for the morning there, the Moscow two get it now."""
    async with demo_db.transaction() as session:
        await session.execute(
            update(Library).where(Library.id == 3).values(timezone="Asia/Vladivostok")
        )
    clock.advance(hours=2)  # 14:30 in Moscow, 21:30 in Vladivostok
    methodist = chat("methodist")
    await methodist.send("/broadcast")
    assert f"Рассылка библиотекарям сети «{NETWORK}»" in methodist.text
    await methodist.press("Библиотекарям сети")
    assert "(библиотекари сети)" in methodist.text
    await methodist.send("Совещание в четверг в 15:00.")
    shown, counts = methodist.replies
    assert shown.text.endswith(f"📢 {NETWORK} — библиотекарям:\n\nСовещание в четверг в 15:00.")
    assert counts.text == (
        "Получат: 3 человека (библиотекари сети). Сейчас тихие часы в 1 школе: там сообщения "
        "уйдут утром по местному времени."
    )
    await methodist.press("Отправить")
    assert "Рассылка №1 отправляется: 3 сообщения." in methodist.text

    port = FakePort(Messenger.CONSOLE)
    assert (await deliver_due(demo_db, {Messenger.CONSOLE: port}, clock)).sent == 2
    assert sorted(chat_id for chat_id, _ in port.sent) == ["librarian", "librarian2"]
    await methodist.send("/broadcasts")
    assert "№1 от 16.11 14:30 (библиотекари сети, идёт): «Совещание в четверг в 15:00.»" in (
        methodist.text
    )
    assert "отправлено 2, в очереди 0, ждут утра 1" in methodist.text
    clock.advance(hours=10, minutes=29)  # 07:59 in Vladivostok
    assert (await deliver_due(demo_db, {Messenger.CONSOLE: port}, clock)).sent == 0
    clock.advance(minutes=1)
    assert (await deliver_due(demo_db, {Messenger.CONSOLE: port}, clock)).sent == 1
    assert port.sent[-1][0] == "librarian3"

    librarian = chat("librarian")  # a school's report is its own
    await librarian.send("/broadcasts")
    assert "Рассылок ещё не было" in librarian.text
    async with demo_db.reading() as session:
        owner = (await session.execute(select(Broadcast.library_id, Broadcast.network_id))).one()
    assert tuple(owner) == (None, 1)
    assert await audited(demo_db, "broadcast.send") == [(AuditOutcome.OK, None)]


async def test_the_network_audience_is_the_admins_alone(
    chat: ChatFactory, demo_db: Database
) -> None:
    """A librarian is not offered it and a forged button is refused at each step; the
    methodist cannot write to a school's readers; a student can do neither."""
    librarian = chat("librarian")
    await librarian.send("/broadcast")
    labels = [b.label for r in librarian.replies for row in r.buttons for b in row]
    assert labels and not any("сети" in label for label in labels)
    network = {"scope": "network", "whom": "librarians", "network": 1}
    await librarian.press_token(await forge(demo_db, "librarian", "broadcast.write", **network))
    assert "недоступно" in librarian.text
    forged = await forge(demo_db, "librarian", "broadcast.send", text="x", file=None, **network)
    await librarian.press_token(forged)
    assert "недоступно" in librarian.text

    methodist = chat("methodist")
    school = {"scope": "school", "whom": "both", "library": 1, "text": "x"}
    await methodist.press_token(await forge(demo_db, "methodist", "broadcast.send", **school))
    assert "недоступно" in methodist.text
    await methodist.press_token(await forge(demo_db, "methodist", "broadcast.classes"))
    assert "недоступно" in methodist.text

    student = chat("student")
    await student.press_token(await forge(demo_db, "student", "broadcast.send", **network))
    assert "недоступно" in student.text
    await student.send("/broadcasts")
    assert "недоступно" in student.text

    assert await broadcast_rows(demo_db) == []
    assert await count(demo_db, Broadcast) == 0
    refused = [outcome for outcome, _ in await audited(demo_db, "broadcast.send")]
    assert refused == [AuditOutcome.REFUSED] * 3
    assert [o for o, _ in await audited(demo_db, "broadcast.start")] == [AuditOutcome.REFUSED] * 2
