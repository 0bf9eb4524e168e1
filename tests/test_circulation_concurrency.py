"""Circulation under real concurrency: two desks, four readers, one copy.

Every race runs whole events through the dispatcher (each in its own transaction, as users hit
it) with `asyncio.gather`, on SQLite (writers queue on BEGIN IMMEDIATE) and on PostgreSQL
(READ COMMITTED: conditional UPDATEs, row locks and partial unique indexes must do the work).
Each race is repeated on fresh copies with the racers started together or a little apart, so
that a lucky interleaving cannot pass for a proof. After every round the whole database is
checked against the invariants of circulation (`assert_invariants`).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
from collections.abc import Awaitable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

import db.class_sets as class_sets_db
import db.loans as loans_db
from db.access import Actor, load_actor
from db.circulation import Circulation, holds_where
from db.class_sets import return_class_set
from db.conversation import new_button_token
from db.engine import Database
from db.enums import ApprovalMode, AuditOutcome, HoldStatus, ItemStatus, Messenger, RoleName
from db.models import Account, AuditEntry, Hold, Item, Loan, OutboxMessage, Reader, Record
from db.people import create_link_code, library_by_code, reader_by_card
from handlers import build_registry
from handlers.dispatcher import Dispatcher
from handlers.services import Services
from messages import texts
from messages.types import Incoming
from tests.support.clock import Clock

ROUNDS = 3
# Round 0 starts the racers at once; in later rounds each racer in turn leads and the others
# start this many seconds behind, so both orders of a two-racer race are exercised (the exact
# interleavings are forced, deterministically, by the tests at the end of this file).
STAGGER = (0.001, 0.003)

# Readers of school-1 old enough for every 12+ book: 9А and 10А of the demo network.
CARDS = tuple(str(card) for card in range(1074, 1098))

ISSUED = "Выдано: «"
RETURNED = "Принято: «"
ON_LOAN_PREFIX = "Этот экземпляр уже выдан (формуляр № {card},"


# Talking to the core ------------------------------------------------------------------------


async def send(dispatcher: Dispatcher, persona: str, text: str) -> str:
    replies = await dispatcher.handle(Incoming(Messenger.CONSOLE, persona, persona, text=text))
    return "\n".join(reply.text for reply in replies)


async def press(dispatcher: Dispatcher, persona: str, token: str) -> str:
    replies = await dispatcher.handle(Incoming(Messenger.CONSOLE, persona, persona, button=token))
    return "\n".join(reply.text for reply in replies)


async def race(round_no: int, *racers: Awaitable[str]) -> list[str]:
    """Run the racers at once; in later rounds one of them starts a moment before the rest."""

    async def run(index: int, racer: Awaitable[str]) -> str:
        if round_no:
            lead = (round_no - 1) % len(racers)  # who goes first this round
            await asyncio.sleep(0 if index == lead else STAGGER[(round_no - 1) // 2 % 2])
        return await racer

    return list(await asyncio.gather(*(run(i, racer) for i, racer in enumerate(racers))))


@dataclass
class Gate:
    reached: asyncio.Event = field(default_factory=asyncio.Event)
    passed: asyncio.Event = field(default_factory=asyncio.Event)  # the other event is done
    stopped: bool = False


HELD_BACK: ContextVar[Gate | None] = ContextVar("held_back", default=None)
GATE_PATIENCE = 5.0


def gate_after(
    monkeypatch: pytest.MonkeyPatch,
    module: ModuleType,
    name: str,
    *,
    patience: float = GATE_PATIENCE,
) -> None:
    """`module.name`, called in the event `interleave` holds back, returns and then waits there
    (once) until the other event is done, or `patience` seconds if that event waits for locks
    this one holds."""
    original = getattr(module, name)

    async def gated(*args: Any, **kwargs: Any) -> Any:
        result = await original(*args, **kwargs)
        gate = HELD_BACK.get()
        if gate is not None and not gate.stopped:
            gate.stopped = True
            gate.reached.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(gate.passed.wait(), patience)
        return result

    monkeypatch.setattr(module, name, gated)


async def interleave(db: Database, held_back: Awaitable[str], other: Awaitable[str]) -> list[str]:
    """PostgreSQL: `held_back` runs to its gate, `other` runs to its end, `held_back` goes on.
    SQLite takes one writer at a time, so the nearest it has is `other`, then `held_back`.
    Returns the replies in argument order."""
    if db.dialect == "sqlite":
        second = await other
        return [await held_back, second]
    gate = Gate()

    async def first() -> str:
        HELD_BACK.set(gate)
        try:
            return await held_back
        finally:
            gate.reached.set()

    async def then() -> str:
        await gate.reached.wait()
        try:
            return await other
        finally:
            gate.passed.set()

    replies = list(await asyncio.gather(first(), then()))
    assert gate.stopped, "the held-back event never reached its gate"
    return replies


async def account_of(session: AsyncSession, persona: str) -> Account:
    account = await session.scalar(
        select(Account).where(
            Account.messenger == Messenger.CONSOLE, Account.external_id == persona
        )
    )
    assert account is not None, persona
    return account


async def actor_of(session: AsyncSession, persona: str) -> Actor:
    account = await account_of(session, persona)
    return await load_actor(session, account.id, account.person_id)


async def buttons(db: Database, *wanted: tuple[str, str, dict[str, Any]]) -> list[str]:
    """Button tokens as the bot would have handed them out: (persona, action, args) each."""
    async with db.transaction() as session:
        tokens = []
        for persona, action, args in wanted:
            account = await account_of(session, persona)
            tokens.append(new_button_token(session, account.id, action, args))
        return tokens


# The desk and its readers ---------------------------------------------------------------------


@dataclass
class Desk:
    db: Database
    dispatcher: Dispatcher
    clock: Clock
    library_id: int
    readers: dict[str, int]  # persona → reader id
    cards: dict[str, str]  # persona → card number

    async def link(self, persona: str, role: RoleName, card: str | None = None) -> None:
        """A new console persona redeems a one-time code, as a person would."""
        async with self.db.transaction() as session:
            reader = await reader_by_card(session, self.library_id, card) if card else None
            code = await create_link_code(
                session,
                role,
                library_id=self.library_id,
                reader_id=reader.id if reader else None,
                now=self.clock(),
            )
        reply = await send(self.dispatcher, persona, code.code)
        assert reply.startswith("Готово!"), reply
        async with self.db.reading() as session:
            actor = await actor_of(session, persona)
        if role == RoleName.LIBRARIAN:
            assert actor.librarian_of == {self.library_id}
        else:
            assert reader is not None and card is not None
            assert [c.reader_id for c in actor.cards] == [reader.id]
            self.readers[persona] = reader.id
            self.cards[persona] = card


async def open_desk(
    db: Database,
    dispatcher: Dispatcher,
    clock: Clock,
    readers: int = 0,
    mode: ApprovalMode = ApprovalMode.MANUAL,
) -> Desk:
    """School-1 with a second librarian (persona librarian-b) and `readers` linked readers
    (personas reader-0, reader-1, …, cards from CARDS)."""
    async with db.transaction() as session:
        school = await library_by_code(session, "school-1")
        assert school is not None
        school.approval_mode = mode
    desk = Desk(db, dispatcher, clock, school.id, {}, {})
    await desk.link("librarian-b", RoleName.LIBRARIAN)
    for n in range(readers):
        await desk.link(f"reader-{n}", RoleName.READER, CARDS[n])
    return desk


@dataclass(frozen=True)
class Copies:
    record_id: int
    title: str
    item_ids: list[int]
    inventory: list[str]


async def fresh_records(db: Database, library_id: int, count: int, copies: int) -> list[Copies]:
    """`count` books (12+ at most) nobody has on loan or on hold, each left with exactly
    `copies` available copies at the school: the rest are written off."""
    async with db.transaction() as session:
        busy = select(Item.record_id).join(Loan, Loan.item_id == Item.id)
        candidates = (
            await session.execute(
                select(Record.id, Record.title)
                .join(Item, Item.record_id == Record.id)
                .where(
                    Item.library_id == library_id,
                    Record.kind == "book",
                    Record.age_mark <= 12,
                    Record.id.not_in(busy),
                    Record.id.not_in(select(Hold.record_id)),
                )
                .group_by(Record.id, Record.title)
                .having(func.count(Item.id) >= copies)
                .order_by(Record.id)
                .limit(count)
            )
        ).all()
        assert len(candidates) == count
        chosen = []
        for record_id, title in candidates:
            items = list(
                await session.scalars(
                    select(Item)
                    .where(Item.record_id == record_id, Item.library_id == library_id)
                    .order_by(Item.id)
                )
            )
            assert all(item.status == ItemStatus.AVAILABLE for item in items)
            for item in items[copies:]:
                item.status = ItemStatus.WRITTEN_OFF
            kept = items[:copies]
            chosen.append(
                Copies(record_id, title, [i.id for i in kept], [i.inventory_number for i in kept])
            )
        return chosen


async def set_status(db: Database, item_id: int, status: ItemStatus) -> None:
    async with db.transaction() as session:
        await session.execute(update(Item).where(Item.id == item_id).values(status=status))


async def holds_for(db: Database, record_id: int) -> dict[int, Hold]:
    """Holds on a record by reader id (one per reader in these tests)."""
    async with db.reading() as session:
        holds = list(await session.scalars(select(Hold).where(Hold.record_id == record_id)))
    by_reader = {hold.reader_id: hold for hold in holds}
    assert len(by_reader) == len(holds)
    return by_reader


async def open_loans_of(db: Database, item_id: int) -> list[Loan]:
    async with db.reading() as session:
        return list(
            await session.scalars(
                select(Loan).where(Loan.item_id == item_id, Loan.returned_at.is_(None))
            )
        )


async def status_of(db: Database, item_id: int) -> ItemStatus:
    async with db.reading() as session:
        status = await session.scalar(select(Item.status).where(Item.id == item_id))
    assert status is not None
    return status


async def audits(db: Database, action: str, **detail: int) -> list[AuditEntry]:
    async with db.reading() as session:
        entries = list(
            await session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == action, AuditEntry.outcome == AuditOutcome.OK
                )
            )
        )
    return [e for e in entries if all(e.detail.get(k) == v for k, v in detail.items())]


# The invariants ----------------------------------------------------------------------------


async def assert_invariants(session: AsyncSession) -> None:
    """Over the whole database: a copy is on one loan at most, on loan exactly when it has an
    open loan, on the hold shelf exactly when one ready hold keeps it, and for one hold only."""
    open_loans = (
        await session.execute(
            select(Loan.item_id, func.count())
            .where(Loan.returned_at.is_(None))
            .group_by(Loan.item_id)
        )
    ).all()
    twice = {item_id: n for item_id, n in open_loans if n != 1}
    assert not twice, f"copies on more than one open loan: {twice}"
    loaned = {item_id for item_id, _ in open_loans}
    on_loan = set(await session.scalars(select(Item.id).where(Item.status == ItemStatus.ON_LOAN)))
    assert on_loan == loaned, (
        f"on_loan without an open loan: {sorted(on_loan - loaned)}; "
        f"open loan but not on_loan: {sorted(loaned - on_loan)}"
    )

    ready = (
        await session.execute(
            select(Hold.item_id, func.count())
            .where(Hold.status == HoldStatus.READY)
            .group_by(Hold.item_id)
        )
    ).all()
    shared = {item_id: n for item_id, n in ready if n != 1 or item_id is None}
    assert not shared, f"ready holds sharing a copy (or keeping none): {shared}"
    kept = {item_id for item_id, _ in ready}
    shelf = set(
        await session.scalars(select(Item.id).where(Item.status == ItemStatus.ON_HOLD_SHELF))
    )
    assert shelf == kept, (
        f"on the hold shelf for nobody: {sorted(shelf - kept)}; "
        f"kept by a ready hold but not on the shelf: {sorted(kept - shelf)}"
    )
    # A ready hold keeps a copy of its own record at its own school.
    strays = (
        await session.execute(
            select(Hold.id)
            .join(Item, Item.id == Hold.item_id)
            .where(
                Hold.status == HoldStatus.READY,
                (Item.record_id != Hold.record_id) | (Item.library_id != Hold.library_id),
            )
        )
    ).all()
    assert not strays, f"ready holds keeping a copy of another record or school: {strays}"


async def check_invariants(db: Database) -> None:
    async with db.reading() as session:
        await assert_invariants(session)


async def queue(db: Database, record_id: int) -> dict[int, int]:
    """Queued reader id → place in the record's queue."""
    async with db.reading() as session:
        views = await holds_where(
            session, Hold.record_id == record_id, Hold.status == HoldStatus.QUEUED
        )
    return {view.reader_id: view.position or 0 for view in views}


