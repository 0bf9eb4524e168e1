"""«Спросить библиотекаря» as people meet it: a student or a parent asks from the chat, the
school's librarian gets the question through the outbox and answers from their chat, the answer
reaches the person where they asked — and nobody else sees any of it: not a librarian of
another school, not another reader, not the log."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import delete, select

from db.engine import Database
from db.enums import AuditOutcome, Messenger
from db.models import (
    Account,
    AuditEntry,
    ConversationState,
    GuardianLink,
    Item,
    Loan,
    OutboxMessage,
    Question,
    Reader,
)
from db.questions import MAX_OPEN
from handlers.dispatcher import Dispatcher
from jobs.outbox import deliver_due
from messages import texts
from messages.i18n import say
from messages.types import Button
from tests.support.chat import Chat, ChatFactory
from tests.support.clock import Clock
from tests.support.library import also_on_telegram, forge, notices_for
from tests.test_outbox import FakePort

QUESTION = "Есть ли у вас «Гарри Поттер»? Хочу взять на каникулы"
ANSWER = "Есть, два экземпляра. Приходи на перемене!"
FROM_MARIA = "Смирновой Марии, 7Б (формуляр № 1001)"
STUDENT_TG = "7770001"


async def _deliver(db: Database, clock: Clock) -> dict[Messenger, FakePort]:
    """One round of the outbox to the console and Telegram; what each delivered."""
    ports = {m: FakePort(m) for m in (Messenger.CONSOLE, Messenger.TELEGRAM)}
    await deliver_due(db, ports, clock)
    return ports


def _to(port: FakePort, chat_id: str) -> list[tuple[str, list[list[Button]]]]:
    return [(r.text, r.buttons) for a, r, _ in port.delivered if a.chat_id == chat_id]


async def _questions(db: Database) -> list[Question]:
    async with db.reading() as session:
        return list(await session.scalars(select(Question).order_by(Question.id)))


async def test_a_student_asks_and_the_librarian_answers_through_the_outbox(
    chat: ChatFactory, demo_db: Database, dispatcher: Dispatcher, clock: Clock
) -> None:
    student, librarian = chat("student"), chat("librarian")
    await student.send(f"/ask {QUESTION}")
    assert student.text == say(texts.ASK_SENT, library="Школа №1")

    ports = await _deliver(demo_db, clock)
    [(notice, buttons)] = _to(ports[Messenger.CONSOLE], "librarian")
    assert notice == f"❓ Вопрос № 1 от {FROM_MARIA}:\n«{QUESTION}»"
    assert [b.label for row in buttons for b in row] == ["✍️ Ответить", "Все вопросы"]
    assert not _to(ports[Messenger.CONSOLE], "librarian2")  # another school hears nothing

    await librarian.press_token(buttons[0][0].token or "")
    assert librarian.text == say(texts.ANSWER_WRITE, id=1, who=FROM_MARIA, text=QUESTION)
    await librarian.send(ANSWER)
    assert librarian.text.startswith(say(texts.ANSWER_SENT, id=1))
    assert say(texts.QUESTIONS_NONE, library="Школа №1") in librarian.text

    ports = await _deliver(demo_db, clock)
    [(answer, _)] = _to(ports[Messenger.CONSOLE], "student")
    assert answer == (
        "💬 Ответ библиотекаря (Школа №1) на ваш вопрос «Есть ли у вас «Гарри Поттер»? Хочу "
        f"взять на каникулы»:\n{ANSWER}"
    )
    assert not _to(ports[Messenger.CONSOLE], "parent")  # the parent asked nothing
    [question] = await _questions(demo_db)
    assert (question.answer, question.answered_at) == (ANSWER, clock())

    # Pressed again later: answered already, and said so; nothing goes out twice.
    await librarian.press_token(buttons[0][0].token or "")
    assert librarian.text.startswith("На вопрос № 1 уже ответили (16 ноября, 12:30)")
    await librarian.send(f"/answer 1 {ANSWER} Ещё раз")
    assert librarian.text.startswith("На вопрос № 1 уже ответили")
    assert len(await notices_for(demo_db, "student")) == 1


async def test_the_answer_reaches_the_messenger_the_question_came_from(
    chat: ChatFactory, demo_db: Database, dispatcher: Dispatcher, clock: Clock
) -> None:
    await also_on_telegram(demo_db, "student", STUDENT_TG)
    student_tg = Chat(dispatcher, STUDENT_TG, Messenger.TELEGRAM)
    await student_tg.send(f"/ask {QUESTION}")
    [question] = await _questions(demo_db)
    async with demo_db.reading() as session:
        account = await session.get(Account, question.account_id)
    assert account is not None and account.messenger == Messenger.TELEGRAM

    await chat("librarian").send(f"/answer 1 {ANSWER}")
    ports = await _deliver(demo_db, clock)
    [(answer, _)] = _to(ports[Messenger.TELEGRAM], STUDENT_TG)
    assert answer.endswith(ANSWER)
    assert not _to(ports[Messenger.CONSOLE], "student")  # only where the question came from


async def test_an_answer_falls_back_to_the_persons_other_messengers(
    chat: ChatFactory, demo_db: Database, dispatcher: Dispatcher, clock: Clock
) -> None:
    """The account asked from cannot be written to any more (blocked the bot): the answer
    still reaches the person wherever else they are."""
    await also_on_telegram(demo_db, "student", STUDENT_TG)
    await Chat(dispatcher, STUDENT_TG, Messenger.TELEGRAM).send(f"/ask {QUESTION}")
    await dispatcher.unreachable(Messenger.TELEGRAM, STUDENT_TG)
    await chat("librarian").send(f"/answer 1 {ANSWER}")
    ports = await _deliver(demo_db, clock)
    [(answer, _)] = _to(ports[Messenger.CONSOLE], "student")
    assert answer.endswith(ANSWER)


async def test_a_librarian_of_another_school_neither_sees_nor_answers(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    await chat("student").send(f"/ask {QUESTION}")
    other = chat("librarian2")  # Гимназия №2
    await other.send("/questions")
    assert other.text == say(texts.QUESTIONS_NONE, library="Гимназия №2")
    await other.send(f"/answer 1 {ANSWER}")
    assert other.text == texts.ACCESS_DENIED
    await other.send("/answer 1")
    assert other.text == texts.ACCESS_DENIED
    await other.press_token(await forge(demo_db, "librarian2", "ask.answer", question=1))
    assert other.text == texts.ACCESS_DENIED
    assert QUESTION not in other.text

    # Readers may not answer or list, whatever they send.
    student = chat("student")
    for command in ("/questions", f"/answer 1 {ANSWER}"):
        await student.send(command)
        assert student.text == texts.ACCESS_DENIED
    await student.press_token(await forge(demo_db, "student", "ask.answer", question=1))
    assert student.text == texts.ACCESS_DENIED

    [question] = await _questions(demo_db)
    assert question.answer is None
    assert not await notices_for(demo_db, "librarian2")
    async with demo_db.reading() as session:
        refused = list(
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.outcome == AuditOutcome.REFUSED)
            )
        )
    assert set(refused) == {"question.answer", "question.list"}


async def test_a_parent_of_children_at_two_schools_is_asked_which(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    parent = chat("parent")
    await parent.send("/ask")
    assert parent.text == texts.ASK_WRITE_ANY
    await parent.send("Когда сдавать учебники в конце года?")
    assert parent.text == texts.ASK_WHICH
    labels = [b.label for r in parent.replies for row in r.buttons for b in row]
    assert labels == ["Школа №1 — Мария", "Гимназия №2 — Илья"]
    await parent.press("Гимназия")
    assert parent.text == say(texts.ASK_SENT, library="Гимназия №2")

    # The school typed instead of pressed.
    await parent.send("/ask Можно ли продлить книгу ещё раз?")
    await parent.send("мария")
    assert parent.text == say(texts.ASK_SENT, library="Школа №1")
    await parent.send("/ask А словари выдаёте?")
    await parent.send("не знаю")  # fits neither: the choice again
    assert parent.text == texts.ASK_WHICH
    await parent.send("отмена")
    assert len(await _questions(demo_db)) == 2

    ports = await _deliver(demo_db, clock)
    [(to_gymnasium, _)] = _to(ports[Messenger.CONSOLE], "librarian2")
    assert to_gymnasium.startswith(
        "❓ Вопрос № 1 от родителя Смирнова Ильи, 5А (формуляр № 1001):\n«Когда сдавать"
    )
    [(to_school, _)] = _to(ports[Messenger.CONSOLE], "librarian")
    assert to_school.startswith(f"❓ Вопрос № 2 от родителя {FROM_MARIA}:")

    gymnasium = chat("librarian2")
    await gymnasium.send("/questions")
    assert "№ 1 · 16 ноября, 12:30 · от родителя Смирнова Ильи, 5А" in gymnasium.text


async def test_a_parent_unlinked_while_choosing_is_told_so(
    chat: ChatFactory, demo_db: Database
) -> None:
    parent = chat("parent")
    await parent.send("/ask Когда сдавать учебники?")
    assert parent.text == texts.ASK_WHICH
    async with demo_db.transaction() as session:
        await session.execute(delete(GuardianLink))
    await parent.send("мария")
    assert parent.text == texts.ASK_NOT_LINKED
    assert not await _questions(demo_db)
    await parent.send("мария")  # nothing waits for the choice any more
    assert parent.text != texts.ASK_NOT_LINKED


async def test_without_the_question_the_bot_asks_for_it(
    chat: ChatFactory, demo_db: Database
) -> None:
    student = chat("student")
    await student.send("/ask")
    assert student.text == say(texts.ASK_WRITE, library="Школа №1")
    await student.send("отмена")
    assert not await _questions(demo_db)
    await student.send("/ask")
    await student.send(QUESTION)
    assert student.text == say(texts.ASK_SENT, library="Школа №1")
    [question] = await _questions(demo_db)
    assert question.text == QUESTION


@pytest.mark.parametrize(
    ("phrase", "question"),
    [
        ("спроси у библиотекаря есть ли гарри поттер", "есть ли гарри поттер"),
        ("вопрос библиотекарю: когда привезут новые книги?", "когда привезут новые книги?"),
        ("напиши библиотекарю что я потерял книгу", "я потерял книгу"),
        ("можно спросить библиотекаря про учебники на следующий год", "учебники на следующий год"),
    ],
)
async def test_asked_in_their_own_words(
    chat: ChatFactory, demo_db: Database, phrase: str, question: str
) -> None:
    student = chat("student")
    await student.send(phrase)
    assert student.text == say(texts.ASK_SENT, library="Школа №1")
    [stored] = await _questions(demo_db)
    assert question in stored.text  # the question, not the words asking to pass it on
    assert "библиотекар" not in stored.text

    parent = chat("parent")  # two schools: asked which
    await parent.send(phrase)
    assert parent.text == texts.ASK_WHICH
    await parent.press("Гимназия")
    assert parent.text == say(texts.ASK_SENT, library="Гимназия №2")


async def test_asked_in_their_own_words_with_no_question_yet(
    chat: ChatFactory, demo_db: Database
) -> None:
    student = chat("student")
    await student.send("хочу задать вопрос библиотекарю")
    assert student.text == say(texts.ASK_WRITE, library="Школа №1")
    await student.send(QUESTION)
    [stored] = await _questions(demo_db)
    assert stored.text == QUESTION


async def test_five_open_questions_at_most(chat: ChatFactory, demo_db: Database) -> None:
    student, librarian = chat("student"), chat("librarian")
    for n in range(MAX_OPEN):
        await student.send(f"/ask Вопрос {n + 1}")
        assert student.text == say(texts.ASK_SENT, library="Школа №1")
    await student.send("/ask Ещё вопрос")
    assert student.text == say(texts.ASK_TOO_MANY, n=MAX_OPEN)
    await student.send("/ask")  # not even asked to type it
    assert student.text == say(texts.ASK_TOO_MANY, n=MAX_OPEN)
    assert len(await _questions(demo_db)) == MAX_OPEN

    await librarian.send("/questions")
    assert librarian.text.startswith(say(texts.QUESTIONS_HEADER, library="Школа №1", n=5))
    assert f"№ 1 · 16 ноября, 12:30 · от {FROM_MARIA}:\n«Вопрос 1»" in librarian.text
    await librarian.press("✍️ № 3")
    await librarian.send("Ответ")
    assert say(texts.QUESTIONS_HEADER, library="Школа №1", n=4) in librarian.text
    await student.send("/ask Ещё вопрос")
    assert student.text == say(texts.ASK_SENT, library="Школа №1")


async def test_who_cannot_ask(chat: ChatFactory) -> None:
    stranger = chat("stranger")
    await stranger.send(f"/ask {QUESTION}")
    assert stranger.text == texts.ASK_NOT_LINKED
    librarian = chat("librarian")
    await librarian.send("/ask")
    assert librarian.text == texts.ASK_STAFF


async def test_questions_and_answers_never_reach_the_log(
    chat: ChatFactory, demo_db: Database, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """What a deployment logs (INFO), and everything our own code logs, a failed delivery
    included."""
    caplog.set_level(logging.INFO)
    for ours in ("bot", "db", "handlers", "jobs", "messages"):
        caplog.set_level(logging.DEBUG, logger=ours)
    await chat("student").send(f"/ask {QUESTION}")
    await _deliver(demo_db, clock)
    await chat("librarian").send(f"/answer 1 {ANSWER}")
    failing = FakePort(Messenger.CONSOLE, fail=ConnectionError)
    await deliver_due(demo_db, {Messenger.CONSOLE: failing}, clock)
    assert "delivery failed" in caplog.text
    clock.advance(minutes=5)
    ports = await _deliver(demo_db, clock)
    assert _to(ports[Messenger.CONSOLE], "student")
    assert "Гарри" not in caplog.text and "перемене" not in caplog.text


async def test_questions_are_erased_with_the_reader(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    student, parent, librarian = chat("student"), chat("parent"), chat("librarian")
    await student.send(f"/ask {QUESTION}")
    await parent.send("/ask Как дела у Марии с книгами?")
    await parent.press("Школа №1")
    await parent.send("/ask Когда сдавать учебники Ильи?")
    await parent.press("Гимназия")
    await librarian.send(f"/answer 1 {ANSWER}")
    await _deliver(demo_db, clock)  # some notices sent, the gymnasium's still there too

    async with demo_db.reading() as session:
        loans = list(
            await session.scalars(
                select(Item.inventory_number)
                .join(Loan, Loan.item_id == Item.id)
                .join(Reader, Reader.id == Loan.reader_id)
                .where(
                    Reader.library_id == 1,
                    Reader.card_number == "1001",
                    Loan.returned_at.is_(None),
                )
            )
        )
    for inventory in loans:  # a reader with books on loan is not removed
        await librarian.send(f"/return {inventory}")
    await parent.send("/ask Мария потеряла книгу, что делать?")  # still choosing the school
    assert parent.text == texts.ASK_WHICH
    await librarian.send("/remove 1001")
    await librarian.press("Да, удалить")
    assert "теперь «" in librarian.text

    left = await _questions(demo_db)
    assert [q.text for q in left] == ["Когда сдавать учебники Ильи?"]  # about the other child
    async with demo_db.reading() as session:
        payloads = list(await session.scalars(select(OutboxMessage.payload)))
        [entry] = await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "reader.erase")
        )
    assert {p.get("question_id") for p in payloads} - {None} == {left[0].id}
    assert entry.detail["questions"] == 2
    async with demo_db.reading() as session:
        assert not list(await session.scalars(select(ConversationState.data)))
    await parent.send("мария")  # nothing waits for it: an everyday message again
    assert parent.text != texts.ASK_WHICH
    assert len(await _questions(demo_db)) == 1


async def test_an_erased_question_number_is_never_given_again(
    chat: ChatFactory, demo_db: Database
) -> None:
    """An old «Ответить» button names a question by number: a number once erased must not come
    back on someone else's question (SQLite would reuse the highest id without AUTOINCREMENT)."""
    student = chat("student")
    await student.send(f"/ask {QUESTION}")
    async with demo_db.transaction() as session:
        await session.execute(delete(Question))
    await student.send("/ask Можно ли взять словарь домой?")
    [question] = await _questions(demo_db)
    assert question.id == 2
