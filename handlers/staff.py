"""What librarians' handlers share: their desk's library and the age question."""

from __future__ import annotations

from db.access import AccessDenied
from db.standing import AgeCheck
from handlers.context import Context, desk_of
from messages.i18n import say


def desk_library(ctx: Context, action: str) -> int:
    """The library this librarian works at; anyone else is refused (and audited). For a
    handler of a router that mixes readers' and librarians' handlers; a staff-only router's
    handlers get `ctx.desk` from its guard."""
    desk = desk_of(ctx.actor)
    if desk is None:
        raise AccessDenied(action)
    return desk


def age_question(check: AgeCheck, title: str, known: str, unknown: str) -> str:
    """«… с маркировкой 16+, а читателю 13 лет. Всё равно …?»"""
    if check.age is None:
        return say(unknown, title=title, mark=check.age_mark)
    return say(known, title=title, mark=check.age_mark, age=check.age)
