"""Builders for the tendering domain tests: a fixed calendar, contexts, and aggregates in known states.

Pure domain: no database, no application. Every builder takes the moment it acts at, so a test
states the clock it relies on.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any
from uuid import uuid4

from domain.base import Actor, Context, Role
from domain.tendering.bid import Bid
from domain.tendering.evaluation import Evaluation, OpenedBid
from domain.tendering.procurement import Criterion, Lot, ProcurementPolicy
from domain.tendering.tender import Assessment, Supplier, Tender, Winner
from domain.tendering.terms import ConflictsAssessment, Moderation, Offer, Score, TenderTerms

COUNCIL = "GB-LAE-SHR"
BIDDER = "GB-CHC-1234567"
RIVAL = "GB-COH-01234567"
POLICY = ProcurementPolicy()

DRAFTED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
CLARIFICATION_DEADLINE = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
TENDER_DEADLINE = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)  # Good Friday 3 April and Easter Monday 6 April follow
DURING_TENDERING = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
AFTER_DEADLINE = TENDER_DEADLINE + timedelta(hours=1)
AWARDED_AT = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)

CRITERIA = [
    Criterion("price", "Price", "price", 50),
    Criterion("quality", "Quality", "quality", 40),
    Criterion("sv", "Social value", "social-value", 10),
]
LOTS = [Lot("1", "Day care", Decimal("300000")), Lot("2", "Respite care", Decimal("200000"))]  # below 663,540
RESPONSES = {"quality": "Our staff are trained in dementia care.", "sv": "We recruit locally in Clun."}
SUPPLIER = Supplier(BIDDER, "Shropshire Rural Befrienders", "small", True, "SY8")

_requests = count(1)


def as_(subject: str, organisation: str, role: Role, now: datetime) -> Context:
    """A context with its own correlation id, so tests can tell which command wrote which event."""
    return Context(Actor(subject, organisation, role), now, f"req-{next(_requests)}")


def officer(now: datetime = DRAFTED_AT, subject: str = "cathy") -> Context:
    return as_(subject, COUNCIL, Role.COMMISSIONER, now)


def provider(now: datetime = DURING_TENDERING, organisation: str = BIDDER) -> Context:
    return as_(f"{organisation}-user", organisation, Role.PROVIDER, now)


def terms(**overrides: Any) -> TenderTerms:
    """A tender's valid terms (open procedure, adult social care, below the light-touch threshold)."""
    chosen = TenderTerms(
        title="Day opportunities in south-west Shropshire",
        description="Day care and respite for older people in Clun and Bishop's Castle.",
        category="adult-social-care",
        procedure="open",
        lots=list(LOTS),
        criteria=list(CRITERIA),
        clarification_deadline=CLARIFICATION_DEADLINE,
        tender_deadline=TENDER_DEADLINE,
    )
    return replace(chosen, **overrides)


def drafted(ctx: Context | None = None, policy: ProcurementPolicy = POLICY, **overrides: Any) -> Tender:
    return Tender.draft(ctx or officer(), policy, COUNCIL, terms(**overrides))


NO_CONFLICTS = ConflictsAssessment(conflicts_found=False)


def assessed(**overrides: Any) -> Tender:
    tender = drafted(**overrides)
    tender.record_conflicts_assessment(officer(), NO_CONFLICTS, "No interests declared by the commissioning team")
    return tender


def published(**overrides: Any) -> Tender:
    tender = assessed(**overrides)
    tender.publish(officer(), POLICY, "Approved by the head of commissioning")
    return tender


def bid_on(
    tender: Tender,
    bidder: str = BIDDER,
    prices: dict[str, Decimal] | None = None,
    now: datetime = DURING_TENDERING,
) -> Bid:
    offer = Offer({"1": Decimal("250000.00")} if prices is None else prices, dict(RESPONSES))
    return Bid.submit(provider(now, bidder), tender, bidder, offer)


def in_evaluation(**overrides: Any) -> Tender:
    """Published, deadline passed, bids opened."""
    tender = published(**overrides)
    tender.open_bids(officer(AFTER_DEADLINE), ["bid-a", "bid-b"])
    return tender


def winner(bid_id: str = "bid-a") -> Assessment:
    return Assessment(bid_id, BIDDER, {"price": "50.00", "quality": "40.00", "sv": "10.00"}, "100.00", 1, True)


def won(lot_id: str = "1", voluntary_standstill: bool = True) -> Winner:
    """The lot's most advantageous tender: bid-a, from SUPPLIER, the only bidder."""
    return Winner(lot_id, SUPPLIER, Decimal("250000.00"), [winner()], voluntary_standstill)


def award(tender: Tender, lot_id: str = "1", now: datetime = AWARDED_AT, voluntary_standstill: bool = True) -> None:
    tender.award_lot(officer(now), POLICY, "Most advantageous tender", won(lot_id, voluntary_standstill))


def evaluation(bids: dict[str, dict[str, Decimal]], criteria: list[Criterion] | None = None) -> Evaluation:
    """An evaluation started over opened bids: bid id -> prices per lot (bidder named after the bid)."""
    opened = [OpenedBid(bid_id, f"bidder-{bid_id}", prices) for bid_id, prices in bids.items()]
    return Evaluation.start(officer(AFTER_DEADLINE), uuid4(), list(criteria or CRITERIA), opened)


def evaluator(subject: str, now: datetime = AFTER_DEADLINE) -> Context:
    return officer(now, subject)


def with_evaluators(ev: Evaluation, *declarations: tuple[str, bool | None]) -> Evaluation:
    """Assign each evaluator; declare (conflict True/False) unless the declaration is None."""
    for subject, conflict in declarations:
        ev.assign(officer(AFTER_DEADLINE), subject)
        if conflict is not None:
            ev.declare(evaluator(subject), conflict, "I have no links with any bidder" if not conflict else "Related")
    return ev


def moderated(ev: Evaluation, agreed: dict[str, dict[str, int]], subject: str = "eve") -> Evaluation:
    """One evaluator without a conflict scores every bid; moderation agrees the same scores."""
    if subject not in ev.evaluators:
        with_evaluators(ev, (subject, False))
    for bid_id, scores in agreed.items():
        for criterion, score in scores.items():
            ev.score(evaluator(subject), Score(bid_id, criterion, score, "Met the published standard"))
            ev.moderate(officer(AFTER_DEADLINE), Moderation(bid_id, criterion, score, "Agreed at moderation"))
    return ev


def carries(event: object, ctx: Context) -> bool:
    """The event holds the command's actor, correlation id and time (the context's stamp)."""
    stamp = ctx.stamp()
    return {name: getattr(event, name) for name in stamp} == stamp
