"""The payments a quarter's notice of payments over £30,000 lists, read from the invoices view (by the paying
council and the day paid: its `invoices_paid` index)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.notices.content import LARGE_PAYMENT, LargePayment
from projections.payments.invoices import invoices


def large_payments(session: Session, buyer: str, start: date, end: date) -> list[LargePayment]:
    """Each payment of more than £30,000 the council made under a contract between the days, in the order paid."""
    t = invoices
    query = (
        select(t.c.record_id, t.c.supplier, t.c.supplier_name, t.c.id, t.c.amount_paid, t.c.paid_on)
        .where(t.c.buyer == buyer, t.c.record_kind == "contract", t.c.paid_on.between(start, end))
        .where(t.c.amount_paid > LARGE_PAYMENT)
        .order_by(t.c.paid_on, t.c.id)
    )
    return [
        LargePayment(row.record_id, row.supplier, row.supplier_name, row.id, Decimal(row.amount_paid), row.paid_on)
        for row in session.execute(query)
    ]
