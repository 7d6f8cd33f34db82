"""Audit: the head of the hash chain over the event log, for outside parties to keep as anchors."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.params import Parameter

from api.auth import requires
from api.commanding import BLOCKING
from api.problems import problem_responses
from domain.base import Role
from domain.rules import NotFound
from marketplace.audit_feed import AuditEvent, AuditPage, events_after
from marketplace.audit_feed import history as aggregate_history
from marketplace.service import Marketplace
from projections.chain import chain_head

# Positions stay within what every JSON reader holds exactly (2**53 - 1), far beyond any log's length.
LAST_POSITION = 9_007_199_254_740_991


class ChainHead(msgspec.Struct):
    position: int
    hash: str


class AuditController(Controller):
    path = "/audit"
    tags = ["audit"]

    @get(
        "/chain/head",
        summary="The audit chain's last link: keep it to prove later that the history before it is unchanged",
        guards=[requires(Role.AUDITOR, Role.COMMISSIONER, Role.ADMIN)],
        sync_to_thread=True,
    )
    def chain_head(self, market: Marketplace) -> ChainHead:
        with market.views() as session:
            position, hash_ = chain_head(session)
        return ChainHead(position, hash_)

    @get(
        "/events",
        summary="The event log in commit order, after a position: sealed bids stay sealed until their deadline",
        guards=[requires(Role.AUDITOR, Role.COMMISSIONER, Role.ADMIN)],
        responses=problem_responses(400, 401, 403),
        security=[{"bearerAuth": []}],
        **BLOCKING,
    )
    def events(
        self,
        market: Marketplace,
        after: Annotated[int, Parameter(ge=0, le=LAST_POSITION, description="The last position already read.")] = 0,
        limit: Annotated[int, Parameter(ge=1, le=1000, description="At most this many events.")] = 100,
    ) -> AuditPage:
        return events_after(market, after, limit)

    @get(
        "/{kind:str}/{id:str}/history",
        summary="Every event of one record, in version order (organisations by their org-id.guide identifier)",
        guards=[requires(Role.AUDITOR, Role.COMMISSIONER, Role.ADMIN)],
        responses=problem_responses(401, 403, 404),
        security=[{"bearerAuth": []}],
        **BLOCKING,
    )
    def history(self, market: Marketplace, kind: str, id: str) -> list[AuditEvent]:
        events = aggregate_history(market, kind, id)
        if not events:
            raise NotFound(kind, id)
        return events
