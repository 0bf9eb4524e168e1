"""Browsing by subject: «фантастика», «что-нибудь про войну», «сказки пушкина».

The subject is a key of the subject table (nlu/subjects.csv); its books are the records whose
headings or BBK index belong to it (db.shelves.subject_records), best-loved first, within the
reader's age, textbooks left out. A `query` slot narrows the subject to the records the
catalog search finds for it («сказки» + «пушкина»).
"""

from __future__ import annotations

from db.elibrary import visible_scopes
from db.shelves import best_loved, subject_records
from handlers.context import Context
from handlers.router import Router
from handlers.shelf import shelf_page
from messages import texts
from messages.i18n import say
from messages.types import Reply
from nlu.subjects import TABLE, find_subject

router = Router("browse")

NARROWING_HITS = 250  # search hits a narrowing word may bring


def subject_title(subject: str) -> str:
    return texts.SUBJECT_TITLES.get(subject, subject[:1].upper() + subject[1:])


@router.intent("browse_subject")
async def browse_subject(ctx: Context) -> Reply:
    subject = ctx.args.get("subject")
    query = ctx.args.get("query", "")
    if not subject:  # read from the text itself when the classifier gave no key
        found = find_subject(ctx.text)
        subject, query = (found.key, found.query) if found else ("", "")
    if subject not in TABLE:
        return Reply(texts.BROWSE_UNKNOWN)
    return await subject_page(ctx, subject, query.strip(), page=1, edit=False)


@router.action("browse.page")
async def browse_page(ctx: Context) -> Reply:
    return await subject_page(
        ctx,
        str(ctx.args["subject"]),
        str(ctx.args.get("query", "")),
        page=int(ctx.args["page"]),
        edit=True,
    )


@router.action("browse.all")
async def browse_all(ctx: Context) -> Reply:
    return await subject_page(ctx, str(ctx.args["subject"]), "", page=1, edit=False)


async def subject_page(ctx: Context, subject: str, query: str, *, page: int, edit: bool) -> Reply:
    """A page of the subject's books (narrowed by `query` when there is one)."""
    if subject not in TABLE:
        return Reply(texts.BROWSE_UNKNOWN, edit=edit)
    max_age = ctx.actor.reader_age(ctx.today)
    title = subject_title(subject)
    ids = await subject_records(ctx.session, subject, max_age)
    if query:
        of_subject = set(ids)
        visible = await visible_scopes(ctx.session, ctx.actor)
        hits = await ctx.services.search.search(
            ctx.session, query, max_age=max_age, limit=NARROWING_HITS, visible=visible
        )
        ids = [hit.record_id for hit in hits if hit.record_id in of_subject]
        if not ids:
            button = say(texts.BUTTON_BROWSE_ALL, title=title)
            return Reply(
                say(texts.BROWSE_NOTHING_NARROW, title=title, query=query, button=button),
                buttons=[[ctx.button(button, "browse.all", subject=subject)]],
                edit=edit,
            )
    if not ids:
        return Reply(say(texts.BROWSE_NOTHING, title=title), edit=edit)
    ordered = await best_loved(ctx.session, ids)
    template = texts.BROWSE_HEADER_NARROW if query else texts.BROWSE_HEADER
    return await shelf_page(
        ctx,
        say(template, title=title, query=query, n=len(ordered)),
        ordered,
        page=page,
        action="browse.page",
        args={"subject": subject, "query": query},
        edit=edit,
    )
