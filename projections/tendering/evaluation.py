"""The evaluation of opened bids: prices, evaluators and their declarations, scores and agreed scores.

Prices appear here only because Evaluation.Started is recorded when the bids are opened: before
that they are sealed, and no view holds them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, DateTime, Integer, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Session

from domain.tendering.evaluation import Evaluation
from projections.batch import BatchProjection, Handlers, Row, Touched, bumped, plain, utc
from projections.engine import metadata

evaluations = Table(
    "evaluations",
    metadata,
    Column("id", String(36), primary_key=True),  # the Evaluation aggregate's id
    Column("tender_id", String(36), nullable=False),
    Column("criteria", JSON, nullable=False),  # [{key, name, kind, weight}] as published
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    Column("events_folded", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("tender_id", name="evaluations_one_per_tender"),
)

opened_prices = Table(
    "opened_prices",
    metadata,
    Column("tender_id", String(36), primary_key=True),
    Column("bid_id", String(36), primary_key=True),
    Column("lot_id", String(64), primary_key=True),
    Column("bidder", String(80), nullable=False),
    Column("price", Numeric(14, 2), nullable=False),
    Column("seq", Integer, nullable=False),  # the bid's place in the opening: ranking breaks exact ties by it
)

evaluators = Table(
    "evaluators",
    metadata,
    Column("tender_id", String(36), primary_key=True),
    Column("evaluator", String(200), primary_key=True),
    Column("state", String(16), nullable=False),  # assigned | no-conflict | conflict
    Column("statement", Text),
    Column("assigned_at", DateTime(timezone=True), nullable=False),
    Column("declared_at", DateTime(timezone=True)),
)

evaluation_scores = Table(
    "evaluation_scores",
    metadata,
    Column("tender_id", String(36), primary_key=True),
    Column("bid_id", String(36), primary_key=True),
    Column("criterion", String(64), primary_key=True),
    Column("evaluator", String(200), primary_key=True),
    Column("score", Integer, nullable=False),
    Column("justification", Text, nullable=False),
    Column("scored_at", DateTime(timezone=True), nullable=False),
)

agreed_scores = Table(
    "agreed_scores",
    metadata,
    Column("tender_id", String(36), primary_key=True),
    Column("bid_id", String(36), primary_key=True),
    Column("criterion", String(64), primary_key=True),
    Column("score", Integer, nullable=False),
    Column("note", Text, nullable=False),
    Column("moderated_at", DateTime(timezone=True), nullable=False),
)


def _tender_of(touched: Touched, event: Any) -> str:
    return str(touched[evaluations.name][str(event.originator_id)]["tender_id"])


def fold_evaluation(touched: Touched, event: Any) -> None:
    """Every event moves the evaluation's own row: its version and count of events folded."""
    rows = touched[evaluations.name]
    if isinstance(event, Evaluation.Started):
        started = {"tender_id": event.tender_id, "criteria": plain(event.criteria), "started_at": utc(event.timestamp)}
        rows.put({"id": str(event.originator_id), **started, "events_folded": 0})
    row = rows[str(event.originator_id)]
    rows.put({**bumped(row, event), "updated_at": utc(event.timestamp)})


def fold_opening(touched: Touched, event: Evaluation.Started) -> None:
    for seq, bid in enumerate(event.bids):
        for lot_id, price in bid.prices.items():
            key = {"tender_id": event.tender_id, "bid_id": bid.bid_id, "lot_id": lot_id}
            touched[opened_prices.name].put({**key, "bidder": bid.bidder, "price": price, "seq": seq})


def fold_evaluator(touched: Touched, event: Any) -> None:
    rows, key = touched[evaluators.name], (_tender_of(touched, event), event.evaluator)
    if isinstance(event, Evaluation.EvaluatorAssigned):
        assigned = {"state": "assigned", "statement": None, "assigned_at": utc(event.timestamp), "declared_at": None}
        rows.put({"tender_id": key[0], "evaluator": key[1], **assigned})
    else:
        state = "conflict" if event.conflict else "no-conflict"
        rows.put({**rows[key], "state": state, "statement": event.statement, "declared_at": utc(event.timestamp)})


def fold_score(touched: Touched, event: Evaluation.Scored) -> None:
    """A re-score replaces the evaluator's earlier score for that bid and criterion."""
    scored = {"score": event.score, "justification": event.justification, "scored_at": utc(event.timestamp)}
    key = {"tender_id": _tender_of(touched, event), "bid_id": event.bid_id, "criterion": event.criterion}
    touched[evaluation_scores.name].put({**key, "evaluator": event.evaluator, **scored})


def fold_agreed(touched: Touched, event: Evaluation.Moderated) -> None:
    agreed: Row = {"score": event.score, "note": event.note, "moderated_at": utc(event.timestamp)}
    key = {"tender_id": _tender_of(touched, event), "bid_id": event.bid_id, "criterion": event.criterion}
    touched[agreed_scores.name].put({**key, **agreed})


class EvaluationViews(BatchProjection):
    name = "evaluations"
    tables = (evaluations, opened_prices, evaluators, evaluation_scores, agreed_scores)
    handles = (Evaluation.Event,)
    handlers: Handlers = (
        (Evaluation.Event, fold_evaluation),
        (Evaluation.Started, fold_opening),
        ((Evaluation.EvaluatorAssigned, Evaluation.InterestsDeclared), fold_evaluator),
        (Evaluation.Scored, fold_score),
        (Evaluation.Moderated, fold_agreed),
    )

    def load(self, session: Session, touched: Touched, events: list[Any]) -> None:
        touched[evaluations.name].load(session, "id", (str(e.originator_id) for e in events))
        declaring = {str(e.originator_id) for e in events if isinstance(e, Evaluation.InterestsDeclared)}
        tender_ids = (row["tender_id"] for row in touched[evaluations.name].values() if row["id"] in declaring)
        touched[evaluators.name].load(session, "tender_id", tender_ids)
