"""Readers, messenger accounts and the one-time link codes that join them."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz import fuzz, process
from sqlalchemy import delete, func, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import require_librarian
from db.circulation import Circulation, locked_reader
from db.elibrary import remove_from_elibrary
from db.enums import ACTIVE_HOLD_STATUSES, Messenger, ReaderCategory, RoleName
from db.holds import cancel_hold
from db.models import (
    Account,
    ELoan,
    GuardianLink,
    Hold,
    Library,
    LinkCode,
    Loan,
    OutboxMessage,
    Person,
    ProjectMember,
    ProjectRead,
    ProjectWork,
    Reader,
    Record,
    Role,
    StoredFile,
)
from db.questions import forget_questions
from nlu.morph import guess_gender
from nlu.normalize import normalize

# Без похожих символов (0/O, 1/I/L): код диктуют по телефону и набирают с бумажки.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
LINK_CODE_TTL = timedelta(days=14)


async def library_by_code(session: AsyncSession, code: str) -> Library | None:
    return await session.scalar(select(Library).where(Library.code == code))


async def reader_by_card(session: AsyncSession, library_id: int, card: str) -> Reader | None:
    return await session.scalar(
        select(Reader).where(Reader.library_id == library_id, Reader.card_number == card.strip())
    )


async def touch_account(
    session: AsyncSession, messenger: Messenger, external_id: str, chat_id: str, now: datetime
) -> Account:
    """The account of a messenger identity, created on first contact; marks it reachable."""
    query = select(Account).where(
        Account.messenger == messenger, Account.external_id == external_id
    )
    account = await session.scalar(query)
    if account is None:
        try:
            async with session.begin_nested():
                account = Account(
                    messenger=messenger, external_id=external_id, chat_id=chat_id, last_seen_at=now
                )
                session.add(account)
        except IntegrityError:  # the same person's first two messages raced each other
            account = await session.scalar(query)
            assert account is not None
    account.chat_id = chat_id
    account.last_seen_at = now
    account.unreachable = False
    return account


def came_back(account: Account) -> bool:
    """True when `touch_account` has just made an unreachable account reachable again (ask it
    before the session flushes: the change is then still pending)."""
    return inspect(account).attrs.unreachable.history.deleted == [True]


async def next_card_number(session: AsyncSession, library_id: int) -> str:
    numbers = await session.scalars(
        select(Reader.card_number).where(Reader.library_id == library_id)
    )
    highest = max((int(n) for n in numbers if n.isdigit()), default=1000)
    return str(highest + 1)


async def register_reader(
    session: AsyncSession,
    library_id: int,
    full_name: str,
    *,
    class_name: str | None = None,
    card_number: str | None = None,
    birth_year: int | None = None,
    category: ReaderCategory = ReaderCategory.STUDENT,
) -> Reader:
    """A new reader; their gender is guessed from the name (None when unsure, «Белых Саша»)."""
    name = " ".join(full_name.split())
    reader = Reader(
        library_id=library_id,
        card_number=card_number or await next_card_number(session, library_id),
        full_name=name,
        class_name=normalise_class(class_name) if class_name else None,
        birth_year=birth_year,
        category=category,
        gender=guess_gender(name),
    )
    session.add(reader)
    await session.flush()
    return reader


def proper_name(text: str) -> str:
    """«кузнецова-петрова алиса» → «Кузнецова-Петрова Алиса»: a name as a register writes it."""
    return " ".join(
        "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))
        for word in text.split()
    )


def normalise_class(name: str) -> str:
    """«7 б», «7-Б», «7б» → «7Б»."""
    compact = "".join(ch for ch in name if ch.isalnum())
    return compact.upper()


async def create_link_code(
    session: AsyncSession,
    role: RoleName,
    *,
    library_id: int | None = None,
    network_id: int | None = None,
    reader_id: int | None = None,
    created_by_person_id: int | None = None,
    now: datetime,
    ttl: timedelta = LINK_CODE_TTL,
) -> LinkCode:
    if role in (RoleName.READER, RoleName.PARENT) and reader_id is None:
        raise ValueError("a reader or parent code needs the reader's card")
    if role == RoleName.LIBRARIAN and library_id is None:
        raise ValueError("a librarian code needs a library")
    if role == RoleName.ADMIN and network_id is None:
        raise ValueError("an admin code needs a network")
    link = LinkCode(
        code=new_code(),
        role=role,
        library_id=library_id,
        network_id=network_id,
        reader_id=reader_id,
        created_by_person_id=created_by_person_id,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(link)
    await session.flush()
    return link


def new_code() -> str:
    """Eight characters with at least two digits and two letters: a code never looks like a
    word someone would search for, so a message holding one is always read as a code."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        digits = sum(ch.isdigit() for ch in code)
        if 2 <= digits <= CODE_LENGTH - 2:
            return code


