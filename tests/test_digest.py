"""One due-date digest per person per day (jobs/reminders.py), set per library in chat
(/reminders_setup): each step at its time and once, late or repeated rounds queue once,
downtime sends only today's, parents from the right step, quiet hours in a UTC+10 library.

The demo as of 16 ноября 09:30 UTC: Мария (school-1, persona «student») has «Недоросль» due
10 ноября and «Бедная Лиза» due 25 ноября; her brother Илья (school-2) has his own «Недоросль»
due 10 ноября; persona «parent» is the parent of both.
"""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime

from sqlalchemy import select, update

from bot.console import ConsolePort
from db.engine import Database
from db.enums import AuditOutcome, Messenger
from db.models import AuditEntry, Library, OutboxMessage
from jobs.outbox import deliver_due
from jobs.reminders import due_date_round
from messages import texts
from tests.support.chat import ChatFactory
from tests.support.clock import Clock
from tests.support.library import notices_for

HEADER = "📚 Напоминание о книгах (Школа №1):"


def _lines(digest: str) -> list[str]:
    return [line for line in digest.split("\n") if line.startswith("• ")]


async def _digest_keys(db: Database) -> list[str]:
    async with db.reading() as session:
        return list(
            await session.scalars(
                select(OutboxMessage.dedupe_key)
                .where(OutboxMessage.kind == "loan.digest")
                .order_by(OutboxMessage.id)
            )
        )


async def test_each_step_at_its_time_and_once_however_often_the_round_runs(
    demo_db: Database, clock: Clock
) -> None:
    """Two rounds a day (morning, and 23:30 in Moscow) for two and a half weeks: Мария gets a
    digest only on the days of her books' steps, one each, with a line per book."""
    days: dict[str, list[str]] = {}
    seen = 0
    for _ in range(17):  # 16 ноября … 2 декабря
        for hour in (9, 20):
            clock.now = clock.now.replace(hour=hour)
            await due_date_round(demo_db, clock)
        notices = await notices_for(demo_db, "student")
        if len(notices) > seen:
            assert len(notices) == seen + 1, notices[seen:]
            days[clock.now.strftime("%d.%m")] = _lines(notices[-1])
            seen = len(notices)
        clock.advance(days=1)
    assert days == {
        "17.11": ["• «Недоросль» — просрочка 7 дней (срок был 10 ноября)"],
        "23.11": ["• «Бедная Лиза» — вернуть до 25 ноября"],
        "24.11": ["• «Недоросль» — просрочка 14 дней (срок был 10 ноября)"],
        "25.11": ["• «Бедная Лиза» — сегодня последний день, вернуть до 25 ноября"],
        "26.11": ["• «Бедная Лиза» — просрочка 1 день (срок был 25 ноября)"],
        # After the ladder's last step (14), weekly: 21 days late.
        "01.12": ["• «Недоросль» — просрочка 21 день (срок был 10 ноября)"],
        "02.12": ["• «Бедная Лиза» — просрочка 7 дней (срок был 25 ноября)"],
    }
    keys = await _digest_keys(demo_db)
    assert len(keys) == len(set(keys))


async def test_a_round_after_downtime_sends_only_todays_digest(
    demo_db: Database, clock: Clock
) -> None:
    """Down from the 16th to the 24th: the 17th's and the 23rd's digests are not sent late."""
    clock.now = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
    await due_date_round(demo_db, clock)
    await due_date_round(demo_db, clock)
    [digest] = await notices_for(demo_db, "student")
    assert _lines(digest) == ["• «Недоросль» — просрочка 14 дней (срок был 10 ноября)"]
    keys = await _digest_keys(demo_db)
    assert all(key.endswith(":2026-11-24") for key in keys) and len(keys) == len(set(keys))


async def test_renew_all_in_the_digest_answers_in_the_same_message(
    demo_db: Database, clock: Clock, chat: ChatFactory
) -> None:
    clock.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # «Бедная Лиза» is due today
    await due_date_round(demo_db, clock)
    console = ConsolePort(out=io.StringIO())
    await deliver_due(demo_db, {Messenger.CONSOLE: console}, clock)
    [(_, digest, _)] = [d for d in console.delivered if d[0].chat_id == "student"]
    assert digest.text.startswith(HEADER)
    [[renew]] = digest.buttons
    assert renew.label == "🔄 Продлить все"
    [answer] = await chat("student").press_token(renew.token or "")
    assert answer.edit  # replaces the digest where the messenger can
    assert answer.text.startswith("Продлена 1 книга:\n• «Бедная Лиза» — теперь вернуть до ")
    # Pressed again (a second tap), checked again: renewed once is enough, said so.
    [again] = await chat("student").press_token(renew.token or "")
    assert again.edit and again.text == texts.DIGEST_RENEWED_ALREADY


