"""The bids register: one row per bid, holding its receipt and outcome but never its sealed content.

A bid's prices and responses are sealed until opening and then belong to the evaluation views,
so no column here ever holds them: a bidder's receipt (time and digest) is what this view shows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Column, DateTime, Index, Integer, String, Table, select
from sqlalchemy.orm import Session

from domain.tendering.bid import SUBMITTED, WITHDRAWN, Bid
from domain.tendering.tender import Tender
from projections.aggregate_rows import bumped, taken
from projections.batch import Row, Rows, Touched, plain, utc
from projections.columns import ids, org_ids, version_columns
from projections.engine import metadata

bids = Table(
    "bids",
    metadata,
    *ids("id", key=True),
    *ids("tender_id"),
    *org_ids("bidder"),
    Column("status", String(16), nullable=False),  # submitted | withdrawn
    Column("amendment", Integer, nullable=False),  # the tender amendment the bid stands under
    Column("digest", String(64), nullable=False),  # SHA-256 of the sealed content: the bidder's receipt
    Column("submitted_at", DateTime(timezone=True), nullable=False),  # the receipt time of the latest offer
    Column("reconfirmed_at", DateTime(timezone=True)),
    Column("opened", Boolean, nullable=False),
    Column("outcome", JSON, nullable=False),  # lot id -> {rank, total, scores, successful}, from the award
    *version_columns(updated_at=False),
    Index("bids_by_tender", "tender_id", "id"),
    Index("bids_standing", "tender_id", "status", "id"),  # a tender's submitted bids, a page at a time
    Index("bids_by_bidder", "bidder", "tender_id", "id"),
)


def _standing(row: Row | None) -> int:
    return int(row is not None and row["status"] == SUBMITTED)


def _submitted(event: Bid.Submitted) -> Row:
    return {
        "id": str(event.originator_id),
        **taken(event, "tender_id", "bidder", "amendment", "digest"),
        "status": SUBMITTED,
        "submitted_at": utc(event.timestamp),
        "reconfirmed_at": None,
        "opened": False,
        "outcome": {},
        "version": event.originator_version,
        "events_folded": 0,
    }


def _changes(event: Any) -> dict[str, Any]:
    if isinstance(event, Bid.Replaced):
        offer = {"digest": event.digest, "amendment": event.amendment, "submitted_at": utc(event.timestamp)}
        return {"status": SUBMITTED, **offer}
    if isinstance(event, Bid.Withdrawn):
        return {"status": WITHDRAWN}
    if isinstance(event, Bid.Reconfirmed):
        return {"amendment": event.amendment, "reconfirmed_at": utc(event.timestamp)}
    return {}


def fold_bid(rows: Rows, event: Any) -> tuple[str, int]:
    """Fold a bid event into its row; say which tender it bids for and how its count of standing bids moved."""
    before = rows.get(str(event.originator_id))
    row = _submitted(event) if isinstance(event, Bid.Submitted) else before
    assert row is not None, "a bid event before the bid's submission"
    row = bumped({**row, **_changes(event)}, event)
    rows.put(row)
    return row["tender_id"], _standing(row) - _standing(before)


def fold_opened(touched: Touched, event: Tender.BidsOpened) -> None:
    rows = touched[bids.name]
    for bid_id in event.bid_ids:
        rows.put({**rows[bid_id], "opened": True})


def fold_outcomes(touched: Touched, event: Tender.Awarded) -> None:
    """What each bidder is told at award: its rank, total and weighted scores for the lot."""
    rows = touched[bids.name]
    for assessment in event.assessments:
        row = rows[assessment.bid_id]
        result = {field: getattr(assessment, field) for field in ("rank", "total", "scores", "successful")}
        rows.put({**row, "outcome": plain({**row["outcome"], event.award.lot_id: result})})


def bid_ids_touched(event: Any) -> list[str]:
    """The bids a tender or bid event changes."""
    if isinstance(event, Bid.Event):
        return [str(event.originator_id)]
    if isinstance(event, Tender.BidsOpened):
        return list(event.bid_ids)
    if isinstance(event, Tender.Awarded):
        return [assessment.bid_id for assessment in event.assessments]
    return []


def bids_for_tender(session: Session, tender_id: str) -> list[dict[str, Any]]:
    """Every bid ever submitted for the tender, withdrawn ones included."""
    query = select(bids).where(bids.c.tender_id == tender_id).order_by(bids.c.id)
    return [dict(row) for row in session.execute(query).mappings()]


def bid_ids_for_tender(session: Session, tender_id: str) -> list[str]:
    """The tender's bid index (what opening loads): every bid ever submitted, in any status."""
    query = select(bids.c.id).where(bids.c.tender_id == tender_id).order_by(bids.c.id)
    return list(session.execute(query).scalars())
