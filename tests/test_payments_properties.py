"""Random invoice histories on one contract: invoices sent (some too large), disputed, corrected, validated,
approved by someone else and paid, the clock moving and flagging. Refusals are expected. After every step the
payments never pass the contract's value, a disputed invoice is never paid, and the payment performance the view
gives equals the figures recomputed directly from the stored events. SQLite: a marketplace of its own per example."""

from __future__ import annotations

import contextlib
import tempfile
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from domain.base import Actor, MarketplaceAggregate, Role
from domain.payments.compliance import Paid, performance, reporting_period
from domain.payments.invoice import Invoice, InvoiceStatus
from domain.payments.terms import InvoiceLine, InvoiceTerms, OutcomePrice, PaymentMade
from domain.rules import DomainError
from domain.tendering.contract import Contract
from domain.tendering.tender import Supplier
from domain.working_days import uk_date
from marketplace.capability import Declaration, declared
from marketplace.clock import FixedClock
from marketplace.commands import CommandRequest
from marketplace.payments.performance import payment_performance
from marketplace.payments.services import Invoices
from marketplace.scheduler import tick
from marketplace.service import Marketplace
from marketplace.settings import Settings
from tests.conftest import COUNCIL, SECRET

pytestmark = pytest.mark.slow  # a marketplace of its own per example: the slow suites run it

VALUE = Decimal("50000")
SUPPLIER = Supplier("GB-CHC-1102345", "Rural Befrienders", "micro", True, "SY8")
VALIDATOR = CommandRequest(Actor("cathy", COUNCIL, Role.COMMISSIONER))
APPROVER = CommandRequest(Actor("ed", COUNCIL, Role.COMMISSIONER))
SENDER = CommandRequest(Actor("rural-lead", SUPPLIER.identifier, Role.PROVIDER))
WHICH = st.integers(0, 7)
NET = st.one_of(st.integers(1, 8000), st.integers(20000, 60000))  # mostly small; some that the value cannot take


# Invoices, and contracts with no tender behind them (nothing here reads one): the tendering views stay out.
ONLY_PAYMENTS = (
    *(d for d in declared() if d.kind == "invoice"),
    Declaration("contract", Contract, values=(Supplier, OutcomePrice)),
)


def contract_in(market: Marketplace) -> UUID:
    """A contract as concluding one leaves it, from 1 June 2026 for two years (its tender is not the point)."""

    def conclude(ctx: Any) -> MarketplaceAggregate:
        fields = {"tender_id": str(uuid4()), "lot_id": "north", "buyer": COUNCIL, "supplier": SUPPLIER}
        term = {"value": VALUE, "start": date(2026, 6, 1), "end": date(2028, 5, 31), "kpis": []}
        return Contract._create(Contract.Concluded, id=uuid4(), **ctx.stamp(), **fields, **term)

    return UUID(market.commands.create(CommandRequest(VALIDATOR.actor), conclude).aggregate_id)


def terms(number: str, net: int) -> InvoiceTerms:
    amount, june = Decimal(net), (date(2026, 6, 1), date(2026, 6, 30))
    line = InvoiceLine("Befriending, June", amount, Decimal(0))
    return InvoiceTerms(number, june[1], *june, [line], net=amount, vat=Decimal(0), gross=amount)


class InvoiceHistories(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.var = Path(tempfile.mkdtemp())
        self.clock = FixedClock(datetime(2026, 7, 1, 9, 0, tzinfo=timezone.utc))
        url = f"sqlite:///{self.var / 'm.db'}"
        settings = Settings(url, jwt_secret=SECRET, var_dir=self.var, tick_seconds=0)
        self.market = Marketplace(settings, self.clock, ONLY_PAYMENTS)
        self.invoices = self.market.service(Invoices)
        self.contract = contract_in(self.market)
        self.sent: list[UUID] = []

    def teardown(self) -> None:
        self.market.close()

    def _try(self, command: Any, *args: Any) -> None:
        with contextlib.suppress(DomainError):
            command(*args)

    def _invoice(self, which: int) -> Invoice:
        return self.market.commands.load(Invoice, self.sent[which % len(self.sent)])

    @rule(net=NET)
    def send(self, net: int) -> None:
        try:
            outcome = self.invoices.submit(SENDER, self.contract, terms(f"INV-{len(self.sent)}", net))
        except DomainError:
            return
        self.sent.append(UUID(outcome.aggregate_id))

    @precondition(lambda self: self.sent)
    @rule(which=WHICH, net=NET)
    def correct(self, which: int, net: int) -> None:
        invoice = self._invoice(which)
        self._try(self.invoices.correct, SENDER, invoice.id, terms(invoice.number, net))

    @precondition(lambda self: self.sent)
    @rule(which=WHICH)
    def dispute(self, which: int) -> None:
        self._try(self.invoices.dispute, VALIDATOR, self._invoice(which).id, "Hours do not match the rota")

    @precondition(lambda self: self.sent)
    @rule(which=WHICH)
    def validate(self, which: int) -> None:
        self._try(self.invoices.validate, VALIDATOR, self._invoice(which).id, "Checked")

    @precondition(lambda self: self.sent)
    @rule(which=WHICH, by_validator=st.booleans())
    def approve(self, which: int, by_validator: bool) -> None:
        self._try(self.invoices.approve, VALIDATOR if by_validator else APPROVER, self._invoice(which).id, "Approved")

    @precondition(lambda self: self.sent)
    @rule(which=WHICH)
    def pay(self, which: int) -> None:
        invoice = self._invoice(which)
        payment = PaymentMade(invoice.gross, uk_date(self.clock.now()))
        try:
            self.invoices.pay(VALIDATOR, invoice.id, payment)
        except DomainError:
            return
        assert invoice.status == InvoiceStatus.APPROVED  # it was approved, so never disputed, when it was paid
        event("an invoice paid")

    @precondition(lambda self: self.sent)
    @rule(which=WHICH)
    def settle(self, which: int) -> None:
        """Validated, approved and paid in one go, as most invoices are (refused wherever its state says)."""
        self.validate(which)
        self.approve(which, by_validator=False)
        self.pay(which)

    @rule(days=st.integers(1, 25))
    def time_passes(self, days: int) -> None:
        self.clock.advance(days=days)
        tick(self.market)

    @invariant()
    def payments_never_pass_the_contract_value(self) -> None:
        contract = self.market.commands.load(Contract, self.contract)
        paid = [self.market.commands.load(Invoice, i) for i in self.sent]
        total = sum((i.gross for i in paid if i.status == InvoiceStatus.PAID), Decimal(0))
        assert contract.paid == total <= VALUE

    @invariant()
    def the_performance_view_equals_a_recomputation_from_the_events(self) -> None:
        start, end = reporting_period(uk_date(self.clock.now()))
        histories = [self.market.app.repository.get(i) for i in self.sent]
        paid = [
            Paid(i.payment.days_to_pay, i.payment.days_late, i.sooner)
            for i in histories
            if i.payment is not None and start <= i.payment.paid_on <= end
        ]
        received = [
            i.payment.paid_on if i.payment else None for i in histories if start <= i.receipt.received_on <= end
        ]
        with self.market.views() as session:
            viewed = payment_performance(session, COUNCIL, uk_date(self.clock.now()))
        assert viewed == performance(start, end, paid, received)


def test_random_invoice_histories_keep_payments_within_the_contract_and_the_figures_true() -> None:
    run_state_machine_as_test(
        InvoiceHistories,
        settings=settings(
            max_examples=15, stateful_step_count=25, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
