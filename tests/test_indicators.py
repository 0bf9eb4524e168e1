"""The library's figures on seeded circulation: books issued, returned, renewed and picked up
through the circulation functions on four days after the demo's «today», events recorded, and
then every figure of db.indicators equal to a count written here in plain SQL, and to the number
the story gives. A reader's day at the desk counts once; the methodologist sees no names."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, bindparam, exists, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import Actor, Card, load_actor
from db.circulation import Circulation
from db.engine import Database
from db.enums import AuditOutcome, HoldStatus, ItemStatus, Messenger, RecordKind
from db.fund import record_import
from db.holds import approve_hold, place_hold
from db.indicators import (
    indicators,
    monthly_loans,
    most_wanted,
    network_indicators,
    overdue_by_class,
    record_event,
    textbook_coverage,
)
from db.loans import issue, issue_from_hold, renew, return_copy
from db.models import (
    Account,
    AuditEntry,
    DeskVisit,
    Hold,
    Item,
    Library,
    LibraryEvent,
    Loan,
    Reader,
    Record,
)
from db.types import UTCDateTime
from messages.indicators import explained, formula
from tests.support.chat import ChatFactory
from tests.support.clock import Clock
from tests.support.library import forge

CLASS = "7Б"
ALGEBRA = "Алгебра. 7 класс"
START, END = date(2026, 11, 17), date(2026, 11, 20)  # Moscow days: UTC+3 all year
# The demo's year of history has its own visits and events: the story's come after them.
AFTER_HISTORY = DeskVisit.visited_on >= START
LATELY = LibraryEvent.held_on >= date(2026, 11, 1)
SINCE = datetime(2026, 11, 16, 21, tzinfo=UTC)  # 17 November 00:00 in Moscow
UNTIL = datetime(2026, 11, 20, 21, tzinfo=UTC)  # 21 November 00:00 in Moscow


# Plain SQL, written apart from db.indicators -----------------------------------------------


def _typed(sql: str) -> Any:
    """A statement whose :since/:until/:at are UTC moments and :s/:e dates, on both backends."""
    statement = text(sql)
    names = {"since", "until", "at", "s", "e"} & set(statement.compile().params)
    types = {"since": UTCDateTime(), "until": UTCDateTime(), "at": UTCDateTime()}
    return statement.bindparams(
        *(bindparam(name, type_=types.get(name, Date())) for name in sorted(names))
    )


async def _count(session: AsyncSession, sql: str, **params: Any) -> int:
    return int(await session.scalar(_typed(sql), params) or 0)


READERS_SQL = """
    SELECT count(*) FROM readers r WHERE r.library_id = :l AND (
      EXISTS (SELECT 1 FROM desk_visits v WHERE v.reader_id = r.id AND v.library_id = :l
              AND v.visited_on >= :s AND v.visited_on <= :e)
      OR EXISTS (SELECT 1 FROM loans o WHERE o.reader_id = r.id AND o.library_id = :l
              AND o.issued_at >= :since AND o.issued_at < :until))"""
DESK_SQL = """SELECT count(*) FROM desk_visits WHERE library_id = :l
              AND visited_on >= :s AND visited_on <= :e"""
EVENTS_SQL = """SELECT coalesce(sum(visitors), 0) FROM library_events WHERE library_id = :l
                AND held_on >= :s AND held_on <= :e"""
LOANS_SQL = """SELECT count(*) FROM loans WHERE library_id = :l
               AND issued_at >= :since AND issued_at < :until"""
FUND_SQL = """
    SELECT count(*) FROM items i
      JOIN fund_receipts fr ON fr.id = i.receipt_id
      LEFT JOIN fund_write_offs w ON w.id = i.write_off_id
      JOIN records rec ON rec.id = i.record_id
    WHERE i.library_id = :l AND fr.received_on <= :e AND (w.id IS NULL OR w.act_on > :e)"""
# A textbook by its fund kind, or with none by its catalog kind (the two spell it alike).
TEXTBOOK = "coalesce(rec.fund_kind, rec.kind) = 'textbook'"
WANTED_SQL = """
    SELECT rec.title, count(*) FROM records rec JOIN (
      SELECT i.record_id AS record_id FROM loans o JOIN items i ON i.id = o.item_id
        WHERE o.library_id = :l AND o.issued_at >= :since AND o.issued_at < :until
      UNION ALL
      SELECT h.record_id FROM holds h
        WHERE h.library_id = :l AND h.created_at >= :since AND h.created_at < :until
    ) asked ON asked.record_id = rec.id WHERE rec.kind <> 'textbook' GROUP BY rec.title"""
OVERDUE_SQL = """
    SELECT r.class_name, count(DISTINCT o.reader_id), count(o.id) FROM loans o
      JOIN readers r ON r.id = o.reader_id
    WHERE o.library_id = :l AND o.returned_at IS NULL AND o.due_at < :at GROUP BY r.class_name"""
STUDENTS_SQL = """SELECT count(*) FROM readers WHERE library_id = :l AND class_name = :c
                  AND category = 'student' AND erased_at IS NULL"""
HOLDING_SQL = """
    SELECT r.class_name, rec.title, count(DISTINCT o.reader_id) FROM loans o
      JOIN items i ON i.id = o.item_id JOIN records rec ON rec.id = i.record_id
      JOIN readers r ON r.id = o.reader_id
    WHERE o.library_id = :l AND r.library_id = :l AND r.category = 'student'
      AND r.class_name IS NOT NULL AND r.erased_at IS NULL
      AND coalesce(rec.fund_kind, rec.kind) = 'textbook'
      AND o.issued_at < :at AND (o.returned_at IS NULL OR o.returned_at >= :at)
    GROUP BY r.class_name, rec.id, rec.title"""


async def sql_figures(session: AsyncSession, library_id: int, s: date, e: date) -> dict[str, int]:
    """The figures of the period counted here, with the period's Moscow bounds as written."""
    since = datetime.combine(s, datetime.min.time(), UTC) - timedelta(hours=3)
    until = datetime.combine(e + timedelta(days=1), datetime.min.time(), UTC) - timedelta(hours=3)
    moments = {"since": since, "until": until}
    library = await session.get(Library, library_id)
    assert library is not None
    fund_sql = FUND_SQL if library.textbooks_in_fund else FUND_SQL + " AND NOT (" + TEXTBOOK + ")"
    return {
        "readers": await _count(session, READERS_SQL, l=library_id, s=s, e=e, **moments),
        "desk_visits": await _count(session, DESK_SQL, l=library_id, s=s, e=e),
        "event_visitors": await _count(session, EVENTS_SQL, l=library_id, s=s, e=e),
        "loans": await _count(session, LOANS_SQL, l=library_id, **moments),
        "fund": await _count(session, fund_sql, l=library_id, e=e),
    }


