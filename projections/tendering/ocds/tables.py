"""The ocds view's tables, and the states of tenders and lots kept in them."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Integer, String, Table

from domain.tendering import tender_rules
from projections.columns import ids, org_ids
from projections.engine import metadata
from projections.tendering.lots import AWARDED, CONTRACTED, LOT_CANCELLED

DRAFT, PUBLISHED, CANCELLED = "draft", "published", LOT_CANCELLED  # a tender's state here (cancelled: as a lot)
REMOVED = "removed"  # a lot an amendment took out; its other states are the tendering views' (lots.py)
LOT_STATUS = {None: "active", AWARDED: "active", CONTRACTED: "complete", CANCELLED: "cancelled", REMOVED: "cancelled"}
TENDER_STATUS = {  # by lots: OCDS keeps a tender active until its contracts are concluded (standstill and awarded too)
    None: "active",
    tender_rules.STANDSTILL: "active",
    tender_rules.AWARDED: "active",
    tender_rules.COMPLETE: "complete",
    tender_rules.CANCELLED: "cancelled",
}

ocds_bids = Table(
    "ocds_bids",
    metadata,
    *ids("id", key=True),
    *ids("tender_id"),
    *org_ids("bidder"),  # who bid, never what: published only once opened
)

ocds_tenders = Table(
    "ocds_tenders",
    metadata,
    *ids("id", key=True),
    *org_ids("buyer"),
    Column("state", String(16), nullable=False),  # draft | published | cancelled
    Column("published_at", String(40)),
    Column("terms", JSON, nullable=False),  # the current terms, deadlines as OCDS date-times (+ service, if named)
    Column("enquiries", Integer, nullable=False),  # questions answered
    Column("amendments", JSON, nullable=False),  # OCDS Amendment objects, in order
    Column("lots", JSON, nullable=False),  # lot id -> awarded (standstill or not) | contracted | cancelled | removed
    Column("releases", Integer, nullable=False),  # how many releases so far: the next one's sequence
    Column("version", Integer, nullable=False),
    Column("events_folded", Integer, nullable=False),
)

ocds_contracts = Table(
    "ocds_contracts",
    metadata,
    *ids("id", key=True),
    *ids("tender_id"),
    Column("lot_id", String(64), nullable=False),
    Column("value", String(20), nullable=False),
    Column("start", String(10), nullable=False),
    Column("end", String(10), nullable=False),
    Column("amendments", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("events_folded", Integer, nullable=False),
)

ocds_releases = Table(
    "ocds_releases",
    metadata,
    Column("position", BigInteger, primary_key=True),  # of the event that published it
    *ids("tender_id"),
    Column("release_id", String(40), nullable=False),  # unique within the tender; served after the ocid
    Column("date", DateTime(timezone=True), nullable=False),
    Column("tags", JSON, nullable=False),
    Column("release", JSON, nullable=False),  # the release without `ocid` and `id`
    Index("ocds_releases_by_tender", "tender_id", "position"),
)
