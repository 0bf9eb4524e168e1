"""Reading projects from chat: the librarian creates one for 7Б with two books and a work to
submit; Мария joins by the poster's deep link, returns a book of the list (it is marked read by
itself), sends a photo; the librarian gets it through the outbox and accepts it; her parent sees
her progress; the project ends and she gets a certificate with her name. And the refusals: a
student of another class cannot join, a forged «Принять» from a student is refused, a curator
sees only their class."""

from __future__ import annotations

import io
import re

from sqlalchemy import Select, select

from db.engine import Database
from db.enums import Messenger, ReaderCategory, RoleName
from db.models import (
    Account,
    Item,
    Loan,
    OutboxMessage,
    Person,
    Project,
    ProjectMember,
    ProjectRead,
    ProjectWork,
    Reader,
    Record,
    Role,
)
from db.projects import tasks_of
from jobs.outbox import deliver_due
from jobs.projects import deadline_round
from tests.support.chat import Chat, ChatFactory
from tests.support.clock import Clock
from tests.support.library import forge, linked_reader, notices_for
from tests.test_broadcast_media import picture, send_file
from tests.test_outbox import FakePort

CODE = re.compile(r"Код проекта: ([A-Z0-9]+)")
TITLE = "Марафон 7-х"  # the demo runs «Читаем вместе: зимние сказки» beside it


async def _student_loans(db: Database) -> list[tuple[str, str]]:
    """(title, inventory number) of Мария's open loans, oldest first."""
    async with db.reading() as session:
        rows = await session.execute(
            select(Record.title, Item.inventory_number)
            .join(Item, Item.record_id == Record.id)
            .join(Loan, Loan.item_id == Item.id)
            .join(Reader, Reader.id == Loan.reader_id)
            .where(Reader.card_number == "1001", Reader.library_id == 1, Loan.returned_at.is_(None))
            .order_by(Loan.id)
        )
        return [(title, inventory) for title, inventory in rows]


async def _create(
    librarian: Chat, audience: str, mode: str, titles: list[str], task: str | None
) -> str:
    """The creation conversation; returns the project's code."""
    await librarian.send("/projects")
    await librarian.press("Новый проект")
    assert "Как он называется?" in librarian.text
    await librarian.send(TITLE)
    assert "Какая у него цель?" in librarian.text
    await librarian.send("Прочитать две книги и нарисовать обложку.")
    await librarian.send("завтра")
    assert "Не понял сроки" in librarian.text
    await librarian.send("31.02–5.03")
    assert "Такой даты нет в календаре" in librarian.text
    await librarian.send("1.12–25.12")
    assert "Для кого проект?" in librarian.text
    await librarian.send(audience)
    assert "Как вступать в проект?" in librarian.text
    await librarian.press(mode)
    for n, title in enumerate(titles, start=1):
        await librarian.send(title)
        assert f"«{title}»" in librarian.text or title in librarian.text, librarian.text
        await librarian.press("➕ 1")
        assert f"В списке {n} {'книга' if n == 1 else 'книги'}" in librarian.text, librarian.text
        assert f"«{title}»" in librarian.text
    await librarian.send("готово")
    assert "Задания проекта" in librarian.text
    if task:
        await librarian.press("Работа")
        await librarian.send("Нарисуйте обложку")
        assert "Не понял срок" in librarian.text
        await librarian.send(task)
        assert "Задание добавлено" in librarian.text and "до 20 декабря" in librarian.text
    await librarian.press("Запустить")
    assert "запущен" in librarian.text
    found = CODE.search(librarian.text)
    assert found, librarian.text
    return found.group(1)


