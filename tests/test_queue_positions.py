"""Places in a record's queue at a school.

A hold takes its place when it joins the queue, under the record's lock: the queue's highest
number so far plus one, never reused. The queue is ordered by that number; holds queued before
numbers existed (none) stand first, in the order they were made. What a reader is told, who
hears that the queue moved and who gets a copy that comes back all follow that one order, and
none of it follows the clock an event read when it came in (events get the record's lock in an
order of their own: here one event after another, each with a clock of our choosing).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from db.access import Actor, Card, load_actor
from db.circulation import Circulation, Event, holds_where, queue_positions
from db.engine import Database
from db.enums import ApprovalMode, HoldStatus, ItemStatus, Messenger
from db.holds import approve_hold, cancel_hold, place_hold
from db.loans import issue, return_copy
from db.models import Account, Hold, Item, Library, Reader, Record
from tests.conftest import FIXED_NOW
from tests.support.chat import ChatFactory
from tests.support.library import copies, keep_one_copy, linked_reader, notices_for, set_status

# Readers of school-1 old enough for any 12+ book (9А, 10А of the demo network).
CARDS = ("1074", "1075", "1076", "1077", "1078", "1079")
HOLDER = "1090"


@dataclass
class Scene:
    db: Database
    library_id: int
    record_id: int
    item_id: int
    readers: list[int]  # reader ids, by CARDS
    librarian: Actor

    async def run(
        self, actor: Actor, seconds: int, operation: Callable[..., Awaitable[Any]], *args: Any
    ) -> tuple[Any, list[Event]]:
        """One event in its own transaction, its clock at FIXED_NOW + `seconds`."""
        async with self.db.transaction() as session:
            c = Circulation(session, actor, FIXED_NOW + timedelta(seconds=seconds))
            result = await operation(c, *args)
            return result, c.events

    async def place(self, n: int, seconds: int) -> tuple[Hold, int]:
        """Reader n asks for the book; the hold and the place they were told."""
        hold, events = await self.run(
            await self.reader(n), seconds, place_hold, self.readers[n], self.record_id
        )
        assert isinstance(hold, Hold) and hold.status == HoldStatus.QUEUED
        [told] = [e.values["position"] for e in events if e.kind == "hold.waiting"]
        return hold, told

    async def cancel(self, n: int, hold: Hold, seconds: int) -> dict[int, int]:
        """Reader n withdraws; reader id → the new place each reader was told."""
        _, events = await self.run(await self.reader(n), seconds, cancel_hold, hold.id)
        return moved(events)

    async def lend(self, seconds: int) -> None:
        async with self.db.reading() as session:
            holder = await session.scalar(
                select(Reader.id).where(
                    Reader.library_id == self.library_id, Reader.card_number == HOLDER
                )
            )
        await self.run(self.librarian, seconds, issue, self.item_id, holder)

    async def reader(self, n: int) -> Actor:
        async with self.db.reading() as session:
            reader = await session.get(Reader, self.readers[n])
            assert reader is not None
        card = Card(
            reader.id,
            reader.library_id,
            "Школа №1",
            reader.card_number,
            reader.full_name,
            reader.class_name,
            reader.birth_year,
        )
        return Actor(account_id=None, person_id=None, cards=(card,))

    async def queue(self) -> list[tuple[int, int]]:
        """(reader id, place) of the queued holds, as a list of holds shows them."""
        async with self.db.reading() as session:
            views = await holds_where(
                session, Hold.record_id == self.record_id, Hold.status == HoldStatus.QUEUED
            )
        return [(view.reader_id, view.position or 0) for view in views]


def moved(events: list[Event]) -> dict[int, int]:
    return {e.reader_id: e.values["position"] for e in events if e.kind == "hold.queue_moved"}


async def scene(db: Database, *, lent: bool = True) -> Scene:
    """A 12+ book of school-1 with one copy, out on loan (unless not `lent`): whoever asks for
    it queues."""
    async with db.transaction() as session:
        school = await session.scalar(select(Library.id).where(Library.code == "school-1"))
        assert school is not None
        record_id, item_id = (
            await session.execute(
                select(Record.id, Item.id)
                .join(Item, Item.record_id == Record.id)
                .where(
                    Item.library_id == school,
                    Item.status == ItemStatus.AVAILABLE,
                    Record.kind == "book",
                    Record.age_mark <= 12,
                )
                .order_by(Record.id, Item.id)
                .limit(1)
            )
        ).one()
        await session.execute(
            update(Item)
            .where(Item.record_id == record_id, Item.library_id == school, Item.id != item_id)
            .values(status=ItemStatus.WRITTEN_OFF)
        )
        readers = {
            r.card_number: r.id
            for r in await session.scalars(
                select(Reader).where(Reader.library_id == school, Reader.card_number.in_(CARDS))
            )
        }
        await session.execute(
            update(Library).where(Library.id == school).values(approval_mode=ApprovalMode.MANUAL)
        )
        account = await session.scalar(
            select(Account).where(
                Account.messenger == Messenger.CONSOLE, Account.external_id == "librarian"
            )
        )
        assert account is not None
        librarian = await load_actor(session, account.id, account.person_id)
    found = Scene(db, school, record_id, item_id, [readers[c] for c in CARDS], librarian)
    if lent:
        await found.lend(0)
    return found


async def test_a_later_hold_with_an_earlier_clock_queues_behind(demo_db: Database) -> None:
    """Three readers queue one after another, each event's clock earlier than the last one's:
    they are 1, 2, 3 in the order they joined, told so, and nobody's place changes."""
    s = await scene(demo_db)
    placed = [await s.place(n, seconds) for n, seconds in ((0, 30), (1, 20), (2, 10))]
    assert [told for _, told in placed] == [1, 2, 3]
    assert [hold.queue_number for hold, _ in placed] == [1, 2, 3]
    assert await s.queue() == [(s.readers[0], 1), (s.readers[1], 2), (s.readers[2], 3)]

    # The copy comes back: it goes to number 1 (whose clock was the latest), the rest move up.
    returned, events = await s.run(s.librarian, 40, return_copy, s.item_id)
    assert returned.next_hold is not None
    assert returned.next_hold.id == placed[0][0].id
    assert moved(events) == {s.readers[1]: 1, s.readers[2]: 2}
    assert await s.queue() == [(s.readers[1], 1), (s.readers[2], 2)]


