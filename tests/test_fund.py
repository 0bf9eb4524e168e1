"""The fund's accounting: receipts and write-offs (through db/fund.py and from chat), and every
figure of the fund at a date, ОО-2 section 2.6 and the summary register equal to an
independent count: raw SQL over items, receipts and acts, each copy's kind read in Python."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from functools import partial
from types import SimpleNamespace
from typing import Any, cast

import pytest
from sqlalchemy import Date, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import AccessDenied, Actor
from db.engine import Database
from db.enums import (
    AuditOutcome,
    FundKind,
    ItemStatus,
    Medium,
    ReceiptSource,
    RecordKind,
    WriteOffReason,
)
from db.errors import Refused
from db.fund import (
    Fund,
    copies_by_numbers,
    fund_at,
    fund_kind_of,
    medium_of,
    oo2_section,
    record_import,
    record_receipt,
    record_write_off,
    summary_register,
    typed_numbers,
    typed_replacements,
)
from db.models import AuditEntry, FundReceipt, FundWriteOff, Item, Library, Loan, Record
from messages.i18n import say
from tests.support.chat import ChatFactory
from tests.test_circulation_concurrency import actor_of
from tests.test_cli import _url, cli

LIBRARY = 1
Cell = tuple[FundKind, Medium]


# The kind of a record ------------------------------------------------------------------------


def _record(kind: RecordKind = RecordKind.BOOK, **fields: Any) -> Record:
    values = {"fund_kind": None, "subjects": "", "bbk": None, "medium": Medium.PRINT} | fields
    return cast(Record, SimpleNamespace(kind=kind, **values))


def test_a_records_kind_is_its_own_else_read_from_what_it_is() -> None:
    assert fund_kind_of(_record(RecordKind.TEXTBOOK)) == FundKind.TEXTBOOK
    assert fund_kind_of(_record(RecordKind.PERIODICAL)) == FundKind.OTHER
    assert fund_kind_of(_record(RecordKind.STUDENT_WORK)) == FundKind.OTHER
    assert fund_kind_of(_record(subjects="роман; русская классика")) == FundKind.FICTION
    assert fund_kind_of(_record(subjects="Словари; русский язык")) == FundKind.REFERENCE
    assert fund_kind_of(_record(subjects="школьная энциклопедия")) == FundKind.REFERENCE
    assert fund_kind_of(_record(bbk="81.2Рус-4я21")) == FundKind.REFERENCE
    assert fund_kind_of(_record(fund_kind=FundKind.AID, subjects="словарь")) == FundKind.AID
    electronic = _record(RecordKind.E_RESOURCE)
    assert (fund_kind_of(electronic), medium_of(electronic)) == (FundKind.OTHER, Medium.ELECTRONIC)
    assert medium_of(_record(medium=Medium.AUDIOVISUAL)) == Medium.AUDIOVISUAL


def test_numbers_are_typed_with_ranges_and_replacements() -> None:
    assert typed_numbers("1001–1003, 1010;1012  1013 - 1014") == [
        "1001", "1002", "1003", "1010", "1012", "1013", "1014",
    ]  # fmt: skip
    assert typed_numbers("007-009") == ["007", "008", "009"]
    with pytest.raises(Refused) as backwards:
        typed_numbers("1040-1001")
    assert backwards.value.key == "fund_bad_range"
    rest, pairs = typed_replacements("1005 взамен: 2001, 1006, 1007 → 2002")
    assert pairs == [("1005", "2001"), ("1007", "2002")]
    assert typed_numbers(rest) == ["1005", "1006", "1007"]


# Seeded figures against independent counts ---------------------------------------------------


async def _new_record(session: AsyncSession, title: str, **fields: Any) -> Record:
    record = Record(title=title, dedupe_key=f"test:{title}", **fields)
    session.add(record)
    await session.flush()
    return record


async def _new_copies(session: AsyncSession, record: Record, numbers: range) -> list[int]:
    items = [
        Item(record_id=record.id, library_id=LIBRARY, inventory_number=str(n)) for n in numbers
    ]
    session.add_all(items)
    await session.flush()
    return [i.id for i in items]


async def _ids(session: AsyncSession, typed: str) -> list[int]:
    return [i.id for i in await copies_by_numbers(session, LIBRARY, typed_numbers(typed))]


async def _seed(db: Database) -> dict[str, int]:
    """Copies of every kind and medium, three receipts, the old catalog imported, three acts
    (one of a lost copy replaced, one of a copy on loan); some facts for the assertions."""
    async with db.transaction() as session:
        actor = await actor_of(session, "librarian")
        textbook = await _new_record(session, "Алгебра 7", kind=RecordKind.TEXTBOOK)
        dictionary = await _new_record(session, "Толковый словарь", subjects="словари")
        audio = await _new_record(session, "Аудиокнига", medium=Medium.AUDIOVISUAL)
        online = await _new_record(session, "Онлайн-курс", kind=RecordKind.E_RESOURCE)
        aid = await _new_record(session, "Прописи", fund_kind=FundKind.AID)
        novel = await _new_record(session, "Новый роман", subjects="роман")
        await _new_copies(session, textbook, range(90001, 90007))
        await _new_copies(session, dictionary, range(90007, 90010))
        await _new_copies(session, audio, range(90010, 90012))
        await _new_copies(session, online, range(90012, 90013))
        await _new_copies(session, aid, range(90013, 90016))
        await _new_copies(session, novel, range(90016, 90021))
        receipt = partial(record_receipt, session, actor, LIBRARY)
        await receipt(
            date(2025, 10, 1),
            ReceiptSource.PURCHASE,
            "Накладная 1",
            await _ids(session, "90001-90006 90016-90018"),
        )
        await receipt(
            date(2026, 2, 3), ReceiptSource.GIFT, "Дар", await _ids(session, "90007–90012")
        )
        await receipt(
            date(2026, 9, 12),
            ReceiptSource.TRANSFER,
            "Письмо 7",
            await _ids(session, "90013-90015, 90019"),
        )
        imported = await record_import(session, LIBRARY, date(2025, 9, 1))
        assert imported is not None and imported.copies >= 1  # 90020, and any old copy
        await record_import(session, 2, date(2025, 9, 1))  # another school's: not counted
        replacing = await _new_copies(session, novel, range(90021, 90022))
        on_loan = await session.scalar(
            select(Item.id)
            .join(FundReceipt, FundReceipt.id == Item.receipt_id)
            .where(
                Item.library_id == LIBRARY,
                Item.status == ItemStatus.ON_LOAN,
                Item.write_off_id.is_(None),
                FundReceipt.received_on <= date(2026, 10, 1),
            )
            .order_by(Item.id)
            .limit(1)
        )
        assert on_loan is not None
        act = partial(record_write_off, session, actor, LIBRARY)
        await act(date(2025, 12, 20), WriteOffReason.WORN, "Акт 1", await _ids(session, "90016"))
        await act(
            date(2026, 5, 15),
            WriteOffReason.OUTDATED,
            "Акт 2",
            await _ids(session, "90001 90002 90007"),
        )
        lost = await _ids(session, "90017")
        done = await act(
            date(2026, 10, 1),
            WriteOffReason.LOST,
            "Акт 3",
            [*lost, on_loan],
            {lost[0]: replacing[0]},
        )
        assert (done.copies, done.loans_closed, done.replaced) == (2, 1, 1)
        assert done.replacement is not None
        assert done.replacement.source == ReceiptSource.REPLACEMENT
        return {"on_loan": on_loan, "lost": lost[0], "replacing": replacing[0]}


COPIES = text(
    """
    select i.id, rec.kind, rec.fund_kind, rec.subjects, rec.bbk, rec.medium,
           r.received_on, w.act_on
    from items i
    join records rec on rec.id = i.record_id
    join fund_receipts r on r.id = i.receipt_id
    left join fund_write_offs w on w.id = i.write_off_id
    where i.library_id = :library
    """
).columns(received_on=Date, act_on=Date)
HELD = text(
    """
    select count(*) from items i
    join fund_receipts r on r.id = i.receipt_id
    left join fund_write_offs w on w.id = i.write_off_id
    where i.library_id = :library and r.received_on <= :d and (w.id is null or w.act_on > :d)
    """
)


class Independent:
    """The library's received copies as raw rows, counted by hand."""

    def __init__(self, rows: list[Any]) -> None:
        self.rows = []
        for _, kind, fund_kind, subjects, bbk, medium, received_on, act_on in rows:
            record = _record(
                RecordKind(kind),
                fund_kind=FundKind(fund_kind) if fund_kind else None,
                subjects=subjects or "",
                bbk=bbk,
                medium=Medium(medium),
            )
            cell = (fund_kind_of(record), medium_of(record))
            self.rows.append((cell, received_on, act_on))

    def _count(self, keep: Any, textbooks: bool) -> Counter[Cell]:
        return Counter(
            cell
            for cell, received_on, act_on in self.rows
            if keep(received_on, act_on) and (textbooks or cell[0] != FundKind.TEXTBOOK)
        )

    def held(self, d: date, textbooks: bool = True) -> Counter[Cell]:
        return self._count(lambda r, w: r <= d and (w is None or w > d), textbooks)

    def received(self, a: date, b: date, textbooks: bool = True) -> Counter[Cell]:
        return self._count(lambda r, w: a <= r <= b, textbooks)

    def written_off(self, a: date, b: date, textbooks: bool = True) -> Counter[Cell]:
        return self._count(lambda r, w: w is not None and a <= w <= b, textbooks)