def clean_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


class LinkRefused(Exception):
    """A link code that cannot be used (unknown, used, expired), or not by this account
    (second_card: it already has a card at that library; own_card: a parent code for the
    account's own card), or not yet (parent_confirm: a reader's account becomes a parent only
    when they confirm). `params` fill the text."""

    def __init__(self, reason: str, **params: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


@dataclass(frozen=True, slots=True)
class Linked:
    role: RoleName
    person_id: int
    reader_id: int | None
    library_id: int | None


async def redeem_link_code(
    session: AsyncSession,
    account: Account,
    raw_code: str,
    now: datetime,
    *,
    parent_confirmed: bool = False,
) -> Linked:
    """Use a one-time code: the account gets the code's role. Atomic against a double use.

    Cards never merge by accident: an account holds one reader card per library, and a reader's
    account takes a parent code only once its owner confirmed being that child's parent. A
    refused code stays unused."""
    code = clean_code(raw_code)
    link = await session.scalar(select(LinkCode).where(LinkCode.code == code))
    if link is None:
        raise LinkRefused("unknown")
    if link.used_at is not None:
        raise LinkRefused("used")
    if link.expires_at <= now:
        raise LinkRefused("expired")
    if account.person_id is not None:
        await _refuse_mixing_cards(session, account.person_id, link, parent_confirmed)
    claimed = await session.execute(
        update(LinkCode)
        .where(LinkCode.id == link.id, LinkCode.used_at.is_(None))
        .values(used_at=now, used_by_account_id=account.id)
    )
    if claimed.rowcount != 1:
        raise LinkRefused("used")

    person_id = account.person_id or await _person_already_holding(session, link)
    if person_id is None:
        person = Person()
        session.add(person)
        await session.flush()
        person_id = person.id
    account.person_id = person_id

    if link.role == RoleName.PARENT:
        await _ensure_guardian(session, person_id, link.reader_id)
        await _ensure_role(session, person_id, RoleName.PARENT)
    elif link.role == RoleName.READER:
        library_id = await session.scalar(
            select(Reader.library_id).where(Reader.id == link.reader_id)
        )
        await _ensure_role(session, person_id, RoleName.READER, library_id, link.reader_id)
    elif link.role == RoleName.LIBRARIAN:
        await _ensure_role(session, person_id, RoleName.LIBRARIAN, link.library_id)
    else:
        await _ensure_role(session, person_id, RoleName.ADMIN, network_id=link.network_id)
    return Linked(link.role, person_id, link.reader_id, link.library_id)


async def _refuse_mixing_cards(
    session: AsyncSession, person_id: int, link: LinkCode, parent_confirmed: bool
) -> None:
    if link.role not in (RoleName.READER, RoleName.PARENT):
        return
    rows = await session.execute(
        select(Reader.id, Reader.library_id, Reader.card_number)
        .join(Role, Role.reader_id == Reader.id)
        .where(Role.person_id == person_id, Role.role == RoleName.READER)
    )
    own = {reader_id: (library_id, card) for reader_id, library_id, card in rows}
    if not own or (link.reader_id in own and link.role == RoleName.READER):
        return  # no card yet, or the same card again (a second messenger, a new phone)
    if link.role == RoleName.PARENT:
        if link.reader_id in own:
            raise LinkRefused("own_card")
        if not parent_confirmed:
            raise LinkRefused("parent_confirm")
        return
    library_id = await session.scalar(select(Reader.library_id).where(Reader.id == link.reader_id))
    for held_library, card in own.values():
        if held_library == library_id:
            name = await session.scalar(select(Library.short_name).where(Library.id == library_id))
            raise LinkRefused("second_card", card=card, library=name or "")


async def _person_already_holding(session: AsyncSession, link: LinkCode) -> int | None:
    """A reader linking a second messenger stays one person with one card."""
    if link.role != RoleName.READER:
        return None
    return await session.scalar(
        select(Role.person_id)
        .where(Role.role == RoleName.READER, Role.reader_id == link.reader_id)
        .limit(1)
    )


async def _ensure_role(
    session: AsyncSession,
    person_id: int,
    role: RoleName,
    library_id: int | None = None,
    reader_id: int | None = None,
    network_id: int | None = None,
) -> None:
    exists = await session.scalar(
        select(func.count())
        .select_from(Role)
        .where(
            Role.person_id == person_id,
            Role.role == role,
            Role.library_id.is_(None) if library_id is None else Role.library_id == library_id,
            Role.reader_id.is_(None) if reader_id is None else Role.reader_id == reader_id,
        )
    )
    if not exists:
        session.add(
            Role(
                person_id=person_id,
                role=role,
                library_id=library_id,
                reader_id=reader_id,
                network_id=network_id,
            )
        )


async def _ensure_guardian(session: AsyncSession, person_id: int, reader_id: int | None) -> None:
    assert reader_id is not None
    exists = await session.scalar(
        select(GuardianLink.id).where(
            GuardianLink.parent_person_id == person_id, GuardianLink.reader_id == reader_id
        )
    )
    if exists is None:
        session.add(GuardianLink(parent_person_id=person_id, reader_id=reader_id))


CLASS_NAME = re.compile(r"^\s*(\d{1,2})\s*[-–]?\s*([А-Яа-яЁё])\s*$")
NAME_MATCH_CUTOFF = 75


def looks_like_class(text: str) -> bool:
    """«7Б», «7 б», «10-А»: a school class, not a name."""
    return CLASS_NAME.match(text) is not None


async def find_readers(
    session: AsyncSession, library_id: int, query: str, limit: int = 30
) -> list[Reader]:
    """Readers of one library that the query names for certain: a card number, a class
    («7Б»), or a name whose every word the query spells out (case and ё aside: «петров» finds
    «Петров Михаил», «Петров Иван» does not). A look-alike is never an answer: see
    `similar_readers`."""
    query = " ".join(query.split())
    if not query:
        return []
    if query.isdigit():
        reader = await reader_by_card(session, library_id, query)
        return [reader] if reader else []
    if looks_like_class(query):
        return list(
            await session.scalars(
                select(Reader)
                .where(Reader.library_id == library_id, Reader.class_name == normalise_class(query))
                .order_by(Reader.full_name, Reader.id)
                .limit(limit)
            )
        )
    wanted = normalize(query).split()
    readers = await _readers_of(session, library_id)
    return [r for r in readers if _names_every_word(wanted, normalize(r.full_name).split())][:limit]


async def similar_readers(
    session: AsyncSession, library_id: int, query: str, limit: int = 8
) -> list[Reader]:
    """Readers whose name looks like the query (typos forgiven): candidates to choose from."""
    query = normalize(" ".join(query.split()))
    if not query or query.isdigit():
        return []
    readers = await _readers_of(session, library_id)
    names = [normalize(r.full_name) for r in readers]
    hits = process.extract(
        query, names, scorer=fuzz.WRatio, score_cutoff=NAME_MATCH_CUTOFF, limit=limit
    )
    return [readers[index] for _, _, index in hits]


async def _readers_of(session: AsyncSession, library_id: int) -> list[Reader]:
    return list(
        await session.scalars(
            select(Reader).where(Reader.library_id == library_id).order_by(Reader.full_name)
        )
    )


def _names_every_word(wanted: list[str], name: list[str]) -> bool:
    return bool(wanted) and all(word in name for word in wanted)


async def unlink_card(session: AsyncSession, reader_id: int) -> None:
    """Detach every account from a reader card (a librarian re-links on purpose). Parents'
    links to the child stay."""
    await session.execute(
        delete(Role).where(Role.role == RoleName.READER, Role.reader_id == reader_id)
    )


async def card_is_linked(session: AsyncSession, reader_id: int) -> bool:
    found = await session.scalar(
        select(Role.id).where(Role.role == RoleName.READER, Role.reader_id == reader_id).limit(1)
    )
    return found is not None


async def mark_unreachable(session: AsyncSession, messenger: Messenger, external_id: str) -> None:
    """The person blocked the bot: nothing is sent to this account until they write again
    (`touch_account` makes it reachable on their next message)."""
    await session.execute(
        update(Account)
        .where(Account.messenger == messenger, Account.external_id == external_id)
        .values(unreachable=True)
    )


# A reader who left the school --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Erasure:
    """What removing a reader did; `loans_out` > 0: books still on loan, nothing was changed."""

    loans_out: int = 0
    holds_cancelled: int = 0
    accounts_unlinked: int = 0
    parents_unlinked: int = 0
    notices_dropped: int = 0
    questions_erased: int = 0
    projects_left: int = 0
    works_erased: int = 0
    records_removed: int = 0
    e_loans_ended: int = 0


async def open_loans_count(session: AsyncSession, reader_id: int) -> int:
    return (
        await session.scalar(
            select(func.count())
            .select_from(Loan)
            .where(Loan.reader_id == reader_id, Loan.returned_at.is_(None))
        )
        or 0
    )


async def erase_reader(c: Circulation, reader_id: int, placeholder: str) -> Erasure:
    """Remove a reader who left the school (152-FZ: personal data is not kept past its purpose).

    Refused while books are on loan. Otherwise the card keeps its number and its loans (with
    its id, for the counts and reports) and loses everything personal: the name becomes
    `placeholder`, birth year, gender, class, block reason and reading history go; open holds
    are cancelled, the card's messenger accounts and parents are unlinked, unused link codes
    deleted, notices about the reader dropped from the outbox, and the questions the reader
    and their parents asked the librarian erased (db.questions.forget_questions). The reader
    leaves their reading projects (memberships, books marked read, works with their texts,
    links and files, and the e-library records made of them all go: _forget_projects); e-book
    loans are kept like loans, the open ones ended (_end_e_loans). The card stays blocked, so
    nothing is issued to it again. Audited by ids only."""
    reader = await locked_reader(c.session, reader_id)
    require_librarian(c.actor, reader.library_id, "reader.erase")
    loans_out = await open_loans_count(c.session, reader.id)
    if loans_out:
        return Erasure(loans_out=loans_out)
    session = c.session

    active = list(
        await session.scalars(
            select(Hold.id).where(
                Hold.reader_id == reader.id, Hold.status.in_(ACTIVE_HOLD_STATUSES)
            )
        )
    )
    for hold_id in active:
        await cancel_hold(c, hold_id)
    hold_ids = list(await session.scalars(select(Hold.id).where(Hold.reader_id == reader.id)))
    questions = await forget_questions(session, reader)  # and their notices
    projects = await _forget_projects(session, reader.id)
    e_loans = await _end_e_loans(session, reader.id, c.now)

    about_reader = OutboxMessage.payload["reader_id"].as_integer() == reader.id
    dropped = (await session.execute(delete(OutboxMessage).where(about_reader))).rowcount or 0
    for hold_id in hold_ids:  # librarians' notices of the reader's requests carry the name
        result = await session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.kind.like("hold.%"),
                OutboxMessage.dedupe_key.like(f"hold.%:{hold_id}:p%"),
            )
        )
        dropped += result.rowcount or 0
    if projects.works:  # a reviewer's notice of a work names its author
        about_work = OutboxMessage.payload["work_id"].as_integer().in_(projects.works)
        dropped += (await session.execute(delete(OutboxMessage).where(about_work))).rowcount or 0

    own = set(
        await session.scalars(
            select(Role.person_id).where(Role.role == RoleName.READER, Role.reader_id == reader.id)
        )
    )
    accounts = 0
    if own:
        accounts = (
            await session.scalar(
                select(func.count()).select_from(Account).where(Account.person_id.in_(own))
            )
            or 0
        )
    await unlink_card(session, reader.id)

    parents = set(
        await session.scalars(
            select(GuardianLink.parent_person_id).where(GuardianLink.reader_id == reader.id)
        )
    )
    await session.execute(delete(GuardianLink).where(GuardianLink.reader_id == reader.id))
    for parent_id in parents:  # a parent of no child any more is a parent no more
        other_child = await session.scalar(
            select(GuardianLink.id).where(GuardianLink.parent_person_id == parent_id).limit(1)
        )
        if other_child is None:
            await session.execute(
                delete(Role).where(Role.person_id == parent_id, Role.role == RoleName.PARENT)
            )
    for person_id in own | parents:  # nothing left to call them by
        if await session.scalar(select(Role.id).where(Role.person_id == person_id).limit(1)):
            continue
        await session.execute(
            update(Person).where(Person.id == person_id).values(display_name=None)
        )

    await session.execute(
        delete(LinkCode).where(LinkCode.reader_id == reader.id, LinkCode.used_at.is_(None))
    )

    reader.full_name = placeholder
    reader.birth_year = None
    reader.gender = None
    reader.class_name = None
    reader.blocked = True
    reader.blocked_reason = None
    reader.history_opt_in = False
    reader.history_since = None
    reader.erased_at = c.now
    c.audit(
        "reader.erase",
        reader.library_id,
        "reader",
        reader.id,
        holds=len(active),
        accounts=accounts,
        parents=len(parents),
        notices=dropped,
        questions=questions,
        projects=projects.memberships,
        works=len(projects.works),
        records=projects.records,
        e_loans=e_loans,
    )
    return Erasure(
        holds_cancelled=len(active),
        accounts_unlinked=accounts,
        parents_unlinked=len(parents),
        notices_dropped=dropped,
        questions_erased=questions,
        projects_left=projects.memberships,
        works_erased=len(projects.works),
        records_removed=projects.records,
        e_loans_ended=e_loans,
    )


