"""How tendering's records read: one function per response, from the aggregate (a command's answer, a record as it
stood) or from its view row (the current read), so the two cannot drift apart.

What a reader may see is decided by marketplace.tendering.access; the functions here only render it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

import msgspec
from litestar import Response

from api.commanding import answer
from api.rendering import pence, utc, utc_or_none
from api.tendering.bodies import (
    AwardNotice,
    AwardView,
    BidView,
    ContractView,
    CriterionView,
    EvaluationState,
    LotOutcome,
    LotResult,
    LotView,
    MostAdvantageous,
    MyBid,
    QuestionView,
    Receipt,
    TenderSummary,
    TenderView,
)
from domain.base import Actor, MarketplaceAggregate
from domain.tendering.bid import Bid, needs_reconfirming
from domain.tendering.contract import Contract
from domain.tendering.evaluation import Evaluation
from domain.tendering.tender import CANCELLED, CLOSED, DRAFT, TENDERING, Award, Tender
from marketplace.as_it_stood import Stood
from marketplace.outcome import Outcome
from marketplace.service import Marketplace
from marketplace.tendering.access import Seal, sees_drafts, sees_nonce, sees_offer, sees_unopened_offers
from projections.tendering.queries import find_bid

A = TypeVar("A", bound=MarketplaceAggregate)
T = TypeVar("T")
Row = dict[str, Any]


def respond(
    market: Marketplace, outcome: Outcome, kind: type[A], render: Callable[[A], T], path: str = ""
) -> Response[T]:
    """The HTTP answer to a command: the record as `render` shows it; when `path` is given, created at
    `path/<its id>` (201 with Location)."""
    location = (lambda record: f"{path}/{record.id}") if path else None
    return answer(market, outcome, kind, render, location)


def _day(value: object) -> str | None:
    """A day as the views hold it (a date, or its ISO text), or None when there is none."""
    return str(value) if value else None


# --- tenders ------------------------------------------------------------------------------------------------------


def tender_from_aggregate(tender: Tender) -> TenderView:
    return TenderView(
        id=str(tender.id),
        buyer=tender.buyer,
        title=tender.title,
        description=tender.description,
        category=tender.category,
        procedure=tender.procedure,
        status=tender.status,
        value=tender.value,
        above_threshold=tender.above_threshold,
        lots=[LotView(lot.lot_id, lot.title, lot.value) for lot in tender.lots],
        criteria=[CriterionView(c.key, c.name, c.kind, c.weight) for c in tender.criteria],
        clarification_deadline=tender.clarification_deadline,
        tender_deadline=tender.tender_deadline,
        amendment=tender.amendment,
        version=tender.version,
        published_at=tender.published_at,
    )


def award_from_aggregate(award: Award) -> AwardView:
    ends = award.standstill_ends.isoformat() if award.standstill_ends else None
    supplier, contract = award.supplier, award.contract_id or None
    value = pence(award.value)
    return AwardView(
        award.lot_id, award.bid_id, supplier.identifier, supplier.name, value, award.decided_at, ends, contract
    )


def tender_as_read(tender: Tender, reader: Actor | None) -> TenderView:
    """The tender as its GET shows it: with questions (answered ones only, unless the reader may read drafts;
    never who asked) and awards, as the aggregate holds them."""
    view = tender_from_aggregate(tender)
    answered_only = not sees_drafts(reader)
    view.questions = [
        QuestionView(question_id, q["text"], q.get("answer"))
        for question_id, q in tender.questions.items()
        if "answer" in q or not answered_only
    ]
    view.awards = [award_from_aggregate(award) for _, award in sorted(tender.awards.items())]
    return view


def award_from_row(a: Row) -> AwardView:
    return AwardView(
        a["lot_id"],
        a["bid_id"],
        a["supplier_identifier"],
        a["supplier_name"],
        Decimal(a["value"]),
        utc(a["decided_at"]),
        _day(a["standstill_ends"]),
        a["contract_id"] or None,
    )


def tender_from_row(row: Row, questions: list[Row], awards: list[Row]) -> TenderView:
    return TenderView(
        id=row["id"],
        buyer=row["buyer"],
        title=row["title"],
        description=row["description"],
        category=row["category"],
        procedure=row["procedure"],
        status=row["status"],
        value=Decimal(row["value"]),
        above_threshold=row["above_threshold"],
        lots=[LotView(lot["lot_id"], lot["title"], Decimal(lot["value"])) for lot in row["lots"]],
        criteria=[CriterionView(c["key"], c["name"], c["kind"], c["weight"]) for c in row["criteria"]],
        clarification_deadline=utc(row["clarification_deadline"]),
        tender_deadline=utc(row["tender_deadline"]),
        amendment=row["amendment"],
        version=row["version"],
        published_at=utc_or_none(row["published_at"]),
        questions=[QuestionView(q["question_id"], q["text"], q["answer"]) for q in questions],
        awards=[award_from_row(a) for a in awards],
    )


def summary_from_row(r: Row) -> TenderSummary:
    return TenderSummary(
        r["id"],
        r["buyer"],
        r["title"],
        r["category"],
        r["procedure"],
        r["status"],
        Decimal(r["value"]),
        r["value_band"],
        utc(r["tender_deadline"]),
        r["version"],
    )


# --- bids ---------------------------------------------------------------------------------------------------------


def _nonce(bid: Bid, reader: Actor | None) -> str | None:
    return bid.nonce if bid.nonce and sees_nonce(reader, bid.bidder) else None


def receipt_of(bid: Bid, tender: Tender, reader: Actor | None = None) -> Receipt:
    """The receipt from the bid itself; whether it needs reconfirming, from its tender's latest amendment."""
    return Receipt(
        str(bid.id),
        bid.tender_id,
        bid.bidder,
        bid.status,
        bid.digest,
        bid.modified_on,
        bid.amendment,
        bid.version,
        bid.needs_reconfirmation(tender),
        _nonce(bid, reader),
    )


