"""What librarians' handlers share: their desk's library and the age question."""

from __future__ import annotations

from db.access import AccessDenied
from db.standing import AgeCheck
from handlers.context import Context
from messages.i18n import say


def desk_library(ctx: Context, action: str) -> int:
    """The library this librarian works at; anyone else is refused (and audited)."""
    if not ctx.actor.librarian_of:
        raise AccessDenied(action)
    home = ctx.actor.home_library_id
    return home if home in ctx.actor.librarian_of else min(ctx.actor.librarian_of)


def age_question(check: AgeCheck, title: str, known: str, unknown: str) -> str:
    """«… с маркировкой 16+, а читателю 13 лет. Всё равно …?»"""
    if check.age is None:
        return say(unknown, title=title, mark=check.age_mark)
    return say(known, title=title, mark=check.age_mark, age=check.age)
