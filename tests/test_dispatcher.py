"""The core's guarantees for every event, whatever the messenger."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from db.access import AccessDenied
from db.engine import Database
from db.enums import AuditOutcome, Messenger
from db.models import AuditEntry, ProcessedUpdate
from handlers import build_registry
from handlers.context import Context
from handlers.dispatcher import Dispatcher
from handlers.router import Registry, Router
from handlers.services import Services
from messages import texts
from messages.types import Incoming, Reply
from tests.support.chat import Chat, ChatFactory


def _incoming(user: str, text: str | None = None, *, update: str | None = None,
              button: str | None = None) -> Incoming:  # fmt: skip
    return Incoming(Messenger.TELEGRAM, user, user, text=text, button=button, update_id=update)


async def _audit(db: Database, action: str) -> list[AuditEntry]:
    async with db.reading() as session:
        return list(await session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


async def test_a_redelivered_update_is_handled_once(
    dispatcher: Dispatcher, demo_db: Database
) -> None:
    first = await dispatcher.handle(_incoming("42", "гарри поттер", update="1001"))
    again = await dispatcher.handle(_incoming("42", "гарри поттер", update="1001"))
    assert first and "Гарри Поттер" in first[0].text
    assert again == []
    async with demo_db.reading() as session:
        rows = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
    assert rows == 1


async def test_a_forged_button_is_refused_and_audited(chat: ChatFactory, demo_db: Database) -> None:
    student: Chat = chat("student")
    replies = await student.press_token("forged-token")
    assert replies[0].text == texts.BUTTON_STALE
    [entry] = await _audit(demo_db, "button.unknown")
    assert entry.outcome == AuditOutcome.REFUSED


async def test_a_button_works_only_for_the_account_it_was_given_to(chat: ChatFactory) -> None:
    student: Chat = chat("student")
    parent: Chat = chat("parent")
    await student.send("гарри поттер")
    token = student.button("📖 1").token
    assert token
    stolen = await parent.press_token(token)
    assert stolen[0].text == texts.BUTTON_STALE
    own = await student.press_token(token)
    assert "Где есть:" in own[0].text


def _failing_registry() -> Registry:
    router = Router("failing")

    @router.command("boom")
    async def boom(ctx: Context) -> Reply:
        ctx.audit("should.not.commit")
        raise RuntimeError(f"no such pupil: {ctx.text}")  # what was typed must not be logged

    @router.command("forbidden")
    async def forbidden(ctx: Context) -> Reply:
        ctx.audit("should.not.commit.either")
        raise AccessDenied("hold.approve", library_id=None)

    base = build_registry()
    registry = Registry(router)
    for table in ("commands", "actions", "intents", "states"):
        getattr(registry, table).update(getattr(base, table))
    return registry


async def test_a_failing_handler_apologises_rolls_back_and_the_next_event_is_served(
    services: Services, demo_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    dispatcher = Dispatcher(_failing_registry(), services)
    with caplog.at_level(logging.ERROR):
        replies = await dispatcher.handle(_incoming("7", "/boom Иванова Мария", update="1"))
    assert [r.text for r in replies] == [texts.SORRY]
    assert "builtins.RuntimeError" in caplog.text  # the traceback is logged…
    assert "in boom" in caplog.text  # …with its frames…
    assert "Иванова" not in caplog.text  # …but not what the person typed
    assert await _audit(demo_db, "should.not.commit") == []
    # the failed update is still marked processed: a redelivery does not fail again
    assert await dispatcher.handle(_incoming("7", "/boom", update="1")) == []
    after = await dispatcher.handle(_incoming("7", "/help", update="2"))
    assert "Что я умею" in after[0].text


async def test_access_denied_rolls_back_the_work_but_keeps_the_audit(
    services: Services, demo_db: Database
) -> None:
    dispatcher = Dispatcher(_failing_registry(), services)
    replies = await dispatcher.handle(_incoming("7", "/forbidden"))
    assert replies[0].text == texts.ACCESS_DENIED
    assert await _audit(demo_db, "should.not.commit.either") == []
    [entry] = await _audit(demo_db, "hold.approve")
    assert entry.outcome == AuditOutcome.REFUSED


async def test_unknown_commands_and_empty_messages_get_a_hint(chat: ChatFactory) -> None:
    student: Chat = chat("student")
    await student.send("/frobnicate")
    assert student.text == texts.UNKNOWN_COMMAND
    await student.send("   ")
    assert student.text == texts.EMPTY_MESSAGE


async def test_each_persona_gets_a_welcome_for_their_role(chat: ChatFactory) -> None:
    expectations = {
        "student": "Здравствуйте, Мария!",
        "parent": "Вы привязаны как родитель: Мария (Школа №1), Илья (Гимназия №2)",
        "librarian": "рабочее место библиотекаря (Школа №1)",
        "methodist": "кабинет методиста сети",
        "stranger": "привяжите читательский формуляр",
    }
    for persona, expected in expectations.items():
        conversation: Chat = chat(persona)
        await conversation.send("/start")
        assert expected in conversation.text, persona
