"""The rules an invoice keeps: paid in arrears, its sums adding up, outcomes claimed as the contract prices them,
never paying more than the contract is worth."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from domain.money import money
from domain.payments.terms import InvoiceLine, InvoiceTerms, OutcomePrice, Payee
from domain.rules import DomainError, InOrder, NotAfterToday, Refusal, Rule, StateRule, TextWithin, check

MAX_LINES = 200


@dataclass(frozen=True)
class InArrears(InOrder):
    """Payment is made in arrears (the strategy): an invoice covers a period that ended before today."""

    field: str | None = "period_end"

    @property
    def message(self) -> str:
        return f"The period invoiced ends on {self.earlier}: invoice for work done, once the period has ended."


@dataclass(frozen=True)
class WithinTerm(Rule):
    """The work invoiced falls within the contract's term."""

    start: date
    end: date
    term: tuple[date, date]
    field: str | None = "period_start"

    def is_broken(self) -> bool:
        return self.start < self.term[0] or self.end > self.term[1] or self.end < self.start

    @property
    def message(self) -> str:
        return f"The period invoiced must fall within the contract's term, {self.term[0]} to {self.term[1]}."


@dataclass(frozen=True)
class SumsAddUp(Rule):
    """Net and VAT are the sums of the lines', and gross is net plus VAT (EN 16931's totals)."""

    terms: InvoiceTerms

    @property
    def field(self) -> str | None:  # type: ignore[override]
        t = self.terms
        if sum((line.net for line in t.lines), Decimal(0)) != t.net:
            return "net"
        if sum((line.vat for line in t.lines), Decimal(0)) != t.vat:
            return "vat"
        return "gross" if t.net + t.vat != t.gross else None

    def is_broken(self) -> bool:
        return self.field is not None

    @property
    def message(self) -> str:
        return {
            "net": "net must be the sum of the lines' net amounts.",
            "vat": "vat must be the sum of the lines' VAT.",
        }.get(str(self.field), "gross must be net plus VAT.")


@dataclass(frozen=True)
class WithinContractValue(StateRule):
    """Payments never exceed the contract's current value; more needs a variation first."""

    paid: Decimal
    amount: Decimal
    value: Decimal

    def is_broken(self) -> bool:
        return self.paid + self.amount > self.value

    @property
    def message(self) -> str:
        return (
            f"Paying £{self.amount:,.2f} would take payments on the contract to £{self.paid + self.amount:,.2f}, "
            f"beyond its value of £{self.value:,.2f}: vary the contract first."
        )


def _outcome_line(line: InvoiceLine, at: str, outcomes: dict[str, OutcomePrice]) -> None:
    """A payment-by-results line claims an outcome the contract prices, with its evidence, at its price."""
    found = outcomes.get(line.outcome)
    if found is None:
        known = ", ".join(sorted(outcomes)) or "none"
        raise DomainError(f"The contract pays no outcome '{line.outcome}' (it pays: {known}).", field=f"{at}.outcome")
    if not 1 <= line.quantity <= 100_000:
        raise DomainError("quantity must be from 1 to 100000.", field=f"{at}.quantity")
    check(TextWithin(line.evidence, f"{at}.evidence", 500))
    if line.net != found.price * line.quantity:
        raise DomainError(
            f"{line.quantity} x {found.code} at £{found.price:,.2f} is £{found.price * line.quantity:,.2f}.",
            field=f"{at}.net",
            rule="PricedOutcome",
        )


def checked_lines(lines: Sequence[InvoiceLine], payee: Payee) -> list[InvoiceLine]:
    if not 1 <= len(lines) <= MAX_LINES:
        raise DomainError(f"An invoice has from 1 to {MAX_LINES} lines.", field="lines")
    for number, line in enumerate(lines):
        at = f"lines[{number}]"
        check(TextWithin(line.description, f"{at}.description", 500))
        money(line.net, f"{at}.net")
        money(line.vat, f"{at}.vat")
        if line.outcome:
            _outcome_line(line, at, dict(payee.outcomes))
    return [
        InvoiceLine(ln.description.strip(), ln.net, ln.vat, ln.outcome, ln.quantity, ln.evidence.strip())
        for ln in lines
    ]


def checked_invoice(terms: InvoiceTerms, payee: Payee, today: date) -> InvoiceTerms:
    """The invoice as the council receives it, or refused naming the field at fault."""
    check(TextWithin(terms.number, "number", 60))
    for name in ("net", "vat", "gross"):
        money(getattr(terms, name), name)
    lines = checked_lines(terms.lines, payee)
    if payee.commercial:  # a supplier's invoice is for work done; a grant's instalment may be paid ahead of it
        check(InArrears(terms.period_end, today))
    check(
        NotAfterToday(terms.invoice_date, today, field="invoice_date"),
        WithinTerm(terms.period_start, terms.period_end, (payee.start, payee.end)),
        SumsAddUp(terms),
    )
    if terms.gross <= 0:
        raise DomainError("An invoice asks for more than nothing.", field="gross", kind=Refusal.INVALID)
    return replace(terms, number=terms.number.strip(), lines=lines)
