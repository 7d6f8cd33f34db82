"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

import msgspec
from litestar import Controller, Response, get

from marketplace.service import Marketplace


class Health(msgspec.Struct):
    status: str


class Readiness(msgspec.Struct):
    status: str
    database: bool
    projection_lag: dict[str, int]


class HealthController(Controller):
    tags = ["operations"]

    @get("/health", summary="The process is alive", sync_to_thread=False)
    def health(self) -> Health:
        return Health("ok")

    @get("/ready", summary="The database answers; how far behind each view is", sync_to_thread=True)
    def ready(self, market: Marketplace) -> Response[Readiness]:
        reachable = market.database_reachable()
        lag = market.projector.lag() if reachable else {}
        body = Readiness("ready" if reachable else "unavailable", reachable, lag)
        return Response(body, status_code=200 if reachable else 503)