def by_kind(counts: Counter[Cell], kind: FundKind) -> int:
    return sum(n for (k, _), n in counts.items() if k == kind)


def by_medium(counts: Counter[Cell], medium: Medium) -> int:
    return sum(n for (_, m), n in counts.items() if m == medium)


async def test_every_figure_equals_an_independent_count(demo_db: Database) -> None:
    facts = await _seed(demo_db)
    async with demo_db.reading() as session:
        hand = Independent(list(await session.execute(COPIES, {"library": LIBRARY})))
        for d in (
            date(2025, 8, 31),
            date(2025, 9, 1),
            date(2025, 12, 20),
            date(2025, 12, 31),
            date(2026, 2, 3),
            date(2026, 5, 15),
            date(2026, 10, 1),
            date(2026, 11, 16),
        ):
            total = await session.scalar(HELD, {"library": LIBRARY, "d": d})
            fund = await fund_at(session, LIBRARY, d, textbooks=True)
            assert fund.textbooks is True
            assert {c: n for c, n in fund.items() if n} == dict(hand.held(d)), d
            assert fund.total == total
            without = await fund_at(session, LIBRARY, d, textbooks=False)
            assert without.textbooks is False and (FundKind.TEXTBOOK, Medium.PRINT) not in without
            assert {c: n for c, n in without.items() if n} == dict(hand.held(d, False)), d
        # Every kind and medium was seeded: the breakdown is not trivially «all fiction».
        today = hand.held(date(2026, 11, 16))
        assert all(by_kind(today, k) for k in FundKind if k != FundKind.OTHER)
        assert all(by_medium(today, m) for m in Medium)

        for year in (2025, 2026):
            start, end = date(year, 1, 1), date(year, 12, 31)
            received, gone = hand.received(start, end), hand.written_off(start, end)
            held = hand.held(end)
            rows = await oo2_section(session, LIBRARY, year)
            assert len(rows) == 1 + len(FundKind) + len(Medium)
            for row in rows:
                if row.kind is not None:
                    part = partial(by_kind, kind=row.kind)
                elif row.medium is not None:
                    part = partial(by_medium, medium=row.medium)
                else:
                    part = lambda c: sum(c.values())  # noqa: E731
                assert (row.received, row.written_off, row.held) == (
                    part(received),
                    part(gone),
                    part(held),
                ), (year, row)
            await _register_matches(session, hand, year)
        assert (await oo2_section(session, LIBRARY, 2026))[0].received >= 11  # 6 + 4 + 1 ours

        lost = await session.get(Item, facts["lost"])
        replacing = await session.get(Item, facts["replacing"])
        on_loan = await session.get(Item, facts["on_loan"])
        assert lost and replacing and on_loan
        assert lost.status == on_loan.status == ItemStatus.WRITTEN_OFF
        assert replacing.replaces_item_id == lost.id and replacing.receipt_id is not None
        open_loans = await session.scalar(
            select(func.count()).where(Loan.item_id == on_loan.id, Loan.returned_at.is_(None))
        )
        assert open_loans == 0


