"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Controller, Response, get
from litestar.openapi import ResponseSpec

from marketplace.service import Marketplace


class Health(msgspec.Struct):
    status: str


class StalledView(msgspec.Struct):
    """A view that cannot fold an event: it stands just before it, and is retried after a back-off."""

    view: str
    position: int  # the last event it has seen
    cannot_fold: int  # the event it cannot fold
    error: str
    since: datetime
    attempts: int
    next_retry: datetime


class Readiness(msgspec.Struct):
    status: str  # ready, stalled (a view cannot fold an event) or unavailable (no database)
    database: bool
    projection_lag: dict[str, int]
    stalled: list[StalledView] = []


NOT_READY = {
    503: ResponseSpec(
        data_container=Readiness,
        description="The database does not answer, or a view cannot fold an event (named in `stalled`)",
    )
}


class HealthController(Controller):
    tags = ["operations"]

    @get("/health", summary="The process is alive", sync_to_thread=False)
    def health(self) -> Health:
        return Health("ok")

    @get(
        "/ready",
        summary="The database answers and every view folds; how far behind each view is",
        sync_to_thread=True,
        responses=NOT_READY,
    )
    def ready(self, market: Marketplace) -> Response[Readiness]:
        """503 names the views that stall: an operator's page, whichever process folds the views."""
        if not market.database_reachable():
            return Response(Readiness("unavailable", False, {}), status_code=503)
        stalled = [
            StalledView(s.view, s.position, s.event_position, s.error, s.since, s.attempts, s.next_retry)
            for s in market.projector.stalls()
        ]
        body = Readiness("stalled" if stalled else "ready", True, market.projector.lag(), stalled)
        return Response(body, status_code=503 if stalled else 200)
