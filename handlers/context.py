"""Everything a handler may use while it serves one incoming event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from db.access import Actor
from db.audit import audit
from db.circulation import Circulation, Event
from db.conversation import clear_state, new_button_token, set_state
from db.enums import AuditOutcome
from db.models import Account, AuditEntry
from messages.types import Button, Incoming, fit_label

if TYPE_CHECKING:
    from handlers.services import Services

DEFAULT_TIMEZONE = ZoneInfo("Europe/Moscow")


@dataclass(slots=True)
class Context:
    """One event's unit of work: its session, who acts, and what they pressed or typed."""

    session: AsyncSession
    incoming: Incoming
    account: Account
    actor: Actor
    services: Services
    now: datetime
    text: str = ""  # the typed text (for a command: what follows it)
    args: dict[str, Any] = field(default_factory=dict)  # a pressed button's arguments
    state_data: dict[str, Any] = field(default_factory=dict)  # what an awaited input carries
    timezone: ZoneInfo = DEFAULT_TIMEZONE
    events: list[Event] = field(default_factory=list)  # published as notices before commit
    roles_changed: bool = False  # a code was redeemed: the person's menu is read again
    desk_id: int | None = None  # the librarian's library, set by a staff-only router's guard

    @property
    def desk(self) -> int:
        """The library this librarian works at (handlers of a staff-only router only)."""
        if self.desk_id is None:
            raise RuntimeError("ctx.desk outside a staff-only router")
        return self.desk_id

    @property
    def circulation(self) -> Circulation:
        """Circulation by this actor, now; its events become notices in this transaction."""
        return Circulation(self.session, self.actor, self.now, self.events)

    def button(self, label: str, action: str, **args: Any) -> Button:
        """A button whose meaning stays on the server; it works for this account only."""
        token = new_button_token(self.session, self.account.id, action, args)
        return Button(fit_label(label), token=token)

    async def expect(self, state: str, **data: Any) -> None:
        """The next plain message from this person goes to the handler of `state`."""
        await set_state(self.session, self.account.id, state, data)

    async def forget_expectation(self) -> None:
        await clear_state(self.session, self.account.id)

    def audit(
        self,
        action: str,
        *,
        refused: bool = False,
        library_id: int | None = None,
        object_type: str | None = None,
        object_id: int | None = None,
        **detail: Any,
    ) -> AuditEntry:
        return audit(
            self.session,
            self.actor,
            action,
            outcome=AuditOutcome.REFUSED if refused else AuditOutcome.OK,
            library_id=library_id,
            object_type=object_type,
            object_id=object_id,
            **detail,
        )

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(self.timezone)

    @property
    def today(self) -> date:
        return self.local_now.date()

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.timezone)


def desk_of(actor: Actor) -> int | None:
    """The library a librarian works at: their own card's school if they are its librarian,
    else the first of theirs; None for anyone who is no librarian."""
    if not actor.librarian_of:
        return None
    home = actor.home_library_id
    return home if home in actor.librarian_of else min(actor.librarian_of)


# Button arguments (and awaited-input data) were once one-letter keys whose letters meant
# different things in different handlers. Tokens minted before they were spelled out are still
# in the database (pruned after a month): for one release they are read under the new names.
# Remove this table in the release after the one that spelled them out.
OLD_ARGUMENTS: dict[str, dict[str, str]] = {
    "search.page": {"q": "query", "p": "page", "rs": "reserve"},
    "search.run": {"q": "query", "rs": "reserve"},
    "record.open": {"r": "record"},
    "hold.place": {"r": "record"},
    "hold.cancel": {"h": "hold"},
    "hold.cancel_mine": {"h": "hold"},
    "hold.approve": {"h": "hold", "age": "age_confirmed"},
    "hold.reject": {"h": "hold"},
    "hold.reject_as": {"h": "hold", "i": "reason"},
    "hold.reject_other": {"h": "hold"},
    "hold.reject_reason": {"h": "hold"},
    "hold.issue": {"h": "hold"},
    "loan.renew": {"l": "loan"},
    "history.set": {"c": "reader"},
    "reminders.set": {"c": "child"},
    "set.issue": {"c": "class_name", "r": "records"},
    "set.collect_page": {"c": "class_name", "x": "kept", "p": "page"},
    "set.collect": {"c": "class_name", "x": "kept"},
    "desk.reader": {"r": "reader"},
    "desk.unlink": {"r": "reader"},
    "desk.register": {"cls": "class_name"},
    "desk.code": {"r": "reader", "p": "parent"},
    "desk.block": {"r": "reader"},
    "desk.block_reason": {"r": "reader"},
    "desk.unblock": {"r": "reader"},
    "desk.erase": {"r": "reader"},
    "desk.erase_keep": {"r": "reader"},
    "desk.readers": {"ids": "readers", "p": "page", "act": "then"},
    "desk.issue_pick": {"i": "item", "r": "reader", "age": "age_confirmed"},
    "desk.issue_for": {"r": "reader"},  # the button, and the awaited scan it starts
    "desk.issue_to": {"i": "item"},
    "desk.issue_copy": {"i": "item"},
    "desk.return_item": {"i": "item"},
}


def spelled_out(name: str, args: dict[str, Any]) -> dict[str, Any]:
    """A button's (or an awaited input's) arguments under today's names."""
    old = OLD_ARGUMENTS.get(name)
    if not old or not args.keys() & old.keys():
        return args
    renamed = {old[key]: value for key, value in args.items() if key in old}
    return renamed | {key: value for key, value in args.items() if key not in old}