def counted(figures: Any) -> dict[str, int]:
    names = ("readers", "desk_visits", "event_visitors", "loans", "fund")
    return {name: getattr(figures, name) for name in names}


# The scene ---------------------------------------------------------------------------------


async def _school(session: AsyncSession, code: str = "school-1") -> Library:
    library = await session.scalar(select(Library).where(Library.code == code))
    assert library is not None
    return library


async def _librarian(session: AsyncSession, persona: str = "librarian") -> Actor:
    account = await session.scalar(
        select(Account).where(
            Account.messenger == Messenger.CONSOLE, Account.external_id == persona
        )
    )
    assert account is not None
    return await load_actor(session, account.id, account.person_id)


def _own(reader: Reader, library: Library) -> Actor:
    """The reader acting from their own chat."""
    card = Card(
        reader.id,
        reader.library_id,
        library.short_name,
        reader.card_number,
        reader.full_name,
        reader.class_name,
        reader.birth_year,
    )
    return Actor(account_id=None, person_id=None, cards=(card,))


async def _free_copies(session: AsyncSession, library_id: int, record_id: int) -> list[int]:
    return list(
        await session.scalars(
            select(Item.id)
            .where(
                Item.library_id == library_id,
                Item.record_id == record_id,
                Item.status == ItemStatus.AVAILABLE,
            )
            .order_by(Item.id)
        )
    )


async def _books(session: AsyncSession, library_id: int, n: int) -> list[Record]:
    """n books for every age, each with three free copies at the school and no holds."""
    rows = await session.execute(
        select(Record)
        .join(Item, Item.record_id == Record.id)
        .where(
            Item.library_id == library_id,
            Item.status == ItemStatus.AVAILABLE,
            Record.kind == RecordKind.BOOK,
            func.coalesce(Record.age_mark, 0) <= 6,
        )
        .group_by(Record.id)
        .having(func.count(Item.id) >= 3)
        .order_by(Record.id)
    )
    books = [record for (record,) in rows]
    titles = {book.title for book in books}
    unique = [b for b in books if sum(1 for o in books if o.title == b.title) == 1]
    assert len(unique) >= n and len(titles) >= n
    return unique[:n]