async def test_a_place_is_never_given_twice(demo_db: Database) -> None:
    """The last in the queue leaves and another reader joins: a new number, not the freed one;
    then the second leaves and only those behind them hear of it."""
    s = await scene(demo_db)
    first, _ = await s.place(0, 10)
    second, _ = await s.place(1, 20)
    third, _ = await s.place(2, 30)
    assert await s.cancel(2, third, 40) == {}
    fourth, told = await s.place(3, 5)
    assert (fourth.queue_number, told) == (4, 3)
    assert await s.cancel(1, second, 50) == {s.readers[3]: 2}
    assert await s.queue() == [(s.readers[0], 1), (s.readers[3], 2)]
    async with demo_db.reading() as session:
        assert await queue_positions(session, [first, fourth]) == {first.id: 1, fourth.id: 2}


async def test_holds_queued_before_numbers_stand_first_in_the_order_they_were_made(
    demo_db: Database,
) -> None:
    s = await scene(demo_db)
    numbered, told = await s.place(0, 10)
    assert (numbered.queue_number, told) == (1, 1)
    # Two holds from before the change: no number, made after the numbered one, in the
    # opposite order of their ids.
    async with demo_db.transaction() as session:
        legacy = []
        for n, seconds in ((1, 60), (2, 50)):
            hold = Hold(
                record_id=s.record_id,
                reader_id=s.readers[n],
                library_id=s.library_id,
                status=HoldStatus.QUEUED,
                created_at=FIXED_NOW + timedelta(seconds=seconds),
            )
            session.add(hold)
            await session.flush()
            legacy.append(hold)
    older, newer = legacy[1], legacy[0]  # by created_at
    assert await s.queue() == [(s.readers[2], 1), (s.readers[1], 2), (s.readers[0], 3)]

    joined, told = await s.place(3, 0)
    assert (joined.queue_number, told) == (2, 4)

    # The older legacy hold leaves: all three behind it move up and hear it.
    assert await s.cancel(2, older, 70) == {s.readers[1]: 1, s.readers[0]: 2, s.readers[3]: 3}
    # The copy comes back: the remaining legacy hold is first, however late it was made.
    returned, events = await s.run(s.librarian, 80, return_copy, s.item_id)
    assert returned.next_hold.id == newer.id
    assert moved(events) == {s.readers[0]: 1, s.readers[3]: 2}
    assert await s.queue() == [(s.readers[0], 1), (s.readers[3], 2)]