# 1. Two desks, one copy ---------------------------------------------------------------------


async def test_two_librarians_issuing_one_copy_at_once_make_one_loan(
    demo_db: Database, dispatcher: Dispatcher, clock: Clock
) -> None:
    desk = await open_desk(demo_db, dispatcher, clock)
    books = await fresh_records(demo_db, desk.library_id, ROUNDS, copies=1)
    for n, book in enumerate(books):
        [item_id], [inventory] = book.item_ids, book.inventory
        cards = (CARDS[2 * n], CARDS[2 * n + 1])
        replies = await race(
            n,
            send(dispatcher, "librarian", f"/issue {inventory} {cards[0]}"),
            send(dispatcher, "librarian-b", f"/issue {inventory} {cards[1]}"),
        )

        winners = [i for i, reply in enumerate(replies) if reply.startswith(ISSUED)]
        assert len(winners) == 1, replies
        [winner] = winners
        loser_reply = replies[1 - winner]
        assert loser_reply.startswith(ON_LOAN_PREFIX.format(card=cards[winner])), replies

        [loan] = await open_loans_of(demo_db, item_id)
        async with demo_db.reading() as session:
            reader = await session.get(Reader, loan.reader_id)
        assert reader is not None and reader.card_number == cards[winner]
        assert await status_of(demo_db, item_id) == ItemStatus.ON_LOAN
        assert len(await audits(demo_db, "loan.issue", item_id=item_id)) == 1
        await check_invariants(demo_db)