def receipt_from_row(row: Row) -> Receipt:
    """The receipt from a bid's row as read beside its tender (projections/tendering/bid_reads.py)."""
    return Receipt(
        row["id"],
        row["tender_id"],
        row["bidder"],
        row["status"],
        row["digest"],
        utc(row["submitted_at"]),
        row["amendment"],
        row["version"],
        needs_reconfirming(row["status"], row["amendment"], row["tender_amendment"]),
    )


BEFORE_OPENING = frozenset({DRAFT, TENDERING, CLOSED})


def still_sealed(row: Row) -> bool:
    """No one can read the offer yet: its tender's bids are not opened (or never were, the tender cancelled first)."""
    status = row["tender_status"]
    return not row["opened"] and (status in BEFORE_OPENING or status == CANCELLED)


def _lot_result(outcome: Row) -> LotResult:
    return LotResult(outcome["lot_id"], outcome["outcome"], _day(outcome["standstill_ends"]))


def my_bid_from_row(row: Row, outcomes: list[Row]) -> MyBid:
    """A provider's own bid as its list shows it: the receipt, its tender, its seal and each lot's outcome."""
    receipt = receipt_from_row(row)
    return MyBid(
        **msgspec.structs.asdict(receipt),
        tender_title=row["tender_title"],
        tender_deadline=utc(row["tender_tender_deadline"]),
        sealed=still_sealed(row),
        outcomes=[_lot_result(outcome) for outcome in outcomes],
    )


def _most_advantageous(outcome: Row) -> MostAdvantageous | None:
    """The winner's scores beside an unsuccessful bid's (PA2023 s.50); none for the winner itself."""
    if outcome["outcome"] != "unsuccessful" or outcome["winner_name"] is None:
        return None
    return MostAdvantageous(outcome["winner_name"], dict(outcome["winner_scores"]), outcome["winner_total"])


def _seal(market: Marketplace, row: Row, reader: Actor | None) -> Seal:
    """The bid's seal from its row; the tender is asked only when the bid itself was not opened and the
    reader is one who may see offers that were not (the bidder, an auditor)."""
    if row["opened"]:
        return Seal(True, row["digest"])
    if not sees_unopened_offers(reader, row["bidder"]):
        return Seal()
    tender = market.commands.find(Tender, UUID(row["tender_id"]))
    return Seal(tender is not None and tender.opened_bids is not None)


