"""The demo's grant programme: a Community Resilience Fund with an application at every stage a person can reach
today (a draft, one submitted, one sent back for changes, one withdrawn, one declined, one offered, and one
accepted, its grant with a condition discharged and an instalment paid). An offer lapses only once its expiry
has passed, so the demo, which runs on today's clock, has none.

Loading is idempotent: a programme already there is left as it is.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from domain.base import Actor, Role
from domain.grants.grant import grant_uuid
from domain.grants.programme import programme_uuid
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
from domain.payments.invoice import Invoice
from domain.payments.terms import InstalmentClaim, PaymentMade
from domain.working_days import uk_date
from marketplace.commands import CommandRequest
from marketplace.grants.services import Applications, Grants, Programmes
from marketplace.payments.services import Invoices
from marketplace.service import Marketplace

COUNCIL = "GB-LAE-SHR"
OFFICER = Actor("demo-commissioner", COUNCIL, Role.COMMISSIONER)
ASSESSORS = (Actor("demo-assessor-1", COUNCIL, Role.COMMISSIONER), Actor("demo-assessor-2", COUNCIL, Role.COMMISSIONER))
CODE = "CRF-DEMO"
CRITERIA = (
    AssessmentCriterion("need", "Evidence of local need", 50, 5),
    AssessmentCriterion("delivery", "A plan that can be delivered", 30, 5),
    AssessmentCriterion("value", "Value for money", 20, 5),
)

# applicant, project, amount, the stage it reaches
APPLICATIONS = (
    ("GB-CHC-1102345", "Winter befriending visits", "12000", "accepted"),
    ("GB-COH-11223344", "Volunteer drivers for rural appointments", "18000", "offered"),
    ("GB-CHC-1187654", "Carers' respite afternoons", "6000", "declined"),
    ("GB-MPR-31234R", "Community shop delivery round", "4000", "changes-requested"),
    ("GB-CHC-1034567", "Reading buddies at home", "3000", "withdrawn"),
    ("GB-COH-12345678", "Hot meals for hospital leavers", "9000", "submitted"),
    ("GB-CHC-1102345", "Digital skills drop-ins", "2500", "draft"),
)


def _as(actor: Actor) -> CommandRequest:
    return CommandRequest(actor, correlation_id="demo")


def _provider(identifier: str) -> Actor:
    return Actor(f"demo-lead-{identifier.lower()}", identifier, Role.PROVIDER)


def _terms(market: Marketplace) -> ProgrammeTerms:
    now = market.clock.now()
    return ProgrammeTerms(
        code=CODE,
        title="Community Resilience Fund (demo)",
        description="Grants of £1,000 to £20,000 for community groups helping people stay well and independent.",
        priority="sustainable-places-and-communities",
        budget=Decimal("60000"),
        opens=now - timedelta(minutes=1),
        closes=now + timedelta(weeks=8),
        minimum_award=Decimal("1000"),
        maximum_award=Decimal("20000"),
        eligibility=Eligibility(vcse_only=True, postcode_areas=["SY", "TF"]),
        criteria=list(CRITERIA),
        assessors_needed=2,
        payment_basis="in-arrears",
    )


def _proposal(title: str, amount: str, district: str, today: date) -> Proposal:
    return Proposal(
        project_title=title,
        summary=f"{title}: run by local volunteers, for people the council's services find hard to reach.",
        amount_requested=Decimal(amount),
        planned_start=today + timedelta(days=60),
        planned_end=today + timedelta(days=425),
        locations=[Location("postcode-district", district, f"{district} district")],
        outcomes=["People less isolated", "Fewer missed appointments"],
        budget=[BudgetLine("Volunteer expenses", Decimal(amount))],
    )


def _assess(applications: Applications, application_id: UUID, score: int) -> None:
    for assessor in ASSESSORS:
        applications.assign(_as(OFFICER), application_id, assessor.subject)
        applications.declare(_as(assessor), application_id, False, "No interest in this organisation.")
    for criterion in CRITERIA:
        for assessor in ASSESSORS:
            applications.score(_as(assessor), application_id, CriterionScore(criterion.key, score, "As evidenced."))
        applications.moderate(_as(OFFICER), application_id, AgreedScore(criterion.key, score, "Agreed at panel."))


def _offer(amount: str, today: date) -> OfferTerms:
    return OfferTerms(
        amount=Decimal(amount),
        conditions=[Condition("safeguarding", "A safeguarding policy adopted by the trustees")],
        schedule=[
            Instalment("first", Decimal(amount) / 2, "date", today + timedelta(days=30), conditions=["safeguarding"]),
            Instalment("final", Decimal(amount) / 2, "date", today + timedelta(days=300)),
        ],
        expires=today + timedelta(days=28),
    )


def _to_stage(market: Marketplace, application_id: UUID, applicant: str, amount: str, stage: str) -> None:
    applications, today = market.service(Applications), uk_date(market.clock.now())
    if stage == "draft":
        return
    applications.submit(_as(_provider(applicant)), application_id)
    if stage in {"accepted", "offered", "declined"}:
        _assess(applications, application_id, 4 if stage != "declined" else 2)
    if stage in {"accepted", "offered"}:
        applications.offer(_as(OFFICER), application_id, "Strong, well-evidenced case.", _offer(amount, today))
    moves = {
        "declined": lambda: applications.decline(
            _as(OFFICER), application_id, "Below the funding line.", "Show how the project reaches new people."
        ),
        "changes-requested": lambda: applications.request_changes(
            _as(OFFICER), application_id, "Please break the budget down by quarter."
        ),
        "withdrawn": lambda: applications.withdraw(_as(_provider(applicant)), application_id),
        "accepted": lambda: applications.accept(_as(_provider(applicant)), application_id),
    }
    if stage in moves:
        moves[stage]()
    if stage == "accepted":
        grants, grant_id = market.service(Grants), grant_uuid(application_id)
        grants.discharge(_as(OFFICER), grant_id, "Policy seen.", "safeguarding", "Policy adopted by the trustees.")
        _pay_first_instalment(market, grant_id, today)


def load_grants_demo(market: Marketplace) -> int:
    """The demo programme and its applications; how many records it made (0 when it was already there)."""
    if market.commands.exists(programme_uuid(CODE)):
        return 0
    programmes = market.service(Programmes)
    programme_id = UUID(programmes.draft(_as(OFFICER), _terms(market)).aggregate_id)
    programmes.publish(_as(OFFICER), programme_id, "Approved by the Cabinet member for communities.")
    districts = {"GB-CHC-1102345": "SY8", "GB-COH-11223344": "SY11", "GB-CHC-1187654": "SY8", "GB-MPR-31234R": "SY7"}
    for applicant, title, amount, stage in APPLICATIONS:
        district = districts.get(applicant, "TF3" if applicant == "GB-COH-12345678" else "SY1")
        proposal = _proposal(title, amount, district, uk_date(market.clock.now()))
        made = market.service(Applications).apply(_as(_provider(applicant)), programme_id, proposal)
        _to_stage(market, UUID(made.aggregate_id), applicant, amount, stage)
    return 1 + len(APPLICATIONS)


def _pay_first_instalment(market: Marketplace, grant_id: UUID, today: date) -> None:
    """Raised by the programme's officer, validated by them, approved by another officer (four eyes), paid."""
    invoices = market.service(Invoices)
    claim = UUID(invoices.claim(_as(OFFICER), grant_id, InstalmentClaim("first")).aggregate_id)
    invoices.validate(_as(OFFICER), claim, "Instalment due on signing; safeguarding policy seen.")
    invoices.approve(_as(ASSESSORS[0]), claim, "Within the programme's budget.")
    gross = market.commands.load(Invoice, claim).gross
    invoices.pay(_as(OFFICER), claim, PaymentMade(gross, today, "DEMO-PAY-1"))
