"""Tender notices and their clarification questions, folded together with the bids register.

One projection folds tenders, questions and bids because each changes the others: a bid moves its
tender's bid count, and opening or awarding a tender marks its bids. Folding them from one position
keeps every bid count a fold of exactly the events before it, on any rebuild.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    Numeric,
    Select,
    String,
    Table,
    Text,
    func,
    select,
)
from sqlalchemy.orm import Session

from domain.tendering.bid import Bid
from domain.tendering.procurement import PUBLICATION_THRESHOLD_BELOW, is_above_threshold
from domain.tendering.tender import CANCELLED, CLOSED, DRAFT, EVALUATION, TENDERING, TERMS, Tender, TenderStatus
from projections.aggregate_rows import Change, first_row, own_row, unchanged
from projections.batch import BatchProjection, Folds, Row, Touched, each, events_of, originators, plain, utc
from projections.columns import ids, org_ids, version_columns
from projections.engine import Envelope, metadata
from projections.pagination import fetch_page, one_row, where_given, where_one_of
from projections.tendering.bids import bid_ids_touched, bids, fold_bid, fold_opened, fold_outcomes
from projections.tendering.lots import AWARDED, CONTRACTED, IN_STANDSTILL, LOT_CANCELLED, lots_status, with_lot

UNDER_30K = "under-30k"
MID_BAND = "30k-to-threshold"
ABOVE_THRESHOLD = "above-threshold"

tenders = Table(
    "tenders",
    metadata,
    *ids("id", key=True),
    *org_ids("buyer"),
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
    Column("lot_states", JSON, nullable=False),  # lot id -> standstill | awarded | contracted | cancelled
    Column("bid_count", Integer, nullable=False),  # bids submitted and not withdrawn
    *version_columns(),
    Index("tenders_by_deadline", "tender_deadline", "id"),
    Index("tenders_in_status", "status", "tender_deadline", "id"),
    Index("tenders_by_buyer", "buyer"),
)

tender_questions = Table(
    "tender_questions",
    metadata,
    *ids("tender_id", key=True),
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


def _lot_state(row: Row, lot_id: str, state: str) -> Row:
    """The lot's new state, and the tender's status once its lots decide it (the domain's rule)."""
    states = plain(with_lot(row["lot_states"], lot_id, state))
    moved = lots_status((lot["lot_id"] for lot in row["lots"]), states)
    return {"lot_states": states, "status": moved if moved and row["status"] != CANCELLED else row["status"]}


def _awarded(row: Row, event: Tender.Awarded) -> Row:
    """In standstill until the clock ends it, or awarded at once when none applies."""
    return _lot_state(row, event.award.lot_id, IN_STANDSTILL if event.award.standstill_ends else AWARDED)


def _status(status: str) -> Change:
    return lambda row, event: {"status": status}


def _published(row: Row, event: Tender.Published) -> Row:
    return {"status": TENDERING, "published_at": utc(event.timestamp)}


def _amended(row: Row, event: Tender.Amended) -> Row:
    return {**_with_terms(row, event.terms), "amendment": event.amendment}


def fold_asked(touched: Touched, event: Tender.QuestionAsked) -> None:
    key = {"tender_id": str(event.originator_id), "question_id": event.question_id}
    asked = {"text": event.text, "answer": None, "asked_at": utc(event.timestamp), "answered_at": None}
    touched[tender_questions.name].put({**key, **asked})


def fold_answered(touched: Touched, event: Tender.QuestionAnswered) -> None:
    rows = touched[tender_questions.name]
    question = rows[(str(event.originator_id), event.question_id)]
    rows.put({**question, "answer": event.answer, "answered_at": utc(event.timestamp)})


def fold_bid_event(touched: Touched, event: Any) -> None:
    """A bid's row, and its tender's count of standing bids."""
    tender_id, moved = fold_bid(touched[bids.name], event)
    if moved:
        tender = touched[tenders.name][tender_id]
        touched[tenders.name].put({**tender, "bid_count": tender["bid_count"] + moved})


class TenderBoard(BatchProjection):
    name = "tenders"
    tables = (tenders, tender_questions, bids)
    follows = (Tender, Bid)
    folds: Folds = {
        Tender.Drafted: first_row(tenders, _drafted),
        Tender.Revised: own_row(tenders, lambda row, event: _with_terms(row, event.terms)),
        Tender.ConflictsAssessmentRecorded: own_row(tenders, lambda row, event: {"conflicts_assessed": True}),
        Tender.Published: own_row(tenders, _published),
        Tender.QuestionAsked: (own_row(tenders, unchanged), fold_asked),
        Tender.QuestionAnswered: (own_row(tenders, unchanged), fold_answered),
        Tender.Amended: own_row(tenders, _amended),
        Tender.TenderingClosed: own_row(tenders, _status(CLOSED)),
        Tender.BidsOpened: (own_row(tenders, _status(EVALUATION)), fold_opened),
        Tender.Awarded: (own_row(tenders, _awarded), fold_outcomes),
        Tender.StandstillEnded: own_row(tenders, lambda row, event: _lot_state(row, event.lot_id, AWARDED)),
        Tender.ContractConcluded: own_row(tenders, lambda row, event: _lot_state(row, event.lot_id, CONTRACTED)),
        Tender.LotCancelled: own_row(tenders, lambda row, event: _lot_state(row, event.lot_id, LOT_CANCELLED)),
        Tender.Cancelled: own_row(tenders, _status(CANCELLED)),
        **each((Bid.Submitted, Bid.Replaced, Bid.Withdrawn, Bid.Reconfirmed), fold_bid_event),
    }

    def load(self, session: Session, touched: Touched, batch: Sequence[Envelope]) -> None:
        touched[bids.name].load(session, "id", (bid_id for e in batch for bid_id in bid_ids_touched(e.event)))
        tender_ids = originators(batch, Tender.Event) | {e.tender_id for e in events_of(batch, Bid.Submitted)}
        tender_ids |= {row["tender_id"] for row in touched[bids.name].values()}
        touched[tenders.name].load(session, "id", tender_ids)
        touched[tender_questions.name].load(session, "tender_id", originators(batch, Tender.QuestionAnswered))


def find_tender(session: Session, tender_id: str) -> dict[str, Any] | None:
    return one_row(session, tenders.c.id, tender_id)


def filtered_tenders(  # noqa: PLR0913 - each keyword is one filter, as its route passes it
    *,
    statuses: list[str] | None,
    category: str | None = None,
    value_band: str | None = None,
    deadline_after: datetime | None = None,
    deadline_before: datetime | None = None,
    buyer: str | None = None,
    published_only: bool = False,
) -> Select[Any] | None:
    """The tenders these filters keep, as a query the list and the search each order their own way; None when no
    status is asked for (what `status IN ()` finds). `statuses` None means every status; `published_only` leaves
    out tenders never published (drafts, and drafts cancelled before publication)."""
    if statuses is not None and not statuses:
        return None
    c = tenders.c
    query = select(tenders)
    if published_only:
        query = query.where(c.published_at.is_not(None))
    if statuses is not None:
        query = where_one_of(query, c.status, statuses, list(TenderStatus))
    query = where_given(query, (c.category, category), (c.value_band, value_band), (c.buyer, buyer))
    if deadline_after is not None:
        query = query.where(c.tender_deadline >= utc(deadline_after))  # "at or after", as the route documents it
    if deadline_before is not None:
        query = query.where(c.tender_deadline < utc(deadline_before))
    return query


def search_tenders(
    session: Session, *, cursor: str | None = None, limit: int = 100, **filters: Any
) -> tuple[list[dict[str, Any]], str | None]:
    """Tenders by deadline, soonest first, one keyset page at a time, kept by `filtered_tenders(**filters)`."""
    query = filtered_tenders(**filters)
    if query is None:
        return [], None
    return fetch_page(session, query, [tenders.c.tender_deadline, tenders.c.id], cursor, limit)


def questions_for(session: Session, tender_id: str, answered_only: bool) -> list[dict[str, Any]]:
    """A tender's clarification questions in the order asked (Q2 before Q10)."""
    query = select(tender_questions).where(tender_questions.c.tender_id == tender_id)
    if answered_only:
        query = query.where(tender_questions.c.answer.is_not(None))
    order = (tender_questions.c.asked_at, func.length(tender_questions.c.question_id), tender_questions.c.question_id)
    return [dict(row) for row in session.execute(query.order_by(*order)).mappings()]
