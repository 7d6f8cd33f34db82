"""The demo's tenders, one at every stage of a procurement: a draft, one open for bids (a question answered, a bid
in), one closed (deadline passed, bids sealed), one in evaluation (bids opened and scored), one awarded and in its
standstill, one whose standstill is over and whose contract is being signed, one contracted, one whose contract was
varied, one whose contract was terminated, and one cancelled.

Each is told as a story of steps on working days before the present (marketplace/demo.py runs every context's
steps in time order on the demo's clock, and the chronograph ticks after each): the deadlines and standstills pass
as the clock moves, and every record is made by the real commands at a realistic time. CPV codes are given in the
descriptions: the tender terms hold a category, not a CPV code.

Loading is idempotent: a store with the demo's first tender is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from uuid import UUID

from eventsourcing.utils import get_topic
from sqlalchemy import select

from domain.base import Actor, Role
from domain.care.micro_enterprise import add_years  # a calendar helper: 29 February and all
from domain.tendering.bid import bid_uuid
from domain.tendering.contract import contract_uuid
from domain.tendering.evaluation import Evaluation, evaluation_uuid
from domain.tendering.procurement import Criterion, Lot
from domain.tendering.tender import Tender
from domain.tendering.terms import (
    ConflictsAssessment,
    ContractTerms,
    Moderation,
    Offer,
    Score,
    Selection,
    TenderTerms,
    Variation,
)
from domain.working_days import uk_date
from marketplace.audit import events_table
from marketplace.clock import working_day
from marketplace.commands import CommandRequest
from marketplace.outcome import Outcome
from marketplace.service import Marketplace
from marketplace.tendering.services import Bids, Contracts, Evaluations, Tenders

COUNCIL = "GB-LAE-SHR"
OFFICER = Actor("demo-commissioner", COUNCIL, Role.COMMISSIONER)
EVALUATORS = ("demo-evaluator-1", "demo-evaluator-2")
LOT = "1"
CRITERIA = (
    Criterion("price", "Price", "price", 50),
    Criterion("quality", "Quality of service", "quality", 35),
    Criterion("social", "Social value", "social-value", 15),
)
Step = tuple[datetime, Callable[[], object]]


@dataclass(frozen=True)
class Bidder:
    organisation: str
    price: str  # for the tender's one lot
    quality: int  # the score the evaluators agree, out of 100
    social: int


@dataclass(frozen=True)
class Story:
    """One tender and the stage it reaches, its moments in working days before the present (negative: ahead)."""

    title: str
    description: str
    category: str
    lot: str
    value: str
    bidders: tuple[Bidder, ...]
    stage: str  # draft, tendering, closed, evaluation, standstill, awarded, contracted, varied, terminated, cancelled
    published: int
    deadline: int
    awarded: int = 0
    contracted: int = 0
    changed: int = 0  # varied, terminated or cancelled
    ids: dict[str, UUID] = field(default_factory=dict, compare=False)  # filled in as the story is told

    @property
    def tender_id(self) -> UUID:
        return self.ids["tender"]


SEVERN, NATIONAL, OSWESTRY, RURAL = "GB-COH-09876543", "GB-COH-00445566", "GB-COH-11223344", "GB-CHC-1102345"
COUNTRYSIDE, MARCHES, MEALS, LIBRARIES = "GB-COH-03456789", "GB-CHC-1187654", "GB-COH-12345678", "GB-CHC-1034567"
STORIES = (
    Story(
        "Home care in Oswestry and the north-west",
        "Personal care at home for about 140 adults in Oswestry, Ellesmere and the villages between "
        "(CPV 85312000 social work services without accommodation).",
        "adult-social-care",
        "Oswestry and the north-west",
        "640000",
        (Bidder(SEVERN, "612000", 80, 70), Bidder(NATIONAL, "575000", 60, 40)),
        "contracted",
        published=62,
        deadline=40,
        awarded=34,
        contracted=22,
    ),
    Story(
        "Community transport: volunteer car scheme in south-west Shropshire",
        "Volunteer drivers taking people to appointments from Clun, Bishop's Castle and Craven Arms "
        "(CPV 60130000 special-purpose road passenger-transport services).",
        "transport",
        "South-west Shropshire",
        "180000",
        (Bidder(OSWESTRY, "168000", 75, 80), Bidder(RURAL, "176000", 65, 85)),
        "varied",
        published=60,
        deadline=38,
        awarded=32,
        contracted=20,
        changed=5,
    ),
    Story(
        "Grounds maintenance of closed churchyards in Ludlow and Craven Arms",
        "Grass cutting, tree safety and wall repairs in the eleven closed churchyards the council maintains "
        "(CPV 77314000 grounds maintenance services).",
        "facilities-management",
        "Ludlow and Craven Arms",
        "96000",
        (Bidder(COUNTRYSIDE, "88000", 70, 60),),
        "terminated",
        published=58,
        deadline=36,
        awarded=30,
        contracted=18,
        changed=3,
    ),
    Story(
        "Hedge-laying and rights of way repairs in the Clun Forest",
        "Laying 4 km of hedge and repairing stiles, gates and bridges on the Clun Forest's rights of way "
        "(CPV 77300000 horticultural services).",
        "countryside-management",
        "Clun Forest",
        "120000",
        (Bidder(COUNTRYSIDE, "112000", 78, 60),),
        "awarded",
        published=45,
        deadline=24,
        awarded=12,
    ),
    Story(
        "Day opportunities for older people in Bishop's Castle and Clun",
        "Two days a week of activities, a hot lunch and transport for older people living alone "
        "(CPV 85312100 daycare services).",
        "adult-social-care",
        "Bishop's Castle and Clun",
        "310000",
        (Bidder(RURAL, "295000", 82, 90), Bidder(NATIONAL, "270000", 58, 30), Bidder(MARCHES, "300000", 70, 80)),
        "standstill",
        published=40,
        deadline=18,
        awarded=3,
    ),
    Story(
        "Meals at home for people leaving hospital in Shrewsbury",
        "A hot meal and a welfare check every day for the first fortnight home from the Royal Shrewsbury Hospital "
        "(CPV 55521100 meals-on-wheels services).",
        "preventative-services",
        "Shrewsbury and Atcham",
        "150000",
        (Bidder(MEALS, "139000", 77, 88), Bidder(SEVERN, "146000", 66, 50)),
        "evaluation",
        published=30,
        deadline=10,
    ),
    Story(
        "Library outreach: reading groups and home visits in the market towns",
        "Reading groups in Market Drayton, Wem and Whitchurch libraries and visits to housebound readers "
        "(CPV 92511000 library services).",
        "libraries-and-culture",
        "North Shropshire market towns",
        "45000",
        (Bidder(LIBRARIES, "42000", 72, 85), Bidder(RURAL, "44000", 68, 80)),
        "closed",
        published=20,
        deadline=2,
    ),
    Story(
        "Community transport: dial-a-ride for Oswestry and Ellesmere",
        "Door-to-door minibus trips booked by phone, six days a week, for people who cannot use buses "
        "(CPV 60130000 special-purpose road passenger-transport services).",
        "transport",
        "Oswestry and Ellesmere",
        "195000",
        (Bidder(OSWESTRY, "187000", 74, 82),),
        "tendering",
        published=6,
        deadline=-14,
    ),
    Story(
        "Digital inclusion drop-ins at Shrewsbury and Whitchurch libraries",
        "Weekly help with phones, tablets and online forms for people who are not online "
        "(CPV 80533100 computer training services).",
        "libraries-and-culture",
        "Shrewsbury and Whitchurch",
        "38000",
        (Bidder(LIBRARIES, "36500", 70, 80),),
        "cancelled",
        published=28,
        deadline=8,
        changed=15,
    ),
    Story(
        "Telephone befriending for isolated older people",
        "A weekly call from a trained volunteer for people the council's reablement team refers "
        "(CPV 85320000 social services).",
        "preventative-services",
        "Shropshire",
        "60000",
        (),
        "draft",
        published=2,
        deadline=-25,
    ),
)
OPENED = frozenset({"evaluation", "standstill", "awarded", "contracted", "varied", "terminated"})
AWARDED = OPENED - {"evaluation"}
CONTRACTED = frozenset({"contracted", "varied", "terminated"})


def _as(actor: Actor) -> CommandRequest:
    return CommandRequest(actor, correlation_id="demo")


def _bidder(organisation: str) -> Actor:
    return Actor(f"demo-bids-{organisation.lower()}", organisation, Role.PROVIDER)


class Teller:
    """Tells the stories on the market's services: each step is one officer's or bidder's sitting."""

    def __init__(self, market: Marketplace, present: datetime) -> None:
        self.market, self.present = market, present
        self.tenders, self.bids = market.service(Tenders), market.service(Bids)
        self.evaluations, self.contracts = market.service(Evaluations), market.service(Contracts)

    def at(self, days_before: int, hour: int, minute: int = 0) -> datetime:
        return working_day(self.present, days_before, hour, minute)

    def steps(self, story: Story) -> list[Step]:
        """The story's steps, in its own order (which its moments keep)."""
        if story.stage == "draft":
            return [(self.at(story.published, 9, 30), partial(self.draft, story))]
        steps: list[Step] = [
            (self.at(story.published + 1, 9, 30), partial(self.draft, story)),
            (self.at(story.published, 10), partial(self.publish, story)),
            (self.at(story.published - 2, 11), partial(self.ask_and_answer, story)),
        ]
        last = story.changed if story.stage == "cancelled" else story.deadline  # the last day bids may come in
        for n, bidder in enumerate(story.bidders):
            steps.append((self.at(max(last + len(story.bidders) - n, 1), 14, 10 * n), partial(self.bid, story, bidder)))
        if story.stage == "cancelled":
            steps.append((self.at(story.changed, 16), partial(self.cancel, story)))
        if story.stage in OPENED:
            steps += self.evaluation_steps(story)
        if story.stage in AWARDED:
            steps.append((self.at(story.awarded, 10), partial(self.award, story)))
        if story.stage in CONTRACTED:
            steps.append((self.at(story.contracted, 11), partial(self.conclude, story)))
        if story.stage == "varied":
            steps.append((self.at(story.changed, 15), partial(self.vary, story)))
        if story.stage == "terminated":
            steps.append((self.at(story.changed, 15), partial(self.terminate, story)))
        return steps

    def evaluation_steps(self, story: Story) -> list[Step]:
        opened = story.deadline - 1
        steps: list[Step] = [
            (self.at(opened, 10), partial(self.open_bids, story)),
            (self.at(opened, 11), partial(self.panel, story)),
            (self.at(opened - 2, 15), partial(self.score, story)),
        ]
        if story.stage != "evaluation":  # the evaluation's moderation meeting is still to come
            steps.append((self.at(opened - 3, 14), partial(self.moderate, story)))
        return steps

    def draft(self, story: Story) -> None:
        terms = TenderTerms(
            title=story.title,
            description=story.description,
            category=story.category,
            procedure="open",
            lots=[Lot(LOT, story.lot, Decimal(story.value))],
            criteria=list(CRITERIA),
            clarification_deadline=self.at(story.deadline + 5, 12),
            tender_deadline=self.at(story.deadline, 12),
        )
        story.ids["tender"] = UUID(self.tenders.draft(_as(OFFICER), terms).aggregate_id)

    def publish(self, story: Story) -> None:
        reason = "The commissioning panel declared no interests in any likely bidder."
        self.tenders.assess_conflicts(_as(OFFICER), story.tender_id, ConflictsAssessment(conflicts_found=False), reason)
        self.tenders.publish(_as(OFFICER), story.tender_id, "Approved by the head of commissioning.")

    def ask_and_answer(self, story: Story) -> None:
        asker = story.bidders[0].organisation if story.bidders else RURAL
        self.tenders.ask(_as(_bidder(asker)), story.tender_id, "Can the service start a month later than planned?")
        answer = "No: the start date is fixed, but the first month may be a phased start agreed with the council."
        self.tenders.answer(_as(OFFICER), story.tender_id, "Q1", answer)

    def bid(self, story: Story, bidder: Bidder) -> None:
        responses = {
            "quality": f"How {story.lot} would be served: our staffing, training and supervision plan.",
            "social": "Local recruitment, the living wage and volunteering days for our staff.",
        }
        offer = Offer({LOT: Decimal(bidder.price)}, responses)
        self.bids.submit(_as(_bidder(bidder.organisation)), story.tender_id, offer)

    def open_bids(self, story: Story) -> Outcome:
        return self.tenders.open_bids(_as(OFFICER), story.tender_id)

    def panel(self, story: Story) -> None:
        for subject in EVALUATORS:
            self.evaluations.assign(_as(OFFICER), story.tender_id, subject)
            self.evaluations.declare(
                _as(Actor(subject, COUNCIL, Role.COMMISSIONER)), story.tender_id, False, "No links with any bidder."
            )

    def score(self, story: Story) -> None:
        for n, subject in enumerate(EVALUATORS):
            for bidder in story.bidders:
                bid_id = str(bid_uuid(story.tender_id, bidder.organisation))
                for key, agreed in (("quality", bidder.quality), ("social", bidder.social)):
                    scored = Score(bid_id, key, max(agreed - 4 * n, 0), "Evidence in the method statement.")
                    self.evaluations.score(_as(Actor(subject, COUNCIL, Role.COMMISSIONER)), story.tender_id, scored)

    def moderate(self, story: Story) -> None:
        for bidder in story.bidders:
            bid_id = str(bid_uuid(story.tender_id, bidder.organisation))
            for key, agreed in (("quality", bidder.quality), ("social", bidder.social)):
                note = "Agreed at moderation."
                self.evaluations.moderate(_as(OFFICER), story.tender_id, Moderation(bid_id, key, agreed, note))

    def award(self, story: Story) -> None:
        """To the lot's most advantageous tender, as the moderated evaluation ranks it."""
        evaluation = self.market.commands.load(Evaluation, evaluation_uuid(story.tender_id))
        best = evaluation.ranking(LOT)[0].bid_id
        reason = "The most advantageous tender: the best balance of quality, social value and price."
        self.tenders.award(_as(OFFICER), story.tender_id, Selection(LOT, best), reason)

    def conclude(self, story: Story) -> None:
        start = uk_date(self.market.clock.now()) + timedelta(days=7)
        end, kpis = add_years(start, 2) - timedelta(days=1), ["Visits on time: 95%", "Complaints answered in 10 days"]
        terms = ContractTerms(LOT, start, end, kpis)
        self.tenders.conclude_contract(_as(OFFICER), story.tender_id, terms)

    def vary(self, story: Story) -> None:
        contract_id = contract_uuid(story.tender_id, LOT)
        value = (Decimal(story.bidders[0].price) * Decimal("1.07")).quantize(Decimal("1"))
        reason = "Saturday runs to Ludlow market added at the users' panel's request (de minimis: 7%)."
        self.contracts.vary(_as(OFFICER), contract_id, reason, Variation(value=value))

    def terminate(self, story: Story) -> None:
        contract_id = contract_uuid(story.tender_id, LOT)
        effective = uk_date(self.present) + timedelta(days=28)
        reason = "Ended by agreement: the supplier is closing its grounds maintenance team; four weeks' notice given."
        self.contracts.terminate(_as(OFFICER), contract_id, reason, effective)

    def cancel(self, story: Story) -> None:
        reason = "The government grant that funded the service has ended; it will be tendered again once funded."
        self.tenders.cancel(_as(OFFICER), story.tender_id, reason)


def _already_loaded(market: Marketplace) -> bool:
    """Whether the store has the demo's first tender (read from the event store, which every projection mode keeps
    up to date)."""
    events = events_table(market)
    query = select(events.c.originator_id).where(events.c.topic == get_topic(Tender.Drafted))
    with market.views() as session:
        drafted = list(session.scalars(query))
    for found in drafted:
        tender = market.commands.find(Tender, UUID(str(found)))
        if tender is not None and tender.buyer == COUNCIL and tender.title == STORIES[0].title:
            return True
    return False


def tendering_steps(market: Marketplace, present: datetime) -> list[Step]:
    """Every story's steps (none when the demo's tenders are there already); the demo's organisations first."""
    if _already_loaded(market):
        return []
    teller = Teller(market, present)
    stories = [replace(story, ids={}) for story in STORIES]  # a fresh record of ids for each loading
    return [step for story in stories for step in teller.steps(story)]
