"""A report's contents, gathered in one place for the chat, the CLI and the weekly digest.

Nothing is counted here: every figure comes from db.indicators (readers, visits, loans, the
ratios, loans by month, the most wanted titles, the overdue and the textbook coverage by class)
and db.fund (ОО-2 section 2.6 and the summary register), whose docstrings say what each counts.
This module only picks the periods and puts the results side by side:

- the period asked for (local days, both ends included);
- loans by month over the twelve months that end with the period (a short period's chart
  still shows the year's rhythm);
- the overdue at the moment of the report, the textbook coverage at the end of the period;
- ОО-2 and the summary register for the calendar year the period ends in.

A network's report is the same figures per school and the total (db.indicators
`network_indicators`): counts and school names only, never a reader.

A report asked for in chat is not gathered in the event that asked: `request_report` queues
it in the outbox, which gathers and draws it when it sends it (jobs/reports.py
`compose_report`), outside the event's write transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from uuid import uuid4

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import AccessDenied, Actor, require_admin, require_librarian
from db.audit import audit
from db.dialect import insert_ignore
from db.enums import Priority, RoleName
from db.fund import Oo2Row, SummaryRegister, oo2_section, summary_register
from db.indicators import (
    ClassOverdue,
    Coverage,
    Indicators,
    MonthLoans,
    SchoolIndicators,
    Wanted,
    indicators,
    monthly_loans,
    most_wanted,
    network_indicators,
    overdue_by_class,
    textbook_coverage,
)
from db.models import Library, Network, ReportDigest, Role
from db.outbox import COMPOSE, REPLY_TO, STILL, notify

CHART_MONTHS = 12


@dataclass(frozen=True, slots=True)
class LibraryReport:
    """One library's report for a period."""

    library_name: str
    library_short: str
    start: date
    end: date
    figures: Indicators
    months: list[MonthLoans]
    wanted: list[Wanted]
    overdue: list[ClassOverdue]
    coverage: list[Coverage]
    oo2: list[Oo2Row] | None = None
    register: SummaryRegister | None = None

    @property
    def overdue_loans(self) -> int:
        return sum(row.loans for row in self.overdue)


@dataclass(frozen=True, slots=True)
class NetworkReport:
    """The network's figures for a period: per school, then the total (the last row)."""

    network_name: str
    start: date
    end: date
    schools: list[SchoolIndicators]
    months: list[MonthLoans]  # the network's loans by month (the schools' summed)

    @property
    def total(self) -> Indicators:
        return self.schools[-1].figures


def chart_start(start: date, end: date) -> date:
    """The first day of the chart of loans by month: the period's start, or earlier, so that
    the chart covers the twelve months ending with the period's month."""
    month = end.replace(day=1)
    for _ in range(CHART_MONTHS - 1):
        month = (month - timedelta(days=1)).replace(day=1)
    return min(start, month)


async def library_report(
    session: AsyncSession,
    library_id: int,
    start: date,
    end: date,
    now: datetime,
    *,
    forms: bool = True,
) -> LibraryReport:
    """The library's report for its local days start..end; `forms`: with ОО-2 and the summary
    register of the year the period ends in."""
    library = await session.get(Library, library_id)
    if library is None:
        raise LookupError(f"no library {library_id}")
    return LibraryReport(
        library_name=library.name,
        library_short=library.short_name,
        start=start,
        end=end,
        figures=await indicators(session, library_id, start, end),
        months=await monthly_loans(session, library_id, chart_start(start, end), end),
        wanted=await most_wanted(session, library_id, start, end),
        overdue=await overdue_by_class(session, library_id, now),
        coverage=await textbook_coverage(session, library_id, end),
        oo2=await oo2_section(session, library_id, end.year) if forms else None,
        register=await summary_register(session, library_id, end.year) if forms else None,
    )


async def network_report(
    session: AsyncSession, network_id: int, start: date, end: date
) -> NetworkReport:
    """The network's report: each school's figures and the total, and the loans by month of
    all its schools together."""
    network = await session.get(Network, network_id)
    if network is None:
        raise LookupError(f"no network {network_id}")
    schools = await network_indicators(session, network_id, start, end)
    months: dict[date, int] = {}
    for library_id in await session.scalars(
        select(Library.id).where(Library.network_id == network_id).order_by(Library.id)
    ):
        for row in await monthly_loans(session, library_id, chart_start(start, end), end):
            months[row.month] = months.get(row.month, 0) + row.loans
    return NetworkReport(
        network.name,
        start,
        end,
        schools,
        [MonthLoans(month, n) for month, n in sorted(months.items())],
    )


class ClassCoverage(NamedTuple):
    class_name: str
    share: float  # of all (student, textbook of the set) pairs, those where the student has it
    missing: int  # textbooks of the class's set that no student of the class has