async def test_a_project_for_7b_from_the_poster_to_the_certificate(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    loans = await _student_loans(demo_db)
    assert len(loans) == 2
    (first, inventory), (second, _) = loans
    librarian = chat("librarian")
    code = await _create(
        librarian, "7Б", "По приглашению", [first, second], "Нарисуйте обложку до 20.12"
    )
    assert "Участники: 7Б, вступают по коду" in librarian.text

    student = chat("student")
    await student.send(f"/start p_{code}")
    assert f"Вы в проекте «{TITLE}»!" in student.text
    assert "Прочитано 0 из 2, заданий сдано 0 из 1." in student.text

    await librarian.send(f"/return {inventory}")
    assert f"«{first}»" in librarian.text
    async with demo_db.reading() as session:
        [read] = list(
            await session.scalars(select(ProjectRead).join(Project).where(Project.title == TITLE))
        )
        assert read.via == "return"
    await student.send("/projects")
    assert f"«{TITLE}»: прочитано 1 из 2, заданий сдано 0 из 1" in student.text
    await student.press(TITLE)
    assert f"✅ 1. «{first}»" in student.text and f"▫️ 2. «{second}»" in student.text

    await student.press("Сдать: 1")
    assert "пришлите работу: текст, фото, файл" in student.text
    photo = picture("teal")
    await send_file(student, "photo", photo, None)
    assert "отправлена на проверку" in student.text.lower()

    port = FakePort(Messenger.CONSOLE)
    await deliver_due(demo_db, {Messenger.CONSOLE: port}, clock)
    [(_, notice, _)] = [d for d in port.delivered if d[0].chat_id == "librarian"]
    assert f"Новая работа в проекте «{TITLE}»" in notice.text
    assert "Смирнова Мария, 7Б" in notice.text
    assert [f.data for f in notice.files] == [photo]
    [buttons] = port.buttons_to("librarian")
    await librarian.press_token(buttons[0][0].token or "")
    assert "Работа принята: Смирнова Мария" in librarian.text
    await librarian.press("Только наша школа")
    assert "Работа в электронной библиотеке: 🏫 Только наша школа." in librarian.text
    async with demo_db.reading() as session:
        [work] = list(await session.scalars(_works()))
        published = await session.get(Record, work.record_id)
        assert published is not None and published.access_scope == "library"
    assert "приняли" in (await notices_for(demo_db, "student"))[-1]

    parent = chat("parent")
    await parent.send("/projects")
    assert "Мария в проектах:" in parent.text
    assert f"«{TITLE}»: прочитано 1 из 2, заданий сдано 1 из 1" in parent.text

    # She reads the second book too, marks it, and the project ends.
    await student.send("/projects")
    await student.press(TITLE)
    await student.press("Прочитано: 2")
    assert "Прочитано 2 из 2, заданий сдано 1 из 1." in student.text

    await librarian.send("/projects")
    await librarian.press(TITLE)
    assert "7Б: 1 участник, завершили 1, прочитано 2 книги, принято 1 работа" in librarian.text
    assert "🏆 Лидеры:" in librarian.text and "Мария С., 7Б — 3" in librarian.text
    await librarian.press("Выключить рейтинг")
    assert "Лидеры" not in librarian.text
    await librarian.press("Завершить")
    assert "Для отчёта: 1 участник, завершили все задания — 1, прочитано 2 книги, " in (
        librarian.text
    )
    assert librarian.button("Скопировать")

    port = FakePort(Messenger.CONSOLE)
    await deliver_due(demo_db, {Messenger.CONSOLE: port}, clock)
    [certificate] = [
        r for a, r, _ in port.delivered if a.chat_id == "student" and "Грамота" in r.text
    ]
    [pdf] = certificate.files
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Мария Смирнова" in " ".join(text.split())
    assert any(a.chat_id == "parent" and "Грамота" in r.text for a, r, _ in port.delivered)

    # Copied for next year: the same list and task, new dates.
    await librarian.press("Скопировать")
    await librarian.send("1.12.2027–25.12.2027")
    assert f"Проект «{TITLE}» запущен." in librarian.text
    assert "В списке 2 книги, 1 задание." in librarian.text
    async with demo_db.reading() as session:
        copy = await session.scalar(
            select(Project).where(Project.copied_from_id.is_not(None), Project.title == TITLE)
        )
        assert copy is not None and copy.status == "running" and copy.join_code != code


async def test_deadline_reminders_come_the_day_before_once_after_quiet_hours(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    librarian = chat("librarian")
    code = await _create(librarian, "7", "Открыт всем", [], "Нарисуйте обложку до 20.12")
    student = chat("student")
    await student.send(f"/projects {code}")
    assert "Вы в проекте" in student.text
    clock.now = clock().replace(month=12, day=19, hour=4)  # 07:00 in Moscow: quiet hours
    assert await deadline_round(demo_db, clock) == 1
    assert await deadline_round(demo_db, clock) == 0
    async with demo_db.reading() as session:
        [row] = list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == "project.deadline")
            )
        )
        assert "Завтра, 20 декабря, срок задания «Нарисуйте обложку»" in row.text
        assert row.not_before.hour == 5  # 08:00 in Moscow


