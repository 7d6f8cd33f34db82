"""How an invoice is shown: from its view row, or from the aggregate (a command's answer, or as it stood)."""

from __future__ import annotations

from dataclasses import asdict
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


# The figures' names as the API says them (GET /payment-performance, the payments compliance notice's content), by
# the domain's names for them.
PERFORMANCE_NAMES = {
    "start": "period_start",
    "end": "period_end",
    "average_days": "average_days_to_pay",
    "paid_1_30": "paid_within_30_days",
    "paid_31_60": "paid_in_31_to_60_days",
    "paid_61_plus": "paid_in_61_days_or_more",
    "received": "invoices_received",
    "sooner_paid": "sme_and_vcse_paid",
    "sooner_within_target": "sme_and_vcse_within_target",
}


def performance_names(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures under the names the API gives them."""
    return {PERFORMANCE_NAMES.get(name, name): value for name, value in figures.items()}


def performance_view(buyer: str, figures: Performance, sooner_days: int) -> PerformanceView:
    return PerformanceView(buyer=buyer, sooner_target_days=sooner_days, **performance_names(asdict(figures)))
