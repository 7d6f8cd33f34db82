"""The evaluation matrix: every opened bid's price, each evaluator's scores, the agreed scores and the ranking.

Weighted scores, totals and ranks follow Evaluation.ranking exactly (price: lowest / price x 100 x weight;
others: agreed x weight; each rounded half-up to 0.01; ties to the lower price, then to the order of
opening), so the matrix a panel reads is the ranking an award will record.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from domain.tendering.evaluation import CENT
from domain.tendering.procurement import CriterionKind
from projections.batch import Row, utc
from projections.tendering.evaluation import agreed_scores, evaluation_scores, evaluations, evaluators, opened_prices

Pair = tuple[str, str]  # (bid id, criterion key)


def weighted_score(criterion: Row, lowest: Decimal, price: Decimal, agreed: int | None) -> Decimal | None:
    """A criterion's contribution to a bid's total; None while a judged criterion has no agreed score."""
    if criterion["kind"] == CriterionKind.PRICE:
        raw: Decimal | int = lowest / price * 100
    elif agreed is None:
        return None
    else:
        raw = agreed
    weight = int(criterion["weight"])
    return (Decimal(raw) * weight / 100).quantize(CENT, ROUND_HALF_UP)


class Panel:
    """What the evaluation panel recorded for one tender, indexed by (bid, criterion)."""

    def __init__(self, criteria: list[Row], scores: list[Row], agreed: list[Row]) -> None:
        self.criteria = criteria
        self.judged = [c for c in criteria if c["kind"] != CriterionKind.PRICE]
        self.scores: dict[Pair, list[Row]] = defaultdict(list)
        for row in scores:
            entry = {name: row[name] for name in ("evaluator", "score", "justification", "scored_at")}
            self.scores[(row["bid_id"], row["criterion"])].append(entry)
        self.agreed: dict[Pair, Row] = {
            (row["bid_id"], row["criterion"]): {name: row[name] for name in ("score", "note", "moderated_at")}
            for row in agreed
        }

    def agreed_score(self, bid_id: str, key: str) -> int | None:
        agreed = self.agreed.get((bid_id, key))
        return None if agreed is None else int(agreed["score"])

    def judgement(self, bid_id: str, key: str) -> Row:
        """Each evaluator's score for a bid on one criterion, and the score moderation agreed (None until then)."""
        return {"evaluators": self.scores.get((bid_id, key), []), "agreed": self.agreed.get((bid_id, key))}

    def bid_row(self, opened: Row, lowest: Decimal) -> Row:
        """One bid's line for a lot: scores by criterion, weighted scores, and a total once fully moderated."""
        bid_id, price = opened["bid_id"], opened["price"]
        agreed = {c["key"]: self.agreed_score(bid_id, c["key"]) for c in self.criteria}
        weighted = {c["key"]: weighted_score(c, lowest, price, agreed[c["key"]]) for c in self.criteria}
        scores = {c["key"]: self.judgement(bid_id, c["key"]) for c in self.judged}
        done = all(value is not None for value in weighted.values())
        total = sum((value for value in weighted.values() if value is not None), Decimal(0)) if done else None
        line = {"bid_id": bid_id, "bidder": opened["bidder"], "price": price, "scores": scores, "weighted": weighted}
        return {**line, "total": total, "rank": None}

    def lot(self, lot_id: str, opened: list[Row]) -> Row:
        """A lot's bids, ranked best first once every bid has a total (before that, in order of opening)."""
        lowest = min(row["price"] for row in opened)
        lines = [(self.bid_row(row, lowest), row["seq"]) for row in opened]
        complete = all(line["total"] is not None for line, _ in lines)
        if complete:
            lines.sort(key=lambda item: (-item[0]["total"], item[0]["price"], item[1]))
            lines = [({**line, "rank": rank}, seq) for rank, (line, seq) in enumerate(lines, start=1)]
        return {"lot_id": lot_id, "moderation_complete": complete, "bids": [line for line, _ in lines]}


def _rows(session: Session, table: Table, tender_id: str, *order: str) -> list[Row]:
    """The rows of one tender, with times in UTC whatever the database (SQLite drops the offset)."""
    query = select(table).where(table.c.tender_id == tender_id).order_by(*(table.c[name] for name in order))
    return [
        {name: utc(value) if isinstance(value, datetime) else value for name, value in row.items()}
        for row in session.execute(query).mappings()
    ]


def evaluation_matrix(session: Session, tender_id: str) -> dict[str, Any] | None:
    """The whole evaluation of a tender's opened bids, lot by lot; None before the bids are opened."""
    started = _rows(session, evaluations, tender_id)
    if not started:
        return None
    scores = _rows(session, evaluation_scores, tender_id, "bid_id", "criterion", "evaluator")
    panel = Panel(started[0]["criteria"], scores, _rows(session, agreed_scores, tender_id))
    by_lot: dict[str, list[Row]] = defaultdict(list)
    for row in _rows(session, opened_prices, tender_id, "lot_id", "seq"):
        by_lot[row["lot_id"]].append(row)
    return {
        "tender_id": tender_id,
        "criteria": panel.criteria,
        "evaluators": _rows(session, evaluators, tender_id, "evaluator"),
        "lots": [panel.lot(lot_id, opened) for lot_id, opened in by_lot.items()],
    }