async def _register_matches(session: AsyncSession, hand: Independent, year: int) -> None:
    start, end = date(year, 1, 1), date(year, 12, 31)
    for textbooks in (True, False):
        register = await summary_register(session, LIBRARY, year, textbooks=textbooks)
        assert register.textbooks is textbooks
        for lines, table, on, key in (
            (register.receipts, "fund_receipts", "received_on", "receipt_id"),
            (register.write_offs, "fund_write_offs", "act_on", "write_off_id"),
        ):
            expected = await session.execute(
                text(
                    # Every document is a line, one of textbooks only too (then 0 without).
                    f"select t.id, t.document, "
                    f"count(case when (:textbooks or rec.kind <> 'textbook') then i.id end) "
                    f"from {table} t "
                    f"left join items i on i.{key} = t.id "
                    f"left join records rec on rec.id = i.record_id "
                    f"where t.library_id = :library and t.{on} between :a and :b "
                    f"group by t.id, t.document order by t.{on}, t.id"
                ),
                {"library": LIBRARY, "a": start, "b": end, "textbooks": textbooks},
            )
            assert [(line.id, line.document, line.total) for line in lines] == [
                tuple(row) for row in expected
            ]
        totals = register.totals()
        day_before = date(year - 1, 12, 31)
        for name, counts in (
            ("start", hand.held(day_before, textbooks)),
            ("received", hand.received(start, end, textbooks)),
            ("written_off", hand.written_off(start, end, textbooks)),
            ("end", hand.held(end, textbooks)),
        ):
            assert totals[name] == {k: by_kind(counts, k) for k in totals[name]}, (year, name)
            assert (FundKind.TEXTBOOK in totals[name]) is textbooks


