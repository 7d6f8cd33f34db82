"""The grants part of the rebuild benchmark's log: programmes run in rounds, through the services.

Every event is made by the command a council officer, an applicant or the clock would issue
(`marketplace.grants.services`), with the domain's own values (`domain.grants.terms`), on a `FixedClock` moved
through each round: so every rule holds, and each command saves what it changes together (an offer with its
commitment, an acceptance with its grant, a release with the change that frees it).

A round runs three programmes side by side (one paid by milestones, two by date; one window extended),
about sixteen months from publication to the last grant closed. Each step of a round is taken for every record in
a shuffled order, step by step, so one application's events are spread across the log as a real round spreads
them, and a rebuild batch keeps touching rows made in earlier batches:

- programmes: drafted, published, window opened and closed by the clock, budgets topped up, closed at the end;
- applications (each from one of the VCSE organisations the rest of the log registers, several per organisation):
  drafted; one in five saves a change; a few withdraw or never submit; submitted; one in sixteen is sent back
  for changes and resubmitted; two assessors (a third when one declares a conflict) assigned, declared, scored on
  both criteria; moderated; ranked, offered while the budget lasts (FundsCommitted beside each Offered), the
  rest declined with feedback; offers accepted (the grant made), declined (funds released) or lapsed by the clock;
- grants: a condition discharged, two instalments paid, two monitoring returns submitted and reviewed (one in ten
  returned and resubmitted), some varied (end date, or more money committed), some declaring and returning
  underspend, a few clawed back, most closed (the unpaid balance released).

Nothing here is imported from tests/ (bench must not depend on them); the builders follow tests/grants_fixtures.py.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

from bench.common import COUNCIL, OFFICER
from domain.base import Actor, Role
from domain.grants.grant import Grant, grant_uuid
from domain.grants.programme import GrantProgramme
from domain.grants.terms import (
    AgreedScore,
    AssessmentCriterion,
    BudgetLine,
    Closure,
    Condition,
    CouncilPriority,
    CriterionScore,
    Eligibility,
    GrantVariation,
    Instalment,
    Location,
    MonitoringReturn,
    OfferTerms,
    ProgrammeTerms,
    Proposal,
    ProposalChange,
)
from domain.payments.invoice import Invoice
from domain.payments.terms import InstalmentClaim, PaymentMade
from domain.working_days import uk_date
from marketplace.clock import FixedClock
from marketplace.commands import CommandRequest, by_the_clock
from marketplace.grants.services import Applications, Grants, Programmes
from marketplace.payments.services import Invoices
from marketplace.service import Marketplace

GRANTS_START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
EVENTS_PER_APPLICATION = 18.5  # measured: for sizing the rounds to the events asked for
PROGRAMMES_PER_ROUND = 3
MOST_APPLICATIONS_PER_ROUND = 300
CRITERIA = (AssessmentCriterion("need", "Evidence of need", 60, 5), AssessmentCriterion("delivery", "Delivery", 40, 10))
ASSESSORS = tuple(Actor(name, COUNCIL, Role.COMMISSIONER) for name in ("asha", "ben", "chloe", "dev", "ellis", "faye"))
DISTRICTS = (
    ("SY1", "Shrewsbury"),
    ("SY8", "Ludlow"),
    ("SY11", "Oswestry"),
    ("SY13", "Whitchurch"),
    ("TF1", "Wellington"),
)
WINDOW_DAYS = 28


def applicant_identifiers(organisations: int) -> list[str]:
    """The organisations of bench.rebuild's log that may apply: VCSE (bench.common.org_details) and never
    deactivated (bench.rebuild._plan)."""
    from bench.common import org_identifier

    return [org_identifier(i + 1) for i in range(organisations) if i % 3 == 0 and i % 50 != 1]


APPROVER = Actor("bench-approver", COUNCIL, Role.COMMISSIONER)  # approves what the officer raised (four eyes)


def provider(identifier: str) -> Actor:
    return Actor(f"{identifier}-lead", identifier, Role.PROVIDER)


def ask(actor: Actor = OFFICER) -> CommandRequest:
    return CommandRequest(actor, correlation_id="bench-grants")


@dataclass
class Application:
    """One application as the round plans it: who, how much, and what happens to it."""

    programme: int  # index in the round
    applicant: str
    amount: Decimal
    scores: tuple[int, int]
    assessors: list[Actor]
    conflicted: bool = False  # the first assessor declares a conflict; a third is assigned
    id: UUID | None = None
    status: str = "draft"

    @property
    def actor(self) -> Actor:
        return provider(self.applicant)

    @property
    def total(self) -> Decimal:
        return Decimal(self.scores[0]) / 5 * 60 + Decimal(self.scores[1]) / 10 * 40

    @property
    def scorers(self) -> list[Actor]:
        return self.assessors[1:] if self.conflicted else self.assessors


@dataclass
class Funded:
    """A grant as the round follows it: the application it came from and its money."""

    application: Application
    amount: Decimal
    paid: Decimal = Decimal(0)
    reclaimed: Decimal = Decimal(0)

    @property
    def id(self) -> UUID:
        assert self.application.id is not None
        return grant_uuid(self.application.id)

    @property
    def actor(self) -> Actor:
        return self.application.actor


@dataclass
class GrantMix:
    rounds: int = 0
    programmes: int = 0
    applications: int = 0
    offers: int = 0
    grants: int = 0
    commands: int = 0
    refusals: dict[str, int] = field(default_factory=dict)


class GrantLog:
    """Runs rounds of programmes through the services until the log holds the grant events asked for."""

    def __init__(self, market: Marketplace, clock: FixedClock, applicants: Sequence[str], seed: int = 11) -> None:
        if not applicants:
            raise ValueError("the grants need registered VCSE organisations to apply")
        self.market = market
        self.clock = clock
        self.applicants = list(applicants)
        self.random = random.Random(seed)
        self.mix = GrantMix()
        self.programmes = market.service(Programmes)
        self.applications = market.service(Applications)
        self.grants = market.service(Grants)
        self.invoices = market.service(Invoices)

    def run(self, events: int) -> GrantMix:
        recorder = self.market.app.recorder
        before = recorder.max_notification_id() or 0
        while (made := (recorder.max_notification_id() or 0) - before) < events:
            wanted = math.ceil((events - made) / EVENTS_PER_APPLICATION)
            self._round(max(PROGRAMMES_PER_ROUND, min(MOST_APPLICATIONS_PER_ROUND, wanted)))
        return self.mix

    def _programme(self, programme_id: UUID) -> GrantProgramme:
        return self.market.commands.load(GrantProgramme, programme_id)

    def _grant(self, grant_id: UUID) -> Grant:
        return self.market.commands.load(Grant, grant_id)

    # --- the steps -------------------------------------------------------------------------------------------

    def _do(self, command: Callable[..., Any], *args: Any) -> Any:
        self.mix.commands += 1
        return command(*args)

    def _each(self, items: Sequence[Any], act: Callable[[Any], None]) -> None:
        """One step for every item, in a shuffled order."""
        order = list(items)
        self.random.shuffle(order)
        for item in order:
            act(item)

    def _later(self, days: int) -> date:
        self.clock.advance(days=days)
        return uk_date(self.clock.now())

    def _round(self, size: int) -> None:
        self.mix.rounds += 1
        number = self.mix.rounds
        opened = self.clock.now()
        plans = [self._plan(n % PROGRAMMES_PER_ROUND) for n in range(size)]
        programme_ids = [self._publish(number, k, plans, opened) for k in range(PROGRAMMES_PER_ROUND)]
        self._apply(plans, programme_ids)
        self._assess(plans, programme_ids, opened)
        self._decide(plans, programme_ids)
        funded = self._answer(plans, programme_ids)
        self._run_grants(funded, programme_ids)
        for programme_id in programme_ids:
            self._do(self.programmes.close, ask(), programme_id, "All offers made; the round is complete.")
        self.clock.advance(days=10)

    def _plan(self, programme: int) -> Application:
        amount = Decimal(self.random.randrange(2, 41) * 500)  # £1,000 to £20,000
        scores = (self.random.randint(1, 5), self.random.randint(2, 10))
        assessors = self.random.sample(ASSESSORS, 3)
        return Application(programme, self.random.choice(self.applicants), amount, scores, assessors)

    def _publish(self, number: int, k: int, plans: Sequence[Application], opened: datetime) -> UUID:
        asked = sum((a.amount for a in plans if a.programme == k), Decimal(0))
        budget = (asked * Decimal("0.55")).quantize(Decimal(1000))  # room for about half of what is asked
        terms = ProgrammeTerms(
            code=f"BENCH-{number}-{k}",
            title=f"Community Fund, round {number} ({k + 1})",
            description="Grants for community groups that help people stay well and independent at home.",
            priority=list(CouncilPriority)[(number + k) % len(CouncilPriority)].value,
            budget=max(budget, Decimal(20000)),
            opens=opened,
            closes=opened + timedelta(days=WINDOW_DAYS),
            minimum_award=Decimal(1000),
            maximum_award=Decimal(20000),
            eligibility=Eligibility(vcse_only=True, postcode_areas=["SY", "TF"]),
            criteria=list(CRITERIA),
            assessors_needed=2,
            payment_basis="milestones" if k == 2 else ("in-advance" if k == 1 else "in-arrears"),
        )
        made = self._do(self.programmes.draft, ask(), terms)
        programme_id = UUID(made.aggregate_id)
        self._do(self.programmes.publish, ask(), programme_id, "Approved by cabinet.")
        self._do(self.programmes.record_window, by_the_clock(), programme_id)  # opened
        return programme_id

    def _proposal(self, plan: Application) -> Proposal:
        district, town = DISTRICTS[self.random.randrange(len(DISTRICTS))]
        start = uk_date(self.clock.now()) + timedelta(days=60)
        half = (plan.amount / 2).quantize(Decimal(1))
        return Proposal(
            project_title=f"Warm spaces and visits in {town}",
            summary="Volunteers open warm spaces and visit isolated older people through the winter.",
            amount_requested=plan.amount,
            planned_start=start,
            planned_end=start + timedelta(days=365),
            locations=[Location("postcode-district", district, town)],
            outcomes=["200 visits", "50 people less isolated"],
            budget=[BudgetLine("Volunteer expenses", half), BudgetLine("Venue hire", plan.amount - half)],
        )

    def _apply(self, plans: list[Application], programme_ids: Sequence[UUID]) -> None:
        """The window: drafts, changes to drafts, withdrawals and submissions."""

        def draft(plan: Application) -> None:
            made = self._do(
                self.applications.apply, ask(plan.actor), programme_ids[plan.programme], self._proposal(plan)
            )
            plan.id = UUID(made.aggregate_id)
            self.mix.applications += 1

        self._each(plans, draft)
        self.clock.advance(days=7)

        def revise(plan: Application) -> None:
            change = ProposalChange(summary="Volunteers open warm spaces, visit, and help with heating bills.")
            self._do(self.applications.save_draft, ask(plan.actor), plan.id, change)

        self._each([p for p in plans if self.random.random() < 0.2], revise)
        self.clock.advance(days=7)

        def submit_or_not(plan: Application) -> None:
            fate = self.random.random()
            if fate < 0.04:
                self._do(self.applications.withdraw, ask(plan.actor), plan.id)
                plan.status = "withdrawn"
            elif fate < 0.07:
                plan.status = "never submitted"
            else:
                self._do(self.applications.submit, ask(plan.actor), plan.id)
                plan.status = "submitted"

        self._each(plans, submit_or_not)

    def _assess(self, plans: list[Application], programme_ids: Sequence[UUID], opened: datetime) -> None:
        """After the window: a few sent back for changes, then two assessors each, scores and moderation."""
        self.clock.set(opened + timedelta(days=WINDOW_DAYS - 3))
        self._do(self.programmes.extend_window, ask(), programme_ids[1], "More time for rural groups.",
                 opened + timedelta(days=WINDOW_DAYS + 5))  # fmt: skip
        self.clock.set(opened + timedelta(days=WINDOW_DAYS + 6))
        for programme_id in programme_ids:
            self._do(self.programmes.record_window, by_the_clock(), programme_id)  # closed
        submitted = [p for p in plans if p.status == "submitted"]

        def send_back(plan: Application) -> None:
            self._do(self.applications.request_changes, ask(), plan.id, "Say how volunteers are vetted.")
            change = ProposalChange(outcomes=["200 visits", "50 people less isolated", "All volunteers DBS checked"])
            self._do(self.applications.save_draft, ask(plan.actor), plan.id, change)
            self._do(self.applications.submit, ask(plan.actor), plan.id)

        self._each([p for p in submitted if self.random.random() < 1 / 16], send_back)
        for plan in submitted:
            plan.conflicted = self.random.random() < 0.04
        apps = self.applications

        def assign(n: int) -> Callable[[Application], None]:
            return lambda plan: self._do(apps.assign, ask(), plan.id, plan.assessors[n].subject)

        def declare(n: int) -> Callable[[Application], None]:
            def act(plan: Application) -> None:
                conflict = plan.conflicted and n == 0
                statement = "I volunteer with this group." if conflict else "I have no interest in this applicant."
                self._do(apps.declare, ask(plan.assessors[n]), plan.id, conflict, statement)

            return act

        def score(criterion: int, n: int) -> Callable[[Application], None]:
            def act(plan: Application) -> None:
                mark = CriterionScore(CRITERIA[criterion].key, plan.scores[criterion], "Evidence in section 2.")
                self._do(apps.score, ask(plan.scorers[n]), plan.id, mark)

            return act

        def moderate(criterion: int) -> Callable[[Application], None]:
            def act(plan: Application) -> None:
                agreed = AgreedScore(CRITERIA[criterion].key, plan.scores[criterion], "Assessors agreed.")
                self._do(apps.moderate, ask(), plan.id, agreed)

            return act

        third = [p for p in submitted if p.conflicted]
        steps: list[tuple[Sequence[Application], Callable[[Application], None]]] = [
            (submitted, assign(0)),
            (submitted, assign(1)),
            (submitted, declare(0)),
            (submitted, declare(1)),
            (third, assign(2)),
            (third, declare(2)),
            *((submitted, score(c, n)) for c in range(2) for n in range(2)),
            (submitted, moderate(0)),
            (submitted, moderate(1)),
        ]
        for days, (items, act) in enumerate(steps):
            self._each(items, act)
            self.clock.advance(hours=12 + days)

    def _offer_terms(self, plan: Application, basis_is_milestones: bool) -> OfferTerms:
        today = uk_date(self.clock.now())
        first = (plan.amount / 2).quantize(Decimal(1))
        if basis_is_milestones:
            schedule = [
                Instalment("start", first, "milestone", milestone="Project started", conditions=["safeguarding"]),
                Instalment("midpoint", plan.amount - first, "milestone", milestone="Half the visits made"),
            ]
        else:
            schedule = [
                Instalment("first", first, "date", today + timedelta(days=30), conditions=["safeguarding"]),
                Instalment("second", plan.amount - first, "date", today + timedelta(days=180)),
            ]
        return OfferTerms(
            amount=plan.amount,
            conditions=[Condition("safeguarding", "A safeguarding policy approved by the trustees")],
            schedule=schedule,
            expires=today + timedelta(days=14),
        )

    def _decide(self, plans: list[Application], programme_ids: Sequence[UUID]) -> None:
        """Ranked by moderated score, offered while each programme's budget lasts; the rest declined."""
        self.clock.advance(days=7)
        budgets = {k: self._programme(programme_ids[k]).remaining for k in range(PROGRAMMES_PER_ROUND)}
        # best first; sorted() is stable, so ties stay in plan order and the log is the same run after run
        ranked = sorted((p for p in plans if p.status == "submitted"), key=lambda p: -p.total)
        for plan in ranked:
            if plan.total >= 40 and plan.amount <= budgets[plan.programme]:
                budgets[plan.programme] -= plan.amount
                plan.status = "to offer"
            else:
                plan.status = "to decline"

        def decide(plan: Application) -> None:
            if plan.status == "to offer":
                terms = self._offer_terms(plan, plan.programme == 2)
                self._do(self.applications.offer, ask(), plan.id, "Strong evidence of need.", terms)
                plan.status = "offered"
                self.mix.offers += 1
            else:
                feedback = "Other applications showed stronger evidence of need."
                self._do(self.applications.decline, ask(), plan.id, "Not ranked high enough.", feedback)
                plan.status = "declined"

        self._each([p for p in plans if p.status in ("to offer", "to decline")], decide)

    def _answer(self, plans: list[Application], programme_ids: Sequence[UUID]) -> list[Funded]:
        """Offers accepted (the grant made), declined, or left to lapse by the clock."""
        self.clock.advance(days=3)
        offered = [p for p in plans if p.status == "offered"]
        funded: list[Funded] = []

        def answer(plan: Application) -> None:
            fate = self.random.random()
            if fate < 0.86:
                self._do(self.applications.accept, ask(plan.actor), plan.id)
                funded.append(Funded(plan, plan.amount))
                plan.status = "accepted"
                self.mix.grants += 1
            elif fate < 0.94:
                self._do(self.applications.decline_offer, ask(plan.actor), plan.id, "We found other funding.")
                plan.status = "offer declined"

        self._each(offered, answer)
        self.clock.advance(days=15)
        self._each([p for p in offered if p.status == "offered"], self._lapse)
        for programme_id in programme_ids:  # a top-up for the variations to come
            remaining = self._programme(programme_id)
            self._do(self.programmes.adjust_budget, ask(), programme_id, "Top-up from reserves.",
                     remaining.budget + Decimal(10000))  # fmt: skip
        return funded

    def _lapse(self, plan: Application) -> None:
        self._do(self.applications.lapse, by_the_clock(), plan.id)
        plan.status = "lapsed"

    def _run_grants(self, funded: list[Funded], programme_ids: Sequence[UUID]) -> None:
        grants = self.grants
        self.clock.advance(days=20)

        def discharge(grant: Funded) -> None:
            self._do(grants.discharge, ask(), grant.id, "Policy seen.", "safeguarding", "Policy approved in 2026.")

        def pay(key_of: Callable[[Funded], str]) -> Callable[[Funded], None]:
            def act(grant: Funded) -> None:  # as every payment is: raised, validated, approved by another, paid
                invoices = self.invoices
                claim = UUID(self._do(invoices.claim, ask(), grant.id, InstalmentClaim(key_of(grant))).aggregate_id)
                self._do(invoices.validate, ask(), claim, "Instalment due; conditions seen.")
                self._do(invoices.approve, ask(APPROVER), claim, "Within the award.")
                gross = self.market.commands.load(Invoice, claim).gross
                self._do(invoices.pay, ask(), claim, PaymentMade(gross, uk_date(self.clock.now())))
                grant.paid = self._grant(grant.id).paid

            return act

        def first_key(grant: Funded) -> str:
            return "start" if grant.application.programme == 2 else "first"

        def second_key(grant: Funded) -> str:
            return "midpoint" if grant.application.programme == 2 else "second"

        def monitoring(period: str) -> Callable[[Funded], None]:
            def act(grant: Funded) -> None:
                spend = (grant.paid * Decimal("0.8")).quantize(Decimal("0.01"))
                report = MonitoringReturn(period, spend, "Visits on track; two new volunteers trained.")
                self._do(grants.submit_return, ask(grant.actor), grant.id, report)
                if self.random.random() < 0.1:
                    self._do(grants.review_return, ask(), grant.id, "Say how many people were visited.", period, False)
                    self._do(grants.submit_return, ask(grant.actor), grant.id, report)
                self._do(grants.review_return, ask(), grant.id, "Return accepted.", period, True)

            return act

        self._each(funded, discharge)
        self._each(funded, pay(first_key))
        self.clock.advance(days=90)
        self._each(funded, monitoring("Q1"))
        self.clock.advance(days=90)
        self._each(funded, pay(second_key))
        self._each(funded, monitoring("Q2"))
        self.clock.advance(days=30)
        self._vary(funded, programme_ids)
        self.clock.advance(days=150)
        self._wind_down(funded)

    def _vary(self, funded: list[Funded], programme_ids: Sequence[UUID]) -> None:
        room = {k: self._programme(programme_ids[k]).remaining for k in range(PROGRAMMES_PER_ROUND)}

        def vary(grant: Funded) -> None:
            fate = self.random.random()
            if fate < 0.08:
                end = self._grant(grant.id).planned_end + timedelta(days=90)
                self._do(self.grants.vary, ask(), grant.id, "Delivery delayed by the winter.", GrantVariation(end=end))
            elif fate < 0.13 and room[grant.application.programme] >= 1000:
                room[grant.application.programme] -= 1000
                grant.amount += 1000
                variation = GrantVariation(amount=grant.amount)
                self._do(self.grants.vary, ask(), grant.id, "Demand higher than planned.", variation)

        self._each(funded, vary)

    def _wind_down(self, funded: list[Funded]) -> None:
        """Underspend declared and returned, a few clawbacks, then most grants closed."""

        def settle(grant: Funded) -> None:
            fate = self.random.random()
            if fate < 0.08:
                underspend = (grant.amount * Decimal("0.1")).quantize(Decimal(1))
                self._do(self.grants.declare_underspend, ask(grant.actor), grant.id, underspend, "Fewer venues needed.")
                held = grant.paid - grant.reclaimed
                repaid = max(Decimal(0), held - (grant.amount - underspend))
                self._do(self.grants.return_underspend, ask(), grant.id, "Underspend agreed.", repaid)
                grant.amount -= underspend
                grant.reclaimed += repaid
            elif fate < 0.11:
                amount = ((grant.paid - grant.reclaimed) * Decimal("0.2")).quantize(Decimal(1))
                self._do(self.grants.claw_back, ask(), grant.id, "Visits not evidenced.", amount)
                grant.amount -= amount
                grant.reclaimed += amount

        def close(grant: Funded) -> None:
            stood = self._grant(grant.id)
            closure = Closure(stood.planned_start, min(stood.planned_end, uk_date(self.clock.now())))
            self._do(self.grants.close, ask(), grant.id, "Project complete; final report accepted.", closure)

        self._each(funded, settle)
        self.clock.advance(days=30)
        self._each([g for g in funded if self.random.random() < 0.7], close)


def started_clock() -> FixedClock:
    return FixedClock(GRANTS_START)