async def _classmates(session: AsyncSession, library_id: int, n: int) -> list[Reader]:
    """n students of 7Б with nothing on loan and no hold (not the student persona)."""
    readers = list(
        await session.scalars(
            select(Reader)
            .where(
                Reader.library_id == library_id,
                Reader.class_name == CLASS,
                Reader.card_number != "1001",
                Reader.blocked.is_(False),
                ~exists().where(Loan.reader_id == Reader.id, Loan.returned_at.is_(None)),
                ~exists().where(Hold.reader_id == Reader.id),
            )
            .order_by(Reader.id)
        )
    )
    assert len(readers) >= n
    return readers[:n]


class Story:
    """Who did what: the readers and books of the seeded days."""

    library_id: int
    network_id: int
    a: Reader
    b: Reader
    c: Reader
    d: Reader
    e: Reader
    f: Reader
    g: Reader
    x: Record
    y: Record
    z: Record
    w: Record
    textbook: Record


async def seed(db: Database, clock: Clock) -> Story:
    """Four days at school-1's desk (Moscow time):

    17.11  A borrows X and brings it back three hours later; B borrows X and Y; G reserves W
           from her chat and the librarian approves it (no visit for G: she was not there).
    18.11  B returns X, and the librarian renews B's Y; C and D take the textbook, D also Z;
           G picks W up from the hold shelf.
    19.11  D renews Z from her own chat (no visit).
           An event: «Встреча с писателем», 45 guests (and events on 16.11 and 21.11, outside).
    20.11  D brings the textbook back; at 23:30 E borrows Y.
    21.11  At 00:30 F borrows X: the next local day, outside the period.
    """
    story = Story()
    async with db.transaction() as session:
        library = await _school(session)
        story.library_id, story.network_id = library.id, library.network_id
        if await session.scalar(
            select(func.count())
            .select_from(Item)
            .where(Item.library_id == library.id, Item.receipt_id.is_(None))
        ):
            await record_import(session, library.id, date(2025, 9, 1))
        story.x, story.y, story.z, story.w = await _books(session, library.id, 4)
        textbook = await session.scalar(select(Record).where(Record.title == ALGEBRA))
        assert textbook is not None
        story.textbook = textbook
        readers = await _classmates(session, library.id, 7)
        story.a, story.b, story.c, story.d, story.e, story.f, story.g = readers

    async def at(moment: datetime, *steps: Any) -> list[Any]:
        clock.now = moment
        done = []
        async with db.transaction() as session:
            librarian = await _librarian(session)
            library = await _school(session)
            for step in steps:
                done.append(await step(session, librarian, library))
        return done

    def lend(reader: Reader, record: Record, nth: int = 0) -> Any:
        async def step(session: AsyncSession, librarian: Actor, library: Library) -> Any:
            item_id = (await _free_copies(session, library.id, record.id))[nth]
            c = Circulation(session, librarian, clock.now)
            return await issue(c, item_id, reader.id, age_confirmed=True)

        return step

    def take_back(loan_holder: list[Any]) -> Any:
        async def step(session: AsyncSession, librarian: Actor, library: Library) -> Any:
            return await return_copy(
                Circulation(session, librarian, clock.now), loan_holder[0].item_id
            )

        return step

    def renewal(loan_holder: list[Any], by_reader: Reader | None = None) -> Any:
        async def step(session: AsyncSession, librarian: Actor, library: Library) -> Any:
            actor = _own(by_reader, library) if by_reader else librarian
            return await renew(Circulation(session, actor, clock.now), loan_holder[0].id)

        return step

    day = datetime(2026, 11, 17, 7, tzinfo=UTC)  # 10:00 in Moscow
    (a_loan,) = await at(day, lend(story.a, story.x))
    await at(day + timedelta(hours=3), take_back([a_loan]))
    b_x, b_y = await at(day + timedelta(hours=4), lend(story.b, story.x), lend(story.b, story.y))

    async def reserve(session: AsyncSession, librarian: Actor, library: Library) -> Any:
        reader = await session.get(Reader, story.g.id)
        assert reader is not None
        hold = await place_hold(
            Circulation(session, _own(reader, library), clock.now), reader.id, story.w.id
        )
        if hold.status == HoldStatus.PENDING:
            hold = await approve_hold(Circulation(session, librarian, clock.now), hold.id)
        assert hold.status == HoldStatus.READY
        return hold

    (hold,) = await at(day + timedelta(hours=5), reserve)

    async def pickup(session: AsyncSession, librarian: Actor, library: Library) -> Any:
        return await issue_from_hold(Circulation(session, librarian, clock.now), hold.id)

    day += timedelta(days=1)
    await at(day, take_back([b_x]), renewal([b_y]))
    _, d_textbook, d_z, _ = await at(
        day + timedelta(hours=1),
        lend(story.c, story.textbook),
        lend(story.d, story.textbook),
        lend(story.d, story.z),
        pickup,
    )

    day += timedelta(days=1)
    await at(day, renewal([d_z], by_reader=story.d))
    await at(day + timedelta(days=1), take_back([d_textbook]))

    async def events(session: AsyncSession, librarian: Actor, library: Library) -> None:
        await record_event(
            session, librarian, library.id, date(2026, 11, 19), "Встреча с писателем", 45
        )
        await record_event(
            session, librarian, library.id, date(2026, 11, 16), "Урок в библиотеке", 7
        )
        await record_event(session, librarian, library.id, date(2026, 11, 21), "Квиз", 10)

    await at(day + timedelta(hours=3), events)
    await at(datetime(2026, 11, 20, 20, 30, tzinfo=UTC), lend(story.e, story.y, nth=0))
    await at(datetime(2026, 11, 20, 21, 30, tzinfo=UTC), lend(story.f, story.x))
    return story


