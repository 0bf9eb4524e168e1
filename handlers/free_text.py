"""What a typed message is answered with, around the handler of the intent it was read as.

Two things every intent shares, so no handler repeats them:

- a search for part of a long message (slot `understood`) says first what it looks for — the
  few words understood, never an echo of the whole message;
- words that are a command («мои книги») and also a book's whole title in the catalog get the
  command's answer with the search a tap away.
"""

from __future__ import annotations

from db.catalog import records_by_id
from db.elibrary import visible_scopes
from handlers.context import Context
from handlers.router import Handler
from messages import texts
from messages.i18n import say
from messages.types import MAX_BUTTONS, MAX_ROWS, Reply
from nlu.normalize import normalize
from nlu.search import MAX_QUERY

SEARCH = "search"
TITLE_CANDIDATES = 5  # search hits looked at for a record titled just as the message


async def answered(ctx: Context, intent: str, handler: Handler) -> list[Reply]:
    """The handler's replies to the typed message `ctx.text`, read as `intent`."""
    text = ctx.text
    query = ctx.args.get("query", "")
    understood = ctx.args.get("understood") == "1"
    result = await handler(ctx)
    replies = [] if result is None else result if isinstance(result, list) else [result]
    if intent == SEARCH:
        if understood and query and replies:
            shown = query if len(query) <= MAX_QUERY else query[: MAX_QUERY - 1] + "…"
            head = say(texts.SEARCH_UNDERSTOOD, query=shown)
            replies[0].text = f"{head}\n{replies[0].text}"
        return replies
    if await _is_a_title(ctx, text):
        _offer_search(ctx, replies, text.strip())
    return replies


async def _is_a_title(ctx: Context, text: str) -> bool:
    """Whether the catalog, as this person may see it, has a record titled just so."""
    wanted = normalize(text)
    if not wanted or len(text) > MAX_QUERY:
        return False
    max_age = ctx.actor.reader_age(ctx.today)
    visible = await visible_scopes(ctx.session, ctx.actor)
    hits = await ctx.services.search.search(
        ctx.session, text, max_age=max_age, limit=TITLE_CANDIDATES, visible=visible
    )
    records = await records_by_id(ctx.session, [hit.record_id for hit in hits])
    return any(normalize(record.title) == wanted for record in records.values())


def _offer_search(ctx: Context, replies: list[Reply], title: str) -> None:
    """🔎 under the last reply where its keyboard has room, else in a reply of its own."""
    button = ctx.button(say(texts.BUTTON_SEARCH_TITLE, query=title), "search.run", query=title)
    last = replies[-1] if replies else None
    if (
        last is not None
        and sum(len(row) for row in last.buttons) < MAX_BUTTONS
        and len(last.buttons) < MAX_ROWS
    ):
        last.buttons.append([button])
        return
    replies.append(Reply(say(texts.ALSO_A_TITLE, query=title), buttons=[[button]]))
