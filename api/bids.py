"""Sealed bids: submit, replace, withdraw, reconfirm; receipts; content only once opened.

Before the tender's deadline no route returns a bid's prices or responses, to anyone:
the bidder gets its receipt (time and SHA-256 digest), officers a count.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.params import Parameter

from api.as_it_stood import HISTORY_HEADERS, AsOf, Version, as_it_stood_answer, recall_with_events
from api.auth import current_actor
from api.commanding import BLOCKING, answer, command_request, etag, record_id, writes
from api.problems import problem_responses
from api.rendering import utc
from api.tenders import Key, Money, tender_id
from domain.base import Actor, Role
from domain.bid import Bid
from domain.rules import DomainError, NotFound, Refusal
from domain.tender import CLOSED, DRAFT, TENDERING
from marketplace.as_it_stood import Stood
from marketplace.outcome import Outcome
from marketplace.service import Marketplace
from projections.tendering import bids_for_tender, bids_of_bidder, find_bid, find_tender

OFFICIALS = (Role.COMMISSIONER, Role.ADMIN, Role.AUDITOR)
Response_ = Annotated[str, msgspec.Meta(min_length=1, max_length=50_000)]


class Offer(msgspec.Struct, forbid_unknown_fields=True):
    prices: Annotated[dict[Key, Money], msgspec.Meta(min_length=1, max_length=50)]
    responses: Annotated[dict[Key, Response_], msgspec.Meta(max_length=20)]


class Receipt(msgspec.Struct):
    """What the bidder keeps: it proves what was sent, without revealing it."""

    id: str
    tender_id: str
    bidder: str
    status: str
    digest: str
    submitted_at: datetime
    amendment: int
    version: int


class LotOutcome(msgspec.Struct):
    rank: int
    total: str
    scores: dict[str, str]
    successful: bool


class BidView(msgspec.Struct):
    receipt: Receipt
    opened: bool
    prices: dict[str, Decimal] | None = None  # once opened, for officers and the bidder
    responses: dict[str, str] | None = None
    outcome: dict[str, LotOutcome] | None = None  # per lot, for the bidder and officers only


class BidList(msgspec.Struct):
    sealed: bool
    count: int
    items: list[Receipt] = []
    next_cursor: str | None = None


def receipt_of(bid: Bid) -> Receipt:
    return Receipt(
        str(bid.id), bid.tender_id, bid.bidder, bid.status, bid.digest, bid.modified_on, bid.amendment, bid.version
    )


def receipt_from_row(row: dict[str, Any]) -> Receipt:
    return Receipt(
        row["id"],
        row["tender_id"],
        row["bidder"],
        row["status"],
        row["digest"],
        utc(row["submitted_at"]),
        row["amendment"],
        row["version"],
    )


def _is_opened(market: Marketplace, tender: str) -> bool:
    with market.views() as session:
        row = find_tender(session, tender)
    return row is not None and row["status"] not in (DRAFT, TENDERING, CLOSED)


def _sees(actor: Actor | None, bidder: str) -> bool:
    return actor is not None and (actor.role in OFFICIALS or actor.organisation == bidder)


def _receipt_as_it_stood(then: Bid, history: list[Any]) -> Receipt:
    """The receipt dated when the offer standing then was sent, as the current read dates it (not the time of
    a later withdrawal or reconfirmation, which is when the aggregate was last modified)."""
    sent = [event.timestamp for event in history if isinstance(event, (Bid.Submitted, Bid.Replaced))]
    return msgspec.structs.replace(receipt_of(then), submitted_at=sent[-1])


def _sees_superseded(actor: Actor | None, bidder: str) -> bool:
    """An offer replaced or withdrawn before the deadline was never evaluated: its bidder's and the auditors' only."""
    return actor is not None and (actor.role is Role.AUDITOR or actor.organisation == bidder)


def _as_it_stood(market: Marketplace, stood: Stood[Bid], actor: Actor | None) -> BidView:
    """A past version of a bid: its content only if the bid has been opened by now (sealed until then,
    to everyone), and an offer other than the one opened only to its bidder and auditors; no outcome,
    which is the tender's decision and not part of the bid's record."""
    then = stood.aggregate
    with market.views() as session:
        row = find_bid(session, str(then.id))
    opened = row is not None and bool(row["opened"])
    view = BidView(receipt=_receipt_as_it_stood(then, stood.events), opened=opened)
    if opened and row is not None and (then.digest == row["digest"] or _sees_superseded(actor, then.bidder)):
        view.prices, view.responses = dict(then.prices), dict(then.responses)
    return view


def _answer(market: Marketplace, outcome: Outcome, created: bool = False) -> Response[Receipt]:
    location = (lambda b: f"/bids/{b.id}") if created else None
    return answer(market, outcome, Bid, receipt_of, location)


bid_id = record_id("bid")


class TenderBidsController(Controller):
    path = "/tenders/{tender:str}/bids"
    tags = ["bids"]

    @post(summary="Submit a sealed bid (provider); answers the receipt", **writes(Role.PROVIDER, created=True))
    def submit(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: Offer
    ) -> Response[Receipt]:
        outcome = market.bids.submit(command_request(request, data), tender_id(tender), data.prices, data.responses)
        return _answer(market, outcome, created=True)

    @get(
        summary="Bids on a tender: a count while sealed; receipts once opened",
        **BLOCKING,
        responses=problem_responses(401, 403, 404),
        security=[{"bearerAuth": []}],
    )
    def list_bids(self, market: Marketplace, request: Request[Any, Any, Any], tender: str) -> BidList:
        actor = current_actor(request)
        if actor is None or actor.role not in OFFICIALS:
            raise DomainError("Bids on a tender are for council officers.", kind=Refusal.FORBIDDEN)
        with market.views() as session:
            if find_tender(session, str(tender_id(tender))) is None:
                raise NotFound("tender", tender)
            rows = [r for r in bids_for_tender(session, str(tender_id(tender))) if r["status"] == "submitted"]
        if not _is_opened(market, str(tender_id(tender))):
            return BidList(sealed=True, count=len(rows))
        return BidList(sealed=False, count=len(rows), items=[receipt_from_row(r) for r in rows])


class BidController(Controller):
    path = "/bids"
    tags = ["bids"]

    @get(
        summary="My organisation's bids (receipts)",
        **BLOCKING,
        responses=problem_responses(400, 401),
        security=[{"bearerAuth": []}],
    )
    def mine(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        cursor: Annotated[str | None, Parameter(max_length=500)] = None,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
    ) -> BidList:
        actor = current_actor(request)
        if actor is None:
            raise DomainError("Sign in to see your bids.", kind=Refusal.FORBIDDEN)
        with market.views() as session:
            rows, next_cursor = bids_of_bidder(session, actor.organisation, cursor=cursor, limit=limit)
        return BidList(
            sealed=False, count=len(rows), items=[receipt_from_row(r) for r in rows], next_cursor=next_cursor
        )

    @get(
        "/{bid:str}",
        summary="A bid: its receipt; its content only once the tender's bids are opened (now, or as it stood)",
        description="With `version` or `as_of`, the bid as it stood then: its receipt, and its content at that "
        "point only if the bid has since been opened. The outcome is the tender's decision: read it on the "
        "current bid.",
        **BLOCKING,
        responses=problem_responses(400, 401, 403, 404),
        response_headers=HISTORY_HEADERS,
        security=[{"bearerAuth": []}],
    )
    def read(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        bid: str,
        version: Version = None,
        as_of: AsOf = None,
    ) -> Response[BidView]:
        actor = current_actor(request)
        stood = recall_with_events(
            market, Bid, bid_id(bid), version, as_of, what="bid", key=bid, visible=lambda b: _sees(actor, b.bidder)
        )
        if stood is not None:
            return as_it_stood_answer(_as_it_stood(market, stood, actor), stood.aggregate)
        with market.views() as session:
            row = find_bid(session, str(bid_id(bid)))
        if row is None or not _sees(actor, row["bidder"]):
            raise NotFound("bid", bid)
        view = BidView(receipt=receipt_from_row(row), opened=bool(row["opened"]))
        if row["opened"]:
            content = market.commands.load(Bid, bid_id(bid))
            view.prices, view.responses = dict(content.prices), dict(content.responses)
        if row["outcome"]:
            view.outcome = {lot: LotOutcome(**o) for lot, o in row["outcome"].items()}
        return Response(view, headers=etag(row["version"]))

    @put(
        "/{bid:str}",
        summary="Replace the bid (or resubmit after withdrawing), before the deadline",
        **writes(Role.PROVIDER),
    )
    def replace(self, market: Marketplace, request: Request[Any, Any, Any], bid: str, data: Offer) -> Response[Receipt]:
        outcome = market.bids.replace(command_request(request, data), bid_id(bid), data.prices, data.responses)
        return _answer(market, outcome)

    @post("/{bid:str}/withdraw", summary="Withdraw the bid, before the deadline", **writes(Role.PROVIDER))
    def withdraw(self, market: Marketplace, request: Request[Any, Any, Any], bid: str) -> Response[Receipt]:
        return _answer(market, market.bids.withdraw(command_request(request), bid_id(bid)))

    @post(
        "/{bid:str}/reconfirm", summary="Reconfirm the bid under the tender's latest amendment", **writes(Role.PROVIDER)
    )
    def reconfirm(self, market: Marketplace, request: Request[Any, Any, Any], bid: str) -> Response[Receipt]:
        return _answer(market, market.bids.reconfirm(command_request(request), bid_id(bid)))
