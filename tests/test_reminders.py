"""Due-date reminders: two days ahead, on the day, then on the overdue ladder; once each, parents
copied. Since issue 14 they come as one digest per person per day (tests/test_digest.py has
the rest): these are the per-book cases of before, each now a line of the day's digest."""

from __future__ import annotations

import io

from bot.console import ConsolePort
from db.engine import Database
from db.enums import Messenger
from jobs.outbox import deliver_due
from jobs.reminders import due_date_round
from messages import texts
from tests.support.chat import ChatFactory
from tests.support.clock import Clock
from tests.support.library import notices_for


async def test_overdue_and_due_soon_reminders_are_queued_once_each(
    demo_db: Database, clock: Clock
) -> None:
    # 16 ноября: «Недоросль» is 6 days late, no step of the ladder (1, 7, 14): nothing today.
    assert (await due_date_round(demo_db, clock)).digests == 0
    clock.advance(days=1)  # 17 ноября: 7 days late, the ladder's second step
    first = await due_date_round(demo_db, clock)
    assert (first.due_soon, first.due_today, first.overdue) == (0, 0, 2)  # Мария's and Илья's
    assert await notices_for(demo_db, "student") == [
        "📚 Напоминание о книгах (Школа №1):\n"
        "• «Недоросль» — просрочка 7 дней (срок был 10 ноября)\n\n"
        "Верните, пожалуйста, просроченные книги в библиотеку."
    ]
    # The parent of both gets one message, a part per child, who is a girl or a boy.
    [parent] = await notices_for(demo_db, "parent")
    assert parent == (
        "Мария: просрочена 1 книга (Школа №1):\n"
        "• «Недоросль» — просрочка 7 дней (срок был 10 ноября)\n"
        "Напомните ей вернуть её в библиотеку.\n\n"
        "Илья: просрочена 1 книга (Гимназия №2):\n"
        "• «Недоросль» — просрочка 7 дней (срок был 10 ноября)\n"
        "Напомните ему вернуть её в библиотеку."
    )
    again = await due_date_round(demo_db, clock)
    assert again.digests == 0

    clock.advance(days=6)  # 23 ноября: «Бедная Лиза» is due on the 25th; «Недоросль» 13 late
    later = await due_date_round(demo_db, clock)
    student = await notices_for(demo_db, "student")
    assert student[1:] == [
        "📚 Напоминание о книгах (Школа №1):\n"
        "• «Бедная Лиза» — вернуть до 25 ноября\n\n"
        "Не успеваете дочитать — нажмите «🔄 Продлить все»."
    ]
    # Due on the 25th at school-1 (Мария's and another's) and Илья's «Басни»; 13 days is no
    # step (it was once «weekly», every day 7k+1 late); parents get no copy of «due soon».
    assert (later.due_soon, later.overdue) == (3, 0)
    assert len(await notices_for(demo_db, "parent")) == 1


async def test_a_reminder_carries_renew_and_the_press_renews_or_says_why_not(
    demo_db: Database, clock: Clock, chat: ChatFactory
) -> None:
    clock.advance(days=7)  # 23 ноября: «Бедная Лиза» is due on the 25th
    await due_date_round(demo_db, clock)
    console = ConsolePort(out=io.StringIO())
    await deliver_due(demo_db, {Messenger.CONSOLE: console}, clock)
    [(_, soon, _)] = [
        d for d in console.delivered if d[0].chat_id == "student" and "Бедная Лиза" in d[1].text
    ]
    [[renew]] = soon.buttons
    assert renew.label == "🔄 Продлить все" and renew.token
    student = chat("student")
    [answer] = await student.press_token(renew.token)
    assert answer.edit
    assert "«Бедная Лиза» — теперь вернуть до 9 декабря" in answer.text
    # «Недоросль» is too late to renew: said why, in the same message.
    assert "продлить уже нельзя" in answer.text
    # The button works for the one it was sent to only.
    parent = chat("parent")
    await parent.press_token(renew.token)
    assert parent.text == texts.BUTTON_STALE
