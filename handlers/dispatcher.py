"""The core's entry point: one incoming event → one unit of work → replies.

Every event gets its own database session. An update seen before is dropped (the processed
update row commits with the event's changes, so a redelivery can never apply them twice). A
pressed button is re-authorised from its server-side token; a refusal rolls everything back
and is audited; any other failure leaves the person a short apology and the log a traceback.

Nothing slow happens while an event's write transaction is open: on SQLite it is
``BEGIN IMMEDIATE``, and every other chat's write waits for it. So, inside it:

- no network call, ever: attachments arrive downloaded by the transport, replies are sent by
  the transport after the commit, and notices are outbox rows that jobs/ deliver later;
- no heavy CPU: before the transaction opens, `_prepared` reads the barcodes of a librarian's
  photos in a worker thread (off the event loop, which every chat of the process shares) and
  catches the search index up with the catalog in a short read-only session, so that the
  search's own `refresh` inside the transaction is a no-op in the common case.

tests/test_write_lock.py holds this true.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import AccessDenied, Actor, load_actor
from db.audit import audit
from db.conversation import get_state, resolve_button_token
from db.dialect import insert_ignore
from db.enums import AuditOutcome, Messenger, RoleName
from db.errors import Refused
from db.models import Account, Library, ProcessedUpdate, Role
from db.people import came_back, mark_unreachable, touch_account
from handlers.context import DEFAULT_TIMEZONE, Context
from handlers.free_text import answered
from handlers.router import Handler, Registry
from handlers.services import Services
from messages import texts
from messages.i18n import say
from messages.notices import publish
from messages.safe_log import redacted_traceback
from messages.types import Attachment, Incoming, Outcome, Reply
from nlu import barcode
from nlu.intents import classify
from nlu.normalize import clean_text

log = logging.getLogger(__name__)

CANCEL_WORDS = frozenset({"/cancel", "отмена", "отменить", "стоп"})
MAX_MESSAGE = 1000  # characters: a reason to block a reader fits in 300, a query in 200


class Dispatcher:
    def __init__(self, registry: Registry, services: Services) -> None:
        self.registry = registry
        self.services = services

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """The replies to one event (what tests and the console read)."""
        return (await self.serve(incoming)).replies

    async def serve(self, incoming: Incoming) -> Outcome:
        """One event: the replies, and the person's command menu as it is afterwards."""
        incoming = _cleaned(incoming)
        db = self.services.db
        tz = DEFAULT_TIMEZONE
        staff = False
        try:
            incoming = await self._prepared(incoming)
            async with db.transaction() as session:
                if incoming.update_id is not None and not await self._first_delivery(
                    session, incoming
                ):
                    return Outcome([])
                now = self.services.clock()
                account = await touch_account(
                    session, incoming.messenger, incoming.user_id, incoming.chat_id, now
                )
                hint = texts.REACHABLE_AGAIN.get(incoming.messenger) if came_back(account) else None
                actor = await load_actor(session, account.id, account.person_id)
                ctx = Context(
                    session=session,
                    incoming=incoming,
                    account=account,
                    actor=actor,
                    services=self.services,
                    now=now,
                    timezone=await _timezone(session, actor),
                )
                tz = ctx.timezone
                staff = bool(actor.librarian_of)
                menu = self.registry.menu_for(actor.roles)
                replies = _as_list(await self._route(ctx))
                if hint is not None:  # notices could not reach them: say how to let them in
                    replies.append(Reply(hint))
                await publish(session, ctx.events, now, actor.person_id)
                if ctx.roles_changed:
                    await session.refresh(account)
                    changed = await load_actor(session, account.id, account.person_id)
                    menu = self.registry.menu_for(changed.roles)
                return Outcome(replies, menu)
        except AccessDenied as denied:
            await self._after_failure(incoming, denied)
            return Outcome([Reply(texts.ACCESS_DENIED, notice=texts.ACCESS_DENIED_SHORT)])
        except Refused as refused:
            await self._after_failure(incoming, None)
            params = {
                k: v.astimezone(tz) if isinstance(v, datetime) else v
                for k, v in refused.params.items()
            }
            if refused.key in texts.STAFF_REFUSALS and not staff:
                # A librarian's wording must never reach a reader or a parent.
                log.error("a staff refusal reached a reader: %s", refused.key)
                message = texts.REFUSED_NEUTRAL
            else:
                message = say(texts.REFUSALS[refused.key], **params)
            return Outcome([Reply(message, notice=message if incoming.button else None)])
        except Exception as error:
            log.error(
                "handler failed: messenger=%s update=%s button=%s\n%s",
                incoming.messenger,
                incoming.update_id,
                bool(incoming.button),
                redacted_traceback(error),
            )
            await self._after_failure(incoming, None)
            return Outcome([Reply(texts.SORRY)])

    async def _prepared(self, incoming: Incoming) -> Incoming:
        """The event with its slow work done, before its write transaction opens: the search
        index caught up (a read-only session), a librarian's photos read for barcodes (in a
        worker thread). Only a librarian's photo is read: anyone else's is refused unread."""
        scan = (
            bool(incoming.attachments)
            and incoming.button is None
            and self.registry.photo is not None
        )
        async with self.services.db.reading() as session:
            await self.services.search.refresh(session)
            scan = scan and await _is_librarian(session, incoming)
        if not scan:
            return incoming
        attachments = await asyncio.to_thread(_with_barcodes, incoming.attachments)
        return replace(incoming, attachments=attachments)

    async def unreachable(self, messenger: Messenger, user_id: str) -> None:
        """A transport found that this person cannot be written to (they blocked the bot):
        nothing more is sent to the account until they write again."""
        async with self.services.db.transaction() as session:
            await mark_unreachable(session, messenger, user_id)

    async def _first_delivery(self, session, incoming: Incoming) -> bool:
        return await insert_ignore(
            session,
            ProcessedUpdate,
            {"messenger": incoming.messenger, "update_id": incoming.update_id},
            ["messenger", "update_id"],
        )

    async def _after_failure(self, incoming: Incoming, denied: AccessDenied | None) -> None:
        """The event's own transaction was rolled back: keep the dedupe mark and the audit.

        The account is touched again here, because a first-time sender's account was created
        in the transaction that has just been rolled back.
        """
        try:
            async with self.services.db.transaction() as session:
                if incoming.update_id is not None:
                    await self._first_delivery(session, incoming)
                if denied is not None:
                    account = await touch_account(
                        session,
                        incoming.messenger,
                        incoming.user_id,
                        incoming.chat_id,
                        self.services.clock(),
                    )
                    audit(
                        session,
                        Actor(account_id=account.id, person_id=account.person_id),
                        denied.action,
                        outcome=AuditOutcome.REFUSED,
                        library_id=denied.library_id,
                    )
        except Exception as error:
            log.error(
                "could not record a failed event: messenger=%s\n%s",
                incoming.messenger,
                redacted_traceback(error),
            )

    async def _route(self, ctx: Context) -> Reply | list[Reply] | None:
        incoming = ctx.incoming
        registry = self.registry
        if incoming.button is not None:
            return await self._press(ctx, incoming.button)

        text = (incoming.text or "").strip()
        if len(text) > MAX_MESSAGE:  # nothing else happens: no state is touched
            awaited = await get_state(ctx.session, ctx.account.id)
            if awaited is None or awaited.state not in registry.long_states:
                return Reply(say(texts.TOO_LONG_MESSAGE, limit=MAX_MESSAGE))
        if text.lower() in CANCEL_WORDS:
            return await self._stop(ctx)
        if text.startswith("/"):
            command, _, rest = text[1:].partition(" ")
            command = command.split("@", 1)[0].lower()
            handler = registry.commands.get(command)
            if handler is None:
                return Reply(texts.UNKNOWN_COMMAND)
            ctx.text = rest.strip()
            return await handler(ctx)
        state = await get_state(ctx.session, ctx.account.id)
        takes_files = state is not None and state.state in registry.file_states
        if incoming.attachments and registry.photo is not None and not takes_files:
            ctx.text = text
            return await registry.photo(ctx)

        if state is not None and state.state in registry.states:
            ctx.text = text
            ctx.state_data = dict(state.data)
            return await registry.states[state.state](ctx)
        if not text:
            return Reply(texts.EMPTY_MESSAGE)

        intent = classify(text)
        name = intent.name if intent.name in registry.intents else "search"
        ctx.text = text
        ctx.args = dict(intent.slots)
        return await answered(ctx, name, registry.intents[name])

    async def _stop(self, ctx: Context) -> Reply:
        """«стоп», «отмена», /cancel: end what the bot waits for, saying what that means —
        books already taken back or issued stay so."""
        state = await get_state(ctx.session, ctx.account.id)
        if state is None:
            return Reply(texts.NOTHING_TO_CANCEL)
        await ctx.forget_expectation()
        return Reply(texts.STOPPED.get(state.state, texts.CANCELLED))

    async def _press(self, ctx: Context, token: str) -> Reply | list[Reply] | None:
        button = await resolve_button_token(ctx.session, ctx.account.id, token)
        handler: Handler | None = None
        if button is not None:
            handler = self.registry.actions.get(button.action)
        if button is None or handler is None:
            ctx.audit("button.unknown", refused=True)
            return Reply(texts.BUTTON_STALE, notice=texts.BUTTON_STALE)
        ctx.args = dict(button.args)
        return await handler(ctx)


