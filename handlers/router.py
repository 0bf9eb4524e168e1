"""Handlers register per feature on a Router; one Registry joins them for every transport."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handlers.context import Context
    from handlers.core import Reply

Handler = Callable[["Context"], Awaitable["Reply | list[Reply] | None"]]


class Router:
    """The commands, button actions, intents and awaited inputs of one feature."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.commands: dict[str, Handler] = {}
        self.actions: dict[str, Handler] = {}
        self.intents: dict[str, Handler] = {}
        self.states: dict[str, Handler] = {}
        self.photo: Handler | None = None

    def command(self, *names: str) -> Callable[[Handler], Handler]:
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
            if router.photo is not None:
                if self.photo is not None:
                    raise ValueError(f"{router.name} registers a second photo handler")
                self.photo = router.photo
