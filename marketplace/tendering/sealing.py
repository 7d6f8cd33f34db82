"""What a reader may see of a bid's events in audit reads: the offer stays sealed until the tender's bids are
opened, and then only to those marketplace.tendering.access allows; the receipt's nonce only to the bidder."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.base import Actor
from domain.tendering.bid import Bid
from domain.tendering.tender import Tender
from marketplace.tendering.access import NONCE_FIELD, SEALED_FIELDS, Seal, sealed_note, sees_nonce, sees_offer

if TYPE_CHECKING:
    from marketplace.service import Marketplace


class Sealer:
    """Decides, once per bid within one request, what of its offers the reader may see."""

    def __init__(self, market: Marketplace, reader: Actor | None) -> None:
        self.market = market
        self.reader = reader
        self._bids: dict[UUID, tuple[str, Seal]] = {}
        self._tenders: dict[str, Tender] = {}

    def bid(self, bid_id: UUID) -> tuple[str, Seal]:
        """The bid's bidder and its seal as they stand now."""
        if bid_id not in self._bids:
            bid = self.market.commands.load(Bid, bid_id)
            if bid.tender_id not in self._tenders:
                self._tenders[bid.tender_id] = self.market.commands.load(Tender, UUID(bid.tender_id))
            opened = self._tenders[bid.tender_id].opened_bids
            seal = Seal(opened is not None, bid.digest if opened and str(bid_id) in opened else None)
            self._bids[bid_id] = (bid.bidder, seal)
        return self._bids[bid_id]

    def redact(self, aggregate_id: UUID, data: dict[str, Any]) -> None:
        """Replace in place what the reader may not see of one bid event's data."""
        bidder, seal = self.bid(aggregate_id)
        if any(name in data for name in SEALED_FIELDS) and not sees_offer(
            self.reader, bidder, str(data.get("digest", "")), seal
        ):
            for name in SEALED_FIELDS:
                if name in data:
                    data[name] = sealed_note(seal)
        if NONCE_FIELD in data and not sees_nonce(self.reader, bidder):
            data[NONCE_FIELD] = "kept by the bidder"