# 2. The last copy, four readers, automatic approval ----------------------------------------


async def test_four_readers_reserving_the_last_copy_get_one_shelf_and_a_queue(
    demo_db: Database, dispatcher: Dispatcher, clock: Clock
) -> None:
    desk = await open_desk(demo_db, dispatcher, clock, readers=4, mode=ApprovalMode.AUTO)
    personas = list(desk.readers)
    books = await fresh_records(demo_db, desk.library_id, ROUNDS, copies=1)
    for n, book in enumerate(books):
        [item_id] = book.item_ids
        tokens = await buttons(
            demo_db, *((p, "hold.place", {"r": book.record_id}) for p in personas)
        )
        replies = await race(
            n,
            *(
                press(dispatcher, persona, token)
                for persona, token in zip(personas, tokens, strict=True)
            ),
        )

        ready_replies = [r for r in replies if r.startswith(f"Книга «{book.title}» отложена")]
        queued_replies = [r for r in replies if r.startswith("Свободных экземпляров")]
        assert (len(ready_replies), len(queued_replies)) == (1, 3), replies

        holds = await holds_for(demo_db, book.record_id)
        assert set(holds) == set(desk.readers.values())
        ready = [h for h in holds.values() if h.status == HoldStatus.READY]
        assert len(ready) == 1, [h.status for h in holds.values()]
        assert ready[0].item_id == item_id
        winner = personas[replies.index(ready_replies[0])]
        assert ready[0].reader_id == desk.readers[winner]
        queued = await queue(demo_db, book.record_id)
        assert sorted(queued.values()) == [1, 2, 3]
        assert set(queued) == set(desk.readers.values()) - {ready[0].reader_id}
        assert await status_of(demo_db, item_id) == ItemStatus.ON_HOLD_SHELF
        await check_invariants(demo_db)


