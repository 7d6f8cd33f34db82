"""Audit: the head of the hash chain over the event log, for outside parties to keep as anchors."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.params import Parameter

from api.auth import current_actor, requires
from api.commanding import BLOCKING
from api.problems import problem_responses
from domain.base import Role
from domain.rules import NotFound
from marketplace.audit_feed import AuditEvent, AuditPage, events_after
from marketplace.audit_feed import history as aggregate_history
from marketplace.checkpoints import CheckpointPage, checkpoints_after
from marketplace.service import Marketplace
from projections.chain import chain_head

# Positions stay within what every JSON reader holds exactly (2**53 - 1), far beyond any log's length.
LAST_POSITION = 9_007_199_254_740_991


CHECKPOINTS = (
    "Keep these where the council cannot edit them: `marketplace verify --anchors FILE` checks that the stored "
    "history still leads to each (docs/audit.md). Each `signature` is base64 Ed25519, by the key whose `key_id` "
    "(hex SHA-256 of the raw public key) it names, over the UTF-8 lines `marketplace audit checkpoint v1`, "
    "`position P`, `hash H`, `signed_at T`, `key_id K`, each ending in a newline. Continue with `after=next_after`."
)


After = Annotated[int, Parameter(ge=0, le=LAST_POSITION, description="The last position already read.")]


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
        "/checkpoints",
        summary="Signed checkpoints of the audit chain, oldest first, and the public keys to check them: public",
        description=CHECKPOINTS,
        responses=problem_responses(400),
        **BLOCKING,
    )
    def checkpoints(
        self,
        market: Marketplace,
        after: After = 0,
        limit: Annotated[int, Parameter(ge=1, le=1000, description="At most this many checkpoints.")] = 100,
    ) -> CheckpointPage:
        """Public, so that anyone can keep the checkpoints where the council cannot edit them."""
        return checkpoints_after(market, after, limit)

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
        request: Request[Any, Any, Any],
        after: After = 0,
        limit: Annotated[int, Parameter(ge=1, le=1000, description="At most this many events.")] = 100,
    ) -> AuditPage:
        return events_after(market, current_actor(request), after, limit)

    @get(
        "/{kind:str}/{id:str}/history",
        summary="Every event of one record, in version order (organisations by their org-id.guide identifier)",
        guards=[requires(Role.AUDITOR, Role.COMMISSIONER, Role.ADMIN)],
        responses=problem_responses(401, 403, 404),
        security=[{"bearerAuth": []}],
        **BLOCKING,
    )
    def history(self, market: Marketplace, request: Request[Any, Any, Any], kind: str, id: str) -> list[AuditEvent]:
        events = aggregate_history(market, current_actor(request), kind, id)
        if not events:
            raise NotFound(kind, id)
        return events
