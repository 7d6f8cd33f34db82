"""What payments' commands carry: an invoice as a supplier sends it, what it is against, a payment made, money asked
back (a recovery) and money received, and the council's payment policy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from domain.payments.clock import REFERENCE_RATES, STATUTORY_DAYS, ReferenceRate


@dataclass(frozen=True)
class InvoiceLine:
    """One line: what it charges for, net and VAT; a payment-by-results line names the outcome claimed, how many,
    and the evidence reference the outcome's definition asks for."""

    description: str
    net: Decimal
    vat: Decimal
    outcome: str = ""
    quantity: int = 1
    evidence: str = ""


@dataclass(frozen=True)
class InvoiceTerms:
    """An invoice as the supplier sends it: its number and date, the period of work it covers (in arrears: ended
    before it is sent), its lines and totals (net + VAT = gross, each the sum of its lines)."""

    number: str
    invoice_date: date
    period_start: date
    period_end: date
    lines: Sequence[InvoiceLine]
    net: Decimal
    vat: Decimal
    gross: Decimal


@dataclass(frozen=True)
class Receipt:
    """An invoice as the council received it: its terms, and the clock they started (the day received, the day
    due, and the statutory 30th day, from which late payment interest runs)."""

    terms: InvoiceTerms
    received_on: date
    due_on: date
    statutory_due_on: date


@dataclass(frozen=True)
class OutcomePrice:
    """A payment-by-results outcome a contract pays for: its price each and the evidence each claim needs."""

    code: str
    description: str
    price: Decimal
    evidence: str


@dataclass(frozen=True)
class Payee:
    """What a payment request is against, as the services read it when it is raised: the record (a contract, or a
    grant), who pays and who is paid, whether the sooner target applies (an SME or VCSE payee), the term the work
    falls in, the outcomes it pays by results; whether it is a commercial debt paid in arrears (a contract's
    invoice: statutory interest when late) or not (a grant's instalment), and which organisations may raise it."""

    record_kind: str  # "contract" | "grant"
    record_id: str
    buyer: str
    supplier: str
    supplier_name: str
    sooner: bool
    start: date
    end: date
    outcomes: Mapping[str, OutcomePrice] = field(default_factory=dict)
    commercial: bool = True
    raisers: frozenset[str] = frozenset()  # besides the payee itself


@dataclass(frozen=True)
class InstalmentClaim:
    """A grant's instalment asked for: by its recipient, or raised by the funder when it falls due; its amount (the
    instalment's, unless less is asked for)."""

    instalment: str
    amount: Decimal | None = None


@dataclass(frozen=True)
class PaymentMade:
    """A payment of an approved invoice: its amount (the invoice's gross), the day paid and the remittance."""

    amount: Decimal
    paid_on: date
    reference: str = ""


@dataclass(frozen=True)
class RecoveryAsked:
    """Money the payer asks back from the payee against payments already made: its number on the record (one
    recovery per number), what it is for, how much, and why (the payee reads the reason at once)."""

    number: str
    description: str
    amount: Decimal
    reason: str


@dataclass(frozen=True)
class MoneyReceived:
    """A recovery's money received back from the payee: its amount (what was asked), the day it arrived and the
    remittance."""

    amount: Decimal
    received_on: date
    reference: str = ""


@dataclass(frozen=True)
class PaymentPolicy:
    """The council's payment terms: 30 days by law, sooner for SMEs and VCSE suppliers by its own aim; the dated
    reference rates late payment interest is computed from."""

    sooner_days: int = 10
    statutory_days: int = STATUTORY_DAYS
    reference_rates: tuple[ReferenceRate, ...] = REFERENCE_RATES
