"""Random histories of one grant's money, moving through the one payments model both ways: instalments claimed and
paid (some beyond the award), clawbacks and underspend repayments asked back (some beyond what the recipient holds),
recoveries received (by whoever raised them too, and twice), variations. Refusals are expected. After every step:

- what is recovered and what is asked back never add up to more than was paid, and what is paid net of recoveries
  never exceeds the award;
- the grant's account is a recomputation of its payment records: paid the instalments paid, reclaimed the recoveries
  received (and its clawbacks recorded at once, before recoveries: none here), asked back the recoveries awaited;
- the programme commits exactly the award, and the grants register and its 360Giving transactions agree with it.

SQLite: a marketplace of its own per example, on a copy of a database prepared once with the grant made."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import select

from domain.base import Actor
from domain.grants.grant import Grant, grant_uuid
from domain.grants.programme import GrantProgramme
from domain.grants.terms import GrantVariation
from domain.payments.invoice import Direction, InvoiceStatus
from domain.rules import DomainError
from domain.working_days import uk_date
from marketplace.clock import FixedClock
from marketplace.grants.services import Grants
from projections.grants.register import find_grant, transactions_of
from projections.payments.invoices import invoices
from tests.grants_fixtures import APPROVER, OFFICER, funded, lead, offer_terms, pay_instalment, receive, request
from tests.test_grants_invariants import Prepared as Copied
from tests.test_grants_invariants import marketplace

pytestmark = pytest.mark.slow  # a marketplace of its own per example: the slow suites run it

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
LUDLOW = "GB-CHC-1234567"
RAISER = request()  # raises every recovery: the officer managing the grant
ACTORS = st.sampled_from([APPROVER, APPROVER, OFFICER])  # mostly another officer; at times (refused) the raiser


def pence(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda p: Decimal(p).scaleb(-2))


@dataclass(frozen=True)
class Prepared(Copied):
    """A £10,000 grant made (£5,000 "first" on a safeguarding condition, discharged; £5,000 "second")."""

    @classmethod
    def make(cls, var: Path) -> Prepared:
        clock = FixedClock(START)
        market = marketplace(var, clock)
        try:
            fund = funded(market, clock)
            application = fund.assessed(LUDLOW)
            fund.applications.offer(RAISER, application, "Strong case.", offer_terms("10000", uk_date(START)))
            fund.applications.accept(lead(), application)
            grants = market.service(Grants)
            grants.discharge(RAISER, grant_uuid(application), "Seen.", "safeguarding", "Policy dated 2026.")
            return cls(var, fund.programme_id, [application])
        finally:
            market.close()


class GrantMoney(RuleBasedStateMachine):
    def __init__(self, prepared: Prepared) -> None:
        super().__init__()
        self.var = prepared.copy()
        self.clock = FixedClock(START)
        self.market = marketplace(self.var, self.clock)
        self.programme_id = prepared.programme_id
        self.grant_id = grant_uuid(prepared.applications[0])

    def teardown(self) -> None:
        self.market.close()
        shutil.rmtree(self.var, ignore_errors=True)

    @property
    def day(self) -> date:
        return uk_date(self.clock.now())

    @property
    def grants(self) -> Grants:
        return self.market.service(Grants)

    def grant(self) -> Grant:
        return self.market.commands.load(Grant, self.grant_id)

    @staticmethod
    def attempt(what: str, command: Any, *args: Any) -> None:
        """The command, refused or not (a refusal is an answer, not a failure): counted in Hypothesis's statistics."""
        try:
            command(*args)
        except DomainError as refusal:
            event(f"{what} refused: {refusal.rule}")
            return
        event(f"{what} done")

    @rule(instalment=st.sampled_from(["first", "second"]), amount=st.one_of(st.none(), pence(1, 600_000)))
    def pay(self, instalment: str, amount: Decimal | None) -> None:
        self.attempt("pay", pay_instalment, self.market, self.grant_id, instalment, self.day, amount)

    @rule(amount=pence(0, 1_100_000))
    def claw_back(self, amount: Decimal) -> None:
        self.attempt("clawback", self.grants.claw_back, RAISER, self.grant_id, "Not evidenced.", amount)

    @rule(underspend=pence(1, 400_000), share=st.sampled_from(["0", "0.5", "1", "2"]))
    def underspend_repaid(self, underspend: Decimal, share: str) -> None:
        """Underspend declared and returned, a share of it repaid (a share of 2: more than it, refused)."""
        self.attempt(
            "declare underspend", self.grants.declare_underspend, lead(), self.grant_id, underspend, "Unneeded."
        )
        repaid = (min(underspend, self.grant().reclaimable) * Decimal(share)).quantize(Decimal("0.01"))
        self.attempt("return underspend", self.grants.return_underspend, RAISER, self.grant_id, "Agreed.", repaid)

    @rule(which=st.integers(0, 5), by=ACTORS, twice=st.booleans(), days=st.integers(0, 20))
    def money_comes_back(self, which: int, by: Actor, twice: bool, days: int) -> None:
        raised = list(self.grant().recoveries)
        if not raised:
            return
        self.clock.advance(days=days)
        for _ in range(2 if twice else 1):
            self.attempt("receive", receive, self.market, UUID(raised[which % len(raised)]), self.day, by)

    @rule(amount=pence(0, 1_500_000))
    def vary(self, amount: Decimal) -> None:
        self.attempt("vary", self.grants.vary, RAISER, self.grant_id, "Varied.", GrantVariation(amount=amount))

    @invariant()
    def recovered_and_asked_back_never_pass_what_was_paid(self) -> None:
        grant = self.grant()
        assert Decimal(0) <= grant.reclaimed + grant.asked_back <= grant.paid, (grant.reclaimed, grant.asked_back)
        assert grant.paid - grant.reclaimed <= grant.amount, (grant.paid, grant.reclaimed, grant.amount)

    @invariant()
    def the_grants_account_is_its_payment_records(self) -> None:
        grant, sums = self.grant(), self.payment_records()
        assert (grant.paid, grant.reclaimed, grant.asked_back) == (
            sums[(Direction.PAYMENT, InvoiceStatus.PAID)],
            sums[(Direction.RECOVERY, InvoiceStatus.RECOVERED)],
            sums[(Direction.RECOVERY, InvoiceStatus.REQUESTED)],
        )

    @invariant()
    def the_budget_the_register_and_360giving_agree(self) -> None:
        grant = self.grant()
        programme = self.market.commands.load(GrantProgramme, self.programme_id)
        assert programme.commitments[grant.application_id] == grant.amount
        with self.market.views() as session:
            row = find_grant(session, str(self.grant_id))
            moved = transactions_of(session, [str(self.grant_id)])[str(self.grant_id)]
        assert row is not None and (row["amount_awarded"], row["amount_disbursed"]) == (grant.amount, grant.disbursed)
        assert sum((t["amount"] for t in moved), Decimal(0)) == grant.disbursed

    def payment_records(self) -> dict[tuple[str, str], Decimal]:
        """The gross of the grant's payment requests, by direction and status, as the invoices view holds them."""
        t = invoices
        query = select(t.c.direction, t.c.status, t.c.gross).where(t.c.record_id == str(self.grant_id))
        sums: dict[tuple[str, str], Decimal] = {
            (direction, status): Decimal(0) for direction in Direction for status in InvoiceStatus
        }
        with self.market.views() as session:
            for direction, status, gross in session.execute(query):
                sums[(direction, status)] += Decimal(gross)
        return sums


def test_random_instalments_and_recoveries_keep_the_grants_account_its_payment_records() -> None:
    var = Path(tempfile.mkdtemp(prefix="grant-money-"))
    try:
        prepared = Prepared.make(var)
        run_state_machine_as_test(
            lambda: GrantMoney(prepared),  # type: ignore[arg-type]  # a factory serves, as documented
            settings=settings(
                max_examples=30,
                stateful_step_count=25,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    finally:
        shutil.rmtree(var, ignore_errors=True)
