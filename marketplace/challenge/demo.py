"""The demo's Community Right to Challenge: five services in the council's register (one excluded, being integrated
with the NHS), a published window, and expressions of interest at every stage a body or an officer can reach today.

- Mobile and home library service (a window open from today): one submitted (a community benefit society), one
  acknowledged (a staff group of two employees), one accepted and waiting for its procurement exercise.
- Community transport (no window, periods in working days): one with a modification proposed, one rejected on two
  statutory grounds with reasons, one withdrawn.
- Carers' breaks: one accepted with the modification its body agreed, waiting for its procurement exercise.
- Countryside access volunteering: one accepted (no days need pass before procurement) whose procurement exercise
  started when a tender naming the service was published.
- Intermediate care and reablement: excluded (Schedule 2 of SI 2012/1313), so no window and no expression.

No decision or procurement is overdue: the demo runs on today's clock, and a decision is due at least a day after
its expression (or its window's close). `marketplace tick` flags them once their days pass.

Loading is idempotent: a register that already has the demo's first service is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from eventsourcing.utils import get_topic
from sqlalchemy import select

from domain.base import Actor, Role
from domain.challenge.council_service import CouncilService
from domain.challenge.terms import Interest, Member, Partner, Periods, Rejection, ServiceTerms, Window
from domain.grants.terms import Location
from domain.tendering.procurement import Criterion, Lot
from domain.tendering.terms import ConflictsAssessment, TenderTerms
from domain.working_days import uk_date
from marketplace.audit import events_table
from marketplace.challenge.services import Expressions, Services
from marketplace.commands import CommandRequest
from marketplace.service import Marketplace
from marketplace.tendering.services import Tenders

COUNCIL = "GB-LAE-SHR"
OFFICER = Actor("demo-commissioner", COUNCIL, Role.COMMISSIONER)
STAFF_GROUP = "360G-SHR-staff-mobile-libraries"  # the identifier the staff group's members sign in under
LIBRARIES, TRANSPORT, CARERS, COUNTRYSIDE, REABLEMENT = (
    "Mobile and home library service",
    "Community transport: dial-a-ride and community car schemes",
    "Carers' breaks and support",
    "Countryside access volunteering and rights of way",
    "Intermediate care and reablement at home",
)
NHS_EXCLUSION = (
    "Schedule 2 to SI 2012/1313: the service is commissioned jointly with NHS Shropshire, Telford and Wrekin "
    "(the integrated care board) under a section 75 partnership agreement (NHS Act 2006), so the right to "
    "challenge does not apply to it."
)


def _as(actor: Actor) -> CommandRequest:
    return CommandRequest(actor, correlation_id="demo")


def _body(identifier: str) -> Actor:
    return Actor(f"demo-lead-{identifier.lower()}", identifier, Role.PROVIDER)


def _place(code: str, name: str) -> Location:
    return Location("postcode-district", code, name)


# name, department, priority, annual budget, periods, area, excluded
SERVICES: tuple[tuple[str, str, str, str, Periods, tuple[Location, ...], bool], ...] = (
    (
        LIBRARIES,
        "Culture, leisure and libraries",
        "embrace-our-rurality",
        "310000",
        Periods(decide_within=60, procure_after=30, procure_within=180),
        (_place("SY7", "Clun"), _place("SY9", "Bishop's Castle"), _place("TF13", "Much Wenlock")),
        False,
    ),
    (
        TRANSPORT,
        "Highways and transport",
        "sustainable-places-and-communities",
        "540000",
        Periods(decide_within=40, procure_after=10, procure_within=120, counted_in="working-days"),
        (),
        False,
    ),
    (
        CARERS,
        "Adult social care",
        "care-for-those-in-need-at-any-age",
        "420000",
        Periods(decide_within=30, procure_after=28, procure_within=120),
        (),
        False,
    ),
    (
        COUNTRYSIDE,
        "Outdoor partnerships",
        "a-healthy-environment",
        "95000",
        Periods(decide_within=30, procure_after=0, procure_within=90),
        (_place("TF13", "Much Wenlock"),),
        False,
    ),
    (
        REABLEMENT,
        "Adult social care",
        "care-for-those-in-need-at-any-age",
        "2100000",
        Periods(decide_within=60, procure_after=30, procure_within=180),
        (),
        True,
    ),
)


@dataclass(frozen=True)
class Said:
    """What a body says, shortly: the demo's Schedule 1 answers are built from it."""

    body: str
    service: str
    does: str  # what it would do, as a phrase
    outcomes: tuple[str, ...]
    stage: str


