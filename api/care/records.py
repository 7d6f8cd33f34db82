"""Reading registrations: one registration (now or as it stood), its audit history, the officers' work queue.

A registration's standing (listed, renewal due, lapsed) is worked out against the clock at the time of the
request, so it is right whether or not the chronograph has run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.exceptions import ClientException
from litestar.params import Parameter
from sqlalchemy.orm import Session

from api.as_it_stood import Asked, AsOf, Version, read_record, reads_as_it_stood
from api.auth import current_actor, requires
from api.care.bodies import ExpiringSection, QueueSection, RegistrationView, Section, WorkQueue
from api.care.fields import registration_id
from api.care.presenters import expiring_item, from_aggregate, from_rows, queue_item
from api.commanding import BLOCKING
from api.paging import Limit
from api.problems import problem_responses
from domain.base import Actor
from domain.care.registration import Registration
from domain.rules import NotFound
from marketplace.as_it_stood import Stood
from marketplace.audit_feed import AuditEvent
from marketplace.audit_feed import history as record_history
from marketplace.care.access import READ_WORK_QUEUE, public_sees_then, sees_registration
from marketplace.care.services import Registrations
from marketplace.service import Marketplace
from projections.care.registrations import (
    awaiting_checks,
    evidence_of,
    expiring_evidence,
    find_registration,
    is_in_directory,
    suspended,
)


def _visible_then(market: Marketplace, reader: Actor | None, registration: Registration, moment: datetime) -> bool:
    """Whether the reader may see this past state: all of it if it is theirs to see, else only a listing that is
    in the directory now and was listed at that moment."""
    if sees_registration(reader, registration.organisation):
        return True
    with market.views() as session:
        listed_now = is_in_directory(session, str(registration.id), market.clock.now())
    return public_sees_then(listed_now, registration.standing(moment, market.service(Registrations).policy))


class RegistrationRecords(Controller):
    path = "/registrations"
    tags = ["care micro-enterprises"]

    @get(
        "/work-queue",
        summary="The commissioners' work queue: awaiting checks, evidence expiring soon, suspended",
        guards=[requires(*sorted(READ_WORK_QUEUE.roles))],
        responses=problem_responses(400, 401, 403),
        security=[{"bearerAuth": []}],
        **BLOCKING,
    )
    def work_queue(
        self,
        market: Marketplace,
        section: Section | None = None,
        cursor: Annotated[str | None, Parameter(max_length=500, description="with `section` only")] = None,
        limit: Limit = 100,
    ) -> WorkQueue:
        """Every section's first page, or with `section` one section's page from `cursor`."""
        if cursor and section is None:
            raise ClientException("A cursor continues one section: give `section` too.", extra={"field": "cursor"})
        now, window = market.clock.now(), market.service(Registrations).policy.renewal_window_days
        queue = WorkQueue(QueueSection(), ExpiringSection(), QueueSection())
        with market.views() as session:
            if section in (None, Section.AWAITING_CHECKS):
                rows, after = awaiting_checks(session, cursor, limit)
                queue.awaiting_checks = QueueSection([queue_item(r) for r in rows], after)
            if section in (None, Section.EXPIRING):
                rows, after = expiring_evidence(session, now, window, cursor, limit)
                queue.expiring = ExpiringSection([expiring_item(r) for r in rows], after)
            if section in (None, Section.SUSPENDED):
                rows, after = suspended(session, cursor, limit)
                queue.suspended = QueueSection([queue_item(r) for r in rows], after)
        return queue

    @get(
        "/{registration:str}",
        summary="One registration (now, or as it stood at a version or moment)",
        **reads_as_it_stood(400, 404),
    )
    def read(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        registration: str,
        version: Version = None,
        as_of: AsOf = None,
    ) -> Response[RegistrationView]:
        """Everything, evidence included, for the applicant and council officers; a listing's public entry otherwise.

        As it stood (`version`, `as_of`): the same, except that the public sees a past state only of a listing
        in the directory now, and only when it was listed then. Its standing is judged by the clock at `as_of`,
        or when that version was recorded.
        """
        reader, policy = current_actor(request), market.service(Registrations).policy

        def then(stood: Stood[Registration]) -> RegistrationView:
            past, full = stood.aggregate, sees_registration(reader, stood.aggregate.organisation)
            return from_aggregate(past, as_of or past.modified_on, policy, full)

        def now(session: Session) -> tuple[RegistrationView, int] | None:
            moment = market.clock.now()
            row = find_registration(session, str(registration_id(registration)))
            if row is None:
                return None
            if sees_registration(reader, row["organisation"]):
                return from_rows(row, evidence_of(session, row["id"]), moment, policy), row["version"]
            if is_in_directory(session, row["id"], moment):
                return from_rows(row, None, moment, policy), row["version"]
            return None

        def visible(past: Registration) -> bool:
            return _visible_then(market, reader, past, as_of or past.modified_on)

        asked = Asked(Registration, registration_id(registration), "registration", registration, visible)
        return read_record(market, asked, version, as_of, then=then, now=now)

    @get(
        "/{registration:str}/history",
        summary="The registration's audit history: every event, who, when and why",
        responses=problem_responses(404),
        **BLOCKING,
    )
    def history(self, market: Marketplace, request: Request[Any, Any, Any], registration: str) -> list[AuditEvent]:
        """Read from the event store itself, in the one history shape (as `/audit/{kind}/{id}/history`):
        the applicant, council officers and auditors."""
        reader = current_actor(request)
        with market.views() as session:
            row = find_registration(session, str(registration_id(registration)))
        if row is None or not sees_registration(reader, row["organisation"]):
            raise NotFound("registration", registration)
        return record_history(market, reader, "registration", row["id"])
