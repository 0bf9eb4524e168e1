"""Nothing grows for ever: buttons expire, dedupe marks and the change log are pruned by a
daily round, and a refusal repeated by one account is counted on one audit row."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from db.catalog import edit_record
from db.engine import Database
from db.enums import AuditOutcome, Messenger
from db.models import AuditEntry, ButtonToken, CatalogChange, ProcessedUpdate, RateSlot, Record
from db.retention import BUTTON_TTL, CHAT_SLOT_KEEP, DEDUPE_KEEP, compact_change_log
from db.search import CatalogSearch
from jobs.retention import retention_round
from messages import texts
from tests.support.chat import ChatFactory
from tests.support.clock import Clock
from tests.support.library import forge


async def _count(db: Database, model: type, *where: object) -> int:
    async with db.reading() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def _refusals(db: Database, action: str) -> list[AuditEntry]:
    async with db.reading() as session:
        return list(
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == action, AuditEntry.outcome == AuditOutcome.REFUSED)
                .order_by(AuditEntry.id)
            )
        )


# Buttons expire --------------------------------------------------------------------------


async def test_a_button_works_for_a_month_then_says_it_is_stale(
    chat: ChatFactory, clock: Clock
) -> None:
    student = chat("student")
    await student.send("пиковая дама")
    token = student.button("📖 1").token or ""
    clock.advance(days=BUTTON_TTL.days - 1)
    await student.press_token(token)
    assert "Пиковая дама" in student.text and student.text != texts.BUTTON_STALE
    clock.advance(days=2)  # the first screen's button is now past its month
    await student.press_token(token)
    assert student.text == texts.BUTTON_STALE


# The daily round -------------------------------------------------------------------------


async def test_the_round_prunes_old_dedupe_marks_and_expired_buttons(
    demo_db: Database, clock: Clock
) -> None:
    start = clock()
    async with demo_db.transaction() as session:
        session.add(
            ProcessedUpdate(messenger=Messenger.TELEGRAM, update_id="1", processed_at=start)
        )
    old_token = await forge(demo_db, "student", "hold.list")
    clock.advance(days=DEDUPE_KEEP.days - 1)
    async with demo_db.transaction() as session:
        session.add(ProcessedUpdate(messenger=Messenger.TELEGRAM, update_id="2"))
    first = await retention_round(demo_db, clock)
    assert first.processed_updates == 0
    assert await _count(demo_db, ProcessedUpdate) == 2

    clock.advance(days=2)  # the first mark is past the redelivery window, the second is not
    second = await retention_round(demo_db, clock)
    assert second.processed_updates == 1
    async with demo_db.reading() as session:
        assert list(await session.scalars(select(ProcessedUpdate.update_id))) == ["2"]

    fresh_token = await forge(demo_db, "student", "hold.list")
    clock.advance(days=BUTTON_TTL.days - DEDUPE_KEEP.days)
    third = await retention_round(demo_db, clock)
    assert third.button_tokens >= 1
    async with demo_db.reading() as session:
        assert await session.get(ButtonToken, old_token) is None
        assert await session.get(ButtonToken, fresh_token) is not None
    assert await _count(demo_db, ProcessedUpdate) == 0


async def test_compaction_keeps_the_latest_change_of_each_record_and_search_follows(
    demo_db: Database, tmp_path: Path, clock: Clock
) -> None:
    async with demo_db.reading() as session:
        record_id = await session.scalar(select(Record.id).where(Record.title == "Пиковая дама"))
    assert record_id is not None
    index_dir = tmp_path / "index"
    early = CatalogSearch(index_dir, check_interval=0)
    async with demo_db.reading() as session:
        assert record_id in [h.record_id for h in await early.search(session, "пиковая дама")]

    for n, title in enumerate(["Пиковая дама (сб.)", "Пиковая дама. Повести", "Дама пик"]):
        clock.advance(minutes=1)
        async with demo_db.transaction() as session:
            await edit_record(session, record_id, title=title)
        if n == 0:  # one index follows the first edit only, then stays behind
            async with demo_db.reading() as session:
                await early.search(session, "пиковая")

    before = await _count(demo_db, CatalogChange)
    async with demo_db.reading() as session:
        latest = await session.scalar(select(func.max(CatalogChange.id)))
    async with demo_db.transaction() as session:
        removed = await compact_change_log(session)
    assert removed >= 2
    assert await _count(demo_db, CatalogChange) == before - removed
    assert await _count(demo_db, CatalogChange, CatalogChange.record_id == record_id) == 1
    async with demo_db.reading() as session:
        assert await session.scalar(select(func.max(CatalogChange.id))) == latest
        records = await session.scalar(select(func.count(func.distinct(CatalogChange.record_id))))
    assert await _count(demo_db, CatalogChange) == records

    # The index that stayed behind, and a new process loading the saved (older) index, both
    # replay what is left and find the record under its last title only.
    for search in (early, CatalogSearch(index_dir, check_interval=0)):
        async with demo_db.reading() as session:
            found = [h.record_id for h in await search.search(session, "дама пик")]
            gone = [h.record_id for h in await search.search(session, "повести")]
        assert found[:1] == [record_id]
        assert record_id not in gone

    async with demo_db.transaction() as session:
        assert await compact_change_log(session) == 0  # nothing more to fold


async def test_the_round_compacts_the_change_log(demo_db: Database, clock: Clock) -> None:
    async with demo_db.reading() as session:
        record_id = await session.scalar(select(Record.id).order_by(Record.id).limit(1))
    for year in (2001, 2002, 2003):
        async with demo_db.transaction() as session:
            await edit_record(session, record_id, year=year)
    result = await retention_round(demo_db, clock)
    assert result.catalog_changes >= 2
    assert await _count(demo_db, CatalogChange, CatalogChange.record_id == record_id) == 1


# Repeated refusals -----------------------------------------------------------------------


async def test_repeated_forged_presses_are_counted_on_one_row(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    student = chat("student")
    for _ in range(5):
        await student.press_token("forged-token")
        assert student.text == texts.BUTTON_STALE
        clock.advance(minutes=10)
    [entry] = await _refusals(demo_db, "button.unknown")
    assert entry.repeats == 5
    assert entry.last_at == clock() - timedelta(minutes=10)

    clock.advance(hours=2)  # an hour after the last one: a new row
    await student.press_token("forged-token")
    first, second = await _refusals(demo_db, "button.unknown")
    assert (first.repeats, second.repeats) == (5, 1)

    other = chat("parent")  # another account's refusal is its own row
    await other.press_token("forged-token")
    assert len(await _refusals(demo_db, "button.unknown")) == 3


async def test_granted_actions_are_never_folded(chat: ChatFactory, demo_db: Database) -> None:
    librarian = chat("librarian")
    for day in ("30.12", "31.12"):
        await librarian.send(f"/closed {day} санитарный день")
    async with demo_db.reading() as session:
        rows = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "calendar.close"))
        )
    assert [r.repeats for r in rows] == [1, 1]


async def test_the_round_drops_chat_rate_slots_a_day_after_their_last_use(
    demo_db: Database, clock: Clock
) -> None:
    now = clock().timestamp()
    async with demo_db.transaction() as session:
        session.add_all(
            [
                RateSlot(key="chat:old", next_at=now - 2 * CHAT_SLOT_KEEP.total_seconds()),
                RateSlot(key="chat:recent", next_at=now - 60),
                RateSlot(key="telegram:token", next_at=now - 9 * CHAT_SLOT_KEEP.total_seconds()),
            ]
        )
    pruned = await retention_round(demo_db, clock)
    assert pruned.chat_slots == 1
    async with demo_db.reading() as session:
        kept = set(await session.scalars(select(RateSlot.key)))
    assert kept == {"chat:recent", "telegram:token"}  # a token's own row stays
