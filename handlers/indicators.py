"""The library's events, recorded by its librarian from chat: «/event 12.11 Встреча с
писателем 45» (the day, the title, the number of guests). The guests count as the library's
visits that day (db.indicators). /event alone shows the last month's events."""

from __future__ import annotations

import re
from datetime import date, timedelta

from db.indicators import recent_events, record_event, remove_event
from db.models import Library
from db.rules import local_today
from handlers.context import Context
from handlers.router import LIBRARIAN, Router
from messages import texts
from messages.i18n import say
from messages.types import Reply
from nlu.normalize import ascii_int

router = Router("indicators", staff_only=True)

MOST_VISITORS = 5000  # a school's assembly hall, and then some
TITLE_LENGTH = 200  # LibraryEvent.title
RECENT_DAYS = 30
DAY = re.compile(
    r"^(?P<day>\d{1,2})[./](?P<month>\d{1,2})(?:[./](?P<year>\d{4}|\d{2}))?$", re.ASCII
)
# «45», «45 гостей», «45 чел.»: the guests' number comes last, a word for them may follow.
GUESTS = re.compile(
    r"^(?P<title>.*?)[\s,—–-]*(?P<n>\d+)\s*(?:чел\.?|человек[а]?|гост(?:ь|я|ей)|участник(?:а|ов)?)?"
    r"[.!]?$",
    re.IGNORECASE | re.DOTALL,
)


def past_day(text: str, today: date) -> date | None:
    """«12.11» — the last 12 November up to today; «12.11.2026», «12.11.26» as written. None if
    it is no date. A date written in full may be in the future: the caller refuses it."""
    match = DAY.match(text.strip())
    if match is None:
        return None
    day, month = int(match["day"]), int(match["month"])
    if match["year"]:
        year = int(match["year"])
        years = [year + 2000 if year < 100 else year]
    else:
        years = [today.year, today.year - 1]
    for year in years:
        try:
            found = date(year, month, day)
        except ValueError:
            continue
        if match["year"] or found <= today:
            return found
    return None


@router.command("event", menus=(LIBRARIAN,), audited_as="event.add")
async def event_command(ctx: Context) -> Reply:
    """/event 12.11 Встреча с писателем 45 — record it; /event alone — the last month's."""
    library = await ctx.session.get(Library, ctx.desk)
    assert library is not None
    today = local_today(library, ctx.now)
    words = ctx.text.split(maxsplit=1)
    if not words:
        return Reply(await _recent(ctx, today) + "\n\n" + texts.EVENT_USAGE)
    day = past_day(words[0], today)
    if day is None:
        return Reply(say(texts.EVENT_BAD_DATE, text=words[0][:20]) + "\n\n" + texts.EVENT_USAGE)
    if day > today:
        return Reply(say(texts.EVENT_FUTURE, day=day))
    guests = GUESTS.match(words[1].strip()) if len(words) > 1 else None
    if guests is None:
        return Reply(texts.EVENT_NO_VISITORS)
    visitors = ascii_int(guests["n"])
    if visitors is None or not 1 <= visitors <= MOST_VISITORS:
        return Reply(say(texts.EVENT_BAD_VISITORS, most=MOST_VISITORS))
    title = " ".join(guests["title"].split()).strip(" «»\"'")
    if not title:
        return Reply(texts.EVENT_NO_TITLE)
    if len(title) > TITLE_LENGTH:
        return Reply(say(texts.EVENT_TITLE_LONG, most=TITLE_LENGTH))
    event = await record_event(ctx.session, ctx.actor, library.id, day, title, visitors)
    undo = ctx.button(texts.BUTTON_EVENT_REMOVE, "event.remove", event_id=event.id)
    return Reply(
        say(texts.EVENT_RECORDED, title=event.title, day=event.held_on, n=event.visitors),
        buttons=[[undo]],
    )


@router.action("event.remove", audited_as="event.remove")
async def event_removed(ctx: Context) -> Reply:
    """↩️ under a recorded event: the record goes (the event's library's librarian only)."""
    event = await remove_event(ctx.session, ctx.actor, int(ctx.args["event_id"]))
    if event is None:
        return Reply(texts.EVENT_GONE, edit=True)
    return Reply(say(texts.EVENT_REMOVED, title=event.title, day=event.held_on), edit=True)


async def _recent(ctx: Context, today: date) -> str:
    events = await recent_events(ctx.session, ctx.desk, today - timedelta(days=RECENT_DAYS))
    if not events:
        return texts.EVENT_NONE_RECENT
    lines = [texts.EVENT_RECENT]
    lines += [say(texts.EVENT_LINE, day=e.held_on, title=e.title, n=e.visitors) for e in events]
    return "\n".join(lines)
