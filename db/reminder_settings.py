"""A library's due-date notice settings (columns of `libraries`, migration 0008): read by the
daily digest, changed by the library's own librarian in chat.

One place says what the overdue ladder means, so the digest and the chat agree on it: a loan
is reminded about on the days it is exactly N days overdue for each N of the ladder, and then
every WEEKLY_AFTER_LADDER days after the last step.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from db.access import Actor, require_librarian
from db.audit import audit
from db.models import Library

WEEKLY_AFTER_LADDER = 7
MAX_DAYS_BEFORE = 14
MAX_STEPS = 6
MAX_STEP_DAY = 120
MAX_PARENTS_FROM = 10  # parents may be copied from a weekly step after the ladder too


@dataclass(frozen=True, slots=True)
class ReminderSettings:
    """What a library's readers are reminded of: `days_before` (0: no «due soon»), on the due
    day or not, the overdue ladder in days, and the 1-based step of the ladder from which
    parents get a copy (0: never)."""

    days_before: int
    on_due_day: bool
    steps: tuple[int, ...]
    parents_from_step: int

    def overdue_step(self, days_late: int) -> int | None:
        """The 1-based step a loan `days_late` days overdue is at today, or None when today is
        no step: the ladder's days, then weekly after its last (steps numbered on)."""
        if not self.steps or days_late <= 0:
            return None
        if days_late in self.steps:
            return self.steps.index(days_late) + 1
        past = days_late - self.steps[-1]
        if past > 0 and past % WEEKLY_AFTER_LADDER == 0:
            return len(self.steps) + past // WEEKLY_AFTER_LADDER
        return None

    def parents_copied(self, step: int) -> bool:
        return 0 < self.parents_from_step <= step


def settings_of(library: Library) -> ReminderSettings:
    return ReminderSettings(
        days_before=library.remind_days_before,
        on_due_day=library.remind_on_due_day,
        steps=parse_steps(library.overdue_steps) or (),
        parents_from_step=library.parents_from_step,
    )


def parse_steps(text: str) -> tuple[int, ...] | None:
    """«1, 7, 14» → (1, 7, 14); «» → () (no overdue reminders); None when it is not a rising
    list of at most MAX_STEPS days between 1 and MAX_STEP_DAY."""
    parts = [part.strip() for part in text.replace(" ", ",").split(",") if part.strip()]
    if not all(part.isascii() and part.isdigit() for part in parts) or len(parts) > MAX_STEPS:
        return None
    steps = tuple(int(part) for part in parts)
    rising = all(a < b for a, b in itertools.pairwise(steps))
    if not rising or any(not 1 <= day <= MAX_STEP_DAY for day in steps):
        return None
    return steps


async def change_reminder_settings(
    session: AsyncSession, actor: Actor, library_id: int, settings: ReminderSettings
) -> Library:
    """Store the library's settings; only its own librarian may, and it is audited (the
    values themselves are no personal data)."""
    require_librarian(actor, library_id, "reminders.edit")
    if not 0 <= settings.days_before <= MAX_DAYS_BEFORE:
        raise ValueError(f"days_before out of range: {settings.days_before}")
    if not 0 <= settings.parents_from_step <= MAX_PARENTS_FROM:
        raise ValueError(f"parents_from_step out of range: {settings.parents_from_step}")
    library = await session.get(Library, library_id)
    assert library is not None
    library.remind_days_before = settings.days_before
    library.remind_on_due_day = settings.on_due_day
    library.overdue_steps = ",".join(str(day) for day in settings.steps)
    library.parents_from_step = settings.parents_from_step
    audit(
        session,
        actor,
        "reminders.edit",
        library_id=library_id,
        days_before=settings.days_before,
        on_due_day=settings.on_due_day,
        steps=library.overdue_steps,
        parents_from_step=settings.parents_from_step,
    )
    return library
