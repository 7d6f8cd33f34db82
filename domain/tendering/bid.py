"""A sealed bid: one provider's offer for one or more lots of a tender.

Lifecycle: submitted -> replaced or withdrawn (and resubmitted) -> reconfirmed after an
amendment -> opened with the tender, after the deadline. Until then nobody, commissioners
included, reads its content: the bidder holds a receipt (time and SHA-256 digest of the
canonical content, salted with a random nonce that only the bidder is given) that it can
later match against the opened bid.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid5

from domain.base import Context, MarketplaceAggregate
from domain.money import money
from domain.rules import DomainError, Positive, Refusal, StateRule, TextWithin, check
from domain.tendering.procurement import CriterionKind
from domain.tendering.tender import TENDERING, Tender
from domain.tendering.tender_rules import WHERE_A_TENDER_STANDS
from domain.tendering.terms import Offer

PENNY = Decimal("0.01")


class BidStatus(StrEnum):
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


SUBMITTED, WITHDRAWN = BidStatus.SUBMITTED, BidStatus.WITHDRAWN


def bid_uuid(tender_id: UUID, bidder: str) -> UUID:
    """One bid per organisation per tender: a second submission collides and is refused."""
    return uuid5(tender_id, f"bid:{bidder}")


def new_nonce() -> str:
    """128 random bits, as hex: enough that a receipt's digest cannot be searched for a guessable price."""
    return secrets.token_hex(16)