# 3. Manual approval: two requests, one copy, two librarians ---------------------------------


async def _pending_pair(desk: Desk, book: Copies) -> tuple[int, int]:
    """reader-0 and reader-1 ask for the book, one after the other: both wait for approval."""
    for persona in ("reader-0", "reader-1"):
        [token] = await buttons(desk.db, (persona, "hold.place", {"r": book.record_id}))
        reply = await press(desk.dispatcher, persona, token)
        assert reply.startswith(f"Заявка на книгу «{book.title}»"), reply
    holds = await holds_for(desk.db, book.record_id)
    first, second = holds[desk.readers["reader-0"]], holds[desk.readers["reader-1"]]
    assert first.status == second.status == HoldStatus.PENDING
    return first.id, second.id


async def test_two_librarians_approving_two_requests_for_one_copy(
    demo_db: Database, dispatcher: Dispatcher, clock: Clock
) -> None:
    desk = await open_desk(demo_db, dispatcher, clock, readers=2)
    books = await fresh_records(demo_db, desk.library_id, ROUNDS, copies=1)
    for n, book in enumerate(books):
        [item_id] = book.item_ids
        first, second = await _pending_pair(desk, book)
        tokens = await buttons(
            demo_db,
            ("librarian", "hold.approve", {"h": first}),
            ("librarian-b", "hold.approve", {"h": second}),
        )
        replies = await race(
            n,
            press(dispatcher, "librarian", tokens[0]),
            press(dispatcher, "librarian-b", tokens[1]),
        )

        on_shelf = [r for r in replies if r.startswith(f"Одобрено: «{book.title}»")]
        in_queue = [r for r in replies if r.startswith("Одобрено, но свободных экземпляров нет")]
        assert (len(on_shelf), len(in_queue)) == (1, 1), replies
        assert "в очереди под номером 1" in in_queue[0]

        holds = await holds_for(demo_db, book.record_id)
        statuses = sorted(h.status for h in holds.values())
        assert statuses == [HoldStatus.QUEUED, HoldStatus.READY]
        [ready] = [h for h in holds.values() if h.status == HoldStatus.READY]
        assert ready.item_id == item_id
        assert ready.id == (first, second)[replies.index(on_shelf[0])]
        assert await status_of(demo_db, item_id) == ItemStatus.ON_HOLD_SHELF
        assert len(await audits(demo_db, "hold.approve")) == 2 * (n + 1)
        await check_invariants(demo_db)


async def test_two_librarians_approving_the_same_request_approve_it_once(
    demo_db: Database, dispatcher: Dispatcher, clock: Clock
) -> None:
    desk = await open_desk(demo_db, dispatcher, clock, readers=2)
    books = await fresh_records(demo_db, desk.library_id, ROUNDS, copies=1)
    for n, book in enumerate(books):
        [item_id] = book.item_ids
        first, _ = await _pending_pair(desk, book)
        tokens = await buttons(
            demo_db,
            ("librarian", "hold.approve", {"h": first}),
            ("librarian-b", "hold.approve", {"h": first}),
        )
        replies = await race(
            n,
            press(dispatcher, "librarian", tokens[0]),
            press(dispatcher, "librarian-b", tokens[1]),
        )

        assert sorted(r.startswith("Одобрено: «") for r in replies) == [False, True], replies
        assert texts.REFUSALS["hold_not_pending"] in replies
        holds = await holds_for(demo_db, book.record_id)
        assert holds[desk.readers["reader-0"]].status == HoldStatus.READY
        assert holds[desk.readers["reader-0"]].item_id == item_id
        assert holds[desk.readers["reader-1"]].status == HoldStatus.PENDING
        approvals = [e for e in await audits(demo_db, "hold.approve") if e.object_id == first]
        assert len(approvals) == 1
        await check_invariants(demo_db)


# 4. Returns racing cancels and issues -------------------------------------------------------


async def _on_loan_with_queue(desk: Desk, book: Copies, holder_card: str) -> tuple[int, int]:
    """Every copy of the book is issued (to `holder_card` and the next cards), then reader-0
    and reader-1 reserve it, in that order: both queued."""
    for k, inventory in enumerate(book.inventory):
        reply = await send(
            desk.dispatcher,
            "librarian",
            f"/issue {inventory} {int(holder_card) + k}",
        )
        assert reply.startswith(ISSUED), reply
    for persona in ("reader-0", "reader-1"):
        [token] = await buttons(desk.db, (persona, "hold.place", {"r": book.record_id}))
        reply = await press(desk.dispatcher, persona, token)
        assert reply.startswith("Свободных экземпляров"), reply
    holds = await holds_for(desk.db, book.record_id)
    first, second = holds[desk.readers["reader-0"]], holds[desk.readers["reader-1"]]
    assert await queue(desk.db, book.record_id) == {first.reader_id: 1, second.reader_id: 2}
    return first.id, second.id


