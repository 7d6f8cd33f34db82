"""Sealed bids: submit, replace, withdraw, reconfirm; receipts; content only once opened.

Until the tender's bids are opened no route returns a bid's prices or responses, to anyone: the
bidder gets its receipt (time, digest and the nonce that salts it), officers a count. What each
reader may see of an offer is decided by marketplace.tendering.access, on every read path.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.exceptions import NotAuthorizedException
from litestar.params import Parameter

from api.as_it_stood import HISTORY_HEADERS, AsOf, Version, as_it_stood_answer, recall_with_events
from api.auth import current_actor
from api.commanding import BLOCKING, answer, command_request, etag, record_id, writes
from api.fields import Money
from api.problems import problem_responses
from api.rendering import utc
from api.tendering.tenders import Key, tender_id
from domain.base import Actor, Role
from domain.rules import DomainError, NotFound, Refusal
from domain.tendering.bid import Bid
from domain.tendering.tender import CLOSED, DRAFT, TENDERING, Tender
from marketplace.access import reads_for_the_council
from marketplace.as_it_stood import Stood
from marketplace.outcome import Outcome
from marketplace.service import Marketplace
from marketplace.tendering.access import Seal, sees_nonce, sees_offer
from marketplace.tendering.services import Bids
from projections.tendering.queries import bids_for_tender, bids_of_bidder, find_bid, find_tender

Response_ = Annotated[str, msgspec.Meta(min_length=1, max_length=50_000)]


class Offer(msgspec.Struct, forbid_unknown_fields=True):
    prices: Annotated[dict[Key, Money], msgspec.Meta(min_length=1, max_length=50)]
    responses: Annotated[dict[Key, Response_], msgspec.Meta(max_length=20)]


class Receipt(msgspec.Struct, omit_defaults=True):
    """What the bidder keeps: it proves what was sent, without revealing it.

    `digest` is SHA-256 over `nonce` followed by the offer's canonical JSON (docs/disclosure.md); the
    nonce is shown to the bidder alone, so nobody else can test a guessed price against the digest.
    """

    id: str
    tender_id: str
    bidder: str
    status: str
    digest: str
    submitted_at: datetime
    amendment: int
    version: int
    nonce: str | None = None


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


def receipt_of(bid: Bid, reader: Actor | None = None) -> Receipt:
    nonce = bid.nonce if bid.nonce and sees_nonce(reader, bid.bidder) else None
    return Receipt(
        str(bid.id),
        bid.tender_id,
        bid.bidder,
        bid.status,
        bid.digest,
        bid.modified_on,
        bid.amendment,
        bid.version,
        nonce,
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


def _sees(actor: Actor | None, bidder: str) -> bool:
    """Whose bid record it is to read at all: its bidder's and council officers'."""
    return reads_for_the_council(actor) or (actor is not None and actor.organisation == bidder)


def _seal(market: Marketplace, row: dict[str, Any], reader: Actor | None) -> Seal:
    """The bid's seal from its row; the tender is asked only when the bid itself was not opened and the
    reader is one who may see offers that were not (the bidder, an auditor)."""
    if row["opened"]:
        return Seal(True, row["digest"])
    if reader is None or not (reader.role is Role.AUDITOR or reader.organisation == row["bidder"]):
        return Seal()
    tender = market.commands.find(Tender, UUID(row["tender_id"]))
    return Seal(tender is not None and tender.opened_bids is not None)


def _receipt_as_it_stood(then: Bid, history: list[Any], reader: Actor | None) -> Receipt:
    """The receipt dated when the offer standing then was sent, as the current read dates it (not the time of
    a later withdrawal or reconfirmation, which is when the aggregate was last modified)."""
    sent = [event.timestamp for event in history if isinstance(event, (Bid.Submitted, Bid.Replaced))]
    return msgspec.structs.replace(receipt_of(then, reader), submitted_at=sent[-1])


def _as_it_stood(market: Marketplace, stood: Stood[Bid], actor: Actor | None) -> BidView:
    """A past version of a bid: its offer then, as the disclosure rule allows it now; no outcome, which is
    the tender's decision and not part of the bid's record."""
    then = stood.aggregate
    with market.views() as session:
        row = find_bid(session, str(then.id))
    seal = _seal(market, row, actor) if row is not None else Seal()
    view = BidView(receipt=_receipt_as_it_stood(then, stood.events, actor), opened=seal.opened_digest is not None)
    if sees_offer(actor, then.bidder, then.digest, seal):
        view.prices, view.responses = dict(then.prices), dict(then.responses)
    return view


def _current(market: Marketplace, row: dict[str, Any], actor: Actor | None) -> BidView:
    """The bid as it stands: its receipt, its offer as the rule allows, its outcome per lot once awarded."""
    view = BidView(receipt=receipt_from_row(row), opened=bool(row["opened"]))
    shows_offer = sees_offer(actor, row["bidder"], row["digest"], _seal(market, row, actor))
    if shows_offer or sees_nonce(actor, row["bidder"]):
        content = market.commands.load(Bid, UUID(row["id"]))
        view.receipt.nonce = receipt_of(content, actor).nonce
        if shows_offer:
            view.prices, view.responses = dict(content.prices), dict(content.responses)
    if row["outcome"]:
        view.outcome = {lot: LotOutcome(**o) for lot, o in row["outcome"].items()}
    return view


def _tender_opened(market: Marketplace, tender: str) -> bool:
    """Whether the tender is past opening (receipts are listed from then on)."""
    with market.views() as session:
        row = find_tender(session, tender)
    return row is not None and row["status"] not in (DRAFT, TENDERING, CLOSED)


def signed_in(request: Request[Any, Any, Any], why: str) -> Actor:
    """The caller, who must have signed in for this read (401 otherwise, as for a write)."""
    actor = current_actor(request)
    if actor is None:
        raise NotAuthorizedException(why)
    return actor


def _answer(
    market: Marketplace, request: Request[Any, Any, Any], outcome: Outcome, created: bool = False
) -> Response[Receipt]:
    location = (lambda b: f"/bids/{b.id}") if created else None
    reader = current_actor(request)
    return answer(market, outcome, Bid, lambda bid: receipt_of(bid, reader), location)


bid_id = record_id("bid")


class TenderBidsController(Controller):
    path = "/tenders/{tender:str}/bids"
    tags = ["bids"]

    @post(summary="Submit a sealed bid (provider); answers the receipt", **writes(Role.PROVIDER, created=True))
    def submit(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: Offer
    ) -> Response[Receipt]:
        outcome = market.service(Bids).submit(
            command_request(request, data), tender_id(tender), data.prices, data.responses
        )
        return _answer(market, request, outcome, created=True)

    @get(
        summary="Bids on a tender: a count while sealed; receipts once opened",
        **BLOCKING,
        responses=problem_responses(401, 403, 404),
        security=[{"bearerAuth": []}],
    )
    def list_bids(self, market: Marketplace, request: Request[Any, Any, Any], tender: str) -> BidList:
        if not reads_for_the_council(signed_in(request, "Sign in to see the bids on a tender.")):
            raise DomainError("Bids on a tender are for council officers.", kind=Refusal.FORBIDDEN)
        with market.views() as session:
            if find_tender(session, str(tender_id(tender))) is None:
                raise NotFound("tender", tender)
            rows = [r for r in bids_for_tender(session, str(tender_id(tender))) if r["status"] == "submitted"]
        if not _tender_opened(market, str(tender_id(tender))):
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
        actor = signed_in(request, "Sign in to see your bids.")
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
        actor = signed_in(request, "Sign in to see a bid: its bidder's and council officers' only.")
        stood = recall_with_events(
            market, Bid, bid_id(bid), version, as_of, what="bid", key=bid, visible=lambda b: _sees(actor, b.bidder)
        )
        if stood is not None:
            return as_it_stood_answer(_as_it_stood(market, stood, actor), stood.aggregate)
        with market.views() as session:
            row = find_bid(session, str(bid_id(bid)))
        if row is None or not _sees(actor, row["bidder"]):
            raise NotFound("bid", bid)
        return Response(_current(market, row, actor), headers=etag(row["version"]))

    @put(
        "/{bid:str}",
        summary="Replace the bid (or resubmit after withdrawing), before the deadline",
        **writes(Role.PROVIDER),
    )
    def replace(self, market: Marketplace, request: Request[Any, Any, Any], bid: str, data: Offer) -> Response[Receipt]:
        outcome = market.service(Bids).replace(command_request(request, data), bid_id(bid), data.prices, data.responses)
        return _answer(market, request, outcome)

    @post("/{bid:str}/withdraw", summary="Withdraw the bid, before the deadline", **writes(Role.PROVIDER))
    def withdraw(self, market: Marketplace, request: Request[Any, Any, Any], bid: str) -> Response[Receipt]:
        return _answer(market, request, market.service(Bids).withdraw(command_request(request), bid_id(bid)))

    @post(
        "/{bid:str}/reconfirm", summary="Reconfirm the bid under the tender's latest amendment", **writes(Role.PROVIDER)
    )
    def reconfirm(self, market: Marketplace, request: Request[Any, Any, Any], bid: str) -> Response[Receipt]:
        return _answer(market, request, market.service(Bids).reconfirm(command_request(request), bid_id(bid)))
