"""Reads of the bids register beside the tender each bid is for: its title, deadline, status and latest amendment.

A bid's row says what the bid is; whether it is still sealed and whether its bidder must reconfirm it depend on its
tender as it stands now, so every read of a bid joins its tender's row (by the tender's key: one index lookup a bid).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from domain.tendering.bid import SUBMITTED
from projections.pagination import fetch_page
from projections.tendering.bids import bids
from projections.tendering.tenders import tenders


def _with_tender() -> Select[Any]:
    """Bids with their tender's title, deadline, status and amendment (as `tender_...`)."""
    t = tenders.c
    tender = (t.title, t.tender_deadline, t.status, t.amendment)
    labelled = [column.label(f"tender_{column.name}") for column in tender]
    return select(bids, *labelled).join(tenders, t.id == bids.c.tender_id)


def find_bid(session: Session, bid_id: str) -> dict[str, Any] | None:
    row = session.execute(_with_tender().where(bids.c.id == bid_id)).mappings().first()
    return None if row is None else dict(row)


def submitted_bids(
    session: Session, tender_id: str, cursor: str | None = None, limit: int = 100
) -> tuple[list[dict[str, Any]], str | None]:
    """The tender's bids that stand (submitted, not withdrawn), one keyset page at a time."""
    query = _with_tender().where(bids.c.tender_id == tender_id, bids.c.status == SUBMITTED)
    return fetch_page(session, query, [bids.c.id], cursor, limit)


def bids_of_bidder(
    session: Session, bidder: str, cursor: str | None = None, limit: int = 100
) -> tuple[list[dict[str, Any]], str | None]:
    """A provider's own bids, by tender, one keyset page at a time."""
    query = _with_tender().where(bids.c.bidder == bidder)
    return fetch_page(session, query, [bids.c.tender_id, bids.c.id], cursor, limit)
