"""Due-date reminders in chat: a library's settings (/reminders_setup, its own librarian only)
and the daily digest's «🔄 Продлить все» (jobs/reminders.py queues the digest).

The settings are one line of parts separated by «;», each part one setting, any of them:
«за 3 дня», «в день сдачи да|нет», «просрочка 1,7,14|нет», «родителям с 2-го шага|нет».
A line with a part not understood changes nothing and says which part it was.
(/reminders is the parents' own switch for their copies: handlers/my_books.py.)
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime

from sqlalchemy import select

from db.models import Library, Loan
from db.reminder_settings import (
    MAX_DAYS_BEFORE,
    MAX_PARENTS_FROM,
    ReminderSettings,
    change_reminder_settings,
    parse_steps,
    settings_of,
)
from handlers.context import Context
from handlers.everyday import renew_all
from handlers.router import LIBRARIAN, Router
from messages import texts
from messages.i18n import say
from messages.types import Reply

router = Router("reminders")
staff = Router("reminder_settings", staff_only=True)
router.include(staff)

NO = r"(?:нет|никогда|не надо|не напоминать|выкл)"
DAYS_BEFORE = re.compile(r"^(?:за\s+(?P<n>\d{1,2})(?:\s+(?:день|дня|дней))?|заранее\s+" + NO + ")$")
ON_DUE_DAY = re.compile(r"^в\s+день\s+сдачи\s+(?P<yes>да|нет)$")
STEPS = re.compile(r"^просрочк[аи]\s+(?P<steps>[\d,\s]+|" + NO + ")$")
PARENTS = re.compile(
    r"^родителям\s+(?:с\s+(?P<n>\d{1,2})(?:-?(?:го|ого|й|ой))?(?:\s+шага)?|" + NO + ")$"
)


def _audited(ctx: Context) -> str:
    return "reminders.edit" if ctx.text.strip() else "reminders.view"


@staff.command("reminders_setup", menus=(LIBRARIAN,), audited_as=_audited)
async def reminders_setup(ctx: Context) -> Reply:
    """/reminders_setup — the settings and how to change them; with parts — change them."""
    library = await ctx.session.get(Library, ctx.desk)
    assert library is not None
    if not ctx.text.strip():
        return Reply(_shown(library))
    current = settings_of(library)
    changed = parse_settings(ctx.text, current)
    if isinstance(changed, str):
        bad = say(texts.REMINDER_SETTINGS_BAD, part=changed)
        return Reply("\n".join([bad, _usage()]))
    library = await change_reminder_settings(ctx.session, ctx.actor, ctx.desk, changed)
    return Reply("\n".join([texts.REMINDER_SETTINGS_CHANGED, _shown(library)]))


def parse_settings(text: str, current: ReminderSettings) -> ReminderSettings | str:
    """The settings after the parts of `text` are applied to `current`, or the first part not
    understood (as typed)."""
    settings = current
    for typed in re.split(r"[;\n]", text):
        part = " ".join(typed.lower().replace("ё", "е").split())
        if not part:
            continue
        changed = _apply(part, settings)
        if changed is None:
            return typed.strip()
        settings = changed
    return settings


def _apply(part: str, settings: ReminderSettings) -> ReminderSettings | None:
    if match := DAYS_BEFORE.match(part):
        n = int(match["n"] or 0)
        return dataclasses.replace(settings, days_before=n) if n <= MAX_DAYS_BEFORE else None
    if match := ON_DUE_DAY.match(part):
        return dataclasses.replace(settings, on_due_day=match["yes"] == "да")
    if match := STEPS.match(part):
        steps = parse_steps(match["steps"]) if match["steps"][0].isdigit() else ()
        return None if steps is None else dataclasses.replace(settings, steps=steps)
    if match := PARENTS.match(part):
        n = int(match["n"] or 0)
        return dataclasses.replace(settings, parents_from_step=n) if n <= MAX_PARENTS_FROM else None
    return None


def _shown(library: Library) -> str:
    settings = settings_of(library)
    if settings.steps:
        days = ", ".join(str(day) for day in settings.steps[:-1])
        days = f"{days} и {settings.steps[-1]}" if days else str(settings.steps[-1])
        steps = say(texts.REMINDER_STEPS, days=days, last=settings.steps[-1])
    else:
        steps = texts.REMINDER_STEPS_NONE
    shown = say(
        texts.REMINDER_SETTINGS,
        library=library.short_name,
        days_before=settings.days_before,
        on_due_day=settings.on_due_day,
        steps=steps,
        parents=settings.parents_from_step,
    )
    return "\n".join([shown, _usage()])


def _usage() -> str:
    return say(texts.REMINDER_SETTINGS_USAGE, max_before=MAX_DAYS_BEFORE)


@router.action("loans.renew_all")
async def renew_all_pressed(ctx: Context) -> Reply:
    """The digest's «🔄 Продлить все»: every loan of the presser's own and children's cards
    that may be renewed now is, checked again as in «продли всё»; the answer takes the
    digest's place. A press after a book of the digest was renewed (a second tap, a renewal
    in «мои книги») renews nothing more: one digest, one renewal of its books."""
    listed = {int(loan_id): due for loan_id, due in (ctx.args.get("loans") or {}).items()}
    if listed:
        rows = await ctx.session.execute(
            select(Loan.id, Loan.due_at).where(Loan.id.in_(listed), Loan.returned_at.is_(None))
        )
        if any(due_at != datetime.fromisoformat(listed[loan_id]) for loan_id, due_at in rows):
            return Reply(texts.DIGEST_RENEWED_ALREADY, edit=True)
    reply = await renew_all(ctx)
    reply.edit = True
    return reply
