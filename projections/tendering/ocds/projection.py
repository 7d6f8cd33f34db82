"""The ocds projection: the bid fold, each batch's reads, and the queries over its releases."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.tendering.bid import Bid
from domain.tendering.contract import Contract
from domain.tendering.tender import Tender
from projections.batch import Row, Rows, Touched
from projections.engine import Envelope, Projection
from projections.tendering.ocds.contract import fold_contract
from projections.tendering.ocds.tables import ocds_bids, ocds_contracts, ocds_releases, ocds_tenders
from projections.tendering.ocds.tender import fold_tender

# --- bids ---------------------------------------------------------------------------


def fold_bid(touched: Touched, envelope: Envelope) -> None:
    event: Any = envelope.event
    touched[ocds_bids.name].put({"id": str(event.originator_id), "tender_id": event.tender_id, "bidder": event.bidder})


FOLDS: tuple[tuple[type, Callable[[Touched, Envelope], None]], ...] = (
    (Bid.Submitted, fold_bid),
    (Tender.Event, fold_tender),
    (Contract.Event, fold_contract),
)


def _load(session: Session, touched: Touched, events: list[Any]) -> None:
    """Read once every row the batch touches: contracts, their tenders, the bids opened."""
    contract_ids = {str(e.originator_id) for e in events if isinstance(e, Contract.Event)}
    touched[ocds_contracts.name].load(session, "id", contract_ids)
    tender_ids = {str(e.originator_id) for e in events if isinstance(e, Tender.Event)}
    tender_ids |= {e.tender_id for e in events if isinstance(e, Contract.Concluded)}
    tender_ids |= {row["tender_id"] for row in touched[ocds_contracts.name].values()}
    touched[ocds_tenders.name].load(session, "id", tender_ids)
    opened = {bid_id for e in events if isinstance(e, Tender.BidsOpened) for bid_id in e.bid_ids}
    touched[ocds_bids.name].load(session, "id", opened)


class OpenContracting(Projection):
    """The OCDS releases of every published tender, and the little state it takes to write them."""

    name = "ocds"
    tables = (ocds_bids, ocds_tenders, ocds_contracts, ocds_releases)
    handles = (Bid.Submitted, Tender.Event, Contract.Event)

    def apply(self, session: Session, batch: Sequence[Envelope]) -> None:
        touched = {table.name: Rows(table) for table in self.tables}
        _load(session, touched, [envelope.event for envelope in batch])
        for envelope in batch:
            for kind, fold in FOLDS:
                if isinstance(envelope.event, kind):
                    fold(touched, envelope)
        for rows in touched.values():
            rows.flush(session)


# --- queries ------------------------------------------------------------------------------------------


def releases_after(session: Session, after: int, limit: int) -> list[Row]:
    """Stored releases in log order after a position (one more than `limit`, to tell whether more follow)."""
    query = select(ocds_releases).where(ocds_releases.c.position > after).order_by(ocds_releases.c.position)
    return [dict(row) for row in session.execute(query.limit(limit + 1)).mappings()]


def releases_of(session: Session, tender_id: str) -> list[Row]:
    """One tender's stored releases, in log order."""
    query = select(ocds_releases).where(ocds_releases.c.tender_id == tender_id).order_by(ocds_releases.c.position)
    return [dict(row) for row in session.execute(query).mappings()]
