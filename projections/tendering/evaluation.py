"""The evaluation of opened bids: prices, evaluators and their declarations, scores and agreed scores.

Prices appear here only because Evaluation.Started is recorded when the bids are opened: before
that they are sealed, and no view holds them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Integer, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Session

from domain.tendering.evaluation import Evaluation
from projections.aggregate_rows import first_row, own_row, unchanged
from projections.batch import BatchProjection, Folds, Row, Touched, originators, plain, utc
from projections.columns import ids, org_ids, version_columns
from projections.engine import Envelope, metadata

evaluations = Table(
    "evaluations",
    metadata,
    *ids("id", key=True),  # the Evaluation aggregate's id
    *ids("tender_id"),
    Column("criteria", JSON, nullable=False),  # [{key, name, kind, weight}] as published
    Column("started_at", DateTime(timezone=True), nullable=False),
    *version_columns(),
    UniqueConstraint("tender_id", name="evaluations_one_per_tender"),
)

opened_prices = Table(
    "opened_prices",
    metadata,
    *ids("tender_id", "bid_id", key=True),
    Column("lot_id", String(64), primary_key=True),
    *org_ids("bidder"),
    Column("price", Numeric(14, 2), nullable=False),
    Column("seq", Integer, nullable=False),  # the bid's place in the opening: ranking breaks exact ties by it
)

evaluators = Table(
    "evaluators",
    metadata,
    *ids("tender_id", key=True),
    Column("evaluator", String(200), primary_key=True),
    Column("state", String(16), nullable=False),  # assigned | no-conflict | conflict
    Column("statement", Text),
    Column("assigned_at", DateTime(timezone=True), nullable=False),
    Column("declared_at", DateTime(timezone=True)),
)

evaluation_scores = Table(
    "evaluation_scores",
    metadata,
    *ids("tender_id", "bid_id", key=True),
    Column("criterion", String(64), primary_key=True),
    Column("evaluator", String(200), primary_key=True),
    Column("score", Integer, nullable=False),
    Column("justification", Text, nullable=False),
    Column("scored_at", DateTime(timezone=True), nullable=False),
)

agreed_scores = Table(
    "agreed_scores",
    metadata,
    *ids("tender_id", "bid_id", key=True),
    Column("criterion", String(64), primary_key=True),
    Column("score", Integer, nullable=False),
    Column("note", Text, nullable=False),
    Column("moderated_at", DateTime(timezone=True), nullable=False),
)


def _tender_of(touched: Touched, event: Any) -> str:
    return str(touched[evaluations.name][str(event.originator_id)]["tender_id"])


def _started(event: Evaluation.Started) -> Row:
    started = {"tender_id": event.tender_id, "criteria": plain(event.criteria), "started_at": utc(event.timestamp)}
    return {"id": str(event.originator_id), **started, "events_folded": 0}


def fold_opening(touched: Touched, event: Evaluation.Started) -> None:
    for seq, bid in enumerate(event.bids):
        for lot_id, price in bid.prices.items():
            key = {"tender_id": event.tender_id, "bid_id": bid.bid_id, "lot_id": lot_id}
            touched[opened_prices.name].put({**key, "bidder": bid.bidder, "price": price, "seq": seq})


def fold_assigned(touched: Touched, event: Evaluation.EvaluatorAssigned) -> None:
    assigned = {"state": "assigned", "statement": None, "assigned_at": utc(event.timestamp), "declared_at": None}
    touched[evaluators.name].put({"tender_id": _tender_of(touched, event), "evaluator": event.evaluator, **assigned})


def fold_declared(touched: Touched, event: Evaluation.InterestsDeclared) -> None:
    rows = touched[evaluators.name]
    declared = {"state": "conflict" if event.conflict else "no-conflict", "declared_at": utc(event.timestamp)}
    row = rows[(_tender_of(touched, event), event.evaluator)]
    rows.put({**row, **declared, "statement": event.statement})


def fold_score(touched: Touched, event: Evaluation.Scored) -> None:
    """A re-score replaces the evaluator's earlier score for that bid and criterion."""
    scored = {"score": event.score, "justification": event.justification, "scored_at": utc(event.timestamp)}
    key = {"tender_id": _tender_of(touched, event), "bid_id": event.bid_id, "criterion": event.criterion}
    touched[evaluation_scores.name].put({**key, "evaluator": event.evaluator, **scored})


def fold_agreed(touched: Touched, event: Evaluation.Moderated) -> None:
    agreed: Row = {"score": event.score, "note": event.note, "moderated_at": utc(event.timestamp)}
    key = {"tender_id": _tender_of(touched, event), "bid_id": event.bid_id, "criterion": event.criterion}
    touched[agreed_scores.name].put({**key, **agreed})


EVALUATION = own_row(evaluations, unchanged)  # every later event moves the evaluation's version


class EvaluationViews(BatchProjection):
    name = "evaluations"
    tables = (evaluations, opened_prices, evaluators, evaluation_scores, agreed_scores)
    own_rows = evaluations
    follows = (Evaluation,)
    folds: Folds = {
        Evaluation.Started: (first_row(evaluations, _started), fold_opening),
        Evaluation.EvaluatorAssigned: (EVALUATION, fold_assigned),
        Evaluation.InterestsDeclared: (EVALUATION, fold_declared),
        Evaluation.Scored: (EVALUATION, fold_score),
        Evaluation.Moderated: (EVALUATION, fold_agreed),
    }

    def load(self, session: Session, touched: Touched, batch: Sequence[Envelope]) -> None:
        super().load(session, touched, batch)
        declaring = originators(batch, Evaluation.InterestsDeclared)
        tender_ids = (row["tender_id"] for row in touched[evaluations.name].values() if row["id"] in declaring)
        touched[evaluators.name].load(session, "tender_id", tender_ids)
