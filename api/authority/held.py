"""Decisions held for approval beyond their deciders' limits: the council's queue, each held decision now or as it
stood, and the approval, decline or withdrawal that settles it (domain/authority/held_decision.py).

A delegated decision's route answers 202 Accepted with the held decision, and its Location, when the decision is
held rather than taken; `decided` is how such a route answers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.openapi import ResponseSpec
from sqlalchemy.orm import Session

from api.as_it_stood import Asked, AsOf, Version, read_record, reads_as_it_stood
from api.auth import current_actor, requires
from api.commanding import BLOCKING, answer, command_request, record_id, writes
from api.fields import DecisionBody
from api.paging import Cursor, Limit
from api.problems import problem_responses
from api.rendering import pence, utc, utc_or_none
from domain.authority.held_decision import HeldDecision, HeldStatus
from domain.base import Actor, MarketplaceAggregate, Role
from marketplace.access import COUNCIL_READERS, Permit
from marketplace.authority.access import SETTLE_HELD
from marketplace.authority.services import HeldDecisions
from marketplace.commands import CommandRequest
from marketplace.outcome import Outcome
from marketplace.service import Marketplace
from projections.authority.held_decisions import find_held, search_held
from projections.batch import plain

A = TypeVar("A", bound=MarketplaceAggregate)
T = TypeVar("T")
held_id = record_id("held decision")
READERS = [requires(*sorted(COUNCIL_READERS))]


class HeldDecisionView(msgspec.Struct):
    id: str
    owner: str
    decision: str
    value: Decimal
    record_kind: str
    record_id: str
    proposed: dict[str, Any]  # the decision's command as proposed: its terms and reason
    beyond: str  # the proposer's authority, which the value exceeds
    reason: str
    proposed_by: str
    proposed_at: datetime | None
    status: str
    settled_by: str | None
    settled_reason: str | None
    settled_at: datetime | None
    version: int


class HeldDecisionPage(msgspec.Struct):
    items: list[HeldDecisionView]
    next_cursor: str | None = None


HELD_RESPONSE = {
    202: ResponseSpec(
        data_container=HeldDecisionView,
        description="Beyond your delegated limit: held for an officer whose delegation covers it to approve.",
    )
}


def delegated_writes(*allowed: Role | Permit) -> dict[str, Any]:
    """A delegated decision's route options: a write's (api/commanding.py), which may also answer 202, held."""
    options = writes(*allowed)
    return {**options, "responses": {**options["responses"], **HELD_RESPONSE}}


def _from_row(row: dict[str, Any]) -> HeldDecisionView:
    return HeldDecisionView(
        **{name: row[name] for name in ("id", "owner", "decision", "record_kind", "record_id", "beyond", "reason")},
        value=pence(row["value"]),
        proposed=row["proposed"],
        proposed_by=row["proposed_by"],
        proposed_at=utc(row["proposed_at"]),
        status=row["status"],
        settled_by=row["settled_by"],
        settled_reason=row["settled_reason"],
        settled_at=utc_or_none(row["settled_at"]),
        version=row["version"],
    )


def _from_aggregate(held: HeldDecision) -> HeldDecisionView:
    settled = held.settlement
    return HeldDecisionView(
        id=str(held.id),
        owner=held.owner,
        decision=held.decision,
        value=pence(held.value),
        record_kind=held.record_kind,
        record_id=held.record_id,
        proposed=plain(held.command),
        beyond=held.beyond,
        reason=held.reason,
        proposed_by=held.proposer[1],
        proposed_at=utc(held.created_on),
        status=held.status.value,
        settled_by=settled.by if settled else None,
        settled_reason=settled.reason if settled else None,
        settled_at=utc_or_none(settled.at if settled else None),
        version=held.version,
    )


def decided(
    market: Marketplace,
    outcome: Outcome,
    kind: type[A],
    render: Callable[[A], T],
    location: Callable[[A], str] | None = None,
) -> Response[Any]:
    """A delegated decision's answer: the record as the decision left it; or, held for approval, 202 with the held
    decision and where to follow it."""
    held = outcome.aggregate
    if held is None:  # replayed under its Idempotency-Key: the outcome names the record, which may be the held one
        held = market.commands.find(HeldDecision, UUID(outcome.aggregate_id))
    if not isinstance(held, HeldDecision):
        return answer(market, outcome, kind, render, location)
    headers = {"ETag": f'"{outcome.version}"', "Location": f"/decisions/held/{held.id}"}
    return Response(_from_aggregate(held), status_code=202, headers=headers)


def _sees(reader: Actor | None, owner: str) -> bool:
    return reader is not None and (reader.role == Role.AUDITOR or reader.organisation == owner)


Settle = Callable[[HeldDecisions, CommandRequest, UUID, str], Outcome]


def _settle(
    market: Marketplace, request: Request[Any, Any, Any], held: str, data: DecisionBody, settle: Settle
) -> Response[HeldDecisionView]:
    """Approve, decline or withdraw: each a decision on the held record with its reason."""
    outcome = settle(market.service(HeldDecisions), command_request(request, data), held_id(held), data.reason)
    return answer(market, outcome, HeldDecision, _from_aggregate)


class HeldDecisionController(Controller):
    path = "/decisions"
    tags = ["authority"]

    @get(
        "/held",
        summary="Decisions held for approval, oldest first (the council's officers; auditors see every council's)",
        guards=READERS,
        security=[{"bearerAuth": []}],
        responses=problem_responses(400, 401, 403),
        **BLOCKING,
    )
    def queue(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        status: HeldStatus | None = None,
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> HeldDecisionPage:
        reader = current_actor(request)
        owner = None if reader is None or reader.role == Role.AUDITOR else reader.organisation
        with market.views() as session:
            rows, next_cursor = search_held(session, owner, status.value if status else None, cursor, limit)
        return HeldDecisionPage([_from_row(row) for row in rows], next_cursor)

    @get(
        "/held/{held:str}",
        summary="One held decision, now or as it stood",
        guards=READERS,
        security=[{"bearerAuth": []}],
        **reads_as_it_stood(400, 401, 403, 404),
    )
    def read(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        held: str,
        version: Version = None,
        as_of: AsOf = None,
    ) -> Response[HeldDecisionView]:
        reader = current_actor(request)

        def now(session: Session) -> tuple[HeldDecisionView, int] | None:
            row = find_held(session, str(held_id(held)))
            return None if row is None or not _sees(reader, row["owner"]) else (_from_row(row), row["version"])

        asked = Asked(HeldDecision, held_id(held), "held decision", held, lambda h: _sees(reader, h.owner))
        return read_record(market, asked, version, as_of, then=lambda s: _from_aggregate(s.aggregate), now=now)

    @post(
        "/{held:str}/approve",
        summary="Approve a held decision, with a reason: it is carried out as proposed, under your authority",
        **writes(SETTLE_HELD),
    )
    def approve(
        self, market: Marketplace, request: Request[Any, Any, Any], held: str, data: DecisionBody
    ) -> Response[HeldDecisionView]:
        return _settle(market, request, held, data, HeldDecisions.approve)

    @post("/{held:str}/decline", summary="Decline a held decision, with a reason", **writes(SETTLE_HELD))
    def decline(
        self, market: Marketplace, request: Request[Any, Any, Any], held: str, data: DecisionBody
    ) -> Response[HeldDecisionView]:
        return _settle(market, request, held, data, HeldDecisions.decline)

    @post("/{held:str}/withdraw", summary="Withdraw a decision you proposed, with a reason", **writes(SETTLE_HELD))
    def withdraw(
        self, market: Marketplace, request: Request[Any, Any, Any], held: str, data: DecisionBody
    ) -> Response[HeldDecisionView]:
        return _settle(market, request, held, data, HeldDecisions.withdraw)