def digest(
    tender_id: str, bidder: str, prices: Mapping[str, Decimal], responses: Mapping[str, str], nonce: str = ""
) -> str:
    """A commitment to the offer: SHA-256 over the nonce followed by the canonical content (JSON with sorted
    keys, no spaces, prices as plain decimal strings in pounds and pence, UTF-8).

    Without the nonce an officer could hash candidate prices until one matched a receipt before the
    deadline; with it, only the bidder, who holds the nonce, can show what the digest commits to.
    Receipts issued before nonces were introduced have an empty nonce.
    """
    canonical = {
        "tender": tender_id,
        "bidder": bidder,
        "prices": {lot: format(price.quantize(PENNY), "f") for lot, price in sorted(prices.items())},
        "responses": dict(sorted(responses.items())),
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((nonce + text).encode()).hexdigest()


def needs_reconfirming(status: str, amendment: int, tender_amendment: int) -> bool:
    """A standing bid made under earlier terms than the tender's latest amendment: it is opened only once its
    bidder reconfirms it (or replaces it) before the deadline."""
    return status == SUBMITTED and amendment != tender_amendment


@dataclass(frozen=True)
class TenderOpenForBids(StateRule):
    """Bids are made, changed, withdrawn and reconfirmed only while the tender is open, by the clock."""

    tender: Tender
    ctx: Context
    action: str = "submit a bid"

    def is_broken(self) -> bool:
        return not self.tender.accepts_bids(self.ctx.now)

    @property
    def message(self) -> str:
        if self.tender.status == TENDERING:
            passed = self.tender.tender_deadline.isoformat()
            return f"Cannot {self.action}: the tender deadline passed at {passed}, and bids are now fixed."
        return f"Cannot {self.action}: {WHERE_A_TENDER_STANDS.get(self.tender.status, self.tender.status)}."


@dataclass(frozen=True)
class BidStands(StateRule):
    """Only a bid that stands (not withdrawn) is withdrawn or reconfirmed."""

    status: str
    action: str

    def is_broken(self) -> bool:
        return self.status != SUBMITTED

    @property
    def message(self) -> str:
        return f"Cannot {self.action}: it is withdrawn. To bid again, submit a new offer in its place."


@dataclass(frozen=True)
class BidderInRegister(StateRule):
    """Only organisations in the register, and still active, may bid: awards name a registered supplier."""

    bidder: str
    status: str | None  # the organisation's status; None when it is not registered

    def is_broken(self) -> bool:
        return self.status != "active"

    @property
    def message(self) -> str:
        if self.status is None:
            return f"Register {self.bidder} in the organisation register before bidding."
        return f"{self.bidder} is {self.status} in the organisation register and cannot bid."


def _sealed(tender: Tender, offer: Offer, tender_id: str, bidder: str) -> dict[str, Any]:
    """The offer as a bid's events store it, once it keeps the tender's rules: its content, the amendment it
    stands under and its receipt (a fresh nonce, and the digest it salts)."""
    _check_offer(tender, offer)
    prices, responses, nonce = dict(offer.prices), dict(offer.responses), new_nonce()
    content_digest = digest(tender_id, bidder, prices, responses, nonce)
    return {
        "prices": prices,
        "responses": responses,
        "digest": content_digest,
        "amendment": tender.amendment,
        "nonce": nonce,
    }


def _check_offer(tender: Tender, offer: Offer) -> None:
    """Prices for real lots only; a response for every non-price criterion and nothing else."""
    prices, responses = offer.prices, offer.responses
    if not prices:
        raise DomainError("A bid prices at least one lot.", field="prices")
    lot_ids = {lot.lot_id for lot in tender.lots}
    for lot_id, price in prices.items():
        if lot_id not in lot_ids:
            raise DomainError(f"The tender has no lot {lot_id}.", field=f"prices.{lot_id}")
        check(Positive(money(price, f"prices.{lot_id}"), f"prices.{lot_id}"))
    wanted = {c.key for c in tender.criteria if c.kind != CriterionKind.PRICE}
    if set(responses) != wanted:
        missing, extra = sorted(wanted - set(responses)), sorted(set(responses) - wanted)
        raise DomainError(
            f"Respond to each quality and social value criterion: missing {missing}, not asked {extra}.",
            field="responses",
        )
    for key, text in responses.items():
        check(TextWithin(text, f"responses.{key}", 50_000))


class Bid(MarketplaceAggregate):
    tender_id: str
    bidder: str
    prices: dict[str, Decimal]
    responses: dict[str, str]
    digest: str
    amendment: int
    nonce: str = ""  # the receipt's salt: the bidder's alone (empty on receipts from before salting)
    status: BidStatus = SUBMITTED

    class Submitted(MarketplaceAggregate.Created):
        tender_id: str
        bidder: str
        prices: dict[str, Decimal]
        responses: dict[str, str]
        digest: str
        amendment: int
        nonce: str = ""

    @classmethod
    def submit(cls, ctx: Context, tender: Tender, bidder: str, offer: Offer) -> Bid:
        check(TenderOpenForBids(tender, ctx))
        sealed = _sealed(tender, offer, str(tender.id), bidder)
        return cls._create(
            cls.Submitted,
            id=bid_uuid(tender.id, bidder),
            **ctx.stamp(),
            tender_id=str(tender.id),
            bidder=bidder,
            **sealed,
        )

    class Replaced(MarketplaceAggregate.Event):
        prices: dict[str, Decimal]
        responses: dict[str, str]
        digest: str
        amendment: int
        nonce: str = ""

        def apply(self, bid: Bid) -> None:
            bid.prices, bid.responses, bid.digest = self.prices, self.responses, self.digest
            bid.amendment, bid.status, bid.nonce = self.amendment, SUBMITTED, self.nonce

    def replace(self, ctx: Context, tender: Tender, offer: Offer) -> None:
        """A new offer in place of the old one, or a resubmission after a withdrawal."""
        check(TenderOpenForBids(tender, ctx, "replace the bid"))
        self.record(self.Replaced, ctx, **_sealed(tender, offer, self.tender_id, self.bidder))

    class Withdrawn(MarketplaceAggregate.Event):
        def apply(self, bid: Bid) -> None:
            bid.status = WITHDRAWN

    def withdraw(self, ctx: Context, tender: Tender) -> None:
        check(TenderOpenForBids(tender, ctx, "withdraw the bid"), BidStands(self.status, "withdraw the bid"))
        self.record(self.Withdrawn, ctx)

    class Reconfirmed(MarketplaceAggregate.Event):
        amendment: int

        def apply(self, bid: Bid) -> None:
            bid.amendment = self.amendment

    def reconfirm(self, ctx: Context, tender: Tender) -> None:
        """The bidder confirms its bid stands under the tender's latest amendment."""
        check(TenderOpenForBids(tender, ctx, "reconfirm the bid"), BidStands(self.status, "reconfirm the bid"))
        if not self.needs_reconfirmation(tender):
            raise DomainError(
                f"Nothing to reconfirm: the bid already stands under the tender's latest terms "
                f"(amendment {tender.amendment}).",
                kind=Refusal.CONFLICT,
                rule="ReconfirmationNeeded",
            )
        self.record(self.Reconfirmed, ctx, amendment=tender.amendment)

    def needs_reconfirmation(self, tender: Tender) -> bool:
        """The tender was amended since this offer and its bidder has not reconfirmed it (`needs_reconfirming`)."""
        return needs_reconfirming(self.status, self.amendment, tender.amendment)

    def opens_with(self, tender: Tender) -> bool:
        """Opened only if still submitted and confirmed under the tender's latest amendment."""
        return self.status == SUBMITTED and not self.needs_reconfirmation(tender)
