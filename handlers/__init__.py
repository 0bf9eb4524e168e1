"""Messenger-neutral conversations. `build_registry` joins every feature's router."""

from handlers.router import Registry


def build_registry() -> Registry:
    from handlers import catalog, my_books, welcome

    return Registry(welcome.router, catalog.router, my_books.router)