@dataclass(frozen=True, slots=True)
class _ProjectsForgotten:
    memberships: int
    works: list[int]
    records: int


async def _forget_projects(session: AsyncSession, reader_id: int) -> _ProjectsForgotten:
    """A child's works are their personal data: their texts, photos, links and titles, and
    their e-library records («Мария С., 7Б») go with them, the stored files too; the reader
    leaves every project, with the books marked read (a leaderboard or a certificate would
    otherwise carry the erased card). Nothing of it is a count the law asks to keep."""
    works = (
        await session.execute(
            select(ProjectWork.id, ProjectWork.file_id, ProjectWork.record_id).where(
                ProjectWork.reader_id == reader_id
            )
        )
    ).all()
    made_of_works = [w.record_id for w in works if w.record_id is not None]
    records = (
        await session.execute(
            select(Record.id, Record.file_id).where(
                (Record.author_reader_id == reader_id) | Record.id.in_(made_of_works)
            )
        )
    ).all()
    files = {w.file_id for w in works if w.file_id} | {r.file_id for r in records if r.file_id}
    for record in records:
        await remove_from_elibrary(session, record.id)
    work_ids = [w.id for w in works]
    await session.execute(delete(ProjectWork).where(ProjectWork.reader_id == reader_id))
    if files:
        await session.execute(delete(StoredFile).where(StoredFile.id.in_(files)))
    await session.execute(delete(ProjectRead).where(ProjectRead.reader_id == reader_id))
    left = await session.execute(delete(ProjectMember).where(ProjectMember.reader_id == reader_id))
    return _ProjectsForgotten(left.rowcount or 0, work_ids, len(records))


