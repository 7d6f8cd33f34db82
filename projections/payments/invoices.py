"""Payment requests as the council and its payees read them, one row each with its clock, status and payment: the
payables queue (late first, then by due date: payments only), a payee's own requests (recoveries too: the payee sees
what is asked back of it at once), a record's, and the payment performance figures the payments compliance notice
reports, recomputed from the rows of the period asked for (contracts' invoices only).

A recovery's row reads as a payment's does, the money going the other way: `received_on` the day it was asked,
`due_on` the day it is to be repaid by, `paid_on` and `amount_paid` the day and amount the payee paid it back."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, Index, Integer, Numeric, String, Table, Text, select
from sqlalchemy.orm import Session

from domain.payments.invoice import Direction, Invoice, InvoiceStatus
from domain.payments.terms import Receipt
from projections.aggregate_rows import first_row, own_row, taken
from projections.batch import BatchProjection, Folds, Row, plain
from projections.columns import ids, org_ids, version_columns
from projections.engine import metadata
from projections.pagination import fetch_page, one_row

invoices = Table(
    "invoices",
    metadata,
    *ids("id", key=True),
    Column("record_kind", String(16), nullable=False),  # what it is against: contract | grant
    Column("direction", String(16), nullable=False),  # payment (the council pays) | recovery (it asks money back)
    *ids("record_id"),
    *org_ids("buyer", "supplier"),
    Column("supplier_name", Text, nullable=False),
    Column("sooner", Boolean, nullable=False),  # an SME or VCSE supplier: the council's sooner target applies
    Column("number", String(60), nullable=False),
    Column("invoice_date", Date, nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("lines", JSON, nullable=False),
    Column("net", Numeric(14, 2), nullable=False),
    Column("vat", Numeric(14, 2), nullable=False),
    Column("gross", Numeric(14, 2), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("statutory_due_on", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("outstanding", Boolean, nullable=False),  # not yet paid
    Column("late_order", Integer, nullable=False),  # 0: flagged late (first in the payables queue), 1: not
    Column("verified_lines", JSON, nullable=False),  # outcome lines verified
    Column("dispute", Text),  # the latest dispute's reason, while disputed
    Column("reason", Text),  # a recovery's: why the money is asked back
    Column("validated_by", String(200)),
    Column("approved_by", String(200)),
    Column("paid_on", Date),
    Column("amount_paid", Numeric(14, 2)),
    Column("days_to_pay", Integer),
    Column("days_late", Integer),
    Column("interest", Numeric(14, 2)),
    Column("compensation", Numeric(14, 2)),
    *version_columns(),
    Index("invoices_payables", "buyer", "direction", "outstanding", "late_order", "due_on", "id"),
    Index("invoices_supplier", "supplier", "received_on", "id"),
    Index("invoices_record", "record_id", "received_on", "id"),
    Index("invoices_paid", "buyer", "paid_on"),
    Index("invoices_received", "buyer", "received_on"),
)


def receipt_columns(receipt: Receipt) -> Row:
    """What an invoice's receipt (first, or after a correction) says, as the view's columns."""
    terms = receipt.terms
    return {
        **taken(terms, "number", "invoice_date", "period_start", "period_end", "net", "vat", "gross"),
        "lines": plain(terms.lines),
        **taken(receipt, "received_on", "due_on", "statutory_due_on"),
    }


def _raised(event: Invoice.Received | Invoice.RecoveryRaised, direction: Direction, status: InvoiceStatus) -> Row:
    return {
        "id": str(event.originator_id),
        **taken(event, "record_kind", "record_id", "buyer", "supplier", "supplier_name", "sooner"),
        "direction": direction.value,
        **receipt_columns(event.receipt),
        "status": status.value,
        "outstanding": True,
        "late_order": 1,
        "verified_lines": [],
        "reason": getattr(event, "reason", None),
        **dict.fromkeys(("dispute", "validated_by", "approved_by", "paid_on", "amount_paid", "days_to_pay")),
        **dict.fromkeys(("days_late", "interest", "compensation")),
        "events_folded": 0,
    }


def _received(event: Invoice.Received) -> Row:
    return _raised(event, Direction.PAYMENT, InvoiceStatus.RECEIVED)


def _recovery_raised(event: Invoice.RecoveryRaised) -> Row:
    return _raised(event, Direction.RECOVERY, InvoiceStatus.REQUESTED)


def _recovered(row: Row, event: Invoice.Recovered) -> Row:
    return {
        "status": InvoiceStatus.RECOVERED.value,
        "outstanding": False,
        "paid_on": event.received_on,
        "amount_paid": event.amount,
    }


def _corrected(row: Row, event: Invoice.Corrected) -> Row:
    restarted = {"status": InvoiceStatus.RECEIVED.value, "late_order": 1, "verified_lines": [], "dispute": None}
    return {**receipt_columns(event.receipt), **restarted}


def _paid(row: Row, event: Invoice.Paid) -> Row:
    return {
        "status": InvoiceStatus.PAID.value,
        "outstanding": False,
        "paid_on": event.paid_on,
        "amount_paid": event.amount,
        **taken(event, "days_to_pay", "days_late", "interest", "compensation"),
    }


def _status(status: InvoiceStatus, **more: Any) -> Any:
    def change(row: Row, event: Any) -> Row:
        return {"status": status.value, **{name: pick(event) for name, pick in more.items()}}

    return change


class InvoiceViews(BatchProjection):
    name = "invoices"
    tables = (invoices,)
    own_rows = invoices
    follows = (Invoice,)
    folds: Folds = {
        Invoice.Received: first_row(invoices, _received),
        Invoice.Corrected: own_row(invoices, _corrected),
        Invoice.OutcomeVerified: own_row(
            invoices, lambda row, event: {"verified_lines": sorted({*row["verified_lines"], event.line})}
        ),
        Invoice.Disputed: own_row(invoices, _status(InvoiceStatus.DISPUTED, dispute=lambda e: e.reason)),
        Invoice.Validated: own_row(invoices, _status(InvoiceStatus.VALID, validated_by=lambda e: e.actor.subject)),
        Invoice.Approved: own_row(invoices, _status(InvoiceStatus.APPROVED, approved_by=lambda e: e.actor.subject)),
        Invoice.Paid: own_row(invoices, _paid),
        Invoice.FlaggedLate: own_row(invoices, lambda row, event: {"late_order": 0}),
        Invoice.RecoveryRaised: first_row(invoices, _recovery_raised),
        Invoice.Recovered: own_row(invoices, _recovered),
    }


def find_invoice(session: Session, invoice_id: str) -> Row | None:
    return one_row(session, invoices.c.id, invoice_id)


def payables(session: Session, buyer: str, cursor: str | None, limit: int) -> tuple[list[Row], str | None]:
    """The council's unpaid invoices: those flagged late first, then by due date (money it owes, not money owed to
    it)."""
    t = invoices
    query = select(t).where(t.c.buyer == buyer, t.c.outstanding.is_(True), t.c.direction == Direction.PAYMENT.value)
    return fetch_page(session, query, [t.c.late_order, t.c.due_on, t.c.id], cursor, limit)


def invoices_of(
    session: Session, where: Mapping[str, str], cursor: str | None, limit: int
) -> tuple[list[Row], str | None]:
    """Payment requests as received, by the columns given: a payee's (`supplier`) or a record's (`record_id`: a
    contract's, a grant's), in either direction or the one asked (`direction`)."""
    t = invoices
    query = select(t).where(*(t.c[column] == value for column, value in where.items()))
    return fetch_page(session, query, [t.c.received_on, t.c.id], cursor, limit)


def due_to_flag(session: Session, today: date) -> list[str]:
    """Unpaid invoices past their due date not yet flagged late (a disputed one's clock is stopped)."""
    t = invoices
    running = [s.value for s in (InvoiceStatus.RECEIVED, InvoiceStatus.VALID, InvoiceStatus.APPROVED)]
    query = select(t.c.id).where(t.c.outstanding.is_(True), t.c.late_order == 1, t.c.due_on < today)
    return [row.id for row in session.execute(query.where(t.c.status.in_(running)).order_by(t.c.id))]


def paid_between(session: Session, buyer: str, start: date, end: date) -> list[Row]:
    """The figures of the invoices paid in a period: what the performance report is computed from (contracts'
    invoices: the payments compliance notice reports payments under contracts, not grants)."""
    t = invoices
    columns = (t.c.days_to_pay, t.c.days_late, t.c.sooner)
    query = select(*columns).where(t.c.buyer == buyer, t.c.record_kind == "contract", t.c.paid_on.between(start, end))
    return [dict(row) for row in session.execute(query).mappings()]


def received_between(session: Session, buyer: str, start: date, end: date) -> list[Row]:
    t = invoices
    query = select(t.c.paid_on).where(t.c.buyer == buyer, t.c.record_kind == "contract")
    query = query.where(t.c.received_on.between(start, end))
    return [dict(row) for row in session.execute(query).mappings()]