async def test_refusals_name_the_copies_and_change_nothing(demo_db: Database) -> None:
    async with demo_db.transaction() as session:
        actor = await actor_of(session, "librarian")
        novel = await _new_record(session, "Роман для отказов", subjects="роман")
        ids = await _new_copies(session, novel, range(90101, 90104))
        await record_receipt(
            session, actor, LIBRARY, date(2026, 9, 1), ReceiptSource.GIFT, "", ids[:2]
        )
    refusals = []
    acts = await _count(demo_db, FundWriteOff)
    async with demo_db.transaction() as session:
        actor = await actor_of(session, "librarian")
        receive = partial(record_receipt, session, actor, LIBRARY)
        act = partial(record_write_off, session, actor, LIBRARY)
        worn = WriteOffReason.WORN
        for attempt in (
            receive(date(2026, 9, 2), ReceiptSource.GIFT, "", ids),
            act(date(2026, 9, 2), worn, "", ids),
            act(date(2026, 8, 1), worn, "", ids[:1]),
            act(date(2026, 9, 2), worn, "", ids[:1], {ids[0]: ids[2]}),
            copies_by_numbers(session, LIBRARY, ["90101", "нет-такого"]),
        ):
            with pytest.raises(Refused) as refused:
                await attempt
            refusals.append((refused.value.key, refused.value.params.get("numbers")))
    assert refusals == [
        ("fund_already_received", "90101, 90102"),
        ("fund_not_received", "90103"),
        ("fund_received_later", "90101"),
        ("fund_replace_not_lost", None),
        ("fund_unknown_copies", "нет-такого"),
    ]
    async with demo_db.transaction() as session:
        other = await actor_of(session, "librarian2")
        with pytest.raises(AccessDenied):
            await record_receipt(
                session, other, LIBRARY, date(2026, 9, 2), ReceiptSource.GIFT, "", ids[2:]
            )
    assert await _count(demo_db, FundWriteOff) == acts


