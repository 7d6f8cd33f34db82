"""Expressions of interest (Localism Act 2011 ss.81-86): submitted by a relevant body, acknowledged, perhaps
modified by agreement, accepted or rejected on statutory grounds by the council; withdrawn by the body until then.

The register of expressions and decisions is public; what an expression says (its finances, evidence and plans,
its partners, a staff group's members) is its body's and the council's, now and as it stood
(marketplace/challenge/access.py). The officers' work queue shows their council's, the next deadline first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import Parameter
from sqlalchemy.orm import Session

from api.as_it_stood import Asked, AsOf, Version, read_record, reads_as_it_stood
from api.auth import current_actor, requires, signed_in_reader
from api.challenge.bodies import InterestBody, ModificationBody, RejectionBody, expression_id
from api.challenge.presenters import (
    ExpressionPage,
    ExpressionView,
    expression_row,
    expression_view,
)
from api.commanding import BLOCKING, answer, command_from, command_request, writes
from api.fields import DecisionBody
from api.paging import Cursor, Limit
from api.problems import problem_responses
from domain.base import Actor
from domain.challenge.expression import ExpressionOfInterest, ExpressionStatus
from domain.challenge.expression import Outcome as Decided
from domain.challenge.terms import Interest, Rejection
from domain.working_days import uk_date
from marketplace.access import COUNCIL_READERS
from marketplace.as_it_stood import Stood
from marketplace.challenge.access import CONSIDER, EXPRESS
from marketplace.challenge.services import Expressions
from marketplace.outcome import Outcome
from marketplace.service import Marketplace
from projections.challenge.expressions import ExpressionFilters, find_expression, search_expressions, work_queue
from projections.challenge.services import find_service


def service_name(market: Marketplace, service: str) -> str:
    """The name the register gives the service now (an entry rebuilt as it stood is named so too): one read of
    the register's row, not a replay of the service's history."""
    with market.views() as session:
        found = find_service(session, service)
    return found["name"] if found is not None else ""


def _render(market: Marketplace, reader: Actor | None) -> Callable[[ExpressionOfInterest], ExpressionView]:
    """How an expression rebuilt from its events (as it stood, or as a command left it) is shown."""
    today = _today(market)

    def render(expression: ExpressionOfInterest) -> ExpressionView:
        row = expression_row(expression, service_name(market, expression.service_id))
        return expression_view(row, reader, today)

    return render


def _respond(
    market: Marketplace, request: Request[Any, Any, Any], outcome: Outcome, created: bool = False
) -> Response[ExpressionView]:
    """A command's answer: the expression as the command left it, shown as its GET shows it to the caller."""
    location = (lambda e: f"/expressions-of-interest/{e.id}") if created else None
    return answer(market, outcome, ExpressionOfInterest, _render(market, current_actor(request)), location)


def _today(market: Marketplace) -> date:
    return uk_date(market.clock.now())