# The tests ---------------------------------------------------------------------------------


async def test_every_figure_equals_its_own_sql_count_and_the_story(
    demo_db: Database, clock: Clock
) -> None:
    story = await seed(demo_db, clock)
    async with demo_db.reading() as session:
        figures = await indicators(session, story.library_id, START, END)
        assert counted(figures) == await sql_figures(session, story.library_id, START, END)
        # A, B, C, D, E, G: F came after midnight, Moscow time.
        assert figures.readers == 6
        # A·17, B·17, B·18 (a return and a renewal: one day), C·18, D·18, G·18, D·20, E·20.
        assert figures.desk_visits == 8
        assert (figures.event_visitors, figures.visits) == (45, 53)
        assert figures.loans == 8  # A, B ×2, C, D ×2, G, E
        assert figures.fund > 0 and figures.textbooks_in_fund is True
        fund = figures.fund
        reading = formula(figures.reading)
        assert reading == "читаемость = выдачи ÷ читатели = 8 ÷ 6 = 1,3"
        assert formula(figures.attendance) == "посещаемость = посещения ÷ читатели = 53 ÷ 6 = 8,8"
        assert formula(figures.supply).startswith(
            f"книгообеспеченность = фонд ÷ читатели = {fund} ÷ 6 = "
        )
        turnover = f"{8 / fund:.2f}".replace(".", ",")
        assert (
            formula(figures.turnover) == f"обращаемость = выдачи ÷ фонд = 8 ÷ {fund} = {turnover}"
        )
        words = "\n".join(explained(figures))
        assert "посещения = дни у стойки + гости мероприятий = 8 + 45 = 53" in words
        assert f"фонд — экземпляры на 20 ноября 2026, учебники в том числе: {fund}" in words
        assert "кто за период хоть раз приходил к стойке" in words

        # A borrowed and returned on one day: one visit.
        visits = list(
            await session.scalars(
                select(DeskVisit.visited_on).where(DeskVisit.reader_id == story.a.id, AFTER_HISTORY)
            )
        )
        assert visits == [date(2026, 11, 17)]
        # D's own renewal from her chat on 19.11 is no visit.
        d_days = set(
            await session.scalars(
                select(DeskVisit.visited_on).where(DeskVisit.reader_id == story.d.id, AFTER_HISTORY)
            )
        )
        assert d_days == {date(2026, 11, 18), date(2026, 11, 20)}
        # F's loan at 00:30 Moscow is a visit of 21 November, not of the UTC date.
        f_days = list(
            await session.scalars(
                select(DeskVisit.visited_on).where(DeskVisit.reader_id == story.f.id, AFTER_HISTORY)
            )
        )
        assert f_days == [date(2026, 11, 21)]

        # The next day alone: F, and the quiz.
        next_day = await indicators(
            session, story.library_id, date(2026, 11, 21), date(2026, 11, 21)
        )
        assert counted(next_day) == await sql_figures(
            session, story.library_id, date(2026, 11, 21), date(2026, 11, 21)
        )
        assert (next_day.readers, next_day.visits, next_day.loans) == (1, 11, 1)

    # Without textbooks in the fund: the textbook copies leave it, and the report says so.
    async with demo_db.transaction() as session:
        (await _school(session)).textbooks_in_fund = False
    async with demo_db.reading() as session:
        without = await indicators(session, story.library_id, START, END)
        assert counted(without) == await sql_figures(session, story.library_id, START, END)
        textbooks = await _count(session, FUND_SQL + " AND " + TEXTBOOK, l=story.library_id, e=END)
        assert textbooks > 0 and without.fund == fund - textbooks
        assert without.textbooks_in_fund is False
        assert f"без учебников: {fund - textbooks}" in "\n".join(explained(without))


