"""The evaluation of a tender's opened bids against its published, weighted award criteria.

Lifecycle: started when the bids are opened (with their prices) -> evaluators assigned ->
each evaluator declares any conflict of interest (PA2023 s.81-83) before scoring -> scores per
bid per quality or social value criterion, each with a justification -> moderation records the
agreed scores -> ranking per lot by weighted total ("most advantageous tender").

Price is scored by the stated formula: lowest price for the lot / this bid's price x 100.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID, uuid5

from domain.assessment import (
    AssessorState,
    NotConflicted,
    Panel,
    ScoreOnScale,
    all_scored,
    declared,
    declaring,
    joining,
    scoring,
)
from domain.base import Context, MarketplaceAggregate
from domain.rules import DomainError, Refusal, TextWithin, check
from domain.tendering.procurement import Criterion, CriterionKind
from domain.tendering.tender import Assessment
from domain.tendering.terms import Moderation, Score

PRICE_FORMULA = "lowest price for the lot / this bid's price x 100"
CENT = Decimal("0.01")


EvaluatorState = AssessorState  # an evaluator of a tender stands where any assessor does


def evaluation_uuid(tender_id: UUID) -> UUID:
    return uuid5(tender_id, "evaluation")


@dataclass(frozen=True)
class OpenedBid:
    bid_id: str
    bidder: str
    prices: dict[str, Decimal]


class Evaluation(MarketplaceAggregate):
    tender_id: str
    criteria: list[Criterion]
    bids: list[OpenedBid]
    evaluators: dict[str, EvaluatorState] = field(default_factory=dict)  # subject -> where they stand
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)  # "bid|criterion|evaluator" -> score
    agreed: dict[str, dict[str, Any]] = field(default_factory=dict)  # "bid|criterion" -> moderated score

    class Started(MarketplaceAggregate.Created):
        tender_id: str
        criteria: list[Criterion]
        bids: list[OpenedBid]

    @classmethod
    def start(cls, ctx: Context, tender_id: UUID, criteria: list[Criterion], bids: list[OpenedBid]) -> Evaluation:
        return cls._create(
            cls.Started,
            id=evaluation_uuid(tender_id),
            **ctx.stamp(),
            tender_id=str(tender_id),
            criteria=criteria,
            bids=bids,
        )

    def bid(self, bid_id: str) -> OpenedBid:
        for opened in self.bids:
            if opened.bid_id == bid_id:
                return opened
        raise DomainError(f"No opened bid {bid_id}.", field="bid_id", kind=Refusal.NOT_FOUND)

    def criterion(self, key: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.key == key:
                return criterion
        raise DomainError(f"No award criterion {key}.", field="criterion", kind=Refusal.NOT_FOUND)

    @property
    def panel(self) -> Panel:
        return Panel(self.evaluators, "this tender", " (Procurement Act 2023 s.83)")

    def judged(self) -> list[Criterion]:
        """The criteria people score; price is scored by formula."""
        return [c for c in self.criteria if c.kind != CriterionKind.PRICE]

    class EvaluatorAssigned(MarketplaceAggregate.Event):
        evaluator: str

        def apply(self, evaluation: Evaluation) -> None:
            evaluation.evaluators[self.evaluator] = EvaluatorState.ASSIGNED

    def assign(self, ctx: Context, evaluator: str) -> None:
        check(*joining(self.panel, evaluator, "evaluator"))
        self.record(self.EvaluatorAssigned, ctx, evaluator=evaluator)

    class InterestsDeclared(MarketplaceAggregate.Event):
        evaluator: str
        conflict: bool
        statement: str

        def apply(self, evaluation: Evaluation) -> None:
            evaluation.evaluators[self.evaluator] = declared(self.conflict)

    def declare(self, ctx: Context, conflict: bool, statement: str) -> None:
        evaluator = ctx.actor.subject
        check(*declaring(self.panel, evaluator, statement))
        self.record(self.InterestsDeclared, ctx, evaluator=evaluator, conflict=conflict, statement=statement.strip())

    class Scored(MarketplaceAggregate.Event):
        bid_id: str
        criterion: str
        evaluator: str
        score: int
        justification: str

        def apply(self, evaluation: Evaluation) -> None:
            key = f"{self.bid_id}|{self.criterion}|{self.evaluator}"
            evaluation.scores[key] = {"score": self.score, "justification": self.justification}

    def score(self, ctx: Context, scored: Score) -> None:
        evaluator = ctx.actor.subject
        check(*scoring(self.panel, evaluator, scored.justification))
        self.bid(scored.bid_id)
        if self.criterion(scored.criterion).kind == CriterionKind.PRICE:
            raise DomainError(f"Price is scored by formula: {PRICE_FORMULA}.", field="criterion")
        check(ScoreOnScale(scored.score))
        self.record(
            self.Scored,
            ctx,
            bid_id=scored.bid_id,
            criterion=scored.criterion,
            evaluator=evaluator,
            score=scored.score,
            justification=scored.justification.strip(),
        )

    class Moderated(MarketplaceAggregate.Event):
        bid_id: str
        criterion: str
        score: int
        note: str

        def apply(self, evaluation: Evaluation) -> None:
            evaluation.agreed[f"{self.bid_id}|{self.criterion}"] = {"score": self.score, "note": self.note}

    def moderate(self, ctx: Context, agreed: Moderation) -> None:
        """The agreed score, after every evaluator's score for this bid and criterion is in; never by an evaluator
        who declared a conflict (a conflicted evaluator neither scores, moderates nor decides)."""
        bid_id, criterion = agreed.bid_id, agreed.criterion
        check(NotConflicted(self.panel, ctx.actor.subject))
        self.bid(bid_id)
        self.criterion(criterion)
        scored = [e for e in self.evaluators if f"{bid_id}|{criterion}|{e}" in self.scores]
        check(all_scored(self.panel, scored, "evaluator"))
        check(ScoreOnScale(agreed.score))
        check(TextWithin(agreed.note, "note", 10_000))
        self.record(
            self.Moderated, ctx, bid_id=bid_id, criterion=criterion, score=agreed.score, note=agreed.note.strip()
        )

    def bids_for(self, lot_id: str) -> list[OpenedBid]:
        return [b for b in self.bids if lot_id in b.prices]

    def moderation_complete(self, lot_id: str) -> bool:
        pairs = [(b.bid_id, c.key) for b in self.bids_for(lot_id) for c in self.judged()]
        return bool(self.bids_for(lot_id)) and all(f"{bid}|{key}" in self.agreed for bid, key in pairs)

    def ranking(self, lot_id: str) -> list[Assessment]:
        """Weighted totals for a lot, best first (ties go to the lower price)."""
        if not self.moderation_complete(lot_id):
            raise DomainError(
                f"Moderation of lot {lot_id} is not complete: every bid needs an agreed score on every criterion.",
                kind=Refusal.CONFLICT,
                rule="ModerationComplete",
            )
        bids = self.bids_for(lot_id)
        lowest = min(b.prices[lot_id] for b in bids)
        rows = []
        for b in bids:
            scores = {}
            for c in self.criteria:
                raw = (
                    lowest / b.prices[lot_id] * 100
                    if c.kind == CriterionKind.PRICE
                    else self.agreed[f"{b.bid_id}|{c.key}"]["score"]
                )
                scores[c.key] = (Decimal(raw) * c.weight / 100).quantize(CENT, ROUND_HALF_UP)
            rows.append((-sum(scores.values()), b.prices[lot_id], b, scores))
        rows.sort(key=lambda row: (row[0], row[1]))
        return [
            Assessment(b.bid_id, b.bidder, {k: str(v) for k, v in scores.items()}, str(-total), rank, rank == 1)
            for rank, (total, _, b, scores) in enumerate(rows, start=1)
        ]
