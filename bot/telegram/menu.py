"""The command menu (setMyCommands): what a reader sees by default, and more for parents and
librarians in their own chats."""

from __future__ import annotations

from aiogram.types import BotCommand

from db.enums import RoleName
from messages import texts

MENUS: dict[str, tuple[str, ...]] = {
    "reader": ("start", "mybooks", "history", "help", "cancel"),
    "parent": ("start", "mybooks", "reminders", "help", "cancel"),
    "librarian": (
        "holds", "issue", "return", "reader", "register", "code", "overdue", "nocopy",
        "collect", "rules", "closed", "notify", "remove", "mybooks", "help", "cancel",
    ),
}  # fmt: skip


def menu_for(roles: frozenset[RoleName]) -> str:
    if RoleName.LIBRARIAN in roles:
        return "librarian"
    if RoleName.PARENT in roles and RoleName.READER not in roles:
        return "parent"
    return "reader"


def commands(menu: str) -> list[BotCommand]:
    return [
        BotCommand(command=name, description=texts.COMMAND_DESCRIPTIONS[name])
        for name in MENUS[menu]
    ]
