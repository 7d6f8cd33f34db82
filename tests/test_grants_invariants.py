"""The budget ledger holds whatever happens, in whatever order: random offers (of random amounts) on assessed
applications, answers, offers lapsing by the clock, instalments paid, variations, underspend, clawbacks (too large
ones too), recoveries received (by whoever raised them too, and twice) and closures. Refusals are expected; after
every step the programme's committed money never exceeds its budget and is exactly the open offers plus the current
award of every grant, every grant has paid minus reclaimed within its award and what is recovered and asked back
within what was paid, its money asked back is what its open recoveries ask, and the views agree with the aggregates.
SQLite only: a marketplace of its own per example, on a copy of a database prepared once with the assessed
applications."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, multiple, rule, run_state_machine_as_test
from sqlalchemy import select

from domain.base import Actor
from domain.grants.application import ApplicationStatus, GrantApplication
from domain.grants.grant import Grant, grant_uuid
from domain.grants.programme import GrantProgramme
from domain.grants.terms import Closure, Eligibility, GrantVariation
from domain.payments.invoice import Invoice, InvoiceStatus
from domain.rules import DomainError
from domain.working_days import uk_date
from marketplace.clock import FixedClock
from marketplace.commands import CommandRequest
from marketplace.grants.services import Applications, Grants
from marketplace.scheduler import tick
from marketplace.service import Marketplace
from marketplace.settings import Settings
from projections.grants.programmes import find_programme
from projections.grants.register import grants as grants_register
from tests.conftest import SECRET
from tests.grants_fixtures import (
    APPLICANTS,
    APPROVER,
    Funded,
    awaited_recoveries,
    funded,
    offer_terms,
    pay_instalment,
    provider,
    receive,
    request,
)

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
BUDGET = Decimal("30000")  # awards up to £20,000 each, for four applications of £10,000: money runs short
OFFICER = request()
WHICH = st.integers(0, len(APPLICANTS) - 1)  # one of the assessed applications, by its index


def pence(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda p: Decimal(p).scaleb(-2))


def marketplace(var: Path, clock: FixedClock) -> Marketplace:
    settings = Settings(f"sqlite:///{var / 'm.db'}", jwt_secret=SECRET, var_dir=var, tick_seconds=0, write_rate=0)
    return Marketplace(settings, clock)


@dataclass(frozen=True)
class Prepared:
    """A published programme with four assessed applications, one from each registered applicant, made once and
    copied for each example (assessing them is most of an example's cost)."""

    var: Path
    programme_id: UUID
    applications: list[UUID]

    @classmethod
    def make(cls, var: Path) -> Prepared:
        clock = FixedClock(START)
        market = marketplace(var, clock)
        try:
            eligibility = Eligibility(postcode_areas=["SY", "TF"])  # not VCSE only: every applicant may apply
            fund = funded(market, clock, budget=BUDGET, eligibility=eligibility)
            return cls(var, fund.programme_id, [fund.assessed(identifier) for identifier in APPLICANTS])
        finally:
            market.close()

    def copy(self) -> Path:
        var = Path(tempfile.mkdtemp(prefix="grants-invariants-"))
        source, target = sqlite3.connect(self.var / "m.db"), sqlite3.connect(var / "m.db")
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return var


class BudgetLedger(RuleBasedStateMachine):
    """The prepared programme and applications, in a marketplace of their own. Answers are given to offers once
    made, and a grant's commands to grants once made (each perhaps since lapsed, declined, closed: refused)."""

    offered = Bundle("offered")  # the applications offered a grant (by their index)
    granted = Bundle("granted")  # the applications whose offer was accepted

    def __init__(self, prepared: Prepared) -> None:
        super().__init__()
        self.var = prepared.copy()
        self.clock = FixedClock(START)
        self.market = marketplace(self.var, self.clock)
        self.fund = Funded(self.market, self.clock, prepared.programme_id)
        self.identifiers = list(APPLICANTS)
        self.applications = prepared.applications
        self.refused: Counter[str] = Counter()
        self.done: Counter[str] = Counter()

    def teardown(self) -> None:
        self.market.close()
        shutil.rmtree(self.var, ignore_errors=True)

    # --- what may happen --------------------------------------------------------------------------------------

    def attempt(self, what: str, command: Callable[[], object]) -> bool:
        try:
            command()
        except DomainError as refusal:  # a refusal is an answer, not a failure
            self.refused[f"{what}: {refusal.rule}"] += 1
            return False
        self.done[what] += 1
        return True

    @property
    def day(self) -> date:
        return uk_date(self.clock.now())

    def recipient(self, which: int) -> CommandRequest:
        """The applicant's lead: the application is theirs, and the grant once they accept."""
        return request(provider(self.identifiers[which]))

    def grant_of(self, which: int) -> UUID:
        return grant_uuid(self.applications[which])

    @property
    def apps(self) -> Applications:
        return self.market.service(Applications)

    @property
    def grants(self) -> Grants:
        return self.market.service(Grants)

    @rule(target=offered, which=WHICH, amount=pence(100_000, 2_100_000), days=st.integers(1, 20))
    def offer(self, which: int, amount: Decimal, days: int) -> Any:
        day = self.day
        terms = offer_terms(str(amount), day, expires=day + timedelta(days=days), uplift_reason="A wider reach.")
        made = self.attempt("offer", lambda: self.apps.offer(OFFICER, self.applications[which], "Strong.", terms))
        return which if made else multiple()

    @rule(target=granted, which=offered)
    def accept(self, which: int) -> Any:
        made = self.attempt("accept", lambda: self.apps.accept(self.recipient(which), self.applications[which]))
        return which if made else multiple()

    @rule(which=offered)
    def decline_offer(self, which: int) -> None:
        self.attempt("decline", lambda: self.apps.decline_offer(self.recipient(which), self.applications[which], "No."))

    @rule(days=st.integers(1, 10))
    def time_passes(self, days: int) -> None:
        self.clock.advance(days=days)
        self.done["lapsed"] += tick(self.market)["grant offers lapsed"]

    @rule(which=granted, instalment=st.sampled_from(["first", "second"]))
    def pay(self, which: int, instalment: str) -> None:
        grant_id = self.grant_of(which)
        if instalment == "first":  # it waits for the safeguarding condition
            evidence = "Policy dated 2026."
            self.attempt(
                "discharge", lambda: self.grants.discharge(OFFICER, grant_id, "Seen.", "safeguarding", evidence)
            )
        self.attempt("pay", lambda: pay_instalment(self.market, grant_id, instalment, self.day))

    @rule(which=granted, amount=pence(0, 2_500_000))
    def vary(self, which: int, amount: Decimal) -> None:
        variation = GrantVariation(amount=amount)
        self.attempt("vary", lambda: self.grants.vary(OFFICER, self.grant_of(which), "Varied.", variation))

    @rule(which=granted, amount=pence(1, 800_000))
    def declare_underspend(self, which: int, amount: Decimal) -> None:
        underspend = self.grants.declare_underspend
        self.attempt("underspend", lambda: underspend(self.recipient(which), self.grant_of(which), amount, "Unneeded."))

    @rule(
        which=granted, share=st.sampled_from(["0", "0.5", "1"]), more=st.one_of(st.just(Decimal(0)), pence(1, 300_000))
    )
    def return_underspend(self, which: int, share: str, more: Decimal) -> None:
        """Repaid: a share of what may be (the underspend, as far as it was paid), and at times more than that."""
        grant = self.market.commands.find(Grant, self.grant_of(which))
        most = min(grant.underspend_declared, grant.disbursed) if grant is not None else Decimal(0)
        repaid = (most * Decimal(share)).quantize(Decimal("0.01")) + more
        give_back = self.grants.return_underspend
        self.attempt("return underspend", lambda: give_back(OFFICER, self.grant_of(which), "Agreed.", repaid))

    @rule(which=granted, amount=pence(0, 2_100_000))
    def claw_back(self, which: int, amount: Decimal) -> None:
        self.attempt("clawback", lambda: self.grants.claw_back(OFFICER, self.grant_of(which), "Misspent.", amount))

    @rule(which=granted, by=st.sampled_from([OFFICER.actor, APPROVER]), twice=st.booleans())
    def money_comes_back(self, which: int, by: Actor, twice: bool) -> None:
        """The latest money asked back received: by another officer, or (refused) by whoever raised it; at times
        recorded a second time (refused)."""
        awaited = awaited_recoveries(self.market, self.grant_of(which))
        if not awaited:
            return
        for _ in range(2 if twice else 1):
            self.attempt("recover", lambda: receive(self.market, awaited[-1], self.day, by))

    @rule(which=granted)
    def close(self, which: int) -> None:
        """The project ran from the grant agreement to today: refused the day it was made (it must end after it
        starts), so a grant lives a while before it can close."""
        grant = self.market.commands.find(Grant, self.grant_of(which))
        closure = Closure(uk_date(grant.created_on) if grant is not None else self.day, self.day)
        self.attempt("close", lambda: self.grants.close(OFFICER, self.grant_of(which), "Project complete.", closure))

    # --- what always holds ------------------------------------------------------------------------------------

    @invariant()
    def the_budget_ledger_holds(self) -> None:
        commands = self.market.commands
        programme = commands.load(GrantProgramme, self.fund.programme_id)
        assert Decimal(0) <= programme.committed <= programme.budget, (programme.committed, programme.budget)
        held: dict[str, Decimal] = {}
        grants: dict[str, Grant] = {}
        for application_id in self.applications:
            application = commands.load(GrantApplication, application_id)
            grant = commands.find(Grant, grant_uuid(application_id))
            expected = Decimal(0)
            if application.status == ApplicationStatus.OFFERED:
                assert application.offer is not None and grant is None
                expected = application.offer["amount"]
            if grant is not None:
                assert application.status == ApplicationStatus.ACCEPTED
                assert grant.reclaimed + grant.asked_back <= grant.paid, (grant.paid, grant.reclaimed, grant.asked_back)
                assert grant.asked_back == self.asked_back_by_recoveries(grant), grant.recoveries
                assert grant.paid - grant.reclaimed <= grant.amount, (grant.paid, grant.reclaimed, grant.amount)
                assert grant.amount >= 0 and grant.underspend_declared >= 0
                grants[str(grant.id)] = grant
                expected = grant.amount
            held[str(application_id)] = expected
            assert programme.commitments.get(str(application_id), Decimal(0)) == expected, (application.status, grant)
        assert programme.committed == sum(held.values(), Decimal(0))
        with self.market.views() as session:
            row = find_programme(session, str(self.fund.programme_id))
            shown = {r.id: r for r in session.execute(select(grants_register))}
        assert row is not None
        assert (row["committed"], row["budget"]) == (programme.committed, programme.budget)
        assert row["disbursed"] == sum((g.disbursed for g in grants.values()), Decimal(0))
        assert set(shown) == set(grants)
        for grant_id, grant in grants.items():
            assert (shown[grant_id].amount_awarded, shown[grant_id].amount_disbursed) == (grant.amount, grant.disbursed)

    def asked_back_by_recoveries(self, grant: Grant) -> Decimal:
        """What the grant's recoveries still ask for, as their payment records say."""
        requests = [self.market.commands.load(Invoice, UUID(recovery)) for recovery in grant.recoveries]
        return sum((r.gross for r in requests if r.status == InvoiceStatus.REQUESTED), Decimal(0))


@pytest.mark.slow  # 15 s of random sequences: .ci/run runs it with the slow suites
def test_the_budget_ledger_holds_whatever_happens_in_whatever_order() -> None:
    var = Path(tempfile.mkdtemp(prefix="grants-prepared-"))
    try:
        prepared = Prepared.make(var)
        run_state_machine_as_test(
            lambda: BudgetLedger(prepared),  # type: ignore[arg-type]  # a factory serves, as documented
            settings=settings(
                max_examples=25,
                stateful_step_count=30,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    finally:
        shutil.rmtree(var, ignore_errors=True)