async def test_a_list_of_a_queue_comes_in_queue_order(demo_db: Database) -> None:
    """Joined in one order with clocks in the opposite one: listed as they stand."""
    s = await scene(demo_db)
    for n, seconds in ((0, 40), (1, 30), (2, 20), (3, 10)):
        await s.place(n, seconds)
    assert await s.queue() == [(s.readers[n], n + 1) for n in range(4)]


async def test_requests_approved_with_no_copy_free_queue_in_the_order_of_approval(
    demo_db: Database,
) -> None:
    """Two requests wait for approval; the copy goes out meanwhile. The librarian approves the
    later request first: it joins the queue first, is told 1 and stays 1."""
    s = await scene(demo_db, lent=False)
    async with demo_db.transaction() as session:
        pending = []
        for n, seconds in ((0, 10), (1, 20)):
            hold = await place_hold(
                Circulation(session, await s.reader(n), FIXED_NOW + timedelta(seconds=seconds)),
                s.readers[n],
                s.record_id,
            )
            assert hold.status == HoldStatus.PENDING
            pending.append(hold.id)
    await s.lend(30)
    told = []
    for hold_id, seconds in ((pending[1], 40), (pending[0], 50)):
        hold, events = await s.run(s.librarian, seconds, approve_hold, hold_id)
        assert hold.status == HoldStatus.QUEUED
        [position] = [e.values["position"] for e in events if e.kind == "hold.queued"]
        told.append((hold.reader_id, position))
    assert told == [(s.readers[1], 1), (s.readers[0], 2)]
    assert await s.queue() == told


async def test_a_queued_reader_served_out_of_turn_moves_the_queue_up(
    chat: ChatFactory, demo_db: Database
) -> None:
    kept = await keep_one_copy(demo_db, "Ревизор")
    librarian = chat("librarian")
    await librarian.send(f"/issue {kept} 1004")  # the only copy goes out
    if "Всё равно" in librarian.text:
        await librarian.press("Выдать всё равно")
    student = chat("student")  # Мария, card 1001: first in the queue
    await student.send("хочу взять ревизор")
    await student.press("📌 1")
    async with demo_db.reading() as session:  # a classmate: old enough for «Ревизор» (12+)
        classmate = await session.scalar(
            select(Reader.card_number)
            .where(Reader.class_name == "7Б", Reader.card_number != "1001", Reader.library_id == 1)
            .limit(1)
        )
    second = await linked_reader(chat, librarian, classmate, "pupil-1003")
    await second.send("хочу взять ревизор")
    await second.press("📌 1")
    assert "под номером 2" in second.text

    spare = next(i for i in await copies(demo_db, "Ревизор") if i.inventory_number != kept)
    await set_status(demo_db, spare.inventory_number, ItemStatus.AVAILABLE)  # found again
    await librarian.send(f"/issue {spare.inventory_number} 1001")  # straight to Мария
    assert "Выдано" in librarian.text
    assert "под номером 1" in (await notices_for(demo_db, "pupil-1003"))[-1]
