"""Audit: the head of the hash chain over the event log, for outside parties to keep as anchors."""

from __future__ import annotations

import msgspec
from litestar import Controller, get

from api.auth import requires
from domain.base import Role
from marketplace.service import Marketplace
from projections.chain import chain_head


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
