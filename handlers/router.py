"""Handlers register per feature on a Router; one Registry joins them for every transport.

A command names the menus it is shown in where it is registered (`menus=READER_MENUS`, say);
the Registry builds each person's command menu from that, for the transports to show.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import TYPE_CHECKING

from db.access import AccessDenied
from db.enums import RoleName
from handlers.context import Context, desk_of, spelled_out
from messages import texts
from messages.port import Menu

if TYPE_CHECKING:
    from messages.types import Reply

Handler = Callable[["Context"], Awaitable["Reply | list[Reply] | None"]]
# The action a refusal is audited as: a name, or a name chosen from the event (/closed alone
# only looks, /closed 30.12 changes the calendar).
Audited = str | Callable[["Context"], str]

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
    """The commands, button actions, intents and awaited inputs of one feature.

    A staff-only router (`Router("rules", staff_only=True)`) states its guard once: everything
    registered on it is for librarians, and anyone else is refused (AccessDenied, audited by
    the dispatcher) before the handler runs, under the action named at registration
    (`audited_as=`). The handler gets the library the librarian works at as `ctx.desk`.
    Whether the librarian may touch a particular reader, copy or hold of some library is still
    checked where it is touched (`require_librarian`), at the moment of the action.

    Button arguments and awaited-input data once had one-letter names; a token minted before
    they were spelled out is read under the new names (see `handlers.context.spelled_out`).
    """

    def __init__(self, name: str, *, staff_only: bool = False) -> None:
        self.name = name
        self.staff_only = staff_only
        self.commands: dict[str, Handler] = {}
        self.actions: dict[str, Handler] = {}
        self.intents: dict[str, Handler] = {}
        self.states: dict[str, Handler] = {}
        self.file_states: set[str] = set()  # awaited inputs that take a photo or a file too
        self.long_states: set[str] = set()  # awaited inputs that read long texts themselves
        self.photo: Handler | None = None
        self.menus: dict[str, tuple[str, ...]] = {}  # command → the menus that show it
        self.included: list[Router] = []

    def include(self, *routers: Router) -> None:
        """Sub-routers registered together with this one (a feature's librarian-only part)."""
        self.included += routers

    def command(
        self, *names: str, menus: tuple[str, ...] = (), audited_as: Audited | None = None
    ) -> Callable[[Handler], Handler]:
        """A command and its aliases; `menus` shows the first name in those menus."""
        if menus:
            self.menus[names[0]] = menus
        return self._into(self.commands, names, audited_as)

    def action(
        self, name: str, *, audited_as: Audited | None = None
    ) -> Callable[[Handler], Handler]:
        if len(name) > 40:
            raise ValueError(f"action name too long: {name}")
        return self._into(self.actions, (name,), audited_as, arguments="args")

    def intent(
        self, *names: str, audited_as: Audited | None = None
    ) -> Callable[[Handler], Handler]:
        return self._into(self.intents, names, audited_as)

    def state(
        self,
        name: str,
        *,
        audited_as: Audited | None = None,
        files: bool = False,
        long_text: bool = False,
    ) -> Callable[[Handler], Handler]:
        """An awaited input; with `files`, a photo or a file sent while it is awaited comes to
        it (in `ctx.incoming.attachments`) rather than to the photo handler; with `long_text`
        it takes a text longer than a message usually may be (a broadcast's) and keeps its own
        limit, in its own words."""
        if files:
            self.file_states.add(name)
        if long_text:
            self.long_states.add(name)
        return self._into(self.states, (name,), audited_as, arguments="state_data")

    def on_photo(self, handler: Handler) -> Handler:
        if self.staff_only:  # a photo from a reader deserves its own friendly answer
            raise ValueError(f"{self.name}: the photo handler cannot be staff-only")
        self.photo = handler
        return handler

    def _into(
        self,
        table: dict[str, Handler],
        names: tuple[str, ...],
        audited_as: Audited | None,
        arguments: str | None = None,
    ) -> Callable[[Handler], Handler]:
        if self.staff_only and audited_as is None:
            raise ValueError(f"{self.name}: {names[0]} needs audited_as= on a staff-only router")
        if not self.staff_only and audited_as is not None:
            raise ValueError(f"{self.name}: audited_as= means nothing on an open router")

        def register(handler: Handler) -> Handler:
            wrapped = handler
            if audited_as is not None:
                wrapped = _staff_only(wrapped, audited_as)
            if arguments is not None:
                wrapped = _spelled_out(wrapped, names[0], arguments)
            for name in names:
                if name in table:
                    raise ValueError(f"{name} is registered twice")
                table[name] = wrapped
            return handler  # the plain function stays callable from other handlers

        return register


def _staff_only(handler: Handler, audited_as: Audited) -> Handler:
    @wraps(handler)
    async def guarded(ctx: Context) -> Reply | list[Reply] | None:
        if not ctx.actor.librarian_of:
            action = audited_as if isinstance(audited_as, str) else audited_as(ctx)
            raise AccessDenied(action)
        ctx.desk_id = desk_of(ctx.actor)
        return await handler(ctx)

    return guarded


def _spelled_out(handler: Handler, name: str, arguments: str) -> Handler:
    @wraps(handler)
    async def reading(ctx: Context) -> Reply | list[Reply] | None:
        setattr(ctx, arguments, spelled_out(name, getattr(ctx, arguments)))
        return await handler(ctx)

    return reading


class Registry:
    """All routers together; a name registered by two features is a start-up error."""

    def __init__(self, *routers: Router) -> None:
        self.commands: dict[str, Handler] = {}
        self.actions: dict[str, Handler] = {}
        self.intents: dict[str, Handler] = {}
        self.states: dict[str, Handler] = {}
        self.file_states: set[str] = set()
        self.long_states: set[str] = set()
        self.photo: Handler | None = None
        shown: dict[str, tuple[str, ...]] = dict.fromkeys(BUILT_IN_MENU_COMMANDS, EVERYONE)
        for router in _with_included(routers):
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
            self.file_states |= router.file_states
            self.long_states |= router.long_states
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


def _with_included(routers: tuple[Router, ...]) -> list[Router]:
    every: list[Router] = []
    for router in routers:
        every.append(router)
        every += _with_included(tuple(router.included))
    return every
