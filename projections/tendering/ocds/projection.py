"""The ocds projection: what it folds (the bid fold here, the tender's and contract's beside it), each batch's
reads, and the queries over its releases."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.tendering.bid import Bid
from domain.tendering.contract import Contract
from domain.tendering.tender import Tender
from projections.batch import BatchProjection, Folds, Row, Touched, events_of, originators
from projections.engine import Envelope
from projections.tendering.ocds.contract import CONTRACT_FOLDS
from projections.tendering.ocds.tables import ocds_bids, ocds_contracts, ocds_releases, ocds_tenders
from projections.tendering.ocds.tender import TENDER_FOLDS


def fold_bid(touched: Touched, event: Bid.Submitted) -> None:
    touched[ocds_bids.name].put({"id": str(event.originator_id), "tender_id": event.tender_id, "bidder": event.bidder})


class OpenContracting(BatchProjection):
    """The OCDS releases of every published tender, and the little state it takes to write them."""

    name = "ocds"
    tables = (ocds_bids, ocds_tenders, ocds_contracts, ocds_releases)
    follows = (Tender, Bid, Contract)
    folds: Folds = {Bid.Submitted: fold_bid, **TENDER_FOLDS, **CONTRACT_FOLDS}
    ignores = (
        *(Bid.Replaced, Bid.Withdrawn, Bid.Reconfirmed),  # who bid is all it keeps of a bid, known at submission
        Contract.OutcomeDefined,  # what a contract pays by results is not in the OCDS contract
        *(Contract.KpiSet, Contract.KpiMeasured),  # performance: the contract performance notice's
    )

    def load(self, session: Session, touched: Touched, batch: Sequence[Envelope]) -> None:
        """Read once every row the batch touches: contracts, their tenders, the bids opened."""
        touched[ocds_contracts.name].load(session, "id", originators(batch, Contract.Event))
        tender_ids = originators(batch, Tender.Event) | {e.tender_id for e in events_of(batch, Contract.Concluded)}
        tender_ids |= {row["tender_id"] for row in touched[ocds_contracts.name].values()}
        touched[ocds_tenders.name].load(session, "id", tender_ids)
        opened = {bid_id for event in events_of(batch, Tender.BidsOpened) for bid_id in event.bid_ids}
        touched[ocds_bids.name].load(session, "id", opened)


# --- queries ------------------------------------------------------------------------------------------


def releases_after(session: Session, after: int, limit: int) -> list[Row]:
    """Stored releases in log order after a position (one more than `limit`, to tell whether more follow)."""
    query = select(ocds_releases).where(ocds_releases.c.position > after).order_by(ocds_releases.c.position)
    return [dict(row) for row in session.execute(query.limit(limit + 1)).mappings()]


def releases_of(session: Session, tender_id: str) -> list[Row]:
    """One tender's stored releases, in log order."""
    query = select(ocds_releases).where(ocds_releases.c.tender_id == tender_id).order_by(ocds_releases.c.position)
    return [dict(row) for row in session.execute(query).mappings()]
