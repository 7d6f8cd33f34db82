"""Grants as the services take them: a programme's terms, an applicant's proposal, an offer, and the people who
act, for the tests of the domain and the services (the API's tests send the same as JSON)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.base import Actor, Role
from domain.grants.grant import Grant
from domain.grants.programme import GrantProgramme
from domain.grants.terms import (
    AgreedScore,
    AssessmentCriterion,
    BudgetLine,
    Condition,
    CriterionScore,
    Eligibility,
    Instalment,
    Location,
    OfferTerms,
    ProgrammeTerms,
    Proposal,
)
from domain.organisations.organisation import OrganisationDetails
from domain.payments.invoice import Invoice
from domain.payments.terms import InstalmentClaim, MoneyReceived, PaymentMade
from domain.rules import DomainError, Refusal
from domain.values import Address, Contact
from domain.working_days import uk_date
from marketplace.clock import FixedClock
from marketplace.commands import CommandRequest
from marketplace.grants.services import Applications, Programmes
from marketplace.organisations.services import Organisations
from marketplace.payments.services import Invoices
from marketplace.service import Marketplace
from tests.conftest import COUNCIL

OFFICER = Actor("cathy", COUNCIL, Role.COMMISSIONER)
ASSESSORS = (Actor("asha", COUNCIL, Role.COMMISSIONER), Actor("ben", COUNCIL, Role.COMMISSIONER))
CRITERIA = (AssessmentCriterion("need", "Evidence of need", 60, 5), AssessmentCriterion("delivery", "Delivery", 40, 10))

APPLICANTS = {  # identifier: name, legal form, size, VCSE, postcode
    "GB-CHC-1234567": ("Ludlow Befrienders", "charitable-trust", "small", True, "SY8 1BB"),
    "GB-CHC-7654321": ("Oswestry Food Share", "charitable-incorporated-organisation", "micro", True, "SY11 1AA"),
    "GB-COH-12345678": ("Severn Community Interest", "community-interest-company", "small", True, "SY3 8HQ"),
    "GB-COH-87654321": ("Big Care Holdings", "company", "large", False, "TF1 1AA"),  # not VCSE: ineligible
}


def request(actor: Actor = OFFICER, key: str | None = None) -> CommandRequest:
    return CommandRequest(actor, correlation_id="test", idempotency_key=key)


def provider(identifier: str) -> Actor:
    return Actor(f"{identifier}-lead", identifier, Role.PROVIDER)


def programme_terms(clock: FixedClock, **changes: Any) -> ProgrammeTerms:
    now = clock.now()
    terms = ProgrammeTerms(
        code="CRF-2026",
        title="Community Resilience Fund",
        description="Small grants for community groups that help people stay independent.",
        priority="sustainable-places-and-communities",
        budget=Decimal("50000"),
        opens=now,
        closes=now + timedelta(days=28),
        minimum_award=Decimal("1000"),
        maximum_award=Decimal("20000"),
        eligibility=Eligibility(vcse_only=True, postcode_areas=["SY", "TF"]),
        criteria=list(CRITERIA),
        assessors_needed=2,
        payment_basis="in-arrears",
    )
    return replace(terms, **changes)


def proposal(amount: str = "10000", **changes: Any) -> Proposal:
    value = Proposal(
        project_title="Winter warmth visits",
        summary="Volunteers visit isolated older people through the winter.",
        amount_requested=Decimal(amount),
        planned_start=date(2026, 6, 1),
        planned_end=date(2027, 5, 31),
        locations=[Location("postcode-district", "SY8", "Ludlow")],
        outcomes=["200 visits", "50 people less isolated"],
        budget=[BudgetLine("Volunteer expenses", Decimal(amount))],
    )
    return replace(value, **changes)


def offer_terms(amount: str, today: date, **changes: Any) -> OfferTerms:
    half = (Decimal(amount) / 2).quantize(Decimal("0.01"))
    value = OfferTerms(
        amount=Decimal(amount),
        conditions=[Condition("safeguarding", "A safeguarding policy")],
        schedule=[
            Instalment("first", half, "date", today + timedelta(days=30), conditions=["safeguarding"]),
            Instalment("second", Decimal(amount) - half, "date", today + timedelta(days=180)),
        ],
        expires=today + timedelta(days=14),
    )
    return replace(value, **changes)


def register(
    market: Marketplace, identifier: str, table: dict[str, tuple[str, str, str, bool, str]] | None = None
) -> None:
    """Register one of the table's organisations (the applicants by default): name, legal form, size, VCSE, postcode."""
    name, legal_form, size, vcse, postcode = (APPLICANTS if table is None else table)[identifier]
    details = OrganisationDetails(
        identifier,
        name,
        legal_form,
        size,
        vcse,
        Address("1 High Street", "Shrewsbury", postcode),
        Contact("Ann Example", "ann@example.org"),
    )
    market.service(Organisations).register(request(OFFICER), details)