async def test_a_copy_on_loan_is_written_off_only_as_lost(demo_db: Database) -> None:
    async with demo_db.transaction() as session:
        actor = await actor_of(session, "librarian")
        await record_import(session, LIBRARY, date(2025, 9, 1))
        item = await session.scalar(
            select(Item).where(Item.library_id == LIBRARY, Item.status == ItemStatus.ON_LOAN)
        )
        assert item is not None
        with pytest.raises(Refused) as refused:
            await record_write_off(
                session, actor, LIBRARY, date(2026, 11, 16), WriteOffReason.WORN, "", [item.id]
            )
        assert refused.value.key == "fund_on_loan"
        assert refused.value.params["numbers"] == item.inventory_number


# From chat -----------------------------------------------------------------------------------


async def _copies_without_receipt(db: Database, numbers: range) -> dict[str, int]:
    async with db.transaction() as session:
        textbook = await _new_record(session, "Учебник для чата", kind=RecordKind.TEXTBOOK)
        novel = await _new_record(session, "Повесть для чата", subjects="повесть")
        ids = await _new_copies(session, textbook, numbers[:3])
        ids += await _new_copies(session, novel, numbers[3:])
        return {str(n): i for n, i in zip(numbers, ids, strict=True)}


async def _audits(db: Database, action: str) -> list[AuditOutcome]:
    """What was audited under the action from chat (an account acted)."""
    async with db.reading() as session:
        return list(
            await session.scalars(
                select(AuditEntry.outcome)
                .where(AuditEntry.action == action, AuditEntry.account_id.is_not(None))
                .order_by(AuditEntry.id)
            )
        )


async def _count(db: Database, model: Any) -> int:
    async with db.reading() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def _fund_today(db: Database, textbooks: bool) -> Fund:
    async with db.reading() as session:
        return await fund_at(session, LIBRARY, date(2026, 11, 16), textbooks=textbooks)