async def test_a_student_of_another_class_cannot_join(chat: ChatFactory, demo_db: Database) -> None:
    librarian = chat("librarian")
    code = await _create(librarian, "7Б", "Открыт всем", [], "Нарисуйте обложку до 20.12")
    card = await _card_in(demo_db, "7А")
    pupil = await linked_reader(chat, librarian, card, "pupil7a")
    await pupil.send(f"/start p_{code}")
    assert "не для вашего класса" in pupil.text
    await pupil.send("/projects")
    assert TITLE not in pupil.text
    async with demo_db.reading() as session:
        project = await session.scalar(select(Project).where(Project.title == TITLE))
        assert project is not None
        members = select(ProjectMember).where(ProjectMember.project_id == project.id)
        assert list(await session.scalars(members)) == []
        assert project is not None
    forged = await forge(demo_db, "pupil7a", "projects.join", project=project.id, reader=0)
    await pupil.press_token(forged)
    assert pupil.text == "Это действие вам недоступно."


async def test_invitation_only_is_not_joined_by_a_button(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    await _create(librarian, "7Б", "По приглашению", [], "Нарисуйте обложку до 20.12")
    student = chat("student")
    await student.send("/projects")
    assert TITLE not in student.text
    async with demo_db.reading() as session:
        project = await session.scalar(select(Project).where(Project.title == TITLE))
        reader = await session.scalar(select(Reader.id).where(Reader.card_number == "1001"))
        assert project is not None
    forged = await forge(demo_db, "student", "projects.join", project=project.id, reader=reader)
    await student.press_token(forged)
    assert student.text == "Это действие вам недоступно."


async def test_a_forged_accept_from_a_student_is_refused(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    code = await _create(librarian, "7Б", "Открыт всем", [], "Нарисуйте обложку до 20.12")
    student = chat("student")
    await student.send(f"/start p_{code}")
    await student.press("Сдать: 1")
    await student.send("https://example.org/my-cover")
    async with demo_db.reading() as session:
        [work] = list(await session.scalars(_works()))
        assert work.kind == "link" and work.link == "https://example.org/my-cover"
    for action in ("projects.accept", "projects.return", "projects.publish"):
        forged = await forge(demo_db, "student", action, work=work.id, scope="network")
        await student.press_token(forged)
        assert student.text == "Это действие вам недоступно."
    async with demo_db.reading() as session:
        [work] = list(await session.scalars(_works()))
        assert work.status == "submitted" and work.record_id is None
    # The librarian returns it with a comment; she hears of it.
    forged = await forge(demo_db, "librarian", "projects.return", work=work.id)
    await librarian.press_token(forged)
    await librarian.send("Добавьте название книги на обложку.")
    assert "Работа возвращена с комментарием" in librarian.text
    assert "Добавьте название книги на обложку." in (await notices_for(demo_db, "student"))[-1]
    await student.send("/projects")
    await student.press(TITLE)
    assert "вернули на доработку" in student.text
    assert student.button("Сдать: 1")


async def test_a_curator_sees_only_their_class(chat: ChatFactory, demo_db: Database) -> None:
    librarian = chat("librarian")
    code = await _create(librarian, "7", "Открыт всем", [], "Нарисуйте обложку до 20.12")
    await _teacher(demo_db, "teacher", "Петрова Ольга")
    student = chat("student")
    await student.send(f"/projects {code}")
    pupil = await linked_reader(chat, librarian, await _card_in(demo_db, "7А"), "pupil7a")
    await pupil.send("/projects")
    await pupil.press(TITLE)
    assert "Вы в проекте" in pupil.text

    await librarian.send("/projects")
    await librarian.press(TITLE)
    assert "7А: 1 участник" in librarian.text and "7Б: 1 участник" in librarian.text
    await librarian.press("Добавить куратора")
    await librarian.press("Петрова Ольга")
    await librarian.press("7Б")
    assert f"Куратор добавлен: «{TITLE}», 7Б." in librarian.text

    teacher = chat("teacher")
    await teacher.send("/projects")
    await teacher.press(TITLE)
    assert "7Б: 1 участник" in teacher.text and "Смирнова Мария" in teacher.text
    assert "7А" not in teacher.text
    assert not any(row for r in teacher.replies for row in r.buttons)  # nothing to run
    # A work of the 7А pupil cannot be accepted by the 7Б curator.
    await pupil.press("Сдать: 1")
    await pupil.send("Моя обложка — это текст.")
    async with demo_db.reading() as session:
        [work] = list(await session.scalars(_works()))
    forged = await forge(demo_db, "teacher", "projects.accept", work=work.id)
    await teacher.press_token(forged)
    assert teacher.text == "Это действие вам недоступно."
    async with demo_db.reading() as session:
        notified = await session.scalars(
            select(Account.external_id)
            .join(OutboxMessage, OutboxMessage.person_id == Account.person_id)
            .where(OutboxMessage.kind == "project.work", OutboxMessage.text.contains(TITLE))
        )
        assert sorted(notified) == ["librarian"]


def _works() -> Select[tuple[ProjectWork]]:
    return select(ProjectWork).join(Project).where(Project.title == TITLE)


async def _card_in(db: Database, class_name: str) -> str:
    async with db.reading() as session:
        card = await session.scalar(
            select(Reader.card_number)
            .where(Reader.library_id == 1, Reader.class_name == class_name)
            .order_by(Reader.id)
            .limit(1)
        )
        assert card is not None
        return card


async def _teacher(db: Database, persona: str, name: str) -> None:
    """A teacher of school-1 with a card, already in the bot."""
    async with db.transaction() as session:
        reader = Reader(
            library_id=1, card_number="T-1", full_name=name, category=ReaderCategory.TEACHER
        )
        person = Person(display_name=None)
        session.add_all([reader, person])
        await session.flush()
        session.add(
            Account(messenger=Messenger.CONSOLE, external_id=persona, chat_id=persona,
                    person_id=person.id)
        )  # fmt: skip
        session.add(
            Role(person_id=person.id, role=RoleName.READER, library_id=1, reader_id=reader.id)
        )


async def test_the_librarian_writes_to_the_members_through_the_broadcasts(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    librarian = chat("librarian")
    code = await _create(librarian, "7", "Открыт всем", [], "Нарисуйте обложку до 20.12")
    student = chat("student")
    await student.send(f"/projects {code}")
    await librarian.send("/projects")
    await librarian.press(TITLE)
    await librarian.press("Написать участникам")
    await librarian.send("Осталась неделя: сдайте обложки!")
    assert "Получат: 1 человек (участники проекта: ученики)." in librarian.text
    await librarian.press("Отправить")
    async with demo_db.reading() as session:
        rows = list(
            await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "broadcast"))
        )
    assert [r.text.endswith("Осталась неделя: сдайте обложки!") for r in rows] == [True]
    assert (await notices_for(demo_db, "student"))[-1].endswith("сдайте обложки!")
    await librarian.send("/broadcasts")
    assert "участники проекта" in librarian.text


async def test_a_reminder_to_those_behind_skips_who_has_done_everything(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    """«⏰ Напомнить отстающим»: a broadcast to the members who have not yet done every task
    (and their parents); a classmate whose work was accepted gets nothing."""
    librarian = chat("librarian")
    code = await _create(librarian, "7", "Открыт всем", [], "Нарисуйте обложку до 20.12")
    student = chat("student")
    await student.send(f"/projects {code}")
    classmate = await linked_reader(chat, librarian, await _card_in(demo_db, "7А"), "done7a")
    await classmate.send(f"/projects {code}")
    assert "Вы в проекте" in classmate.text
    async with demo_db.transaction() as session:
        project = await session.scalar(select(Project).where(Project.title == TITLE))
        assert project is not None
        [task] = await tasks_of(session, project.id)
        reader_id = await session.scalar(
            select(ProjectMember.reader_id)
            .join(Reader, Reader.id == ProjectMember.reader_id)
            .where(ProjectMember.project_id == project.id, Reader.class_name == "7А")
        )
        assert reader_id is not None
        session.add(
            ProjectWork(
                project_id=project.id,
                task_id=task.id,
                reader_id=reader_id,
                title=task.title,
                kind="text",
                text="Обложка готова",
                status="accepted",
                submitted_at=clock(),
            )
        )
    await librarian.send("/projects")
    await librarian.press(TITLE)
    await librarian.press("Напомнить отстающим")
    await librarian.send("Осталась неделя: сдайте обложки!")
    assert "Получат: 2 человека (участники проекта, которые ещё не всё сделали: ученики и " in (
        librarian.text
    )
    await librarian.press("Отправить")
    assert (await notices_for(demo_db, "student"))[-1].endswith("сдайте обложки!")
    assert (await notices_for(demo_db, "parent"))[-1].endswith("сдайте обложки!")
    assert not [n for n in await notices_for(demo_db, "done7a") if "обложки" in n]