def _receipt_as_it_stood(then: Bid, tender: Tender, history: list[Any], reader: Actor | None) -> Receipt:
    """The receipt dated when the offer standing then was sent, as the current read dates it (not the time of
    a later withdrawal or reconfirmation, which is when the aggregate was last modified); whether that offer
    needs reconfirming, against the tender's latest terms."""
    sent = [event.timestamp for event in history if isinstance(event, (Bid.Submitted, Bid.Replaced))]
    return msgspec.structs.replace(receipt_of(then, tender, reader), submitted_at=sent[-1])


def bid_as_it_stood(market: Marketplace, stood: Stood[Bid], reader: Actor | None) -> BidView:
    """A past version of a bid: its offer then, as the disclosure rule allows it now; no outcome, which is
    the tender's decision and not part of the bid's record."""
    then = stood.aggregate
    with market.views() as session:
        row = find_bid(session, str(then.id))
    seal = _seal(market, row, reader) if row is not None else Seal()
    tender = market.commands.load(Tender, UUID(then.tender_id))
    receipt = _receipt_as_it_stood(then, tender, stood.events, reader)
    view = BidView(receipt=receipt, opened=seal.opened_digest is not None)
    if sees_offer(reader, then.bidder, then.digest, seal):
        view.prices, view.responses = dict(then.prices), dict(then.responses)
    return view


def bid_from_row(market: Marketplace, row: Row, reader: Actor | None, outcomes: list[Row]) -> BidView:
    """The bid as it stands: its receipt, its offer as the rule allows, and per lot once awarded its assessment
    (beside the winner's, when it lost: `outcomes` are the bid's rows of the tender outcomes view)."""
    view = BidView(receipt=receipt_from_row(row), opened=bool(row["opened"]))
    shows_offer = sees_offer(reader, row["bidder"], row["digest"], _seal(market, row, reader))
    if shows_offer or sees_nonce(reader, row["bidder"]):
        content = market.commands.load(Bid, UUID(row["id"]))
        view.receipt.nonce = _nonce(content, reader)
        if shows_offer:
            view.prices, view.responses = dict(content.prices), dict(content.responses)
    if row["outcome"]:
        winners = {outcome["lot_id"]: _most_advantageous(outcome) for outcome in outcomes}
        view.outcome = {lot: LotOutcome(**o, most_advantageous=winners.get(lot)) for lot, o in row["outcome"].items()}
    return view


# --- evaluation ---------------------------------------------------------------------------------------------------


def state_of(evaluation: Evaluation) -> EvaluationState:
    return EvaluationState(
        evaluation.tender_id,
        dict(evaluation.evaluators),
        len(evaluation.scores),
        len(evaluation.agreed),
        evaluation.version,
    )


# --- contracts and awards -----------------------------------------------------------------------------------------


def contract_from_aggregate(c: Contract) -> ContractView:
    return ContractView(
        str(c.id),
        c.tender_id,
        c.lot_id,
        c.buyer,
        c.supplier.identifier,
        c.supplier.name,
        pence(c.value),
        c.start.isoformat(),
        c.end.isoformat(),
        list(c.kpis),
        c.status,
        c.version,
        c.ended_on.isoformat() if c.ended_on else None,
    )


def contract_from_row(r: Row) -> ContractView:
    return ContractView(
        r["id"],
        r["tender_id"],
        r["lot_id"],
        r["buyer"],
        r["supplier_identifier"],
        r["supplier_name"],
        Decimal(r["value"]),
        str(r["start"]),
        str(r["end"]),
        list(r["kpis"]),
        r["status"],
        r["version"],
        _day(r["ended_on"]),
    )


def award_notice_from_row(r: Row) -> AwardNotice:
    return AwardNotice(
        r["tender_id"],
        r["lot_id"],
        r["supplier_identifier"],
        r["supplier_name"],
        Decimal(r["value"]),
        r["decided_at"].replace(tzinfo=r["decided_at"].tzinfo or UTC),
        r["reason"],
        _day(r["standstill_ends"]),
        r["contract_id"] or None,
    )