async def test_a_return_racing_the_first_in_queue_cancelling(
    demo_db: Database, dispatcher: Dispatcher, clock: Clock
) -> None:
    desk = await open_desk(demo_db, dispatcher, clock, readers=2)
    books = await fresh_records(demo_db, desk.library_id, ROUNDS, copies=1)
    outcomes = []
    for n, book in enumerate(books):
        [item_id], [inventory] = book.item_ids, book.inventory
        first, _second = await _on_loan_with_queue(desk, book, CARDS[10 + n])
        [cancel] = await buttons(demo_db, ("reader-0", "hold.cancel", {"h": first}))
        returned, cancelled = await race(
            n,
            send(dispatcher, "librarian", f"/return {inventory}"),
            press(dispatcher, "reader-0", cancel),
        )

        assert returned.startswith(RETURNED), returned
        assert not await open_loans_of(demo_db, item_id)
        holds = await holds_for(demo_db, book.record_id)
        h1, h2 = holds[desk.readers["reader-0"]], holds[desk.readers["reader-1"]]
        if cancelled.startswith("Бронь на книгу «"):
            # Cancelled while queued (the copy went to the next reader), or just after the
            # copy had come to reader-0 (and so passed on): either way reader-1 has it now.
            assert h1.status == HoldStatus.CANCELLED
            assert (h2.status, h2.item_id) == (HoldStatus.READY, item_id)
        else:
            # PostgreSQL only: the cancel read the hold as queued, the return made it ready
            # meanwhile, and the cancel's conditional update found it changed. The hold is
            # ready and active although the reader is told it is not (a retry cancels it).
            assert cancelled == texts.REFUSALS["hold_not_active"], cancelled
            assert (h1.status, h1.item_id) == (HoldStatus.READY, item_id)
            assert h2.status == HoldStatus.QUEUED
        outcomes.append(h1.status)
        assert await status_of(demo_db, item_id) == ItemStatus.ON_HOLD_SHELF
        await check_invariants(demo_db)
    assert set(outcomes) <= {HoldStatus.CANCELLED, HoldStatus.READY}


async def test_two_returns_at_once_serve_the_queue_one_copy_each(
    demo_db: Database, dispatcher: Dispatcher, clock: Clock
) -> None:
    desk = await open_desk(demo_db, dispatcher, clock, readers=2)
    books = await fresh_records(demo_db, desk.library_id, ROUNDS, copies=2)
    for n, book in enumerate(books):
        await _on_loan_with_queue(desk, book, CARDS[10 + 2 * n])
        replies = await race(
            n,
            send(dispatcher, "librarian", f"/return {book.inventory[0]}"),
            send(dispatcher, "librarian-b", f"/return {book.inventory[1]}"),
        )

        assert all(r.startswith(RETURNED) and "📌" in r for r in replies), replies
        holds = await holds_for(demo_db, book.record_id)
        assert {h.status for h in holds.values()} == {HoldStatus.READY}
        assert sorted(h.item_id for h in holds.values()) == sorted(book.item_ids)
        for item_id in book.item_ids:
            assert await status_of(demo_db, item_id) == ItemStatus.ON_HOLD_SHELF
            assert not await open_loans_of(demo_db, item_id)
        await check_invariants(demo_db)


async def _queue_and_a_repaired_copy(desk: Desk, book: Copies, holder_card: str) -> None:
    """Copy X is on loan, reader-0 and reader-1 wait for the book (queued, in that order), and
    copy Z has just come back from repair: available while the queue still waits for X."""
    x, z = book.item_ids
    await set_status(desk.db, z, ItemStatus.IN_REPAIR)
    await _on_loan_with_queue(
        desk, Copies(book.record_id, book.title, [x], book.inventory[:1]), holder_card
    )
    await set_status(desk.db, z, ItemStatus.AVAILABLE)


async def _check_return_vs_issue(desk: Desk, book: Copies, returned: str, issued: str) -> None:
    """Whatever the order, reader-0 ends with Z (hold fulfilled) and X waits for reader-1."""
    await check_invariants(desk.db)
    x, z = book.item_ids
    assert returned.startswith(RETURNED), returned
    assert issued.startswith(ISSUED), issued
    holds = await holds_for(desk.db, book.record_id)
    h1, h2 = holds[desk.readers["reader-0"]], holds[desk.readers["reader-1"]]
    assert (h1.status, h1.item_id) == (HoldStatus.FULFILLED, z)
    assert (h2.status, h2.item_id) == (HoldStatus.READY, x)
    [loan] = await open_loans_of(desk.db, z)
    assert loan.reader_id == desk.readers["reader-0"]
    assert not await open_loans_of(desk.db, x)
    assert await status_of(desk.db, x) == ItemStatus.ON_HOLD_SHELF
    assert await status_of(desk.db, z) == ItemStatus.ON_LOAN


async def test_a_return_racing_the_issue_of_another_copy_to_the_first_in_queue(
    demo_db: Database, dispatcher: Dispatcher, clock: Clock, request: pytest.FixtureRequest
) -> None:
    """One desk takes X back (it goes to the first in the queue) while the other issues Z to
    that very reader (which fulfils their hold)."""
    desk = await open_desk(demo_db, dispatcher, clock, readers=2)
    books = await fresh_records(demo_db, desk.library_id, ROUNDS, copies=2)
    for n, book in enumerate(books):
        await _queue_and_a_repaired_copy(desk, book, CARDS[10 + n])
        returned, issued = await race(
            n,
            send(dispatcher, "librarian", f"/return {book.inventory[0]}"),
            send(dispatcher, "librarian-b", f"/issue {book.inventory[1]} {desk.cards['reader-0']}"),
        )
        await _check_return_vs_issue(desk, book, returned, issued)


