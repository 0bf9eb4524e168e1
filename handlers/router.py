"""Handlers register per feature on a Router; one Registry joins them for every transport.

A command names the menus it is shown in where it is registered (`menus=READER_MENUS`, say);
the Registry builds each person's command menu from that, for the transports to show.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from db.enums import RoleName
from messages import texts
from messages.port import Menu

if TYPE_CHECKING:
    from handlers.context import Context
    from messages.types import Reply

Handler = Callable[["Context"], Awaitable["Reply | list[Reply] | None"]]

# The menus a person can have: a reader's (anyone by default), a parent's, a librarian's.
READER, PARENT, LIBRARIAN = "reader", "parent", "librarian"
EVERYONE = (READER, PARENT, LIBRARIAN)
# Commands the dispatcher itself answers, in every menu.
BUILT_IN_MENU_COMMANDS = ("cancel",)


def menu_name(roles: frozenset[RoleName]) -> str:
    """The menu for a person's roles: a librarian's wins; a parent who is not also a reader
    gets a parent's."""
    if RoleName.LIBRARIAN in roles:
        return LIBRARIAN
    if RoleName.PARENT in roles and RoleName.READER not in roles:
        return PARENT
    return READER


class Router:
    """The commands, button actions, intents and awaited inputs of one feature."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.commands: dict[str, Handler] = {}
        self.actions: dict[str, Handler] = {}
        self.intents: dict[str, Handler] = {}
        self.states: dict[str, Handler] = {}
        self.photo: Handler | None = None
        self.menus: dict[str, tuple[str, ...]] = {}  # command → the menus that show it

    def command(self, *names: str, menus: tuple[str, ...] = ()) -> Callable[[Handler], Handler]:
        """A command and its aliases; `menus` shows the first name in those menus."""
        if menus:
            self.menus[names[0]] = menus
        return self._into(self.commands, names)

    def action(self, name: str) -> Callable[[Handler], Handler]:
        if len(name) > 40:
            raise ValueError(f"action name too long: {name}")
        return self._into(self.actions, (name,))

    def intent(self, *names: str) -> Callable[[Handler], Handler]:
        return self._into(self.intents, names)

    def state(self, name: str) -> Callable[[Handler], Handler]:
        return self._into(self.states, (name,))

    def on_photo(self, handler: Handler) -> Handler:
        self.photo = handler
        return handler

    @staticmethod
    def _into(table: dict[str, Handler], names: tuple[str, ...]) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for name in names:
                if name in table:
                    raise ValueError(f"{name} is registered twice")
                table[name] = handler
            return handler

        return register


class Registry:
    """All routers together; a name registered by two features is a start-up error."""

    def __init__(self, *routers: Router) -> None:
        self.commands: dict[str, Handler] = {}
        self.actions: dict[str, Handler] = {}
        self.intents: dict[str, Handler] = {}
        self.states: dict[str, Handler] = {}
        self.photo: Handler | None = None
        shown: dict[str, tuple[str, ...]] = dict.fromkeys(BUILT_IN_MENU_COMMANDS, EVERYONE)
        for router in routers:
            for mine, theirs in (
                (self.commands, router.commands),
                (self.actions, router.actions),
                (self.intents, router.intents),
                (self.states, router.states),
            ):
                clash = mine.keys() & theirs.keys()
                if clash:
                    raise ValueError(f"{router.name} registers {sorted(clash)} again")
                mine.update(theirs)
            shown |= router.menus
            if router.photo is not None:
                if self.photo is not None:
                    raise ValueError(f"{router.name} registers a second photo handler")
                self.photo = router.photo
        # In the catalogue's order of command descriptions.
        self.menus: dict[str, Menu] = {
            name: Menu(
                name,
                tuple(
                    (command, description)
                    for command, description in texts.COMMAND_DESCRIPTIONS.items()
                    if name in shown.get(command, ())
                ),
            )
            for name in EVERYONE
        }

    def menu_for(self, roles: frozenset[RoleName]) -> Menu:
        return self.menus[menu_name(roles)]
