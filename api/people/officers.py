"""The council's people register (`/people`): its officers, kept by its admins and read by its own readers, each
known by the subject their sign-in token carries. Leaving is a decision with a reason, and so is rejoining."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import Parameter
from sqlalchemy.orm import Session

from api.as_it_stood import Asked, AsOf, Version, read_record, reads_as_it_stood
from api.auth import requires, signed_in_reader
from api.commanding import BLOCKING, answer, command_from, command_request, writes
from api.fields import DecisionBody
from api.paging import Cursor, Limit
from api.people.bodies import LeavingBody, OfficerBody, OfficerChangeBody, OfficerPage, OfficerView
from api.people.presenters import officer_from_aggregate, officer_from_row
from api.problems import problem_responses
from domain.people.officer import Officer, officer_uuid
from domain.people.terms import Leaving, OfficerChange, OfficerDetails
from marketplace.outcome import Outcome
from marketplace.people.access import KEEP_OFFICERS, READ_OFFICERS, sees_officer
from marketplace.people.services import OfficerCommands
from marketplace.service import Marketplace
from projections.people.officers import find_officer, search_officers

READERS: dict[str, Any] = {"guards": [requires(*sorted(READ_OFFICERS))], "security": [{"bearerAuth": []}]}


def _respond(market: Marketplace, outcome: Outcome, created: bool = False) -> Response[OfficerView]:
    location = (lambda officer: f"/people/{officer.subject}") if created else None
    return answer(market, outcome, Officer, officer_from_aggregate, location)


class OfficerController(Controller):
    path = "/people"
    tags = ["people"]

    @post(summary="Register an officer of the council (admin)", **writes(KEEP_OFFICERS, created=True))
    def register(
        self, market: Marketplace, request: Request[Any, Any, Any], data: OfficerBody
    ) -> Response[OfficerView]:
        outcome = market.service(OfficerCommands).register(
            command_request(request, data), command_from(data, OfficerDetails)
        )
        return _respond(market, outcome, created=True)

    @get(
        summary="The council's officers by name, filtered by team and whether still here (council readers)",
        responses=problem_responses(400, 401, 403),
        **READERS,
        **BLOCKING,
    )
    def list(  # noqa: PLR0913 - a search's optional filters, each a query parameter
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        *,
        team: Annotated[str | None, Parameter(max_length=200)] = None,
        active: Annotated[bool | None, Parameter(description="Whether still here (false: those who left).")] = None,
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> OfficerPage:
        with market.views() as session:
            rows, next_cursor = search_officers(
                session, signed_in_reader(request).organisation, team=team, active=active, cursor=cursor, limit=limit
            )
        return OfficerPage([officer_from_row(row) for row in rows], next_cursor)

    @get(
        "/{subject:str}",
        summary="One officer (now, or as the record stood at a version or moment; council readers)",
        **READERS,
        **reads_as_it_stood(400, 401, 403, 404),
    )
    def read(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        subject: str,
        version: Version = None,
        as_of: AsOf = None,
    ) -> Response[OfficerView]:
        reader = signed_in_reader(request)

        def now(session: Session) -> tuple[OfficerView, int] | None:
            row = find_officer(session, subject)
            if row is None or not sees_officer(reader, row["council"]):
                return None
            return officer_from_row(row), row["version"]

        asked = Asked(Officer, officer_uuid(subject), "officer", subject, lambda o: sees_officer(reader, o.council))
        return read_record(market, asked, version, as_of, then=lambda s: officer_from_aggregate(s.aggregate), now=now)

    @patch("/{subject:str}", summary="Change an officer's name, job title or team (admin)", **writes(KEEP_OFFICERS))
    def change(
        self, market: Marketplace, request: Request[Any, Any, Any], subject: str, data: OfficerChangeBody
    ) -> Response[OfficerView]:
        change = command_from(data, OfficerChange)
        return _respond(
            market, market.service(OfficerCommands).change_details(command_request(request, data), subject, change)
        )

    @post(
        "/{subject:str}/leave",
        summary="Record that an officer left, with a reason: their rights end now (admin)",
        **writes(KEEP_OFFICERS),
    )
    def leave(
        self, market: Marketplace, request: Request[Any, Any, Any], subject: str, data: LeavingBody
    ) -> Response[OfficerView]:
        leaving = command_from(data, Leaving)
        return _respond(market, market.service(OfficerCommands).leave(command_request(request, data), subject, leaving))

    @post(
        "/{subject:str}/rejoin",
        summary="Record that an officer who left is back, with a reason (admin)",
        **writes(KEEP_OFFICERS),
    )
    def rejoin(
        self, market: Marketplace, request: Request[Any, Any, Any], subject: str, data: DecisionBody
    ) -> Response[OfficerView]:
        outcome = market.service(OfficerCommands).rejoin(command_request(request, data), subject, data.reason)
        return _respond(market, outcome)