def coverage_by_class(rows: list[Coverage]) -> list[ClassCoverage]:
    """One share per class for the chart — Σ holding ÷ Σ students over the class's textbooks —
    and how many of its textbooks nobody in the class has, which an average alone would hide
    (db.indicators `textbook_coverage` has the rows)."""
    held: dict[str, list[int]] = {}
    for row in rows:
        pair = held.setdefault(row.class_name, [0, 0, 0])
        pair[0] += row.holding
        pair[1] += row.students
        pair[2] += row.holding == 0
    return [ClassCoverage(name, h / n if n else 0.0, m) for name, (h, n, m) in held.items()]


# A report asked for in chat -----------------------------------------------------------------

REPORT_KIND = "report"  # the outbox kind (and the COMPOSE maker) of a report asked for in chat


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """What the outbox is to gather and draw: one library's report, or one network's."""

    start: date
    end: date
    library_id: int | None = None
    network_id: int | None = None

    def __post_init__(self) -> None:
        if (self.library_id is None) == (self.network_id is None):
            raise ValueError("a report is of a library or of a network")

    def payload(self) -> dict[str, Any]:
        return {
            "kind": REPORT_KIND,
            "library": self.library_id,
            "network": self.network_id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ReportRequest:
        return cls(
            date.fromisoformat(payload["start"]),
            date.fromisoformat(payload["end"]),
            payload.get("library"),
            payload.get("network"),
        )


async def request_report(
    session: AsyncSession,
    actor: Actor,
    request: ReportRequest,
    text: str,
    now: datetime,
) -> None:
    """Queue the report for the outbox to gather, draw and send at once (Priority.REPLY) to the
    account that asked, the progress reply having told them it is coming. Only the library's
    librarian, or the network's methodologist, may ask; the row says so again for its sending
    (db.outbox STILL «staff»), so a role taken away in between leaves nothing sent. `text`
    stands in for the report until it is drawn. A row per request: asking twice, one gets two."""
    if request.library_id is not None:
        require_librarian(actor, request.library_id, "report.library")
        staff = {"person": actor.person_id, "library": request.library_id}
    else:
        assert request.network_id is not None
        require_admin(actor, request.network_id, "report.network")
        staff = {"person": actor.person_id, "network": request.network_id}
    # A librarian or a methodologist is a person, and asked from an account.
    assert actor.person_id is not None and actor.account_id is not None
    await notify(
        session,
        actor.person_id,
        REPORT_KIND,
        text,
        f"{REPORT_KIND}:a{actor.account_id}:{uuid4().hex}",
        not_before=now,
        payload={REPLY_TO: actor.account_id, STILL: {"staff": staff}, COMPOSE: request.payload()},
        priority=Priority.REPLY,
    )


# The weekly digest -------------------------------------------------------------------------


async def weekly_digest_on(session: AsyncSession, person_id: int) -> bool:
    """Whether the person asked for the weekly digest."""
    return await session.get(ReportDigest, person_id) is not None


async def set_weekly_digest(session: AsyncSession, actor: Actor, on: bool, now: datetime) -> None:
    """Ask for the weekly digest or stop it: a librarian (for their school) or a network's
    methodologist only; audited."""
    if actor.person_id is None or not (actor.librarian_of or actor.admin_of):
        raise AccessDenied("report.weekly")
    if on:
        values = {"person_id": actor.person_id, "since": now}
        await insert_ignore(session, ReportDigest, values, ["person_id"])
    else:
        await session.execute(delete(ReportDigest).where(ReportDigest.person_id == actor.person_id))
    audit(session, actor, "report.weekly", on=on)


@dataclass(frozen=True, slots=True)
class DigestReader:
    """Someone who gets the weekly digest, and of what: their school's (the first library they
    are a librarian of) or, for a methodologist who is no librarian, their network's."""

    person_id: int
    library_id: int | None
    network_id: int | None


async def digest_readers(session: AsyncSession) -> list[DigestReader]:
    """Everyone subscribed who still is a librarian or a methodologist (a role taken away
    ends the digest without a word)."""
    rows = await session.execute(
        select(ReportDigest.person_id, Role.role, Role.library_id, Role.network_id)
        .join(Role, Role.person_id == ReportDigest.person_id)
        .where(Role.role.in_((RoleName.LIBRARIAN, RoleName.ADMIN)))
        .order_by(ReportDigest.person_id, Role.id)
    )
    found: dict[int, DigestReader] = {}
    for person_id, role, library_id, network_id in rows:
        known = found.get(person_id)
        if role == RoleName.LIBRARIAN and library_id is not None:
            if known is None or known.library_id is None:
                found[person_id] = DigestReader(person_id, library_id, None)
        elif role == RoleName.ADMIN and network_id is not None and known is None:
            found[person_id] = DigestReader(person_id, None, network_id)
    return list(found.values())
