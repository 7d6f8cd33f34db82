"""Benchmark 5: does the payables queue cost more as invoices pile up?

Two views of invoices, one of `small` invoices (1,000 by default), one of `large` (100,000), each folded by the
real invoices projection (`projections/payments/invoices.py`) from `Invoice` events made by the domain's own
commands (received, and one in ten flagged late by the clock), in batches as a rebuild folds them. The event store
is left out: the question is the read, not the write.

Each side then answers, in strict alternation so machine noise hits both alike, the council's payables as
`GET /invoices` reads them (the view's query and the presenter): the first page (late invoices first) and a page
a cursor leads to past the late ones (`late_page`: page 20 of 100 at 1,000 invoices is past them too). The target:
each page at 100,000 invoices within 1.5x of the same page at 1,000 (medians).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from api.payments.presenters import invoice_from_row
from bench.common import COUNCIL, SideBySide, Table, fmt, temp_dir
from domain.base import Actor, Context, Role
from domain.payments.invoice import Invoice
from domain.payments.terms import InvoiceLine, InvoiceTerms, Payee, PaymentPolicy
from projections.engine import Envelope, metadata
from projections.payments.invoices import InvoiceViews, payables

TARGET_RATIO = 1.5
PAGE = 100
BATCH = 2000
START = datetime(2026, 7, 1, 9, 0, tzinfo=timezone.utc)


def _payee(n: int) -> Payee:
    supplier = f"GB-CHC-{1_000_000 + n % 5000}"
    return Payee(
        "contract",
        str(uuid4()),
        COUNCIL,
        supplier,
        f"Supplier {n % 5000}",
        n % 3 == 0,
        date(2026, 1, 1),
        date(2028, 1, 1),
    )


def _terms(n: int) -> InvoiceTerms:
    net = Decimal(100 + n % 9000)
    line = InvoiceLine("Services, June", net, Decimal(0))
    return InvoiceTerms(
        f"INV-{n}", date(2026, 6, 30), date(2026, 6, 1), date(2026, 6, 30), [line], net, Decimal(0), net
    )


def fold_invoices(path: Path, count: int) -> Session:
    """A view of `count` invoices, received over 60 days; those overdue a week later flagged late (one in ten)."""
    engine = create_engine(f"sqlite:///{path}")
    metadata.create_all(engine, tables=list(InvoiceViews.tables))
    view, policy, position = InvoiceViews(), PaymentPolicy(), 0
    with Session(engine) as session:
        for first in range(0, count, BATCH):
            batch: list[Envelope] = []
            for n in range(first, min(count, first + BATCH)):
                sender = Actor(f"lead-{n}", _payee(n).supplier, Role.PROVIDER)
                received = START + timedelta(days=n % 60)
                invoice = Invoice.submit(Context(sender, received), _payee(n), _terms(n), policy)
                if n % 10 == 0:
                    invoice.flag_late(Context(Actor("chronograph", "", Role.SYSTEM), received + timedelta(days=45)))
                for event in invoice.collect_events():
                    position += 1
                    batch.append(Envelope(position, event))
            view.apply(session, batch)
            session.commit()
    return Session(engine)


def _first(session: Session) -> Callable[[], object]:
    return lambda: [invoice_from_row(r) for r in payables(session, COUNCIL, None, PAGE)[0]]


def _cursor_past_the_late(session: Session, count: int) -> str | None:
    """A cursor into the queue past every late invoice (they come first)."""
    pages = max(1, count // PAGE // 5)
    cursor = None
    for _ in range(pages):
        _, cursor = payables(session, COUNCIL, cursor, PAGE)
    return cursor


def _later(session: Session, cursor: str | None) -> Callable[[], object]:
    return lambda: [invoice_from_row(r) for r in payables(session, COUNCIL, cursor, PAGE)[0]]


@dataclass
class Result(SideBySide):
    small: int = 0
    large: int = 0

    def table(self) -> Table:
        table = Table(
            f"Payables queue: {fmt(self.large)} invoices against {fmt(self.small)} (medians, ms)",
            ["page", f"{fmt(self.small)} invoices", f"{fmt(self.large)} invoices", "ratio", "verdict"],
        )
        self.rows(table)
        return table

    def as_dict(self) -> dict[str, object]:
        return {"small": self.small, "large": self.large, "ratios": self.ratios(), "met": self.met}


def run(small: int = 1000, large: int = 100_000, reps: int = 200, keep: bool = False) -> Result:
    with temp_dir("payables", keep) as directory:
        few, many = fold_invoices(directory / "small.db", small), fold_invoices(directory / "large.db", large)
        try:
            pages = {
                "first page (late first)": (_first(few), _first(many)),
                "a page past the late ones": (
                    _later(few, _cursor_past_the_late(few, small)),
                    _later(many, _cursor_past_the_late(many, large)),
                ),
            }
            timings: dict[str, dict[str, list[float]]] = {p: {"small": [], "large": []} for p in pages}
            for _ in range(reps):
                for page, sides in pages.items():
                    for side, read in zip(("small", "large"), sides, strict=True):
                        began = time.perf_counter()
                        read()
                        timings[page][side].append(time.perf_counter() - began)
        finally:
            few.close()
            many.close()
    return Result(timings, TARGET_RATIO, small, large)