async def test_the_tables_for_the_charts_equal_their_sql(demo_db: Database, clock: Clock) -> None:
    story = await seed(demo_db, clock)
    async with demo_db.reading() as session:
        lib = story.library_id
        # Loans by month: November from the 17th holds the eight and F's; December none yet.
        months = await monthly_loans(session, lib, START, date(2026, 12, 5))
        assert months == [(date(2026, 11, 1), 9), (date(2026, 12, 1), 0)]
        year = await monthly_loans(session, lib, date(2025, 12, 1), date(2026, 11, 30))
        assert len(year) == 12 and year[0].month == date(2025, 12, 1)
        for month, n in year:
            last = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            assert n == (await sql_figures(session, lib, month, last))["loans"], month

        # Most wanted: loans and holds placed, by title; textbooks, lent as class sets, apart.
        wanted = await most_wanted(session, lib, START, END)
        moments = {"since": SINCE, "until": UNTIL}
        expected = dict((await session.execute(_typed(WANTED_SQL), {"l": lib, **moments})).all())
        assert dict(wanted) == expected
        assert dict(wanted) == {
            story.x.title: 2,  # A, B (F's is the 21st)
            story.y.title: 2,  # B, E
            story.w.title: 2,  # G's hold and her loan
            story.z.title: 1,
        }
        assert [n for _, n in wanted] == sorted((n for _, n in wanted), reverse=True)
        assert len(await most_wanted(session, lib, START, END, limit=2)) == 2

        # Overdue by class on 10 December: G's, E's and F's books are late by then.
        later = datetime(2026, 12, 10, 9, tzinfo=UTC)
        overdue = await overdue_by_class(session, lib, later)
        rows = (await session.execute(_typed(OVERDUE_SQL), {"l": lib, "at": later})).all()
        assert {tuple(row) for row in overdue} == {tuple(row) for row in rows}
        ours = {r.class_name: r for r in overdue}[CLASS]
        now = {r.class_name: r for r in await overdue_by_class(session, lib, clock.now)}.get(CLASS)
        assert ours.loans >= 3 and (now is None or now.loans < ours.loans)

        # Textbook coverage: C and D on the 18th, only C after D brought hers back.
        for day, holding in ((date(2026, 11, 18), 2), (date(2026, 11, 20), 1)):
            at = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC) - timedelta(
                hours=3
            )
            coverage = await textbook_coverage(session, lib, day)
            rows = (await session.execute(_typed(HOLDING_SQL), {"l": lib, "at": at})).all()
            # The demo declares the 10th and 11th grades' lists: their textbooks nobody has
            # are rows with 0 (tests/test_textbook_sets.py counts those); what anyone has is
            # here, every textbook lent to those grades being on their lists.
            lent = {(r.class_name, r.subject, r.holding) for r in coverage if r.holding}
            assert lent == {tuple(r) for r in rows}
            assert all(r.declared for r in coverage if not r.holding)
            for row in coverage:
                students = await _count(session, STUDENTS_SQL, l=lib, c=row.class_name)
                assert (row.students, row.share) == (students, row.holding / students)
            mine = [r for r in coverage if (r.class_name, r.subject) == (CLASS, ALGEBRA)]
            assert [r.holding for r in mine] == [holding], day


