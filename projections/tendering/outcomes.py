"""Tender outcomes: what each opened bid came to, lot by lot, and the standstills the clock has still to end.

`bid_outcomes` has a row per opened bid and lot it priced: pending from the opening (the evaluation's start
names which lots each opened bid priced, never its prices), then, at the award, the bidder's own weighted
scores, total and rank beside the most advantageous tender's scores and total and its supplier's name (what
PA2023 s.50's assessment summary explains), or cancelled with its lot or tender. The winner's prices and
responses are never here: its scores are what the award decided.

`standstills` holds each awarded lot whose standstill has not yet been ended by the clock (`marketplace tick`
records `Tender.StandstillEnded` for the ones whose last day has passed), so the tick finds them by an index.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import JSON, Column, Date, DateTime, Index, Integer, String, Table, select
from sqlalchemy.orm import Session

from domain.tendering.evaluation import Evaluation
from domain.tendering.tender import Tender
from projections.batch import BatchProjection, Folds, Row, Touched, events_of, plain, utc
from projections.columns import ids
from projections.engine import Envelope, metadata

PENDING, AWARDED, UNSUCCESSFUL, CANCELLED = "pending", "awarded", "unsuccessful", "cancelled"

bid_outcomes = Table(
    "bid_outcomes",
    metadata,
    *ids("bid_id", key=True),
    Column("lot_id", String(64), primary_key=True),
    *ids("tender_id"),
    Column("outcome", String(16), nullable=False),  # pending | awarded | unsuccessful | cancelled
    Column("rank", Integer),
    Column("total", String(16)),  # the bid's weighted total, as a decimal string
    Column("scores", JSON, nullable=False),  # criterion key -> the bid's weighted score
    Column("winner_name", String(300)),  # the most advantageous tender's supplier, as it stood at award
    Column("winner_total", String(16)),
    Column("winner_scores", JSON),  # criterion key -> the winner's weighted score
    Column("standstill_ends", Date),  # the award's last day of standstill; none when none applies
    Column("decided_at", DateTime(timezone=True)),
    Index("bid_outcomes_by_tender", "tender_id", "lot_id"),
)

standstills = Table(
    "standstills",
    metadata,
    *ids("tender_id", key=True),
    Column("lot_id", String(64), primary_key=True),
    Column("ends", Date, nullable=False),  # the last day of standstill
    Index("standstills_by_end", "ends", "tender_id", "lot_id"),
)


def fold_opened(touched: Touched, event: Evaluation.Started) -> None:
    """Each opened bid is pending on each lot it priced."""
    rows = touched[bid_outcomes.name]
    for bid in event.bids:
        for lot_id in bid.prices:
            key: Row = {"bid_id": bid.bid_id, "lot_id": lot_id, "tender_id": event.tender_id}
            rows.put({**key, "outcome": PENDING, "scores": {}, **dict.fromkeys(_DECIDED)})


_DECIDED = ("rank", "total", "winner_name", "winner_total", "winner_scores", "standstill_ends", "decided_at")


def fold_awarded(touched: Touched, event: Tender.Awarded) -> None:
    """Every assessed bid's outcome on the lot, each beside the winner's scores; a standstill to end, if any."""
    award, winner = event.award, event.assessments[0]
    tender_id = str(event.originator_id)
    decided = {
        "winner_name": award.supplier.name,
        "winner_total": winner.total,
        "winner_scores": plain(winner.scores),
        "standstill_ends": award.standstill_ends,
        "decided_at": utc(award.decided_at),
    }
    for assessment in event.assessments:
        touched[bid_outcomes.name].put(
            {
                "bid_id": assessment.bid_id,
                "lot_id": award.lot_id,
                "tender_id": tender_id,
                "outcome": AWARDED if assessment.successful else UNSUCCESSFUL,
                "rank": assessment.rank,
                "total": assessment.total,
                "scores": plain(assessment.scores),
                **decided,
            }
        )
    if award.standstill_ends is not None:
        touched[standstills.name].put({"tender_id": tender_id, "lot_id": award.lot_id, "ends": award.standstill_ends})


def fold_standstill_over(touched: Touched, event: Tender.StandstillEnded | Tender.ContractConcluded) -> None:
    touched[standstills.name].remove((str(event.originator_id), event.lot_id))


def _cancel(touched: Touched, tender_id: str, lot_id: str | None) -> None:
    """The tender's (or one lot's) outcomes fall with it, and so do its standstills."""
    rows = touched[bid_outcomes.name]
    for row in rows.values():
        if row["tender_id"] == tender_id and lot_id in (None, row["lot_id"]) and row["outcome"] != CANCELLED:
            rows.put({**row, "outcome": CANCELLED})
    for row in touched[standstills.name].values():
        if row["tender_id"] == tender_id and lot_id in (None, row["lot_id"]):
            touched[standstills.name].remove((tender_id, row["lot_id"]))


def fold_lot_cancelled(touched: Touched, event: Tender.LotCancelled) -> None:
    _cancel(touched, str(event.originator_id), event.lot_id)


def fold_cancelled(touched: Touched, event: Tender.Cancelled) -> None:
    _cancel(touched, str(event.originator_id), None)


class TenderOutcomes(BatchProjection):
    name = "tender_outcomes"
    tables = (bid_outcomes, standstills)
    follows = (Tender, Evaluation)
    folds: Folds = {
        Evaluation.Started: fold_opened,
        Tender.Awarded: fold_awarded,
        Tender.StandstillEnded: fold_standstill_over,
        Tender.ContractConcluded: fold_standstill_over,
        Tender.LotCancelled: fold_lot_cancelled,
        Tender.Cancelled: fold_cancelled,
    }
    ignores = (  # before the opening nothing is decided; scoring is the evaluation views'
        Tender.Drafted,
        Tender.Revised,
        Tender.ConflictsAssessmentRecorded,
        Tender.Published,
        Tender.QuestionAsked,
        Tender.QuestionAnswered,
        Tender.Amended,
        Tender.TenderingClosed,
        Tender.BidsOpened,
        Evaluation.EvaluatorAssigned,
        Evaluation.InterestsDeclared,
        Evaluation.Scored,
        Evaluation.Moderated,
    )

    def load(self, session: Session, touched: Touched, batch: Sequence[Envelope]) -> None:
        """A cancellation touches every row of its tender; nothing else reads a stored row."""
        cancelled = {str(e.originator_id) for e in events_of(batch, (Tender.Cancelled, Tender.LotCancelled))}
        touched[bid_outcomes.name].load(session, "tender_id", cancelled)
        touched[standstills.name].load(session, "tender_id", cancelled)


def outcomes_of_bids(session: Session, bid_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The outcomes of each of the bids, by lot: a page of bids' at a time (a bid has a row per lot it priced)."""
    found: dict[str, list[dict[str, Any]]] = {bid_id: [] for bid_id in bid_ids}
    if bid_ids:
        query = select(bid_outcomes).where(bid_outcomes.c.bid_id.in_(bid_ids))
        for row in session.execute(query.order_by(bid_outcomes.c.bid_id, bid_outcomes.c.lot_id)).mappings():
            found[row["bid_id"]].append(dict(row))
    return found


def standstills_ended_by(session: Session, last_day: date, limit: int = 1000) -> list[dict[str, Any]]:
    """The standstills whose last day is `last_day` or earlier (so ended by the day after), soonest first."""
    query = select(standstills).where(standstills.c.ends <= last_day)
    order = (standstills.c.ends, standstills.c.tender_id, standstills.c.lot_id)
    return [dict(row) for row in session.execute(query.order_by(*order).limit(limit)).mappings()]