@dataclass
class Funded:
    """A published programme and the ids of what the tests made in it."""

    market: Marketplace
    clock: FixedClock
    programme_id: UUID

    @property
    def applications(self) -> Applications:
        return self.market.service(Applications)

    def apply(self, identifier: str, amount: str = "10000") -> UUID:
        outcome = self.applications.apply(request(provider(identifier)), self.programme_id, proposal(amount))
        return UUID(outcome.aggregate_id)

    def submitted(self, identifier: str, amount: str = "10000") -> UUID:
        application_id = self.apply(identifier, amount)
        self.applications.submit(request(provider(identifier)), application_id)
        return application_id

    def assessed(self, identifier: str, amount: str = "10000", scores: tuple[int, int] = (4, 8)) -> UUID:
        """Submitted, assessed by both assessors without conflict, and moderated."""
        application_id = self.submitted(identifier, amount)
        apps = self.applications
        for assessor in ASSESSORS:
            apps.assign(request(OFFICER), application_id, assessor.subject)
            apps.declare(request(assessor), application_id, False, "No interest to declare.")
        for criterion, score in zip(CRITERIA, scores, strict=True):
            for assessor in ASSESSORS:
                apps.score(request(assessor), application_id, CriterionScore(criterion.key, score, "Clear evidence."))
            apps.moderate(request(OFFICER), application_id, AgreedScore(criterion.key, score, "Agreed."))
        return application_id


def funded(market: Marketplace, clock: FixedClock, **changes: Any) -> Funded:
    """A published programme, its window open, with every applicant registered."""
    for identifier in APPLICANTS:
        register(market, identifier)
    programmes = market.service(Programmes)
    outcome = programmes.draft(request(), programme_terms(clock, **changes))
    programmes.publish(request(), UUID(outcome.aggregate_id), "Approved by cabinet on 1 March.")
    return Funded(market, clock, UUID(outcome.aggregate_id))


def later(clock: FixedClock, days: int) -> datetime:
    return clock.advance(days=days)


def refused(rule: str, call: Callable[..., object], *args: Any, field: str = "", kind: Refusal | None = None) -> None:
    """The call is refused by the rule named (naming the field and of the kind, when given)."""
    with pytest.raises(DomainError) as caught:
        call(*args)
    error = caught.value
    assert error.rule == rule, error.message
    assert not field or error.field == field, error.message
    assert kind is None or error.kind is kind, error.message


def lead(identifier: str = "GB-CHC-1234567") -> CommandRequest:
    """A request from the lead person at the applicant."""
    return request(provider(identifier))


def today(fund: Funded) -> date:
    return uk_date(fund.clock.now())


def committed(fund: Funded) -> Decimal:
    return fund.market.commands.load(GrantProgramme, fund.programme_id).committed


APPROVER = Actor("ed", COUNCIL, Role.COMMISSIONER)  # approves what the programme's officer raised and validated


def pay_instalment(
    market: Marketplace, grant_id: UUID, instalment: str, day: date, amount: Decimal | None = None
) -> UUID:
    """An instalment paid as every payment is (domain/payments): raised and validated by the programme's officer,
    approved by another, paid on `day`; its payment request's id."""
    invoices = market.service(Invoices)
    claim = UUID(invoices.claim(request(), grant_id, InstalmentClaim(instalment, amount)).aggregate_id)
    invoices.validate(request(), claim, "Instalment due; conditions seen.")
    invoices.approve(request(APPROVER), claim, "Within the award.")
    invoices.pay(request(), claim, PaymentMade(market.commands.load(Invoice, claim).gross, day))
    return claim


def awaited_recoveries(market: Marketplace, grant_id: UUID) -> list[UUID]:
    """The grant's recoveries whose money has not come back yet, oldest first."""
    grant = market.commands.load(Grant, grant_id)
    return [UUID(recovery) for recovery, asked in grant.recoveries.items() if asked["recovered_on"] is None]


def recover(market: Marketplace, grant_id: UUID, day: date, by: Actor = APPROVER) -> UUID:
    """The grant's latest recovery received in full on `day`, recorded by an officer (by default not the one who
    raised it: four eyes); the recovery's payment record's id."""
    recovery = awaited_recoveries(market, grant_id)[-1]
    receive(market, recovery, day, by)
    return recovery


def receive(market: Marketplace, recovery: UUID, day: date, by: Actor = APPROVER) -> None:
    """The money a recovery asks back, received in full on `day`, as `by` records it."""
    asked = market.commands.load(Invoice, recovery).gross
    market.service(Invoices).recover(request(by), recovery, MoneyReceived(asked, day, "BACS 2026-114"))
