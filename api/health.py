"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Controller, Response, get
from litestar.openapi import ResponseSpec

from api.problems import PROBLEM_JSON
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
    status: str  # ready
    database: bool
    projection_lag: dict[str, int]


class NotReady(msgspec.Struct):
    """RFC 9457 problem details whose extension members say why: which views stall, and each view's lag."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    database: bool
    projection_lag: dict[str, int]
    stalled: list[StalledView] = []


NOT_READY = {
    503: ResponseSpec(
        data_container=NotReady,
        description="The database does not answer, or a view cannot fold an event (named in `stalled`)",
        media_type=PROBLEM_JSON,
    )
}


def not_ready(database: bool, lag: dict[str, int], stalled: list[StalledView]) -> Response[NotReady]:
    if not database:
        rule, detail = "database-answers", "The database does not answer."
    else:
        views = ", ".join(f"{s.view} (stopped at {s.position}: {s.error})" for s in stalled)
        rule, detail = "views-fold", f"A view cannot fold an event, the others go on: {views}."
    body = NotReady(
        f"urn:marketplace:problem:{rule}", "Service unavailable", 503, detail, "/ready", database, lag, stalled
    )
    return Response(body, status_code=503, media_type=PROBLEM_JSON)


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
    def ready(self, market: Marketplace) -> Response[Readiness] | Response[NotReady]:
        """503 is a problem naming the views that stall: an operator's page, whichever process folds the views."""
        if not market.database_reachable():
            return not_ready(False, {}, [])
        stalled = [
            StalledView(s.view, s.position, s.event_position, s.error, s.since, s.attempts, s.next_retry)
            for s in market.projector.stalls()
        ]
        if stalled:
            return not_ready(True, market.projector.lag(), stalled)
        return Response(Readiness("ready", True, market.projector.lag()))