def _cleaned(incoming: Incoming) -> Incoming:
    """The event as the core may keep it: text without NUL, control characters or lone
    surrogates, in NFC (see `clean_text`); a button token with anything but printable ASCII
    in it is none of ours, and reads as a stale button."""
    text, button = incoming.text, incoming.button
    if text is not None:
        text = clean_text(text)
    if button is not None and not (button.isascii() and button.isprintable()):
        button = ""
    return replace(incoming, text=text, button=button)


def _with_barcodes(attachments: tuple[Attachment, ...]) -> tuple[Attachment, ...]:
    """Each attachment with the barcodes read from it (blocking CPU work: run it in a thread)."""
    return tuple(replace(a, barcodes=tuple(barcode.read_barcodes(a.data))) for a in attachments)


async def _is_librarian(session: AsyncSession, incoming: Incoming) -> bool:
    """Whether the sender's account belongs to a librarian (of any library) right now."""
    found = await session.scalar(
        select(Role.id)
        .join(Account, Account.person_id == Role.person_id)
        .where(
            Account.messenger == incoming.messenger,
            Account.external_id == incoming.user_id,
            Role.role == RoleName.LIBRARIAN,
        )
        .limit(1)
    )
    return found is not None


def _as_list(result: Reply | list[Reply] | None) -> list[Reply]:
    if result is None:
        return []
    return result if isinstance(result, list) else [result]


async def _timezone(session, actor: Actor) -> ZoneInfo:
    library_id = actor.home_library_id
    if library_id is None:
        return DEFAULT_TIMEZONE
    name = await session.scalar(select(Library.timezone).where(Library.id == library_id))
    return ZoneInfo(name) if name else DEFAULT_TIMEZONE