async def test_a_receipt_and_a_write_off_from_chat_end_to_end(
    chat: ChatFactory, demo_db: Database
) -> None:
    ids = await _copies_without_receipt(demo_db, range(91001, 91007))
    before = await _fund_today(demo_db, textbooks=True)
    librarian = chat("librarian")
    await librarian.send("/receipt")
    assert "Какого числа пришли книги?" in librarian.text
    await librarian.send("31.02.2026")
    assert "Не понял дату «31.02.2026»" in librarian.text
    await librarian.send("12.12.2026")
    assert "12 декабря 2026 ещё не наступило" in librarian.text
    await librarian.send("12.09.2026")
    assert "Поступление 12 сентября 2026. Откуда книги?" in librarian.text
    await librarian.press("закупка")
    await librarian.send("Накладная № 15")
    assert "диапазоном «1001–1040»" in librarian.text
    await librarian.send("91001–91003, 91005, 99999")
    assert "нет экземпляра с такими номерами: 99999" in librarian.text
    await librarian.send("91001 – 91003, 91005")  # the step stayed: nothing to type again
    assert "Поступление 12 сентября 2026: закупка, документ: «Накладная № 15»." in librarian.text
    assert "4 экземпляра (учебники — 3, художественная литература — 1)" in librarian.text
    await librarian.press("Записать")
    saved = re.search(
        r"Записано: поступление № (\d+) от 12 сентября 2026, 4 экземпляра\.", (librarian.text)
    )
    assert saved is not None, librarian.text

    async with demo_db.reading() as session:
        receipt = await session.get(FundReceipt, int(saved.group(1)))
        assert receipt is not None
        assert (receipt.received_on, receipt.source, receipt.document) == (
            date(2026, 9, 12),
            ReceiptSource.PURCHASE,
            "Накладная № 15",
        )
        received = await session.scalars(
            select(Item.inventory_number).where(Item.receipt_id == receipt.id)
        )
        assert sorted(received) == ["91001", "91002", "91003", "91005"]
    assert await _audits(demo_db, "fund.receipt") == [AuditOutcome.OK]

    await librarian.send("/receipt сегодня")
    await librarian.press("дар")
    await librarian.send("-")
    await librarian.send("91003 91004")
    assert "Поступление уже записано для экземпляра: 91003" in librarian.text

    await librarian.send("/writeoff")
    await librarian.press("Сегодня")
    assert "Акт от 16 ноября 2026. Причина списания?" in librarian.text
    await librarian.press("утеряны")
    await librarian.send("Акт № 3")
    assert "взамен:" in librarian.text
    await librarian.send("91005 взамен: 91006, 91002")
    assert "Акт списания от 16 ноября 2026: утеряны, документ: «Акт № 3»." in librarian.text
    assert "2 экземпляра (учебники — 1, художественная литература — 1); взамен поступят: 1" in (
        librarian.text
    )
    await librarian.press("Записать")
    saved = re.search(
        r"Записано: акт списания № (\d+) от 16 ноября 2026, 2 экземпляра; взамен поступило: 1",
        librarian.text,
    )
    assert saved is not None, librarian.text
    async with demo_db.reading() as session:
        act = await session.get(FundWriteOff, int(saved.group(1)))
        assert act is not None and act.reason == WriteOffReason.LOST and act.document == "Акт № 3"
        gone = await session.scalars(
            select(Item).where(Item.write_off_id == act.id).order_by(Item.id)
        )
        assert [(i.inventory_number, i.status) for i in gone] == [
            ("91002", ItemStatus.WRITTEN_OFF),
            ("91005", ItemStatus.WRITTEN_OFF),
        ]
        new = await session.get(Item, ids["91006"])
        assert new is not None and new.replaces_item_id == ids["91005"]
        replacement = await session.get(FundReceipt, new.receipt_id)
        assert replacement is not None and replacement.source == ReceiptSource.REPLACEMENT
        assert replacement.received_on == date(2026, 11, 16)
    after = await _fund_today(demo_db, textbooks=True)
    assert after.total == before.total + 3  # 91001, 91003 and the replacing 91006
    assert after.of_kind(FundKind.TEXTBOOK) == before.of_kind(FundKind.TEXTBOOK) + 2
    assert await _audits(demo_db, "fund.write_off") == [AuditOutcome.OK]

    await librarian.send("/fund")
    total = say("{n:#экземпляр|экземпляра|экземпляров}", n=after.total)
    assert f"Фонд библиотеки на 16 ноября 2026: {total}, учебники считаются." in librarian.text
    assert f"• учебники — {after.of_kind(FundKind.TEXTBOOK)}" in librarian.text
    assert f"печатные — {after.of_medium(Medium.PRINT)}" in librarian.text
    assert "Без записи о поступлении:" in librarian.text  # 91004
    await librarian.press("Не считать учебники")
    assert "Теперь учебники в фонде не считаются" in librarian.text
    await librarian.send("/fund")
    without = await _fund_today(demo_db, textbooks=False)
    assert without.total == after.total - after.of_kind(FundKind.TEXTBOOK)
    total = say("{n:#экземпляр|экземпляра|экземпляров}", n=without.total)
    assert f"на 16 ноября 2026: {total}, без учебников." in librarian.text
    await librarian.send("/fund_textbooks да")
    async with demo_db.reading() as session:
        library = await session.get(Library, LIBRARY)
        assert library is not None and library.textbooks_in_fund is True
    assert await _audits(demo_db, "fund.textbooks") == [AuditOutcome.OK, AuditOutcome.OK]


async def test_a_write_off_from_chat_refuses_a_copy_on_loan_unless_lost(
    chat: ChatFactory, demo_db: Database
) -> None:
    async with demo_db.transaction() as session:
        await record_import(session, LIBRARY, date(2025, 9, 1))
        item = await session.scalar(
            select(Item).where(Item.library_id == LIBRARY, Item.status == ItemStatus.ON_LOAN)
        )
        assert item is not None
        number = item.inventory_number
    librarian = chat("librarian")
    await librarian.send("/writeoff 01.11.2026")
    await librarian.press("ветхость")
    await librarian.send("Акт 9")
    await librarian.send(number)
    assert f"{number}: на руках у читателя" in librarian.text
    await librarian.send("/cancel")
    assert "списание не записываем" in librarian.text


