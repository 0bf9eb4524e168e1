"""A shelf of records shown a page at a time: the line and availability of each, 📖 buttons,
paging. Subjects, recommendations and «похожие» all show their books this way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from db.catalog import holdings, records_by_id
from handlers.catalog import Homes, availability, record_line
from handlers.context import Context
from messages import texts
from messages.i18n import say
from messages.types import Button, Reply, in_rows

PAGE_SIZE = 5


def page_count(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


async def book_lines(
    ctx: Context, record_ids: Sequence[int], first: int
) -> tuple[list[str], list[Button]]:
    """A line and an availability line per record, numbered from `first`, with 📖 buttons."""
    records = await records_by_id(ctx.session, record_ids)
    where = await holdings(ctx.session, list(record_ids))
    homes = Homes.of(ctx.actor)
    lines: list[str] = []
    details: list[Button] = []
    for n, record_id in enumerate(record_ids, start=first):
        record = records.get(record_id)
        if record is None:
            continue
        lines.append(record_line(n, record))
        lines.append("   " + availability(where.get(record_id, []), homes))
        details.append(ctx.button(say(texts.BUTTON_DETAILS, n=n), "record.open", record=record_id))
    return lines, details


async def shelf_page(
    ctx: Context,
    header: str,
    record_ids: Sequence[int],
    *,
    page: int,
    action: str,
    args: dict[str, Any],
    edit: bool,
    extra: Sequence[Button] = (),
) -> Reply:
    """One page of the shelf; Назад/Дальше press `action` with `args` and the page number."""
    pages = page_count(len(record_ids))
    page = min(max(page, 1), pages)
    start = (page - 1) * PAGE_SIZE
    lines, details = await book_lines(ctx, record_ids[start : start + PAGE_SIZE], start + 1)
    buttons = in_rows(details)
    nav = []
    if pages > 1:
        lines.append(say(texts.SEARCH_PAGE, page=page, pages=pages))
        if page > 1:
            nav.append(ctx.button(texts.BUTTON_PREV, action, **args, page=page - 1))
        if page < pages:
            nav.append(ctx.button(texts.BUTTON_NEXT, action, **args, page=page + 1))
    if nav:
        buttons.append(nav)
    if extra:
        buttons += in_rows(list(extra))
    return Reply("\n".join([header, *lines]), buttons=buttons, edit=edit)