async def _shelf_and_queue(desk: Desk, book: Copies) -> tuple[int, int]:
    """reader-0's copy waits on the hold shelf; reader-1 is queued behind."""
    first, second = await _pending_pair(desk, book)
    for hold_id, expected in ((first, "Одобрено: «"), (second, "Одобрено, но")):
        [approve] = await buttons(desk.db, ("librarian", "hold.approve", {"h": hold_id}))
        reply = await press(desk.dispatcher, "librarian", approve)
        assert reply.startswith(expected), reply
    return first, second


async def _check_issue_vs_cancel(desk: Desk, book: Copies, issued: str, cancelled: str) -> None:
    """Either the loan won (hold fulfilled, reader-1 still queued, the cancel refused) or the
    cancel did (the copy is kept for reader-1 instead, the issue refused). Nobody is told
    "something went wrong"."""
    await check_invariants(desk.db)
    [item_id] = book.item_ids
    holds = await holds_for(desk.db, book.record_id)
    h1, h2 = holds[desk.readers["reader-0"]], holds[desk.readers["reader-1"]]
    loans = await open_loans_of(desk.db, item_id)
    assert texts.SORRY not in (issued, cancelled), (issued, cancelled)
    if ISSUED in issued:
        assert cancelled == texts.REFUSALS["hold_not_active"], (issued, cancelled)
        assert (h1.status, h2.status) == (HoldStatus.FULFILLED, HoldStatus.QUEUED)
        assert [loan.reader_id for loan in loans] == [desk.readers["reader-0"]]
        assert await status_of(desk.db, item_id) == ItemStatus.ON_LOAN
    else:
        assert cancelled.startswith("Бронь на книгу «"), (issued, cancelled)
        assert issued == texts.REFUSALS["hold_not_active"], (issued, cancelled)
        assert (h1.status, h2.status) == (HoldStatus.CANCELLED, HoldStatus.READY)
        assert h2.item_id == item_id and not loans
        assert await status_of(desk.db, item_id) == ItemStatus.ON_HOLD_SHELF


async def test_a_cancel_racing_the_issue_from_the_hold_shelf(
    demo_db: Database, dispatcher: Dispatcher, clock: Clock, request: pytest.FixtureRequest
) -> None:
    """The desk presses 📕 on reader-0's hold-shelf copy while reader-0 cancels the hold."""
    desk = await open_desk(demo_db, dispatcher, clock, readers=2)
    books = await fresh_records(demo_db, desk.library_id, ROUNDS, copies=1)
    for n, book in enumerate(books):
        first, _ = await _shelf_and_queue(desk, book)
        issue_token, cancel_token = await buttons(
            demo_db,
            ("librarian-b", "hold.issue", {"h": first}),
            ("reader-0", "hold.cancel", {"h": first}),
        )
        issued, cancelled = await race(
            n,
            press(dispatcher, "librarian-b", issue_token),
            press(dispatcher, "reader-0", cancel_token),
        )
        await _check_issue_vs_cancel(desk, book, issued, cancelled)


# 5. A class set issued from two desks at once -----------------------------------------------


@dataclass(frozen=True)
class ClassSet:
    record_id: int
    pupils: list[int]


async def _algebra_for_7b(desk: Desk) -> ClassSet:
    async with desk.db.reading() as session:
        algebra = await session.scalar(
            select(Record.id).where(Record.title == "Алгебра. 7 класс", Record.kind == "textbook")
        )
        pupils = list(
            await session.scalars(
                select(Reader.id).where(
                    Reader.library_id == desk.library_id, Reader.class_name == "7Б"
                )
            )
        )
        copies = await session.scalar(
            select(func.count())
            .select_from(Item)
            .where(Item.record_id == algebra, Item.library_id == desk.library_id)
        )
    # Enough copies for the class twice over: a double issue would not be stopped by a
    # shortage, only by the code.
    assert algebra is not None and len(pupils) == 13 and (copies or 0) >= 2 * len(pupils)
    return ClassSet(algebra, pupils)


async def _set_buttons(desk: Desk, textbook: ClassSet) -> list[str]:
    args = {"c": "7Б", "r": [textbook.record_id]}
    return await buttons(
        desk.db, ("librarian", "set.issue", args), ("librarian-b", "set.issue", args)
    )


async def _check_class_set(desk: Desk, textbook: ClassSet, replies: Sequence[str]) -> None:
    """Every pupil has exactly one copy; one desk issued all 13, the other none."""
    async with desk.db.reading() as session:
        await assert_invariants(session)
        per_pupil = dict(
            (
                await session.execute(
                    select(Loan.reader_id, func.count())
                    .join(Item, Item.id == Loan.item_id)
                    .where(
                        Item.record_id == textbook.record_id,
                        Loan.returned_at.is_(None),
                        Loan.reader_id.in_(textbook.pupils),
                    )
                    .group_by(Loan.reader_id)
                )
            ).all()
        )
    doubled = {reader: k for reader, k in per_pupil.items() if k != 1}
    assert not doubled, f"{len(doubled)} pupils hold more than one copy; replies: {replies}"
    assert set(per_pupil) == set(textbook.pupils)
    issued = sorted(int(reply.split()[1]) for reply in replies)  # «Выдано 13 экземпляров …»
    assert issued == [0, len(textbook.pupils)], replies


