"""What librarians' handlers share: their desk's library and how readers are named to them."""

from __future__ import annotations

from db.access import AccessDenied
from db.models import Reader
from handlers.context import Context


def desk_library(ctx: Context, action: str) -> int:
    """The library this librarian works at; anyone else is refused (and audited)."""
    if not ctx.actor.librarian_of:
        raise AccessDenied(action)
    home = ctx.actor.home_library_id
    return home if home in ctx.actor.librarian_of else min(ctx.actor.librarian_of)


def class_label(reader: Reader) -> str:
    return reader.class_name or "—"
