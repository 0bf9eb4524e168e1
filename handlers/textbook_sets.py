"""A grade's textbook list from chat: «/textbook_set 7» shows what every 7th-grader should
have (✖ N takes a line out), «/textbook_set 7 алгебра 7, русский язык 7» adds to it.

Names are matched to the library's textbooks the way class sets match them
(handlers.class_sets `textbook`); a name with no number means the grade's («алгебра» in
/textbook_set 7 is «алгебра 7»). What matched is added, what did not is named in the reply —
nothing matched is lost for the names that did not. The list is what the textbook coverage
counts (db.textbook_sets, db.indicators `textbook_coverage`).
"""

from __future__ import annotations

import re

from db.school_classes import typed_grade
from db.textbook_sets import add_to_set, grade_set, library_textbooks, remove_from_set
from handlers.class_sets import textbook
from handlers.context import Context
from handlers.router import LIBRARIAN, Router
from messages import texts
from messages.i18n import say
from messages.types import Reply, in_rows

router = Router("textbook_sets", staff_only=True)

MOST_NAMES = 15  # names in one message: each is a search
NAME_LENGTH = 80  # a textbook's short name, at most, as echoed back


def _names(text: str) -> list[str]:
    return [n.strip(' .«»"') for n in re.split(r"[,;\n]", text) if n.strip(' .«»"')]


@router.command("textbook_set", menus=(LIBRARIAN,), audited_as="textbook_set.add")
async def textbook_set(ctx: Context) -> Reply:
    """/textbook_set 7 — the list; /textbook_set 7 алгебра 7, … — add to it."""
    words = ctx.text.split(maxsplit=1)
    if not words:
        return Reply(texts.TEXTBOOK_SET_USAGE)
    grade = typed_grade(words[0])
    if grade is None or not 1 <= grade <= 11:
        return Reply(texts.TEXTBOOK_SET_BAD_GRADE)
    names = _names(words[1]) if len(words) > 1 else []
    if not names:
        return await _shown(ctx, ctx.desk, grade)
    if len(names) > MOST_NAMES:
        return Reply(say(texts.TEXTBOOK_SET_TOO_MANY, most=MOST_NAMES))
    matched: dict[str, int] = {}
    for name in names:
        query = name if any(ch.isdigit() for ch in name) else f"{name} {grade}"
        record = await textbook(ctx, ctx.desk, query)
        if record is not None:
            matched[name] = record.id
    # A textbook by its fund kind too (a catalog textbook counted as a learning aid is none).
    found = await library_textbooks(ctx.session, ctx.desk, list(matched.values()))
    unknown = [name for name in names if matched.get(name) not in found]
    missing = ", ".join(f"«{name[:NAME_LENGTH]}»" for name in unknown)
    if not found:
        return Reply(say(texts.TEXTBOOK_SET_NOTHING_FOUND, names=missing))
    outcome = await add_to_set(ctx.session, ctx.actor, ctx.desk, grade, found)
    lines = []
    if outcome.added:
        titles = ", ".join(f"«{row.title}»" for row in outcome.added)
        n = len(outcome.added)
        lines.append(say(texts.TEXTBOOK_SET_ADDED, grade=grade, n=n, titles=titles))
    if outcome.already:
        titles = ", ".join(f"«{row.title}»" for row in outcome.already)
        lines.append(say(texts.TEXTBOOK_SET_ALREADY, titles=titles))
    if unknown:
        lines.append(say(texts.TEXTBOOK_SET_UNKNOWN, names=missing))
    return await _shown(ctx, ctx.desk, grade, before=lines)


@router.action("textbook_set.remove", audited_as="textbook_set.remove")
async def remove_pressed(ctx: Context) -> Reply:
    """✖ N: out of the list of the library and grade the button names, checked again now (a
    forged button for another school is refused; a stale one finds the line gone)."""
    library_id, grade = int(ctx.args["library_id"]), int(ctx.args["grade"])
    removed = await remove_from_set(
        ctx.session, ctx.actor, library_id, grade, int(ctx.args["record_id"])
    )
    head = (
        texts.TEXTBOOK_SET_GONE
        if removed is None
        else say(texts.TEXTBOOK_SET_REMOVED, title=removed.title)
    )
    return await _shown(ctx, library_id, grade, before=[head], edit=True)


async def _shown(
    ctx: Context, library_id: int, grade: int, before: list[str] | None = None, edit: bool = False
) -> Reply:
    """The grade's list, numbered, a ✖ button per line."""
    lines = list(before or [])
    rows = await grade_set(ctx.session, library_id, grade)
    if not rows:
        lines.append(say(texts.TEXTBOOK_SET_EMPTY, grade=grade))
        return Reply("\n".join(lines), edit=edit)
    lines.append(say(texts.TEXTBOOK_SET_HEADER, grade=grade, n=len(rows)))
    lines += [say(texts.TEXTBOOK_SET_LINE, n=n, title=row.title) for n, row in enumerate(rows, 1)]
    lines.append(say(texts.TEXTBOOK_SET_HINT, grade=grade))
    buttons = [
        ctx.button(
            say(texts.BUTTON_TEXTBOOK_SET_REMOVE, n=n),
            "textbook_set.remove",
            library_id=library_id,
            grade=grade,
            record_id=row.record_id,
        )
        for n, row in enumerate(rows, 1)
    ]
    return Reply("\n".join(lines), buttons=in_rows(buttons, per_row=5), edit=edit)
