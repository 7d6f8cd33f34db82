"""How an invoice is shown: from its view row, or from the aggregate (a command's answer, or as it stood)."""

from __future__ import annotations

from typing import Any

from api.payments.bodies import InvoiceView, PerformanceView
from api.rendering import day, day_or_none, pence
from domain.payments.compliance import Performance
from domain.payments.invoice import Invoice
from projections.payments.invoices import receipt_columns

COPIED = (
    *("id", "record_kind", "record_id", "buyer", "supplier", "supplier_name", "number", "status", "dispute"),
    *("direction", "reason", "validated_by", "approved_by", "days_to_pay", "days_late", "version"),
)
PARTIES = ("record_kind", "record_id", "buyer", "supplier", "supplier_name")
PAID = ("days_to_pay", "days_late", "interest", "compensation")
DAYS = ("invoice_date", "period_start", "period_end", "received_on", "due_on", "statutory_due_on")


def _money(value: Any) -> Any:
    return None if value is None else pence(value)


def invoice_from_row(row: dict[str, Any]) -> InvoiceView:
    copied: dict[str, Any] = {name: row[name] for name in COPIED} | {name: day(row[name]) for name in DAYS}
    return InvoiceView(
        **copied,
        lines=row["lines"],
        net=pence(row["net"]),
        vat=pence(row["vat"]),
        gross=pence(row["gross"]),
        sooner_target=row["sooner"],
        late=row["late_order"] == 0,
        verified_lines=list(row["verified_lines"]),
        paid_on=day_or_none(row["paid_on"]),
        amount_paid=_money(row["amount_paid"]),
        interest=_money(row["interest"]),
        compensation=_money(row["compensation"]),
    )


def invoice_from_aggregate(invoice: Invoice) -> InvoiceView:
    """The invoice as its events leave it: the same columns its view row holds, from the same receipt."""
    paid = invoice.payment
    return invoice_from_row(
        {
            "id": str(invoice.id),
            **{name: getattr(invoice, name) for name in PARTIES},
            **receipt_columns(invoice.receipt),
            "direction": str(invoice.direction),
            "reason": invoice.reason or None,
            "sooner": invoice.sooner,
            "status": invoice.status.value,
            "late_order": 0 if invoice.late else 1,
            "verified_lines": sorted(invoice.verified or {}),
            "dispute": invoice.disputed_because,
            "validated_by": invoice.validated_by[1] or None,
            "approved_by": invoice.approved_by or None,
            **_money_moved(invoice),
            **{name: getattr(paid, name) if paid else None for name in PAID},
            "version": invoice.version,
        }
    )


def _money_moved(invoice: Invoice) -> dict[str, Any]:
    """The day and the amount the money moved: paid to the payee, or (a recovery) paid back by it."""
    if invoice.payment is not None:
        return {"paid_on": invoice.payment.paid_on, "amount_paid": invoice.payment.amount}
    if invoice.recovery is not None:
        return {"paid_on": invoice.recovery.received_on, "amount_paid": invoice.recovery.amount}
    return {"paid_on": None, "amount_paid": None}


def performance_view(buyer: str, figures: Performance, sooner_days: int) -> PerformanceView:
    return PerformanceView(
        buyer=buyer,
        period_start=figures.start,
        period_end=figures.end,
        invoices_paid=figures.invoices_paid,
        average_days_to_pay=figures.average_days,
        paid_within_30_days=figures.paid_1_30,
        paid_in_31_to_60_days=figures.paid_31_60,
        paid_in_61_days_or_more=figures.paid_61_plus,
        invoices_received=figures.received,
        not_paid_in_period=figures.not_paid_in_period,
        sme_and_vcse_paid=figures.sooner_paid,
        sme_and_vcse_within_target=figures.sooner_within_target,
        sooner_target_days=sooner_days,
    )
