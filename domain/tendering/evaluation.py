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
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid5

from domain.base import Context, MarketplaceAggregate
from domain.rules import DomainError, Refusal, StateRule, TextWithin, ValueRule, check
from domain.tendering.procurement import Criterion, CriterionKind
from domain.tendering.tender import Assessment
from domain.tendering.terms import Moderation, Score

PRICE_FORMULA = "lowest price for the lot / this bid's price x 100"
CENT = Decimal("0.01")


class EvaluatorState(StrEnum):
    """Where an evaluator stands: assigned, then declared without a conflict (may score) or with one (may not)."""

    ASSIGNED = "assigned"
    NO_CONFLICT = "no-conflict"
    CONFLICT = "conflict"


def evaluation_uuid(tender_id: UUID) -> UUID:
    return uuid5(tender_id, "evaluation")


@dataclass(frozen=True)
class OpenedBid:
    bid_id: str
    bidder: str
    prices: dict[str, Decimal]


@dataclass(frozen=True)
class EvaluatorRule(StateRule):
    """A rule about where one evaluator stands in this evaluation."""

    evaluation: Evaluation
    evaluator: str


class EvaluatorAssigned(EvaluatorRule):
    """Only someone the council assigned to this tender's evaluation may declare or score."""

    message = "You are not assigned to evaluate this tender."

    def is_broken(self) -> bool:
        return self.evaluator not in self.evaluation.evaluators


class DeclaredWithoutConflict(EvaluatorRule):
    def is_broken(self) -> bool:
        return self.evaluation.evaluators.get(self.evaluator) != EvaluatorState.NO_CONFLICT

    @property
    def message(self) -> str:
        if self.evaluation.evaluators.get(self.evaluator) == EvaluatorState.CONFLICT:
            return "You declared a conflict of interest, so you may not score this tender."
        return "Declare any conflict of interest before scoring (Procurement Act 2023 s.83)."


@dataclass(frozen=True)
class WholeScore(ValueRule[object]):
    field: str | None = "score"
    message = "A score is a whole number from 0 to 100."

    def is_broken(self) -> bool:
        return not (isinstance(self.value, int) and not isinstance(self.value, bool) and 0 <= self.value <= 100)


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

    def judged(self) -> list[Criterion]:
        """The criteria people score; price is scored by formula."""
        return [c for c in self.criteria if c.kind != CriterionKind.PRICE]

    class EvaluatorAssigned(MarketplaceAggregate.Event):
        evaluator: str

        def apply(self, evaluation: Evaluation) -> None:
            evaluation.evaluators[self.evaluator] = EvaluatorState.ASSIGNED

    def assign(self, ctx: Context, evaluator: str) -> None:
        if evaluator in self.evaluators:
            raise DomainError(f"{evaluator} is already assigned.", field="evaluator", kind=Refusal.CONFLICT)
        check(TextWithin(evaluator, "evaluator", 200))
        self.record(self.EvaluatorAssigned, ctx, evaluator=evaluator)

    class InterestsDeclared(MarketplaceAggregate.Event):
        evaluator: str
        conflict: bool
        statement: str

        def apply(self, evaluation: Evaluation) -> None:
            evaluation.evaluators[self.evaluator] = (
                EvaluatorState.CONFLICT if self.conflict else EvaluatorState.NO_CONFLICT
            )

    def declare(self, ctx: Context, conflict: bool, statement: str) -> None:
        evaluator = ctx.actor.subject
        check(EvaluatorAssigned(self, evaluator))
        if self.evaluators.get(evaluator) != EvaluatorState.ASSIGNED:
            raise DomainError("Only an assigned evaluator who has not yet declared may declare.", kind=Refusal.CONFLICT)
        check(TextWithin(statement, "statement", 5000))
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
        check(
            EvaluatorAssigned(self, evaluator),
            DeclaredWithoutConflict(self, evaluator),
            TextWithin(scored.justification, "justification", 10_000),
        )
        self.bid(scored.bid_id)
        if self.criterion(scored.criterion).kind == CriterionKind.PRICE:
            raise DomainError(f"Price is scored by formula: {PRICE_FORMULA}.", field="criterion")
        check(WholeScore(scored.score))
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
        """The agreed score, after every evaluator's score for this bid and criterion is in."""
        bid_id, criterion = agreed.bid_id, agreed.criterion
        self.bid(bid_id)
        self.criterion(criterion)
        scorers = [e for e, state in self.evaluators.items() if state != EvaluatorState.CONFLICT]  # undeclared ones too
        missing = [e for e in scorers if f"{bid_id}|{criterion}|{e}" not in self.scores]
        if not scorers or missing:
            raise DomainError(
                f"Every evaluator must score before moderation (waiting for {missing or 'an evaluator'}).",
                kind=Refusal.CONFLICT,
                rule="EvaluatorsScored",
            )
        check(WholeScore(agreed.score))
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