async def test_settings_changed_in_chat_take_effect_and_parents_from_their_step(
    demo_db: Database, clock: Clock, chat: ChatFactory
) -> None:
    librarian = chat("librarian")
    await librarian.send("/reminders_setup")
    assert "• просрочка: через 1, 7 и 14 дней, дальше раз в неделю;" in librarian.text
    assert "• родителям: копия просрочки с 1-го шага." in librarian.text
    await librarian.send(
        "/reminders_setup за 3 дня; в день сдачи нет; просрочка 6, 13; родителям с 2-го шага"
    )
    assert librarian.text.startswith("Готово: настройки напоминаний сохранены.")
    assert "• заранее: за 3 дня до срока;" in librarian.text
    assert "• в день сдачи: не напоминаю;" in librarian.text
    assert "• просрочка: через 6 и 13 дней, дальше раз в неделю;" in librarian.text
    assert "• родителям: копия просрочки с 2-го шага." in librarian.text

    # 16 ноября: «Недоросль» 6 days late is step 1 at school-1 now; no copy for the parent yet,
    # and Илья's school (1, 7, 14) has no step today.
    await due_date_round(demo_db, clock)
    [digest] = await notices_for(demo_db, "student")
    assert _lines(digest) == ["• «Недоросль» — просрочка 6 дней (срок был 10 ноября)"]
    assert await notices_for(demo_db, "parent") == []
    # 22 ноября: «Бедная Лиза» due in 3 days; 23 ноября: 13 days late, step 2, parents copied.
    clock.advance(days=6)
    await due_date_round(demo_db, clock)
    assert _lines((await notices_for(demo_db, "student"))[-1]) == [
        "• «Бедная Лиза» — вернуть до 25 ноября"
    ]
    clock.advance(days=1)
    await due_date_round(demo_db, clock)
    [copy] = await notices_for(demo_db, "parent")
    assert copy.startswith("Мария: просрочена 1 книга (Школа №1):\n• «Недоросль» — просрочка 13")
    # 25 ноября: no reminder on the due day any more.
    clock.advance(days=2)
    before = len(await notices_for(demo_db, "student"))
    await due_date_round(demo_db, clock)
    assert len(await notices_for(demo_db, "student")) == before

    # «Never» for parents; a part not understood changes nothing and says which.
    await librarian.send("/reminders_setup родителям нет; просрочка каждый день")
    assert librarian.text.startswith("Не понял «просрочка каждый день».")
    async with demo_db.reading() as session:
        school = await session.scalar(select(Library).where(Library.code == "school-1"))
        assert school is not None
        assert (school.overdue_steps, school.parents_from_step) == ("6,13", 2)
        audits = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "reminders.edit"))
        )
    assert [a.outcome for a in audits] == [AuditOutcome.OK]


async def test_only_a_librarian_sets_reminders_and_only_for_their_own_library(
    demo_db: Database, chat: ChatFactory
) -> None:
    await chat("student").send("/reminders_setup просрочка 1")
    await chat("librarian2").send("/reminders_setup родителям нет")
    async with demo_db.reading() as session:
        steps = dict((await session.execute(select(Library.code, Library.parents_from_step))).all())
        refused = await session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "reminders.edit",
                AuditEntry.outcome == AuditOutcome.REFUSED,
            )
        )
    assert steps == {"school-1": 1, "school-2": 0, "school-3": 1}
    assert refused is not None
    # The parents' own /reminders (their copies on or off) is still theirs.
    parent = chat("parent")
    await parent.send("/reminders")
    assert "• Мария (Школа №1): присылаю" in parent.text


async def test_quiet_hours_hold_the_digest_until_morning_in_a_utc_plus_10_library(
    demo_db: Database, clock: Clock
) -> None:
    async with demo_db.transaction() as session:
        await session.execute(
            update(Library).where(Library.code == "school-1").values(timezone="Asia/Vladivostok")
        )
    console = ConsolePort(out=io.StringIO())
    # 16 ноября 14:30 UTC is 00:30 on the 17th in Vladivostok: «Недоросль» (due 10 ноября
    # 19:30 there) is 7 days late there, while Moscow is still on the 16th.
    clock.now = datetime(2026, 11, 16, 14, 30, tzinfo=UTC)
    await due_date_round(demo_db, clock)
    assert await _digest_keys(demo_db) != []
    await deliver_due(demo_db, {Messenger.CONSOLE: console}, clock)
    assert [d for d in console.delivered if d[0].chat_id == "student"] == []
    clock.now = datetime(2026, 11, 16, 21, 59, tzinfo=UTC)  # 07:59 there
    await due_date_round(demo_db, clock)
    await deliver_due(demo_db, {Messenger.CONSOLE: console}, clock)
    assert [d for d in console.delivered if d[0].chat_id == "student"] == []
    clock.now = datetime(2026, 11, 16, 22, 0, tzinfo=UTC)  # 08:00 there
    await deliver_due(demo_db, {Messenger.CONSOLE: console}, clock)
    [(_, digest, _)] = [d for d in console.delivered if d[0].chat_id == "student"]
    assert _lines(digest.text) == ["• «Недоросль» — просрочка 7 дней (срок был 10 ноября)"]
    assert "Школа №1" in digest.text
    # The key is the library's local day, the 17th, queued once across both rounds.
    assert [k for k in await _digest_keys(demo_db) if k.endswith(":2026-11-17")]


async def test_two_schedulers_started_by_mistake_queue_each_digest_once(
    demo_db: Database, clock: Clock, backend: str
) -> None:
    """Two processes' due-date rounds at the same moment (on PostgreSQL, two engines: two
    processes' connections): the dedupe key lets each digest in once."""
    clock.now = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    other = Database(demo_db.engine.url) if backend == "postgresql" else demo_db
    try:
        await asyncio.gather(*(due_date_round(db, clock) for db in (demo_db, other) * 2))
    finally:
        if other is not demo_db:
            await other.dispose()
    [digest] = await notices_for(demo_db, "student")
    assert _lines(digest) == ["• «Недоросль» — просрочка 7 дней (срок был 10 ноября)"]
    keys = await _digest_keys(demo_db)
    assert keys and len(keys) == len(set(keys))