EXPRESSIONS = (
    Said(
        "GB-MPR-31234R",
        LIBRARIES,
        "run a library stop and home delivery round from the community shop",
        ("A weekly library stop in Clun", "Books delivered to 60 housebound readers"),
        "submitted",
    ),
    Said(
        STAFF_GROUP,
        LIBRARIES,
        "run the mobile libraries as an employee-led mutual",
        ("Every village stop kept", "Two more hours a week at each stop"),
        "acknowledged",
    ),
    Said(
        "GB-CHC-1034567",
        LIBRARIES,
        "run the home library service with trained volunteers",
        ("Home delivery for 300 readers", "Reading groups in six villages"),
        "accepted",
    ),
    Said(
        "GB-COH-11223344",
        TRANSPORT,
        "run dial-a-ride across the county with its minibus fleet",
        ("Door-to-door trips within 48 hours of booking", "Volunteer car scheme in every market town"),
        "modification-proposed",
    ),
    Said(
        "GB-CHC-1102345",
        TRANSPORT,
        "add a community car scheme to its befriending visits",
        ("Lifts to appointments for isolated older people",),
        "rejected",
    ),
    Said(
        "GB-MPR-31234R",
        TRANSPORT,
        "run a village car scheme from the shop",
        ("Lifts to Craven Arms station twice a week",),
        "withdrawn",
    ),
    Said(
        "GB-CHC-1187654",
        CARERS,
        "run carers' breaks and a carers' support line",
        ("Respite afternoons for 200 carers a year", "A support line open six days a week"),
        "accepted-with-modification",
    ),
    Said(
        "360G-SHR-parish-0042",
        COUNTRYSIDE,
        "run the footpath volunteers and way-marking on Wenlock Edge",
        ("Every footpath in the parish walkable all year", "Forty trained volunteers"),
        "procured",
    ),
)


def _interest(service_id: UUID, said: Said) -> Interest:
    staff = said.body == STAFF_GROUP
    return Interest(
        service_id=str(service_id),
        body_kind="staff-group" if staff else "organisation",
        financial_resources="Unrestricted reserves of three months' running costs; accounts for the last three years.",
        capability_evidence=f"We would {said.does}: our people, premises and policies are ready by any procurement.",
        outcomes=list(said.outcomes),
        well_being="Local volunteers and local suppliers, so the money spent stays in the area.",
        users_needs="Users choose the times and places through a users' panel that meets every quarter.",
        partners=[Partner("sub-contractor", "Marches Minibus Maintenance Ltd")] if said.service == TRANSPORT else [],
        group_name="Mobile Libraries Staff Mutual" if staff else "",
        members=[Member("Jo Reader", "Mobile library driver"), Member("Sam Shelf", "Library assistant")]
        if staff
        else [],
        staff_engagement="Open meetings at each depot and a ballot of every mobile library employee." if staff else "",
    )


REJECTION = Rejection(
    ["inadequate-information", "body-not-suitable"],
    "Ground 2: the expression gives no figures for the vehicles, insurance or running costs of a car scheme. "
    "Ground 3: the charity holds no section 19 permit and has no drivers checked for passenger transport, so it "
    "is not suitable to provide the service as it stands.",
)
MODIFICATIONS = {  # what the council could accept, where it would otherwise reject the expression (s.83(10))
    TRANSPORT: "Run the service in the north-west of the county only (Oswestry and Ellesmere), the council's own fleet "
    "serving the rest: the body's fleet cannot cover the whole county.",
    CARERS: "Start with the south of the county (Ludlow, Church Stretton and Bishop's Castle) for the first year.",
}


