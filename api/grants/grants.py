"""Grants: the public register, each grant's record (its recipient's and the council's), and what happens to a
grant after its agreement: conditions, instalments, monitoring returns, variations, underspend, clawback, close."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import Parameter
from sqlalchemy.orm import Session

from api.as_it_stood import Asked, AsOf, Version, read_record, reads_as_it_stood
from api.auth import current_actor
from api.commanding import BLOCKING, answer, command_from, command_request, writes
from api.grants.bodies import (
    ClawbackBody,
    ClosureBody,
    DischargeBody,
    GrantVariationBody,
    ReturnBody,
    ReviewBody,
    UnderspendBody,
    UnderspendReturnBody,
    grant_id,
)
from api.grants.presenters import GrantView, RegisterPage, grant_view, register_entry
from api.paging import Cursor, Limit
from api.problems import problem_responses
from domain.grants.grant import Grant
from domain.grants.terms import Closure, GrantStatus, GrantVariation, MonitoringReturn
from marketplace.grants.access import MANAGE_GRANT, REPORT, sees_grant
from marketplace.grants.services import Grants
from marketplace.outcome import Outcome
from marketplace.service import Marketplace
from projections.grants.register import grants, grants_register


def _respond(market: Marketplace, outcome: Outcome) -> Response[GrantView]:
    return answer(market, outcome, Grant, grant_view)


class GrantController(Controller):
    path = "/grants"
    tags = ["grants"]

    @get(
        summary="The grants register (public): recipient, amount, dates, programme",
        **BLOCKING,
        responses=problem_responses(400),
    )
    def register(  # noqa: PLR0913, PLR0917 - a search's optional filters, each a query parameter
        self,
        market: Marketplace,
        programme: Annotated[str | None, Parameter(max_length=36)] = None,
        recipient: Annotated[str | None, Parameter(max_length=80)] = None,
        status: GrantStatus | None = None,
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> RegisterPage:
        filters = (
            (grants.c.programme_id, programme),
            (grants.c.recipient, recipient),
            (grants.c.status, status.value if status else None),
        )
        with market.views() as session:
            rows, next_cursor = grants_register(session, filters, cursor, limit)
        return RegisterPage([register_entry(row) for row in rows], next_cursor)

    @get("/{grant:str}", summary="One grant (now, or as it stood)", **reads_as_it_stood(400, 401, 404))
    def read(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        grant: str,
        version: Version = None,
        as_of: AsOf = None,
    ) -> Response[GrantView]:
        reader = current_actor(request)
        if reader is None:
            raise NotAuthorizedException("Sign in to see a grant's record; the register is public at /grants.")

        def visible(found: Grant) -> bool:
            return sees_grant(reader, found.recipient)

        def now(session: Session) -> tuple[GrantView, int] | None:
            found = market.commands.find(Grant, grant_id(grant))
            return None if found is None or not visible(found) else (grant_view(found), found.version)

        asked = Asked(Grant, grant_id(grant), "grant", grant, visible)
        return read_record(market, asked, version, as_of, then=lambda s: grant_view(s.aggregate), now=now)

    @post("/{grant:str}/conditions", summary="Discharge a condition, with evidence (officer)", **writes(MANAGE_GRANT))
    def discharge(
        self, market: Marketplace, request: Request[Any, Any, Any], grant: str, data: DischargeBody
    ) -> Response[GrantView]:
        outcome = market.service(Grants).discharge(
            command_request(request, data), grant_id(grant), data.reason, data.condition, data.evidence
        )
        return _respond(market, outcome)

    @post("/{grant:str}/returns", summary="Submit a monitoring return (recipient)", **writes(REPORT))
    def submit_return(
        self, market: Marketplace, request: Request[Any, Any, Any], grant: str, data: ReturnBody
    ) -> Response[GrantView]:
        report = command_from(data, MonitoringReturn)
        outcome = market.service(Grants).submit_return(command_request(request, data), grant_id(grant), report)
        return _respond(market, outcome)

    @post(
        "/{grant:str}/returns/review",
        summary="Accept or return a monitoring return, with reasons",
        **writes(MANAGE_GRANT),
    )
    def review_return(
        self, market: Marketplace, request: Request[Any, Any, Any], grant: str, data: ReviewBody
    ) -> Response[GrantView]:
        outcome = market.service(Grants).review_return(
            command_request(request, data), grant_id(grant), data.reason, data.period, data.accepted
        )
        return _respond(market, outcome)

    @post("/{grant:str}/variations", summary="Vary the amount or end date, with reasons", **writes(MANAGE_GRANT))
    def vary(
        self, market: Marketplace, request: Request[Any, Any, Any], grant: str, data: GrantVariationBody
    ) -> Response[GrantView]:
        variation = command_from(data, GrantVariation)
        outcome = market.service(Grants).vary(command_request(request, data), grant_id(grant), data.reason, variation)
        return _respond(market, outcome)

    @post("/{grant:str}/underspend", summary="Declare underspend (recipient or officer)", **writes(REPORT))
    def declare_underspend(
        self, market: Marketplace, request: Request[Any, Any, Any], grant: str, data: UnderspendBody
    ) -> Response[GrantView]:
        outcome = market.service(Grants).declare_underspend(
            command_request(request, data), grant_id(grant), data.amount, data.explanation
        )
        return _respond(market, outcome)

    @post("/{grant:str}/underspend/return", summary="Return the declared underspend (officer)", **writes(MANAGE_GRANT))
    def return_underspend(
        self, market: Marketplace, request: Request[Any, Any, Any], grant: str, data: UnderspendReturnBody
    ) -> Response[GrantView]:
        outcome = market.service(Grants).return_underspend(
            command_request(request, data), grant_id(grant), data.reason, data.repaid
        )
        return _respond(market, outcome)

    @post("/{grant:str}/clawback", summary="Claw back money paid, with reasons (officer)", **writes(MANAGE_GRANT))
    def claw_back(
        self, market: Marketplace, request: Request[Any, Any, Any], grant: str, data: ClawbackBody
    ) -> Response[GrantView]:
        outcome = market.service(Grants).claw_back(
            command_request(request, data), grant_id(grant), data.reason, data.amount
        )
        return _respond(market, outcome)

    @post("/{grant:str}/close", summary="Close the grant with its actual dates (officer)", **writes(MANAGE_GRANT))
    def close(
        self, market: Marketplace, request: Request[Any, Any, Any], grant: str, data: ClosureBody
    ) -> Response[GrantView]:
        closure = command_from(data, Closure)
        outcome = market.service(Grants).close(command_request(request, data), grant_id(grant), data.reason, closure)
        return _respond(market, outcome)