async def test_another_schools_librarian_and_a_reader_are_refused(
    chat: ChatFactory, demo_db: Database
) -> None:
    ids = await _copies_without_receipt(demo_db, range(92001, 92004))
    receipts, acts = await _count(demo_db, FundReceipt), await _count(demo_db, FundWriteOff)
    other = chat("librarian2")
    await other.send("/receipt сегодня")
    await other.press("закупка")
    await other.send("-")
    await other.send("92001")  # library 2 has no such copy
    assert "В библиотеке нет экземпляра с такими номерами: 92001" in other.text

    from tests.support.library import forge

    forged = await forge(
        demo_db,
        "librarian2",
        "fund.receipt_save",
        library=LIBRARY,
        day="2026-11-16",
        source="purchase",
        document="x",
        items=list(ids.values()),
    )
    await other.press_token(forged)
    assert other.text == "Это действие вам недоступно."
    forged = await forge(
        demo_db,
        "librarian2",
        "fund.write_off_save",
        library=LIBRARY,
        day="2026-11-16",
        reason="worn",
        document="x",
        items=list(ids.values()),
    )
    await other.press_token(forged)
    assert other.text == "Это действие вам недоступно."

    async with demo_db.reading() as session:
        library = await session.get(Library, LIBRARY)
        assert library is not None
        counted = library.textbooks_in_fund
    student = chat("student")
    await student.send("/receipt")
    assert student.text == "Это действие вам недоступно."
    await student.send("/fund_textbooks нет")
    assert student.text == "Это действие вам недоступно."

    assert await _count(demo_db, FundReceipt) == receipts
    assert await _count(demo_db, FundWriteOff) == acts
    async with demo_db.reading() as session:
        assert (
            await session.scalar(
                select(func.count()).where(Item.id.in_(ids.values()), Item.receipt_id.is_not(None))
            )
            == 0
        )
        library = await session.get(Library, LIBRARY)
        assert library is not None and library.textbooks_in_fund is counted
    assert AuditOutcome.REFUSED in await _audits(demo_db, "fund.receipt")
    assert AuditOutcome.REFUSED in await _audits(demo_db, "fund.write_off")


async def _old_copy(db: Database, library_id: int) -> int:
    """A copy of the library older than the accounting (no receipt); how many such it has."""
    async with db.transaction() as session:
        record = await _new_record(session, f"Старая книга {library_id}", subjects="повесть")
        session.add(Item(record_id=record.id, library_id=library_id, inventory_number="93001"))
        await session.flush()
        return (
            await session.scalar(
                select(func.count()).where(Item.library_id == library_id, Item.receipt_id.is_(None))
            )
            or 0
        )


def test_the_cli_records_the_old_catalog_as_one_import(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    old = asyncio.run(_old_copy(demo_db, 2))
    run = partial(cli, monkeypatch=monkeypatch, capsys=capsys, database=_url(demo_db))
    first = run("fund", "record-import", "--library", "school-2", "--date", "2025-09-01")
    assert first.returncode == 0, first.stderr
    copies = say("{n:#экземпляр|экземпляра|экземпляров}", n=old)
    assert re.search(
        rf"school-2: записано поступление № \d+ от 1 сентября 2025 \(«перенос каталога»\): "
        rf"{copies}\.",
        first.stdout,
    ), first.stdout
    again = run("fund", "record-import", "--library", "school-2", "--date", "2025-09-01")
    assert again.returncode == 0 and "записывать нечего" in again.stdout
    unknown = run("fund", "record-import", "--library", "school-9", "--date", "2025-09-01")
    assert unknown.returncode == 2
    with pytest.raises(SystemExit):
        run("fund", "record-import", "--library", "school-2", "--date", "01.09.2025")


async def test_the_import_receipt_counts_every_copy_without_one(demo_db: Database) -> None:
    old = await _old_copy(demo_db, 2)
    async with demo_db.transaction() as session:
        day_before = await fund_at(session, 2, date(2025, 8, 31), textbooks=True)
        on_the_day = await fund_at(session, 2, date(2025, 9, 1), textbooks=True)
        received = await record_import(session, 2, date(2025, 9, 1), Actor(None, None))
        assert received is not None and received.copies == old
        assert received.receipt.source == ReceiptSource.IMPORT
        after = await fund_at(session, 2, date(2025, 9, 1), textbooks=True)
        assert after.total == on_the_day.total + old
        assert (await fund_at(session, 2, date(2025, 8, 31), textbooks=True)) == day_before
        assert await record_import(session, 2, date(2025, 9, 1)) is None
