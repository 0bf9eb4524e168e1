"""A librarian-only router states its guard once; button arguments are spelled out, and a
button minted before they were still works for one release."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.engine import Database
from db.enums import AuditOutcome, HoldStatus
from db.models import AuditEntry, Hold, Record
from handlers import build_registry
from handlers.context import Context, spelled_out
from handlers.router import Registry, Router
from messages import texts
from messages.types import Reply
from tests.support.chat import ChatFactory
from tests.support.library import forge


async def _refused(db: Database, action: str) -> list[AuditEntry]:
    async with db.reading() as session:
        return list(
            await session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == action, AuditEntry.outcome == AuditOutcome.REFUSED
                )
            )
        )


def test_a_staff_only_router_needs_the_action_its_refusals_are_audited_as() -> None:
    router = Router("desk_things", staff_only=True)

    async def thing(ctx: Context) -> Reply:
        return Reply("")

    with pytest.raises(ValueError, match="audited_as"):
        router.command("thing")(thing)
    with pytest.raises(ValueError, match="photo"):
        router.on_photo(thing)
    with pytest.raises(ValueError, match="open router"):
        Router("open").command("thing", audited_as="thing.view")(thing)


def test_every_librarian_only_feature_states_its_guard_on_the_router() -> None:
    from handlers import class_sets, holds, readers, rules

    for router in (class_sets.router, readers.router, rules.router, holds.desk):
        assert router.staff_only, router.name
    assert holds.desk in holds.router.included  # requests and the shelf, beside a reader's 📌


def test_old_one_letter_arguments_read_under_their_new_names() -> None:
    assert spelled_out("hold.place", {"r": 7}) == {"record": 7}
    assert spelled_out("desk.reader", {"r": 7}) == {"reader": 7}
    assert spelled_out("hold.reject_as", {"h": 3, "i": 1}) == {"hold": 3, "reason": 1}
    assert spelled_out("desk.code", {"r": 7, "p": 1}) == {"reader": 7, "parent": 1}
    assert spelled_out("desk.issue_pick", {"i": 5, "r": 7, "age": 1}) == {
        "item": 5,
        "reader": 7,
        "age_confirmed": 1,
    }
    assert spelled_out("search.page", {"q": "пушкин", "p": 2, "rs": 0}) == {
        "query": "пушкин",
        "page": 2,
        "reserve": 0,
    }
    # New tokens pass as they are; a spelled-out name wins over an old letter.
    assert spelled_out("hold.place", {"record": 7}) == {"record": 7}
    assert spelled_out("hold.place", {"record": 7, "r": 8}) == {"record": 7}
    assert spelled_out("unknown.action", {"r": 1}) == {"r": 1}


async def test_a_reader_is_refused_by_the_guard_before_the_handler_runs(
    chat: ChatFactory, demo_db: Database
) -> None:
    ran: list[int | None] = []
    router = Router("probe", staff_only=True)

    @router.command("probe", audited_as="probe.view")
    async def probe(ctx: Context) -> Reply:
        ran.append(ctx.desk)
        return Reply("ok")

    base = build_registry()
    registry = Registry(router)
    for table in ("commands", "actions", "intents", "states"):
        getattr(registry, table).update(getattr(base, table))
    student, librarian = chat("student"), chat("librarian")
    student.dispatcher.registry = registry
    librarian.dispatcher.registry = registry

    await student.send("/probe")
    assert student.text == texts.ACCESS_DENIED
    assert ran == []
    [entry] = await _refused(demo_db, "probe.view")
    assert entry.library_id is None

    await librarian.send("/probe")
    assert librarian.text == "ok"
    assert ran == [1]  # the desk's library, handed to the handler


async def test_a_student_typing_a_desk_command_gets_the_same_refusal_audited_as_before(
    chat: ChatFactory, demo_db: Database
) -> None:
    student = chat("student")
    for command, action in (
        ("/rules", "rules.view"),
        ("/closed", "calendar.view"),
        ("/closed 30.12", "calendar.edit"),
        ("/collect 7Б", "class_set.return"),
        ("/remove 1002", "reader.erase"),
        ("/holds", "hold.list"),
        ("/notify", "notify.set"),
    ):
        await student.send(command)
        assert student.text == texts.ACCESS_DENIED, command
        assert len(await _refused(demo_db, action)) == 1, command


async def test_a_button_minted_with_the_old_letters_still_reserves(
    chat: ChatFactory, demo_db: Database
) -> None:
    async with demo_db.reading() as session:
        record = await session.scalar(select(Record.id).where(Record.title == "Пиковая дама"))
    assert record is not None
    student = chat("student")
    await student.press_token(await forge(demo_db, "student", "hold.place", r=record))
    assert "«Пиковая дама»" in student.text
    async with demo_db.reading() as session:
        hold = await session.scalar(select(Hold).where(Hold.record_id == record))
    assert hold is not None and hold.status in (HoldStatus.PENDING, HoldStatus.READY)
    # Its ✖ is a new button, spelled out, and cancels the hold.
    await student.press(texts.BUTTON_CANCEL_HOLD)
    async with demo_db.reading() as session:
        assert (await session.get(Hold, hold.id)).status == HoldStatus.CANCELLED
