"""A payment request, the one record of money moving between the council and a payee, in either direction.

Paid out (`payment`): a supplier's invoice against its contract, or a grant's instalment (claimed by its recipient
or raised by its funder). Received, validated or disputed, corrected and received again, approved by someone other
than whoever raised or validated it, paid; flagged late by the clock when unpaid at its due date.

Asked back (`recovery`): money the payer asks back from the payee against payments already made (a grant's
clawback, or the part of its underspend that was paid). Raised by the payer with its reason, which the payee reads
at once; settled when the money is received, recorded by someone other than whoever raised it (four eyes where money
moves). The two directions share the record, its parties, its views and its reads as it stood: the statuses of one
are never those of the other, so no step of a payment applies to a recovery, nor the other way round.

The 30-day clock (domain/payments/clock.py) starts when the council receives a valid invoice: a corrected one is
received anew. Its due date is the council's sooner target for SMEs and VCSE suppliers, 30 days for others; late
payment interest runs from day 30, the statutory term. A payment-by-results line's outcome is verified (or
rejected, which disputes the invoice) before the invoice can be validated. A dispute is the supplier's to see at
once (PA2023 s.68), with its reason. A grant is no commercial debt: no statutory interest on its instalments.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid5

from domain.base import Context, MarketplaceAggregate
from domain.money import money
from domain.payments.clock import NO_CHARGES, LateCharges, days_to_pay, due, late_charges
from domain.payments.rules import checked_invoice
from domain.payments.terms import (
    InvoiceLine,
    InvoiceTerms,
    MoneyReceived,
    Payee,
    PaymentMade,
    PaymentPolicy,
    Receipt,
    RecoveryAsked,
)
from domain.rules import (
    DomainError,
    FourEyes,
    NotAfterToday,
    Positive,
    ReasonGiven,
    Refusal,
    StateAllows,
    TextWithin,
    check,
)


class Direction(StrEnum):
    PAYMENT = "payment"  # the council pays the payee
    RECOVERY = "recovery"  # the payee pays back money the council paid it


class InvoiceStatus(StrEnum):
    RECEIVED = "received"
    VALID = "valid"
    DISPUTED = "disputed"
    APPROVED = "approved"
    PAID = "paid"
    REQUESTED = "requested"  # a recovery: asked of the payee
    RECOVERED = "recovered"  # a recovery: its money received


S = InvoiceStatus
UNPAID = frozenset({S.RECEIVED, S.VALID, S.APPROVED})  # the clock runs (a disputed invoice's is stopped)


def invoice_uuid(record_id: str, supplier: str, number: str) -> UUID:
    """One request per number to a payee on a record: the same invoice number (or instalment) twice is one."""
    return uuid5(UUID(record_id), f"invoice:{supplier}:{number.strip().casefold()}")


class Invoice(MarketplaceAggregate):
    record_kind: str  # what it is against: "contract" (a supplier's invoice) or "grant" (an instalment)
    record_id: str
    buyer: str
    supplier: str
    supplier_name: str
    sooner: bool
    commercial: bool  # a commercial debt (a contract's invoice): statutory interest runs when it is paid late
    receipt: Receipt
    status: InvoiceStatus = S.RECEIVED
    raised_by: tuple[str, str] = ("", "")
    verified: dict[int, str] | None = None  # outcome line -> who verified it
    validated_by: tuple[str, str] = ("", "")
    late: bool = False
    disputed_because: str | None = None  # why, while disputed
    approved_by: str = ""
    payment: Invoice.Paid | None = None
    direction: Direction = Direction.PAYMENT
    reason: str = ""  # a recovery's: why the money is asked back
    recovery: Invoice.Recovered | None = None  # a recovery's money, once received

    class Received(MarketplaceAggregate.Created):
        record_kind: str
        record_id: str
        buyer: str
        supplier: str
        supplier_name: str
        sooner: bool
        commercial: bool
        receipt: Receipt

        def apply(self, invoice: Invoice) -> None:
            invoice.raised_by = self.actor.person

    @classmethod
    def submit(cls, ctx: Context, payee: Payee, terms: InvoiceTerms, policy: PaymentPolicy) -> Invoice:
        """The supplier's invoice, received today: refused unless in arrears, within the term and adding up."""
        if ctx.actor.organisation not in {payee.supplier, *payee.raisers}:
            raise DomainError(
                f"Only the {payee.record_kind}'s payee asks to be paid under it.", kind=Refusal.FORBIDDEN, rule="Payee"
            )
        return cls._create(
            cls.Received,
            id=invoice_uuid(payee.record_id, payee.supplier, terms.number),
            **ctx.stamp(),
            **_parties(payee),
            receipt=_received(payee, checked_invoice(terms, payee, ctx.today), ctx.today, policy),
        )

    class RecoveryRaised(MarketplaceAggregate.Created):
        """Money asked back from the payee, and why: the payee reads it at once."""

        record_kind: str
        record_id: str
        buyer: str
        supplier: str
        supplier_name: str
        sooner: bool
        commercial: bool
        receipt: Receipt  # the day asked (received_on) and the day it is to be repaid by (due_on)
        reason: str

        def apply(self, invoice: Invoice) -> None:
            invoice.raised_by, invoice.status, invoice.direction = self.actor.person, S.REQUESTED, Direction.RECOVERY

    @classmethod
    def ask_back(cls, ctx: Context, payee: Payee, asked: RecoveryAsked, policy: PaymentPolicy) -> Invoice:
        """Money asked back from the payee against payments made, by the payer alone, to be repaid within the
        statutory days. How much may be asked back is the record's rule (a grant's: never more than its recipient
        holds of what was paid), checked by its caller first."""
        if ctx.actor.organisation != payee.buyer:
            raise DomainError(
                f"Only the {payee.record_kind}'s payer asks money back under it.", kind=Refusal.FORBIDDEN, rule="Payer"
            )
        amount = money(asked.amount, "amount")
        check(
            ReasonGiven(asked.reason),
            TextWithin(asked.number, "number", 60),
            TextWithin(asked.description, "description"),
            Positive(amount, "amount"),
        )
        day, line = ctx.today, InvoiceLine(asked.description.strip(), amount, Decimal(0))
        terms = InvoiceTerms(asked.number.strip(), day, day, day, [line], amount, Decimal(0), amount)
        repay_by = due(day, policy.statutory_days)
        return cls._create(
            cls.RecoveryRaised,
            id=invoice_uuid(payee.record_id, payee.supplier, asked.number),
            **ctx.stamp(),
            **_parties(payee),
            receipt=Receipt(terms, day, repay_by, repay_by),
            reason=asked.reason.strip(),
        )

    class Corrected(MarketplaceAggregate.Event):
        """A disputed invoice corrected and sent again: received anew, its clock starting again."""

        receipt: Receipt

        def apply(self, invoice: Invoice) -> None:
            invoice.receipt = self.receipt
            invoice.status, invoice.verified, invoice.late, invoice.disputed_because = S.RECEIVED, None, False, None

    def correct(self, ctx: Context, payee: Payee, terms: InvoiceTerms, policy: PaymentPolicy) -> None:
        check(StateAllows(self.status, frozenset({S.DISPUTED}), "correct an invoice"))
        if terms.number.strip().casefold() != self.number.casefold():
            raise DomainError("A corrected invoice keeps its number.", field="number")
        self.record(
            self.Corrected, ctx, receipt=_received(payee, checked_invoice(terms, payee, ctx.today), ctx.today, policy)
        )

    @property
    def number(self) -> str:
        return self.receipt.terms.number

    @property
    def lines(self) -> Sequence[InvoiceLine]:
        return self.receipt.terms.lines

    @property
    def gross(self) -> Decimal:
        return self.receipt.terms.gross

    class OutcomeVerified(MarketplaceAggregate.Decision):
        line: int

        def apply(self, invoice: Invoice) -> None:
            invoice.verified = {**(invoice.verified or {}), self.line: self.actor.subject}

        def summary(self) -> str:
            return f"outcome on line {self.line} verified"

    def verify_outcome(self, ctx: Context, line: int, reason: str) -> None:
        """The outcome a payment-by-results line claims, checked against its evidence."""
        check(StateAllows(self.status, frozenset({S.RECEIVED}), "verify an outcome"))
        self._outcome_line(line)
        if line in (self.verified or {}):
            raise DomainError(f"Line {line}'s outcome is already verified.", kind=Refusal.CONFLICT, rule="Once")
        self.decide(self.OutcomeVerified, ctx, reason, line=line)

    def _outcome_line(self, line: int) -> InvoiceLine:
        if not 0 <= line < len(self.lines) or not self.lines[line].outcome:
            raise DomainError(f"Line {line} claims no outcome.", field="line", kind=Refusal.NOT_FOUND)
        return self.lines[line]

    class Disputed(MarketplaceAggregate.Decision):
        line: int | None  # the outcome line rejected, when that is the dispute

        def apply(self, invoice: Invoice) -> None:
            invoice.status, invoice.disputed_because = S.DISPUTED, self.reason

    def dispute(self, ctx: Context, reason: str, line: int | None = None) -> None:
        """Not valid as it stands: the supplier sees why at once, and may correct it."""
        check(StateAllows(self.status, frozenset({S.RECEIVED, S.VALID}), "dispute an invoice"))
        if line is not None:
            self._outcome_line(line)
        self.decide(self.Disputed, ctx, reason, line=line)

    class Validated(MarketplaceAggregate.Decision):
        def apply(self, invoice: Invoice) -> None:
            invoice.status, invoice.validated_by = S.VALID, self.actor.person

    def validate(self, ctx: Context, reason: str) -> None:
        check(StateAllows(self.status, frozenset({S.RECEIVED}), "validate an invoice"))
        waiting = [n for n, line in enumerate(self.lines) if line.outcome and n not in (self.verified or {})]
        if waiting:
            raise DomainError(
                f"Verify the outcomes claimed on lines {', '.join(map(str, waiting))} first.",
                kind=Refusal.CONFLICT,
                rule="OutcomesVerified",
            )
        self.decide(self.Validated, ctx, reason)

    class Approved(MarketplaceAggregate.Decision):
        def apply(self, invoice: Invoice) -> None:
            invoice.status, invoice.approved_by = S.APPROVED, self.actor.subject

    def approve(self, ctx: Context, reason: str) -> None:
        """For payment, by someone other than the person who validated it or raised it (four eyes)."""
        check(StateAllows(self.status, frozenset({S.VALID}), "approve an invoice"))
        check(
            FourEyes(self.validated_by, ctx.actor.person, "validated", "approve"),
            FourEyes(self.raised_by, ctx.actor.person, "raised", "approve"),
        )
        self.decide(self.Approved, ctx, reason)

    class Paid(MarketplaceAggregate.Event):
        amount: Decimal
        paid_on: date
        reference: str
        days_to_pay: int
        days_late: int
        interest: Decimal
        compensation: Decimal

        def apply(self, invoice: Invoice) -> None:
            invoice.status, invoice.payment = S.PAID, self

    def pay(self, ctx: Context, payment: PaymentMade, policy: PaymentPolicy) -> LateCharges:
        """The payment of the approved invoice in full, with what paying late adds (its caller records the
        amount against the contract)."""
        check(StateAllows(self.status, frozenset({S.APPROVED}), "pay an invoice"))
        if payment.amount != self.gross:
            raise DomainError(f"Pay the invoice's gross, £{self.gross:,.2f}.", field="amount", rule="PaidInFull")
        check(NotAfterToday(payment.paid_on, ctx.today))
        if payment.paid_on < self.receipt.received_on:
            raise DomainError("An invoice is paid after it is received.", field="paid_on")
        charges = (
            late_charges(self.gross, self.receipt.statutory_due_on, payment.paid_on, policy.reference_rates)
            if self.commercial
            else NO_CHARGES  # a grant is no commercial debt: the Late Payment Act does not reach it
        )
        self.record(
            self.Paid,
            ctx,
            amount=payment.amount,
            paid_on=payment.paid_on,
            reference=payment.reference.strip()[:200],
            days_to_pay=days_to_pay(self.receipt.received_on, payment.paid_on),
            days_late=max(0, (payment.paid_on - self.receipt.due_on).days),
            interest=charges.interest,
            compensation=charges.compensation,
        )
        return charges

    class Recovered(MarketplaceAggregate.Event):
        """The money asked back, received from the payee."""

        amount: Decimal
        received_on: date
        reference: str

        def apply(self, invoice: Invoice) -> None:
            invoice.status, invoice.recovery = S.RECOVERED, self

    def recover(self, ctx: Context, received: MoneyReceived) -> None:
        """The money asked back, received in full: recorded by someone other than whoever raised the recovery (four
        eyes where money moves). Its caller records it against the record (a grant's award reduced, its money
        freed), in the same transaction."""
        check(
            StateAllows(self.status, frozenset({S.REQUESTED}), "record a recovery received"),
            FourEyes(self.raised_by, ctx.actor.person, "raised", "record it received"),
        )
        if received.amount != self.gross:
            raise DomainError(
                f"Record the £{self.gross:,.2f} asked back, received in full.", field="amount", rule="RecoveredInFull"
            )
        check(NotAfterToday(received.received_on, ctx.today, field="received_on"))
        if received.received_on < self.receipt.received_on:
            raise DomainError("Money asked back is received after it is asked for.", field="received_on")
        reference = received.reference.strip()[:200]
        self.record(self.Recovered, ctx, amount=received.amount, received_on=received.received_on, reference=reference)

    class FlaggedLate(MarketplaceAggregate.Event):
        def apply(self, invoice: Invoice) -> None:
            invoice.late = True

    def flag_late(self, ctx: Context) -> bool:
        """The clock's flag on an invoice unpaid after its due date (not one in dispute): once."""
        if self.late or self.status not in UNPAID or ctx.today <= self.receipt.due_on:
            return False
        self.record(self.FlaggedLate, ctx)
        return True


def _parties(payee: Payee) -> dict[str, Any]:
    """Who pays whom under which record: what every payment request records when it is raised."""
    names = ("record_kind", "record_id", "buyer", "supplier", "supplier_name", "sooner", "commercial")
    return {name: getattr(payee, name) for name in names}


def _received(payee: Payee, terms: InvoiceTerms, today: date, policy: PaymentPolicy) -> Receipt:
    """The invoice received today, and the clock it starts."""
    sooner = policy.sooner_days if payee.sooner else policy.statutory_days
    return Receipt(terms, today, due(today, sooner), due(today, policy.statutory_days))
