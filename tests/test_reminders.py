"""Due-date reminders: two days ahead, then weekly while overdue; once each, parents copied."""

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
    first = await due_date_round(demo_db, clock)  # 16 ноября: «Недоросль» is 6 days late
    assert (first.due_soon, first.overdue) == (0, 2)  # Мария's and Илья's
    assert await notices_for(demo_db, "student") == [
        "⚠️ Срок возврата книги «Недоросль» прошёл 10 ноября, просрочка 6 дней. "
        "Верните её, пожалуйста, в библиотеку (Школа №1)."
    ]
    parent = await notices_for(demo_db, "parent")
    assert sorted(text.split(":")[0] for text in parent) == ["Илья", "Мария"]
    # The parent is asked to remind their child, who is a girl or a boy.
    [maria] = [text for text in parent if text.startswith("Мария:")]
    assert maria == (
        "Мария: книга «Недоросль» просрочена на 6 дней (срок был 10 ноября). "
        "Напомните ей вернуть книгу в библиотеку (Школа №1)."
    )
    [ilya] = [text for text in parent if text.startswith("Илья:")]
    assert ilya.endswith("Напомните ему вернуть книгу в библиотеку (Гимназия №2).")
    again = await due_date_round(demo_db, clock)
    assert again.notices == 0

    clock.advance(days=7)  # 23 ноября: «Бедная Лиза» is due on the 25th; a week more late
    later = await due_date_round(demo_db, clock)
    student = await notices_for(demo_db, "student")
    assert sorted(student[1:]) == [
        "⏰ Книгу «Бедная Лиза» нужно вернуть до 25 ноября. Не успеваете дочитать — продлите: "
        "«мои книги» → 🔄.",
        "⚠️ Срок возврата книги «Недоросль» прошёл 10 ноября, просрочка 13 дней. "
        "Верните её, пожалуйста, в библиотеку (Школа №1).",
    ]
    # Due on the 23rd, 24th and 25th at school-1 and Илья's «Басни» on the 25th; still late.
    assert (later.due_soon, later.overdue) == (5, 2)


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
    assert renew.label == "🔄 Продлить" and renew.token
    student = chat("student")
    await student.press_token(renew.token)
    assert student.text.startswith("Продлено: «Бедная Лиза» — теперь вернуть до ")
    # The parent's copy carries the button too, and it works for the parent only.
    [(_, copy, _)] = [
        d for d in console.delivered if d[0].chat_id == "parent" and "Бедная Лиза" in d[1].text
    ]
    [[for_parent]] = copy.buttons
    await student.press_token(for_parent.token or "")
    assert student.text == texts.BUTTON_STALE
