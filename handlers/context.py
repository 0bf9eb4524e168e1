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
