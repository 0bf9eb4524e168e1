"""Messenger-neutral conversations. `build_registry` joins every feature's router."""

from handlers.router import Registry


def build_registry() -> Registry:
    from handlers import (
        ask,
        broadcast,
        browse,
        catalog,
        class_sets,
        delivery,
        desk,
        elibrary,
        everyday,
        fund,
        holds,
        indicators,
        info,
        my_books,
        projects,
        readers,
        recommend,
        reminder_settings,
        reports,
        rules,
        textbook_sets,
        welcome,
    )

    return Registry(
        welcome.router,
        catalog.router,
        my_books.router,
        holds.router,
        desk.router,
        readers.router,
        class_sets.router,
        textbook_sets.router,
        rules.router,
        delivery.router,
        everyday.router,
        info.router,
        ask.router,
        browse.router,
        recommend.router,
        reminder_settings.router,
        broadcast.router,
        elibrary.router,
        projects.router,
        fund.router,
        indicators.router,
        reports.router,
    )