async def test_the_methodologist_sees_each_school_and_the_total_and_no_name(
    demo_db: Database, clock: Clock
) -> None:
    story = await seed(demo_db, clock)
    async with demo_db.reading() as session:
        network = await network_indicators(session, story.network_id, START, END)
        libraries = list(
            await session.scalars(
                select(Library).where(Library.network_id == story.network_id).order_by(Library.id)
            )
        )
        schools, total = network[:-1], network[-1]
        assert [s.library_id for s in schools] == [lib.id for lib in libraries]
        assert [s.school for s in schools] == [lib.short_name for lib in libraries]
        for school in schools:
            assert school.library_id is not None
            assert counted(school.figures) == await sql_figures(
                session, school.library_id, START, END
            )
        assert total.is_total and total.library_id is None and total.school is None
        for name in ("readers", "desk_visits", "event_visitors", "loans", "fund"):
            assert getattr(total.figures, name) == sum(getattr(s.figures, name) for s in schools)
        mine = next(s for s in schools if s.library_id == story.library_id)
        assert (mine.figures.readers, mine.figures.loans) == (6, 8)

        names = list(
            await session.scalars(
                select(Reader.full_name)
                .join(Library, Library.id == Reader.library_id)
                .where(Library.network_id == story.network_id)
            )
        )
        assert len(names) > 100
        shown = repr(network) + "".join(" ".join(explained(s.figures)) for s in network)
        assert story.a.full_name in names
        assert not [name for name in names if name in shown]
        given = {name.split()[-1] for name in names if len(name.split()) > 1}
        assert not [g for g in given if g in shown.split()]


async def test_a_librarian_records_an_event_from_chat_and_may_take_it_back(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    librarian, other, student = chat("librarian"), chat("librarian2"), chat("student")
    await librarian.send("/event 12.11 Встреча с писателем 45")
    assert librarian.text == "🎉 Записано: «Встреча с писателем», 12 ноября 2026, 45 гостей."
    async with demo_db.reading() as session:
        library = await _school(session)
        event = await session.scalar(select(LibraryEvent).order_by(LibraryEvent.id.desc()))
        assert event is not None
        assert (event.library_id, event.held_on, event.title, event.visitors) == (
            library.id, date(2026, 11, 12), "Встреча с писателем", 45,
        )  # fmt: skip
        figures = await indicators(session, library.id, date(2026, 11, 1), date(2026, 11, 16))
        assert figures.event_visitors == 45
        assert counted(figures) == await sql_figures(
            session, library.id, date(2026, 11, 1), date(2026, 11, 16)
        )
        audited = (
            await session.execute(
                select(AuditEntry.action, AuditEntry.outcome, AuditEntry.object_id)
            )
        ).all()
        assert ("event.add", AuditOutcome.OK, event.id) in audited

    # A day still ahead, no number of guests, a number out of reason: said, nothing recorded.
    await librarian.send("/event 20.11.2026 Квиз 10")
    assert librarian.text == "20 ноября ещё не наступило — запишите мероприятие, когда оно пройдёт."
    await librarian.send("/event 12.11 Встреча с писателем")
    assert "Не вижу числа гостей" in librarian.text
    await librarian.send("/event 12.11 Встреча 100000")
    assert librarian.text == "Гостей может быть от 1 до 5000."
    await librarian.send("/event 31.02 Встреча 5")
    assert "Не понял дату «31.02»" in librarian.text
    # «1 гость», the last 30 days listed on /event alone.
    await librarian.send("/event 3.11 Консультация 1 гость")
    assert librarian.text == "🎉 Записано: «Консультация», 3 ноября 2026, 1 гость."
    await librarian.send("/event")
    assert "12 ноября — «Встреча с писателем», 45 гостей" in librarian.text
    assert "3 ноября — «Консультация», 1 гость" in librarian.text

    # Not a student's command; another school's librarian cannot take it back.
    await student.send("/event 12.11 Встреча 30")
    assert "недоступно" in student.text
    await other.press_token(await forge(demo_db, "librarian2", "event.remove", event_id=event.id))
    assert "недоступно" in other.text
    async with demo_db.reading() as session:
        assert await session.scalar(select(func.count()).where(LATELY)) == 2
        refused = await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "event.remove", AuditEntry.outcome == AuditOutcome.REFUSED)
        )
        assert refused == 1

    # The librarian's ↩️ under the first one: gone, and audited.
    await librarian.press_token(
        await forge(demo_db, "librarian", "event.remove", event_id=event.id)
    )
    assert librarian.text == "Запись о мероприятии «Встреча с писателем» (12 ноября) удалена."
    await librarian.press_token(
        await forge(demo_db, "librarian", "event.remove", event_id=event.id)
    )
    assert librarian.text == "Этой записи уже нет."
    async with demo_db.reading() as session:
        titles = list(await session.scalars(select(LibraryEvent.title).where(LATELY)))
        assert titles == ["Консультация"]
        removed = await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "event.remove", AuditEntry.outcome == AuditOutcome.OK)
        )
        assert removed == 1