async def test_a_class_set_issued_from_two_desks_gives_each_pupil_one_copy(
    demo_db: Database, dispatcher: Dispatcher, clock: Clock, request: pytest.FixtureRequest
) -> None:
    desk = await open_desk(demo_db, dispatcher, clock)
    textbook = await _algebra_for_7b(desk)
    for n in range(ROUNDS):
        tokens = await _set_buttons(desk, textbook)
        replies = await race(
            n,
            press(dispatcher, "librarian", tokens[0]),
            press(dispatcher, "librarian-b", tokens[1]),
        )
        await _check_class_set(desk, textbook, replies)

        async with demo_db.transaction() as session:  # end of year: the class gives them back
            librarian = await actor_of(session, "librarian")
            await return_class_set(Circulation(session, librarian, clock()), desk.library_id, "7Б")
        await check_invariants(demo_db)


# Forced interleavings -------------------------------------------------------------------------
#
# The races above hit the dangerous interleavings only by chance. Here one event is stopped
# at a chosen point of its transaction (after it has read, before it writes) while the other
# event runs to its commit; then the first goes on. On SQLite writers cannot interleave at
# all: the same two events run one after the other, the second one's commit first.


async def test_forced_a_class_set_counted_before_the_other_desk_committed(
    demo_db: Database,
    dispatcher: Dispatcher,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """Desk A reads who in 7Б has the textbook, desk B issues the whole set, then A issues."""
    desk = await open_desk(demo_db, dispatcher, clock)
    textbook = await _algebra_for_7b(desk)
    gate_after(monkeypatch, class_sets_db, "holders")
    tokens = await _set_buttons(desk, textbook)
    replies = await interleave(
        demo_db,
        press(dispatcher, "librarian", tokens[0]),
        press(dispatcher, "librarian-b", tokens[1]),
    )
    await _check_class_set(desk, textbook, replies)


async def test_forced_an_issue_fulfilling_a_hold_that_a_return_just_made_ready(
    demo_db: Database,
    dispatcher: Dispatcher,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """The desk issuing Z has read reader-0's hold as queued; X comes back meanwhile and is put
    on the shelf for that hold; then the issue goes on."""
    desk = await open_desk(demo_db, dispatcher, clock, readers=2)
    [book] = await fresh_records(demo_db, desk.library_id, 1, copies=2)
    await _queue_and_a_repaired_copy(desk, book, CARDS[10])
    gate_after(monkeypatch, loans_db, "_hold_to_fulfil")
    issued, returned = await interleave(
        demo_db,
        send(dispatcher, "librarian-b", f"/issue {book.inventory[1]} {desk.cards['reader-0']}"),
        send(dispatcher, "librarian", f"/return {book.inventory[0]}"),
    )
    await _check_return_vs_issue(desk, book, returned, issued)


async def test_forced_an_issue_from_the_shelf_after_the_hold_was_cancelled(
    demo_db: Database,
    dispatcher: Dispatcher,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """The desk issuing from the shelf has read reader-0's ready hold; reader-0 cancels it
    (the copy passes to reader-1); then the issue goes on."""
    desk = await open_desk(demo_db, dispatcher, clock, readers=2)
    [book] = await fresh_records(demo_db, desk.library_id, 1, copies=1)
    first, _ = await _shelf_and_queue(desk, book)
    issue_token, cancel_token = await buttons(
        demo_db,
        ("librarian-b", "hold.issue", {"h": first}),
        ("reader-0", "hold.cancel", {"h": first}),
    )
    gate_after(monkeypatch, loans_db, "_hold_to_fulfil")
    issued, cancelled = await interleave(
        demo_db,
        press(dispatcher, "librarian-b", issue_token),
        press(dispatcher, "reader-0", cancel_token),
    )
    await _check_issue_vs_cancel(desk, book, issued, cancelled)


async def test_forced_a_cancel_while_the_issue_holds_the_copy(
    demo_db: Database,
    dispatcher: Dispatcher,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """The desk issuing from the shelf has claimed the copy (its row is locked); reader-0
    cancels the hold (locking the hold, then waiting for the copy); the issue goes on to close
    the hold: the two wait for each other."""
    desk = await open_desk(demo_db, dispatcher, clock, readers=2)
    [book] = await fresh_records(demo_db, desk.library_id, 1, copies=1)
    first, _ = await _shelf_and_queue(desk, book)
    issue_token, cancel_token = await buttons(
        demo_db,
        ("librarian-b", "hold.issue", {"h": first}),
        ("reader-0", "hold.cancel", {"h": first}),
    )
    gate_after(monkeypatch, loans_db, "claim_item", patience=1.0)
    issued, cancelled = await interleave(
        demo_db,
        press(dispatcher, "librarian-b", issue_token),
        press(dispatcher, "reader-0", cancel_token),
    )
    await _check_issue_vs_cancel(desk, book, issued, cancelled)


# 6. A queue joined by many at once ----------------------------------------------------------

QUEUERS = 12
TOLD_PLACE = re.compile(r"Вы в очереди под номером (\d+)\.")
MOVED_PLACE = re.compile(r"теперь вы под номером (\d+)\.")
ARRIVED: ContextVar[datetime | None] = ContextVar("arrived", default=None)


async def arriving(at: datetime, event: Awaitable[str]) -> str:
    """The event reads `at` off its clock as it comes in, before it takes any lock."""
    ARRIVED.set(at)
    return await event


async def moved_notices(db: Database, after: int) -> dict[int, list[int]]:
    """Reader id → the places «очередь сдвинулась» told them in outbox rows after id `after`."""
    async with db.reading() as session:
        rows = list(
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.kind == "hold.queue_moved", OutboxMessage.id > after)
                .order_by(OutboxMessage.id)
            )
        )
    told: dict[int, list[int]] = {}
    for row in rows:
        match = MOVED_PLACE.search(row.text)
        assert match, row.text
        told.setdefault(row.payload["reader_id"], []).append(int(match.group(1)))
    return told


async def last_outbox_id(db: Database) -> int:
    async with db.reading() as session:
        return await session.scalar(select(func.max(OutboxMessage.id))) or 0


async def test_readers_queueing_at_once_are_told_their_true_places(
    demo_db: Database, services: Services, clock: Clock
) -> None:
    """Twelve readers ask for a book whose only copy is out, all at once. Each event reads its
    clock as it comes in, and those readings need not follow the order in which the events
    get the record's lock (here they are shuffled): the place a reader is told is the one they
    keep until somebody leaves; the copy that comes back goes to number 1."""
    arrival_clock = replace(services, clock=lambda: ARRIVED.get() or clock())
    dispatcher = Dispatcher(build_registry(), arrival_clock)
    desk = await open_desk(demo_db, dispatcher, clock, readers=QUEUERS)
    personas = list(desk.readers)
    books = await fresh_records(demo_db, desk.library_id, ROUNDS, copies=1)
    for n, book in enumerate(books):
        [item_id], [inventory] = book.item_ids, book.inventory
        reply = await send(dispatcher, "librarian", f"/issue {inventory} {CARDS[QUEUERS + n]}")
        assert reply.startswith(ISSUED), reply
        tokens = await buttons(
            demo_db, *((p, "hold.place", {"r": book.record_id}) for p in personas)
        )
        arrivals = list(range(1, QUEUERS + 1))
        random.Random(n).shuffle(arrivals)
        replies = await race(
            n,
            *(
                arriving(clock() + timedelta(milliseconds=ms), press(dispatcher, persona, token))
                for persona, token, ms in zip(personas, tokens, arrivals, strict=True)
            ),
        )

        told: dict[int, int] = {}
        for persona, reply in zip(personas, replies, strict=True):
            match = TOLD_PLACE.search(reply)
            assert match, reply
            told[desk.readers[persona]] = int(match.group(1))
        final = await queue(demo_db, book.record_id)
        changed = sum(told[reader] != final.get(reader) for reader in told)
        firsts = sum(place == 1 for place in told.values())
        figures = f"{changed} of {QUEUERS} told a place that changed, {firsts} told «1»"
        assert sorted(told.values()) == list(range(1, QUEUERS + 1)), figures
        assert told == final, figures

        # The fifth leaves: the seven behind move up one and hear it; the four ahead hear nothing.
        by_place = {place: reader for reader, place in told.items()}
        leaver = next(p for p, r in desk.readers.items() if r == by_place[5])
        holds = await holds_for(demo_db, book.record_id)
        [cancel] = await buttons(demo_db, (leaver, "hold.cancel", {"h": holds[by_place[5]].id}))
        before = await last_outbox_id(demo_db)
        reply = await press(dispatcher, leaver, cancel)
        assert reply.startswith("Бронь на книгу «"), reply
        moved = await moved_notices(demo_db, before)
        assert moved == {by_place[p]: [p - 1] for p in range(6, QUEUERS + 1)}
        final = await queue(demo_db, book.record_id)
        assert final == {by_place[p]: p - (p > 5) for p in range(1, QUEUERS + 1) if p != 5}

        # The copy comes back: number 1 gets it, and everyone behind hears their new place.
        before = await last_outbox_id(demo_db)
        reply = await send(dispatcher, "librarian", f"/return {inventory}")
        assert reply.startswith(RETURNED), reply
        holds = await holds_for(demo_db, book.record_id)
        first = holds[by_place[1]]
        assert (first.status, first.item_id) == (HoldStatus.READY, item_id)
        moved = await moved_notices(demo_db, before)
        assert moved == {by_place[p]: [p - 1 - (p > 5)] for p in range(2, QUEUERS + 1) if p != 5}
        await check_invariants(demo_db)

        # Everybody lets the book go, so that limits do not carry over into the next round.
        for hold in holds.values():
            if hold.status in (HoldStatus.QUEUED, HoldStatus.READY):
                owner = next(p for p, r in desk.readers.items() if r == hold.reader_id)
                [token] = await buttons(demo_db, (owner, "hold.cancel", {"h": hold.id}))
                assert (await press(dispatcher, owner, token)).startswith("Бронь на книгу «")
        assert await status_of(demo_db, item_id) == ItemStatus.AVAILABLE
        await check_invariants(demo_db)
