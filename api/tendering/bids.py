"""Sealed bids: submit, replace, withdraw, reconfirm; receipts; content only once opened.

Until the tender's bids are opened no route returns a bid's prices or responses, to anyone: the
bidder gets its receipt (time, digest and the nonce that salts it), officers a count. What each
reader may see of an offer is decided by marketplace.tendering.access, on every read path.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post, put
from litestar.exceptions import NotAuthorizedException
from sqlalchemy.orm import Session

from api.as_it_stood import Asked, AsOf, Version, read_record, reads_as_it_stood
from api.auth import current_actor
from api.commanding import BLOCKING, command_from, command_request, writes
from api.paging import Cursor, Limit
from api.problems import problem_responses
from api.tendering.bodies import BidList, BidView, MyBids, Offer, Receipt, bid_id, tender_id
from api.tendering.presenters import (
    BEFORE_OPENING,
    bid_as_it_stood,
    bid_from_row,
    my_bid_from_row,
    receipt_from_row,
    receipt_of,
    respond,
)
from domain.base import Actor
from domain.rules import DomainError, NotFound, Refusal
from domain.tendering import terms
from domain.tendering.bid import Bid
from domain.tendering.tender import Tender
from marketplace.access import reads_for_the_council
from marketplace.outcome import Outcome
from marketplace.service import Marketplace
from marketplace.tendering.access import BID, sees_bid
from marketplace.tendering.services import Bids
from projections.tendering.queries import bids_of_bidder, find_bid, find_tender, outcomes_of_bids, submitted_bids


def signed_in(request: Request[Any, Any, Any], why: str) -> Actor:
    """The caller, who must have signed in for this read (401 otherwise, as for a write)."""
    actor = current_actor(request)
    if actor is None:
        raise NotAuthorizedException(why)
    return actor


def _respond(
    market: Marketplace, request: Request[Any, Any, Any], outcome: Outcome, created: bool = False
) -> Response[Receipt]:
    """A command's answer is the bid's receipt, as its bidder keeps it: it says whether the bid needs reconfirming
    under the tender's latest terms."""
    reader = current_actor(request)

    def receipt(bid: Bid) -> Receipt:
        return receipt_of(bid, market.commands.load(Tender, UUID(bid.tender_id)), reader)

    return respond(market, outcome, Bid, receipt, "/bids" if created else "")


class TenderBidsController(Controller):
    path = "/tenders/{tender:str}/bids"
    tags = ["bids"]

    @post(summary="Submit a sealed bid (provider); answers the receipt", **writes(BID, created=True))
    def submit(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: Offer
    ) -> Response[Receipt]:
        offer = command_from(data, terms.Offer)
        outcome = market.service(Bids).submit(command_request(request, data), tender_id(tender), offer)
        return _respond(market, request, outcome, created=True)

    @get(
        summary="Bids on a tender: a count while sealed; receipts once opened, a page at a time",
        **BLOCKING,
        responses=problem_responses(400, 401, 403, 404),
        security=[{"bearerAuth": []}],
    )
    def list_bids(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        tender: str,
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> BidList:
        """`count` is every bid that stands (the tender's own tally); `items` one page of their receipts."""
        if not reads_for_the_council(signed_in(request, "Sign in to see the bids on a tender.")):
            raise DomainError("Bids on a tender are for council officers.", kind=Refusal.FORBIDDEN)
        with market.views() as session:
            found = find_tender(session, str(tender_id(tender)))
            if found is None:
                raise NotFound("tender", tender)
            if found["status"] in BEFORE_OPENING:  # not yet opened: sealed, a count alone
                return BidList(sealed=True, count=found["bid_count"])
            rows, next_cursor = submitted_bids(session, str(tender_id(tender)), cursor, limit)
        items = [receipt_from_row(r) for r in rows]
        return BidList(sealed=False, count=found["bid_count"], items=items, next_cursor=next_cursor)


class BidController(Controller):
    path = "/bids"
    tags = ["bids"]

    @get(
        summary="My organisation's bids: receipts, each with its tender, its seal and its outcome per lot",
        description="Each bid names its tender's title and deadline, says whether it is still sealed (until the "
        "tender's bids are opened) and whether it must be reconfirmed after an amendment, and once opened its outcome "
        "on each lot it priced: pending, then awarded, unsuccessful or cancelled, with the standstill's last day.",
        **BLOCKING,
        responses=problem_responses(400, 401),
        security=[{"bearerAuth": []}],
    )
    def mine(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> MyBids:
        actor = signed_in(request, "Sign in to see your bids.")
        with market.views() as session:
            rows, next_cursor = bids_of_bidder(session, actor.organisation, cursor=cursor, limit=limit)
            outcomes = outcomes_of_bids(session, [row["id"] for row in rows])
        items = [my_bid_from_row(row, outcomes[row["id"]]) for row in rows]
        return MyBids(sealed=any(item.sealed for item in items), count=len(items), items=items, next_cursor=next_cursor)

    @get(
        "/{bid:str}",
        summary="A bid: its receipt; its content only once the tender's bids are opened (now, or as it stood)",
        description="With `version` or `as_of`, the bid as it stood then: its receipt, and its content at that "
        "point only if the bid has since been opened. The outcome is the tender's decision: read it on the "
        "current bid.",
        security=[{"bearerAuth": []}],
        **reads_as_it_stood(400, 401, 403, 404),
    )
    def read(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        bid: str,
        version: Version = None,
        as_of: AsOf = None,
    ) -> Response[BidView]:
        actor = signed_in(request, "Sign in to see a bid: its bidder's and council officers' only.")

        def now(session: Session) -> tuple[BidView, int] | None:
            row = find_bid(session, str(bid_id(bid)))
            if row is None or not sees_bid(actor, row["bidder"]):
                return None
            outcomes = outcomes_of_bids(session, [row["id"]])[row["id"]]
            return bid_from_row(market, row, actor, outcomes), row["version"]

        asked = Asked(Bid, bid_id(bid), "bid", bid, lambda b: sees_bid(actor, b.bidder))
        return read_record(market, asked, version, as_of, then=lambda s: bid_as_it_stood(market, s, actor), now=now)

    @put(
        "/{bid:str}",
        summary="Replace the bid (or resubmit after withdrawing), before the deadline",
        **writes(BID),
    )
    def replace(self, market: Marketplace, request: Request[Any, Any, Any], bid: str, data: Offer) -> Response[Receipt]:
        offer = command_from(data, terms.Offer)
        outcome = market.service(Bids).replace(command_request(request, data), bid_id(bid), offer)
        return _respond(market, request, outcome)

    @post("/{bid:str}/withdraw", summary="Withdraw the bid, before the deadline", **writes(BID))
    def withdraw(self, market: Marketplace, request: Request[Any, Any, Any], bid: str) -> Response[Receipt]:
        return _respond(market, request, market.service(Bids).withdraw(command_request(request), bid_id(bid)))

    @post("/{bid:str}/reconfirm", summary="Reconfirm the bid under the tender's latest amendment", **writes(BID))
    def reconfirm(self, market: Marketplace, request: Request[Any, Any, Any], bid: str) -> Response[Receipt]:
        return _respond(market, request, market.service(Bids).reconfirm(command_request(request), bid_id(bid)))