async def _end_e_loans(session: AsyncSession, reader_id: int, now: datetime) -> int:
    """E-book loans stay for the counts, like loans (the card no longer names anyone); access
    asked for is refused, access granted ends now."""
    asked = await session.execute(
        update(ELoan)
        .where(ELoan.reader_id == reader_id, ELoan.status == "asked")
        .values(status="refused")
    )
    granted = await session.execute(
        update(ELoan)
        .where(ELoan.reader_id == reader_id, ELoan.status == "granted")
        .values(status="ended", ends_at=now)
    )
    return (asked.rowcount or 0) + (granted.rowcount or 0)


# Where notices go ---------------------------------------------------------------------------


async def messengers_of(session: AsyncSession, person_id: int) -> list[Messenger]:
    """The messengers a person has an account on, in a stable order."""
    found = set(
        await session.scalars(select(Account.messenger).where(Account.person_id == person_id))
    )
    return [m for m in Messenger if m in found]


async def choose_notice_messenger(
    session: AsyncSession, person_id: int, messenger: Messenger | None
) -> None:
    """Notices go to this messenger only (None: to every messenger the person uses). The outbox
    still falls back to the others while the chosen one has no reachable account."""
    await session.execute(update(Person).where(Person.id == person_id).values(notify_via=messenger))
