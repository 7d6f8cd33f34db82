"""What invoice routes read and answer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import msgspec

from api.fields import Money, Reason

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class InvoiceLineBody(msgspec.Struct, forbid_unknown_fields=True):
    description: Text
    net: Money
    vat: Money
    outcome: Annotated[str, msgspec.Meta(max_length=40, description="A payment-by-results outcome claimed.")] = ""
    quantity: Annotated[int, msgspec.Meta(ge=1, le=100_000)] = 1
    evidence: Annotated[str, msgspec.Meta(max_length=500, description="The evidence reference it needs.")] = ""


class InvoiceBody(msgspec.Struct, forbid_unknown_fields=True):
    number: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    invoice_date: date
    period_start: date
    period_end: date
    lines: Annotated[list[InvoiceLineBody], msgspec.Meta(min_length=1, max_length=200)]
    net: Money
    vat: Money
    gross: Money


class ClaimBody(msgspec.Struct, forbid_unknown_fields=True):
    instalment: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    amount: Annotated[Money | None, msgspec.Meta(description="Less than the instalment, if less is due.")] = None


class RecoveryBody(msgspec.Struct, forbid_unknown_fields=True):
    amount: Annotated[Money, msgspec.Meta(description="What was asked back, received in full.")]
    received_on: date
    reference: Annotated[str, msgspec.Meta(max_length=200)] = ""


class DisputeBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class PaymentBody(msgspec.Struct, forbid_unknown_fields=True):
    amount: Money
    paid_on: date
    reference: Annotated[str, msgspec.Meta(max_length=200)] = ""


class OutcomeBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    description: Text
    price: Money
    evidence: Annotated[Text, msgspec.Meta(description="What each claim of it must be evidenced by.")]


class OutcomeView(msgspec.Struct):
    code: str
    description: str
    price: Decimal
    evidence: str


class InvoiceView(msgspec.Struct):
    id: str
    record_kind: str  # what it is against: "contract" (an invoice) or "grant" (an instalment, or a recovery)
    direction: str  # "payment" (the council pays) or "recovery" (money asked back from the payee)
    record_id: str
    buyer: str
    supplier: str
    supplier_name: str
    number: str
    invoice_date: date
    period_start: date
    period_end: date
    lines: list[dict[str, Any]]
    net: Decimal
    vat: Decimal
    gross: Decimal
    received_on: date
    due_on: date
    statutory_due_on: date
    sooner_target: bool
    status: str
    late: bool
    verified_lines: list[int]
    dispute: str | None
    reason: str | None  # a recovery's: why the money is asked back
    validated_by: str | None
    approved_by: str | None
    paid_on: date | None
    amount_paid: Decimal | None
    days_to_pay: int | None
    days_late: int | None
    interest: Decimal | None
    compensation: Decimal | None
    version: int


class InvoicePage(msgspec.Struct):
    items: list[InvoiceView]
    next_cursor: str | None = None


class PerformanceView(msgspec.Struct):
    buyer: str
    period_start: date
    period_end: date
    invoices_paid: int
    average_days_to_pay: Decimal
    paid_within_30_days: Decimal
    paid_in_31_to_60_days: Decimal
    paid_in_61_days_or_more: Decimal
    invoices_received: int
    not_paid_in_period: Decimal
    sme_and_vcse_paid: int
    sme_and_vcse_within_target: Decimal
    sooner_target_days: int
