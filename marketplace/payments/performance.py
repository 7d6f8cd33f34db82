"""Payment performance for a reporting period, as the payments compliance notice reports it: computed from the
invoices view's rows of the period (those paid in it, those received in it), so it equals a recomputation from
the events (tests/test_payments_properties.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from domain.payments.compliance import Paid, Performance, performance, reporting_period
from projections.payments.invoices import paid_between, received_between


def payment_performance(session: Session, buyer: str, day: date) -> Performance:
    """The council's figures for the six-month period `day` falls in."""
    start, end = reporting_period(day)
    paid = [Paid(r["days_to_pay"], r["days_late"], r["sooner"]) for r in paid_between(session, buyer, start, end)]
    received = [row["paid_on"] for row in received_between(session, buyer, start, end)]
    return performance(start, end, paid, received)
