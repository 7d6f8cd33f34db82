"""Tender notices and their clarification questions, folded together with the bids register.

One projection folds tenders, questions and bids because each changes the others: a bid moves its
tender's bid count, and opening or awarding a tender marks its bids. Folding them from one position
keeps every bid count a fold of exactly the events before it, on any rebuild.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Column, DateTime, Index, Integer, Numeric, String, Table, Text, func, select
from sqlalchemy.orm import Session

from domain.tendering.bid import Bid
from domain.tendering.procurement import PUBLICATION_THRESHOLD_BELOW, is_above_threshold
from domain.tendering.tender import CANCELLED, CLOSED, COMPLETE, DRAFT, EVALUATION, TENDERING, TERMS, Tender
from projections.batch import BatchProjection, Handlers, Row, Touched, bumped, plain, utc
from projections.engine import metadata
from projections.pagination import fetch_page
from projections.tendering.bids import bid_ids_touched, bids, fold_bid, mark_opened, record_outcomes

UNDER_30K = "under-30k"
MID_BAND = "30k-to-threshold"
ABOVE_THRESHOLD = "above-threshold"
AWARDED, CONTRACTED, LOT_CANCELLED = "awarded", "contracted", "cancelled"

tenders = Table(
    "tenders",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("buyer", String(80), nullable=False),
    Column("title", String(300), nullable=False),
    Column("description", Text, nullable=False),
    Column("category", String(40), nullable=False),
    Column("procedure", String(40), nullable=False),
    Column("status", String(16), nullable=False),
    Column("value", Numeric(14, 2), nullable=False),  # the sum of the lots' values
    Column("value_band", String(20), nullable=False),
    Column("above_threshold", Boolean, nullable=False),
    Column("clarification_deadline", DateTime(timezone=True), nullable=False),
    Column("tender_deadline", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True)),
    Column("amendment", Integer, nullable=False),
    Column("conflicts_assessed", Boolean, nullable=False),
    Column("lots", JSON, nullable=False),  # [{lot_id, title, value}]
    Column("criteria", JSON, nullable=False),  # [{key, name, kind, weight}]
    Column("lot_states", JSON, nullable=False),  # lot id -> awarded | contracted | cancelled
    Column("bid_count", Integer, nullable=False),  # bids submitted and not withdrawn
    Column("version", Integer, nullable=False),
    Column("events_folded", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("tenders_by_deadline", "tender_deadline", "id"),
    Index("tenders_by_status", "status", "tender_deadline"),
    Index("tenders_by_buyer", "buyer"),
)

tender_questions = Table(
    "tender_questions",
    metadata,
    Column("tender_id", String(36), primary_key=True),
    Column("question_id", String(16), primary_key=True),
    Column("text", Text, nullable=False),  # who asked is never kept: answers are published to everyone
    Column("answer", Text),
    Column("asked_at", DateTime(timezone=True), nullable=False),
    Column("answered_at", DateTime(timezone=True)),
)


def value_band_of(category: str, value: Decimal) -> str:
    if is_above_threshold(category, value):
        return ABOVE_THRESHOLD
    return UNDER_30K if value < PUBLICATION_THRESHOLD_BELOW else MID_BAND


def _terms_columns(terms: dict[str, Any]) -> Row:
    columns: Row = {name: terms[name] for name in ("title", "description", "category", "procedure") if name in terms}
    for name in ("clarification_deadline", "tender_deadline"):
        if name in terms:
            columns[name] = utc(terms[name])
    for name in ("lots", "criteria"):
        if name in terms:
            columns[name] = plain(terms[name])
    return columns


def _with_terms(row: Row, terms: dict[str, Any]) -> Row:
    """The row under new terms, with the value and thresholds worked out again from its lots."""
    row = {**row, **_terms_columns(terms)}
    value = sum((Decimal(lot["value"]) for lot in row["lots"]), Decimal(0))
    above = is_above_threshold(row["category"], value)
    return {**row, "value": value, "value_band": value_band_of(row["category"], value), "above_threshold": above}


def _drafted(event: Tender.Drafted) -> Row:
    row: Row = {
        "id": str(event.originator_id),
        "buyer": event.buyer,
        "status": DRAFT,
        "published_at": None,
        "amendment": 0,
        "conflicts_assessed": False,
        "lot_states": {},
        "bid_count": 0,
        "events_folded": 0,
    }
    return _with_terms(row, {name: getattr(event, name) for name in TERMS})


def _settled_status(row: Row, states: dict[str, str]) -> str:
    """A tender is finished once every lot has a contract or is cancelled (as Tender.all_lots_settled)."""
    if AWARDED in states.values() or not set(states) >= {lot["lot_id"] for lot in row["lots"]}:
        return str(row["status"])
    return COMPLETE if CONTRACTED in states.values() else CANCELLED


def _lot_state(row: Row, lot_id: str, state: str) -> Row:
    states = plain({**row["lot_states"], lot_id: state})
    settles = state != AWARDED
    return {**row, "lot_states": states, "status": _settled_status(row, states) if settles else row["status"]}


def _tender_changes(row: Row, event: Any) -> Row:
    """The tender row after one of its events."""
    if isinstance(event, Tender.Revised):
        return _with_terms(row, event.terms)
    if isinstance(event, Tender.Amended):
        return {**_with_terms(row, event.terms), "amendment": event.amendment}
    if isinstance(event, Tender.ConflictsAssessmentRecorded):
        return {**row, "conflicts_assessed": True}
    if isinstance(event, Tender.Published):
        return {**row, "status": TENDERING, "published_at": utc(event.timestamp)}
    if isinstance(event, Tender.TenderingClosed):
        return {**row, "status": CLOSED}
    if isinstance(event, Tender.BidsOpened):
        return {**row, "status": EVALUATION}
    if isinstance(event, Tender.Awarded):
        return _lot_state(row, event.award.lot_id, AWARDED)
    if isinstance(event, Tender.ContractConcluded):
        return _lot_state(row, event.lot_id, CONTRACTED)
    if isinstance(event, Tender.LotCancelled):
        return _lot_state(row, event.lot_id, LOT_CANCELLED)
    if isinstance(event, Tender.Cancelled):
        return {**row, "status": CANCELLED}
    return row


def fold_tender(touched: Touched, event: Any) -> None:
    rows = touched[tenders.name]
    row = _drafted(event) if isinstance(event, Tender.Drafted) else rows.get(str(event.originator_id))
    assert row is not None, "a tender event before the tender was drafted"
    rows.put({**bumped(_tender_changes(row, event), event), "updated_at": utc(event.timestamp)})


def fold_question(touched: Touched, event: Any) -> None:
    rows, tender_id = touched[tender_questions.name], str(event.originator_id)
    if isinstance(event, Tender.QuestionAsked):
        asked = {"text": event.text, "answer": None, "asked_at": utc(event.timestamp), "answered_at": None}
        rows.put({"tender_id": tender_id, "question_id": event.question_id, **asked})
    else:
        question = rows[(tender_id, event.question_id)]
        rows.put({**question, "answer": event.answer, "answered_at": utc(event.timestamp)})


def fold_bid_event(touched: Touched, event: Any) -> None:
    tender_id, moved = fold_bid(touched[bids.name], event)
    if moved:
        tender = touched[tenders.name][tender_id]
        touched[tenders.name].put({**tender, "bid_count": tender["bid_count"] + moved})


class TenderBoard(BatchProjection):
    name = "tenders"
    tables = (tenders, tender_questions, bids)
    handles = (Tender.Event, Bid.Event)
    handlers: Handlers = (
        (Tender.Event, fold_tender),
        ((Tender.QuestionAsked, Tender.QuestionAnswered), fold_question),
        (Tender.BidsOpened, lambda touched, event: mark_opened(touched[bids.name], event)),
        (Tender.Awarded, lambda touched, event: record_outcomes(touched[bids.name], event)),
        (Bid.Event, fold_bid_event),
    )

    def load(self, session: Session, touched: Touched, events: list[Any]) -> None:
        touched[bids.name].load(session, "id", (bid_id for event in events for bid_id in bid_ids_touched(event)))
        tender_ids = {str(e.originator_id) for e in events if isinstance(e, Tender.Event)}
        tender_ids |= {e.tender_id for e in events if isinstance(e, Bid.Submitted)}
        tender_ids |= {row["tender_id"] for row in touched[bids.name].values()}
        touched[tenders.name].load(session, "id", tender_ids)
        answered = {str(e.originator_id) for e in events if isinstance(e, Tender.QuestionAnswered)}
        touched[tender_questions.name].load(session, "tender_id", answered)


def find_tender(session: Session, tender_id: str) -> dict[str, Any] | None:
    row = session.execute(select(tenders).where(tenders.c.id == tender_id)).mappings().first()
    return dict(row) if row else None


def search_tenders(
    session: Session,
    *,
    statuses: list[str] | None,
    category: str | None = None,
    value_band: str | None = None,
    deadline_after: datetime | None = None,
    deadline_before: datetime | None = None,
    buyer: str | None = None,
    published_only: bool = False,
    cursor: str | None = None,
    limit: int = 100,
) -> tuple[list[dict[str, Any]], str | None]:
    """Tenders by deadline, soonest first, one keyset page at a time. `statuses` None means every status.

    `published_only`: leave out tenders never published (drafts, and drafts cancelled before publication).
    """
    query = select(tenders)
    if published_only:
        query = query.where(tenders.c.published_at.is_not(None))
    if statuses is not None:
        query = query.where(tenders.c.status.in_(statuses))
    equals = ((tenders.c.category, category), (tenders.c.value_band, value_band), (tenders.c.buyer, buyer))
    for column, wanted in equals:
        if wanted is not None:
            query = query.where(column == wanted)
    if deadline_after is not None:
        query = query.where(tenders.c.tender_deadline > utc(deadline_after))
    if deadline_before is not None:
        query = query.where(tenders.c.tender_deadline < utc(deadline_before))
    return fetch_page(session, query, [tenders.c.tender_deadline, tenders.c.id], cursor, limit)


def questions_for(session: Session, tender_id: str, answered_only: bool) -> list[dict[str, Any]]:
    """A tender's clarification questions in the order asked (Q2 before Q10)."""
    query = select(tender_questions).where(tender_questions.c.tender_id == tender_id)
    if answered_only:
        query = query.where(tender_questions.c.answer.is_not(None))
    order = (tender_questions.c.asked_at, func.length(tender_questions.c.question_id), tender_questions.c.question_id)
    return [dict(row) for row in session.execute(query.order_by(*order)).mappings()]