def _to_stage(market: Marketplace, expression_id: UUID, said: Said) -> None:
    expressions, officer, body = market.service(Expressions), _as(OFFICER), _as(_body(said.body))
    if said.stage == "submitted":
        return
    if said.stage == "withdrawn":
        expressions.withdraw(body, expression_id)
        return
    expressions.acknowledge(officer, expression_id)
    if said.stage in {"modification-proposed", "accepted-with-modification"}:
        reason = "The plan covers more than the body can staff at first."
        expressions.propose_modification(officer, expression_id, reason, MODIFICATIONS[said.service])
    if said.stage == "accepted-with-modification":
        expressions.agree_modification(body, expression_id)
    if said.stage == "rejected":
        expressions.reject(officer, expression_id, REJECTION)
    if said.stage in {"accepted", "accepted-with-modification", "procured"}:
        reason = "The body shows it can run the service well; a procurement exercise follows, as the Act requires."
        expressions.accept(officer, expression_id, reason)


def _tender(market: Marketplace, service_id: UUID) -> UUID:
    """The procurement exercise the countryside challenge leads to: a tender naming the service, published today."""
    now, tenders = market.clock.now(), market.service(Tenders)
    terms = TenderTerms(
        title="Countryside access volunteering on Wenlock Edge",
        description="Recruit, train and lead volunteers who keep the parish's footpaths open and way-marked.",
        category="countryside-management",
        procedure="open",
        lots=[Lot("1", "Wenlock Edge footpaths", Decimal("90000"))],
        criteria=[
            Criterion("price", "Price", "price", 40),
            Criterion("quality", "Volunteer programme", "quality", 45),
            Criterion("social", "Social value", "social-value", 15),
        ],
        clarification_deadline=now + timedelta(days=14),
        tender_deadline=now + timedelta(days=28),
    )
    tender_id = UUID(tenders.draft(_as(OFFICER), terms, service_id).aggregate_id)
    no_conflicts = ConflictsAssessment(conflicts_found=False)
    tenders.assess_conflicts(_as(OFFICER), tender_id, no_conflicts, "The panel declared no interests.")
    tenders.publish(_as(OFFICER), tender_id, "The procurement exercise the accepted challenge requires.")
    return tender_id


def _already_loaded(market: Marketplace) -> bool:
    """Whether the council's register already has the demo's first service (read from the event store, which
    every projection mode keeps up to date)."""
    events = events_table(market)
    query = select(events.c.originator_id).where(events.c.topic == get_topic(CouncilService.Registered))
    with market.views() as session:
        registered = list(session.scalars(query))
    for found in registered:
        service = market.commands.find(CouncilService, UUID(str(found)))
        if service is not None and service.owner == COUNCIL and service.name == LIBRARIES:
            return True
    return False


def load_challenge_demo(market: Marketplace) -> int:
    """The demo's services, window, expressions of interest and tender; how many records it made (0 when the
    demo was already there). The demo's organisations must be registered first (marketplace/demo.py)."""
    if _already_loaded(market):
        return 0
    services, today = market.service(Services), uk_date(market.clock.now())
    ids: dict[str, UUID] = {}
    for name, department, priority, budget, periods, area, excluded in SERVICES:
        terms = ServiceTerms(
            name=name,
            description=f"{name}: delivered by the council today, for residents across Shropshire.",
            department=department,
            priority=priority,
            delivery="in-house",
            annual_budget=Decimal(budget),
            periods=periods,
            area=list(area),
            excluded=excluded,
            exclusion_ground=NHS_EXCLUSION if excluded else "",
        )
        ids[name] = UUID(services.register(_as(OFFICER), terms).aggregate_id)
    window = Window(today, today + timedelta(weeks=8))
    services.publish_window(_as(OFFICER), ids[LIBRARIES], "Cabinet agreed an eight-week window.", window)
    for said in EXPRESSIONS:
        made = market.service(Expressions).submit(_as(_body(said.body)), _interest(ids[said.service], said))
        _to_stage(market, UUID(made.aggregate_id), said)
    _tender(market, ids[COUNTRYSIDE])
    return len(SERVICES) + len(EXPRESSIONS) + 1
