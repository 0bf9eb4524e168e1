"""Circulation: what readers have on loan. Issuing, returns and holds come with circulation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Item, Loan, Record


@dataclass(frozen=True, slots=True)
class LoanView:
    loan_id: int
    reader_id: int
    record_id: int
    title: str
    authors: str
    inventory_number: str
    issued_at: datetime
    due_at: datetime
    renewals: int


async def open_loans(session: AsyncSession, reader_ids: Sequence[int]) -> list[LoanView]:
    """Books on the readers' hands, the soonest due first."""
    if not reader_ids:
        return []
    rows = await session.execute(
        select(Loan, Item.inventory_number, Record.id, Record.title, Record.authors)
        .join(Item, Item.id == Loan.item_id)
        .join(Record, Record.id == Item.record_id)
        .where(Loan.reader_id.in_(reader_ids), Loan.returned_at.is_(None))
        .order_by(Loan.due_at, Loan.id)
    )
    return [
        LoanView(
            loan_id=loan.id,
            reader_id=loan.reader_id,
            record_id=record_id,
            title=title,
            authors=authors,
            inventory_number=inventory,
            issued_at=loan.issued_at,
            due_at=loan.due_at,
            renewals=loan.renewals,
        )
        for loan, inventory, record_id, title, authors in rows
    ]