class ExpressionController(Controller):
    path = "/expressions-of-interest"
    tags = ["community right to challenge"]

    @post(summary="Express an interest in running a council service (provider)", **writes(EXPRESS, created=True))
    def submit(
        self, market: Marketplace, request: Request[Any, Any, Any], data: InterestBody
    ) -> Response[ExpressionView]:
        interest = command_from(data, Interest, service_id=str(data.service_id))
        outcome = market.service(Expressions).submit(command_request(request, data), interest)
        return _respond(market, request, outcome, created=True)

    @get(
        summary="The register of expressions of interest and decisions (public; `mine`: a body's own, in full)",
        **BLOCKING,
        responses=problem_responses(400, 401),
    )
    def register(  # noqa: PLR0913, PLR0917 - a search's optional filters, each a query parameter
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        service_id: Annotated[str | None, Parameter(max_length=36)] = None,
        status: ExpressionStatus | None = None,
        outcome: Decided | None = None,
        mine: Annotated[bool | None, Parameter(description="Only my organisation's (signed in).")] = None,
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> ExpressionPage:
        reader = current_actor(request)
        if mine and reader is None:
            raise NotAuthorizedException("Sign in to see your own expressions of interest.")
        filters = ExpressionFilters(
            service_id=service_id,
            status=status.value if status else None,
            outcome=outcome.value if outcome else None,
            body=reader.organisation if mine and reader is not None else None,
        )
        with market.views() as session:
            rows, next_cursor = search_expressions(session, filters, cursor, limit)
        today = _today(market)
        return ExpressionPage([expression_view(row, reader, today) for row in rows], next_cursor)

    @get(
        "/queue",
        summary="The officers' work queue: the council's expressions awaiting a decision or a procurement, the next "
        "deadline first (the overdue lead)",
        guards=[requires(*sorted(COUNCIL_READERS))],
        security=[{"bearerAuth": []}],
        responses=problem_responses(400, 401, 403),
        **BLOCKING,
    )
    def queue(
        self, market: Marketplace, request: Request[Any, Any, Any], cursor: Cursor = None, limit: Limit = 100
    ) -> ExpressionPage:
        reader = signed_in_reader(request)
        with market.views() as session:
            rows, next_cursor = work_queue(session, reader.organisation, cursor, limit)
        today = _today(market)
        return ExpressionPage([expression_view(row, reader, today) for row in rows], next_cursor)

    @get(
        "/{expression:str}",
        summary="One entry of the register (now, or as it stood); in full for its body and the council",
        **reads_as_it_stood(400, 404),
    )
    def read(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        expression: str,
        version: Version = None,
        as_of: AsOf = None,
    ) -> Response[ExpressionView]:
        reader, today = current_actor(request), _today(market)

        def now(session: Session) -> tuple[ExpressionView, int] | None:
            row = find_expression(session, str(expression_id(expression)))
            return None if row is None else (expression_view(row, reader, today), row["version"])

        def then(stood: Stood[ExpressionOfInterest]) -> ExpressionView:
            return _render(market, reader)(stood.aggregate)

        asked = Asked(ExpressionOfInterest, expression_id(expression), "expression of interest", expression)
        return read_record(market, asked, version, as_of, then=then, now=now)

    # --- the council's part --------------------------------------------------------------------------------------

    @post(
        "/{expression:str}/acknowledge", summary="Acknowledge it, with its decision's day (officer)", **writes(CONSIDER)
    )
    def acknowledge(
        self, market: Marketplace, request: Request[Any, Any, Any], expression: str
    ) -> Response[ExpressionView]:
        outcome = market.service(Expressions).acknowledge(command_request(request), expression_id(expression))
        return _respond(market, request, outcome)

    @post(
        "/{expression:str}/propose-modification",
        summary="Propose the modification the council could accept, and why (officer)",
        **writes(CONSIDER),
    )
    def propose_modification(
        self, market: Marketplace, request: Request[Any, Any, Any], expression: str, data: ModificationBody
    ) -> Response[ExpressionView]:
        outcome = market.service(Expressions).propose_modification(
            command_request(request, data), expression_id(expression), data.reason, data.modification
        )
        return _respond(market, request, outcome)

    @post("/{expression:str}/accept", summary="Accept it, with reasons (officer)", **writes(CONSIDER))
    def accept(
        self, market: Marketplace, request: Request[Any, Any, Any], expression: str, data: DecisionBody
    ) -> Response[ExpressionView]:
        outcome = market.service(Expressions).accept(
            command_request(request, data), expression_id(expression), data.reason
        )
        return _respond(market, request, outcome)

    @post(
        "/{expression:str}/reject",
        summary="Reject it on one or more statutory grounds, with reasons (officer)",
        **writes(CONSIDER),
    )
    def reject(
        self, market: Marketplace, request: Request[Any, Any, Any], expression: str, data: RejectionBody
    ) -> Response[ExpressionView]:
        rejection = command_from(data, Rejection)
        outcome = market.service(Expressions).reject(
            command_request(request, data), expression_id(expression), rejection
        )
        return _respond(market, request, outcome)

    # --- the body's part -----------------------------------------------------------------------------------------

    @post(
        "/{expression:str}/agree-modification", summary="Agree the proposed modification (the body)", **writes(EXPRESS)
    )
    def agree_modification(
        self, market: Marketplace, request: Request[Any, Any, Any], expression: str
    ) -> Response[ExpressionView]:
        outcome = market.service(Expressions).agree_modification(command_request(request), expression_id(expression))
        return _respond(market, request, outcome)

    @post(
        "/{expression:str}/decline-modification",
        summary="Decline the proposed modification, saying why (the body)",
        **writes(EXPRESS),
    )
    def decline_modification(
        self, market: Marketplace, request: Request[Any, Any, Any], expression: str, data: DecisionBody
    ) -> Response[ExpressionView]:
        outcome = market.service(Expressions).decline_modification(
            command_request(request, data), expression_id(expression), data.reason
        )
        return _respond(market, request, outcome)

    @post("/{expression:str}/withdraw", summary="Withdraw it, until it is decided (the body)", **writes(EXPRESS))
    def withdraw(
        self, market: Marketplace, request: Request[Any, Any, Any], expression: str
    ) -> Response[ExpressionView]:
        outcome = market.service(Expressions).withdraw(command_request(request), expression_id(expression))
        return _respond(market, request, outcome)
