"""Who is acting and what they may touch. Checked on the server for every action."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ReaderCategory, RoleName
from db.models import GuardianLink, Library, Reader, Role


def reader_age(birth_year: int | None, class_name: str | None, today: date) -> int | None:
    """A pupil's age for age marks: from the birth year, else from the class (7Б → about 13)."""
    if birth_year:
        return today.year - birth_year
    grade = re.match(r"\d{1,2}", class_name or "")
    return int(grade.group()) + 6 if grade else None


@dataclass(frozen=True, slots=True)
class Card:
    """A reader's card as the acting person may see it."""

    reader_id: int
    library_id: int
    library_name: str
    card_number: str
    full_name: str
    class_name: str | None
    birth_year: int | None
    adult: bool = False  # a teacher's or staff member's card: age marks do not limit them

    def age(self, today: date) -> int | None:
        return reader_age(self.birth_year, self.class_name, today)


@dataclass(frozen=True, slots=True)
class Actor:
    """The person behind an incoming event, with every scope they hold right now."""

    account_id: int | None  # None: the scheduler acting on the library's rules
    person_id: int | None
    cards: tuple[Card, ...] = ()  # own reader cards
    children: tuple[Card, ...] = ()  # cards of linked children
    librarian_of: frozenset[int] = field(default_factory=frozenset)
    admin_of: frozenset[int] = field(default_factory=frozenset)  # network ids

    @property
    def roles(self) -> frozenset[RoleName]:
        roles = set()
        if self.cards:
            roles.add(RoleName.READER)
        if self.children:
            roles.add(RoleName.PARENT)
        if self.librarian_of:
            roles.add(RoleName.LIBRARIAN)
        if self.admin_of:
            roles.add(RoleName.ADMIN)
        return frozenset(roles)

    @property
    def is_linked(self) -> bool:
        return bool(self.roles)

    def is_librarian(self, library_id: int) -> bool:
        return library_id in self.librarian_of

    def own_card(self, reader_id: int) -> Card | None:
        return next((c for c in self.cards if c.reader_id == reader_id), None)

    def child_card(self, reader_id: int) -> Card | None:
        return next((c for c in self.children if c.reader_id == reader_id), None)

    def card_in_scope(self, reader_id: int) -> Card | None:
        """The card if it is the actor's own or their child's; nobody else's."""
        return self.own_card(reader_id) or self.child_card(reader_id)

    @property
    def home_library_id(self) -> int | None:
        """The library searches are shown from: own card first, then the librarian's desk."""
        if self.cards:
            return self.cards[0].library_id
        if self.librarian_of:
            return min(self.librarian_of)
        if self.children:
            return self.children[0].library_id
        return None

    def reader_age(self, today: date) -> int | None:
        """The age that limits what this person sees, or None for no limit.

        Staff, parents, admins and teachers see everything; a student sees records whose age
        mark is at most their age (from the birth year, else from the class: a 7th-grader is
        about 13).
        Whoever's age is unknown — not linked, or a card with neither birth year nor class —
        is taken for a minor: up to 16+, never 18+.
        """
        if self.librarian_of or self.admin_of or self.children:
            return None
        if any(card.adult for card in self.cards):
            return None
        ages = [age for c in self.cards if (age := c.age(today)) is not None]
        return max(ages) if ages else 16


class AccessDenied(Exception):
    """An action outside the actor's scope. Always refused, always audited."""

    def __init__(self, action: str, library_id: int | None = None) -> None:
        super().__init__(action)
        self.action = action
        self.library_id = library_id


def require_librarian(actor: Actor, library_id: int, action: str) -> None:
    if not actor.is_librarian(library_id):
        raise AccessDenied(action, library_id)


def require_admin(actor: Actor, network_id: int, action: str) -> None:
    """Only an admin (the district's methodologist) of that network may."""
    if network_id not in actor.admin_of:
        raise AccessDenied(action)


def require_card(actor: Actor, reader_id: int, action: str) -> Card:
    card = actor.card_in_scope(reader_id)
    if card is None:
        raise AccessDenied(action)
    return card


async def load_actor(session: AsyncSession, account_id: int, person_id: int | None) -> Actor:
    if person_id is None:
        return Actor(account_id=account_id, person_id=None)
    roles = (await session.scalars(select(Role).where(Role.person_id == person_id))).all()
    own_ids = [r.reader_id for r in roles if r.role == RoleName.READER and r.reader_id]
    child_ids = list(
        await session.scalars(
            select(GuardianLink.reader_id).where(GuardianLink.parent_person_id == person_id)
        )
    )
    cards = await _cards(session, own_ids + child_ids)
    return Actor(
        account_id=account_id,
        person_id=person_id,
        cards=tuple(cards[i] for i in own_ids if i in cards),
        children=tuple(cards[i] for i in child_ids if i in cards),
        librarian_of=frozenset(
            r.library_id for r in roles if r.role == RoleName.LIBRARIAN and r.library_id
        ),
        admin_of=frozenset(
            r.network_id for r in roles if r.role == RoleName.ADMIN and r.network_id
        ),
    )


async def _cards(session: AsyncSession, reader_ids: list[int]) -> dict[int, Card]:
    if not reader_ids:
        return {}
    rows = await session.execute(
        select(Reader, Library.short_name)
        .join(Library, Library.id == Reader.library_id)
        .where(Reader.id.in_(reader_ids))
    )
    return {
        reader.id: Card(
            reader_id=reader.id,
            library_id=reader.library_id,
            library_name=name,
            card_number=reader.card_number,
            full_name=reader.full_name,
            class_name=reader.class_name,
            birth_year=reader.birth_year,
            adult=reader.category != ReaderCategory.STUDENT,
        )
        for reader, name in rows
    }
