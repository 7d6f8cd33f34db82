"""Grant applications: drafted and submitted by the applicant, assessed and decided by the council, and the
offer answered by the applicant; the officers' work queue (ranked) and an applicant's own applications.

An application is its applicant's and the council's to read, now and as it stood; the assessors' declarations
and scores are the council's only (marketplace/grants/access.py).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import Parameter
from sqlalchemy.orm import Session

from api.as_it_stood import Asked, AsOf, Version, read_record, reads_as_it_stood
from api.auth import current_actor
from api.authority.held import HeldDecisionView, decided, delegated_writes
from api.commanding import BLOCKING, answer, command_from, command_request, writes
from api.fields import DecisionBody
from api.grants.bodies import (
    AnswerBody,
    AssessorBody,
    DeclarationBody,
    DeclineBody,
    ModerationBody,
    OfferBody,
    ProposalBody,
    ProposalChangeBody,
    ScoreBody,
    application_id,
    programme_id,
)
from api.grants.presenters import ApplicationView, QueuePage, application_view, queue_item
from api.paging import Cursor, Limit
from api.problems import problem_responses
from domain.base import Actor
from domain.grants.application import ApplicationStatus, GrantApplication
from domain.grants.terms import AgreedScore, CriterionScore, OfferTerms, Proposal, ProposalChange
from marketplace.access import reads_for_the_council
from marketplace.grants.access import APPLY, ASSESS, DECIDE, sees_application
from marketplace.grants.services import Applications
from marketplace.outcome import Outcome
from marketplace.service import Marketplace
from projections.grants.applications import grant_applications, work_queue


def _respond(
    market: Marketplace, request: Request[Any, Any, Any], outcome: Outcome, created: bool = False
) -> Response[ApplicationView]:
    reader = current_actor(request)
    location = (lambda a: f"/grant-applications/{a.id}") if created else None
    return answer(market, outcome, GrantApplication, lambda a: application_view(a, reader), location)


def _signed_in(request: Request[Any, Any, Any]) -> Actor:
    actor = current_actor(request)
    if actor is None:
        raise NotAuthorizedException("Sign in to see applications: their applicant's and the council's only.")
    return actor


class ProgrammeApplicationsController(Controller):
    path = "/grant-programmes/{programme:str}/applications"
    tags = ["grants"]

    @post(summary="Apply: draft an application (provider)", **writes(APPLY, created=True))
    def apply(
        self, market: Marketplace, request: Request[Any, Any, Any], programme: str, data: ProposalBody
    ) -> Response[ApplicationView]:
        proposal = command_from(data, Proposal)
        outcome = market.service(Applications).apply(command_request(request, data), programme_id(programme), proposal)
        return _respond(market, request, outcome, created=True)

    @get(
        summary="The programme's work queue, best moderated score first",
        **BLOCKING,
        responses=problem_responses(400, 401),
    )
    def queue(  # noqa: PLR0913, PLR0917 - a search's optional filters, each a query parameter
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        programme: str,
        status: ApplicationStatus | None = None,
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> QueuePage:
        reader = _signed_in(request)
        filters: list[tuple[Any, Any]] = [
            (grant_applications.c.programme_id, str(programme_id(programme))),
            (grant_applications.c.status, status.value if status else None),
        ]
        if not reads_for_the_council(reader):
            filters.append((grant_applications.c.applicant, reader.organisation))
        with market.views() as session:
            rows, next_cursor = work_queue(session, tuple(filters), cursor, limit)
        return QueuePage([queue_item(row, reader) for row in rows], next_cursor)


class ApplicationController(Controller):
    path = "/grant-applications"
    tags = ["grants"]

    @get(
        summary="Applications: an applicant's own, or every one for the council",
        **BLOCKING,
        responses=problem_responses(400, 401),
    )
    def mine(  # noqa: PLR0913, PLR0917 - a search's optional filters, each a query parameter
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        status: ApplicationStatus | None = None,
        applicant: Annotated[str | None, Parameter(max_length=80)] = None,
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> QueuePage:
        reader = _signed_in(request)
        own = applicant if reads_for_the_council(reader) else reader.organisation
        t = grant_applications
        filters = ((t.c.applicant, own), (t.c.status, status.value if status else None))
        with market.views() as session:
            rows, next_cursor = work_queue(session, filters, cursor, limit)
        return QueuePage([queue_item(row, reader) for row in rows], next_cursor)

    @get("/{application:str}", summary="One application (now, or as it stood)", **reads_as_it_stood(400, 401, 404))
    def read(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        application: str,
        version: Version = None,
        as_of: AsOf = None,
    ) -> Response[ApplicationView]:
        reader = _signed_in(request)

        def visible(found: GrantApplication) -> bool:
            return sees_application(reader, found.applicant)

        def now(session: Session) -> tuple[ApplicationView, int] | None:
            found = market.commands.find(GrantApplication, application_id(application))
            if found is None or not visible(found):
                return None
            return application_view(found, reader), found.version

        asked = Asked(GrantApplication, application_id(application), "application", application, visible)
        return read_record(market, asked, version, as_of, then=lambda s: application_view(s.aggregate, reader), now=now)

    @post("/{application:str}/draft", summary="Save changes to a draft (applicant)", **writes(APPLY))
    def save(
        self, market: Marketplace, request: Request[Any, Any, Any], application: str, data: ProposalChangeBody
    ) -> Response[ApplicationView]:
        change = command_from(data, ProposalChange)
        outcome = market.service(Applications).save_draft(
            command_request(request, data), application_id(application), change
        )
        return _respond(market, request, outcome)

    @post("/{application:str}/submit", summary="Submit the application (applicant)", **writes(APPLY))
    def submit(
        self, market: Marketplace, request: Request[Any, Any, Any], application: str
    ) -> Response[ApplicationView]:
        outcome = market.service(Applications).submit(command_request(request), application_id(application))
        return _respond(market, request, outcome)

    @post("/{application:str}/withdraw", summary="Withdraw it, until it is decided (applicant)", **writes(APPLY))
    def withdraw(
        self, market: Marketplace, request: Request[Any, Any, Any], application: str
    ) -> Response[ApplicationView]:
        outcome = market.service(Applications).withdraw(command_request(request), application_id(application))
        return _respond(market, request, outcome)

    @post("/{application:str}/changes", summary="Request changes, saying what (officer)", **writes(DECIDE))
    def request_changes(
        self, market: Marketplace, request: Request[Any, Any, Any], application: str, data: DecisionBody
    ) -> Response[ApplicationView]:
        outcome = market.service(Applications).request_changes(
            command_request(request, data), application_id(application), data.reason
        )
        return _respond(market, request, outcome)

    @post("/{application:str}/assessors", summary="Assign an assessor (officer)", **writes(ASSESS))
    def assign(
        self, market: Marketplace, request: Request[Any, Any, Any], application: str, data: AssessorBody
    ) -> Response[ApplicationView]:
        outcome = market.service(Applications).assign(
            command_request(request, data), application_id(application), data.assessor
        )
        return _respond(market, request, outcome)

    @post("/{application:str}/declarations", summary="Declare any conflict of interest (assessor)", **writes(ASSESS))
    def declare(
        self, market: Marketplace, request: Request[Any, Any, Any], application: str, data: DeclarationBody
    ) -> Response[ApplicationView]:
        outcome = market.service(Applications).declare(
            command_request(request, data), application_id(application), data.conflict, data.statement
        )
        return _respond(market, request, outcome)

    @post("/{application:str}/scores", summary="Score one criterion, with a justification (assessor)", **writes(ASSESS))
    def score(
        self, market: Marketplace, request: Request[Any, Any, Any], application: str, data: ScoreBody
    ) -> Response[ApplicationView]:
        outcome = market.service(Applications).score(
            command_request(request, data), application_id(application), command_from(data, CriterionScore)
        )
        return _respond(market, request, outcome)

    @post("/{application:str}/moderation", summary="Record a criterion's agreed score (officer)", **writes(ASSESS))
    def moderate(
        self, market: Marketplace, request: Request[Any, Any, Any], application: str, data: ModerationBody
    ) -> Response[ApplicationView]:
        outcome = market.service(Applications).moderate(
            command_request(request, data), application_id(application), command_from(data, AgreedScore)
        )
        return _respond(market, request, outcome)

    @post(
        "/{application:str}/offer",
        summary="Offer a grant, with conditions and a schedule; beyond your delegated limit, held for approval",
        **delegated_writes(DECIDE),
    )
    def offer(
        self, market: Marketplace, request: Request[Any, Any, Any], application: str, data: OfferBody
    ) -> Response[ApplicationView | HeldDecisionView]:
        terms = command_from(data, OfferTerms)
        outcome = market.service(Applications).offer(
            command_request(request, data), application_id(application), data.reason, terms
        )
        reader = current_actor(request)
        return decided(market, outcome, GrantApplication, lambda a: application_view(a, reader))

    @post("/{application:str}/decline", summary="Decline the application, with feedback", **writes(DECIDE))
    def decline(
        self, market: Marketplace, request: Request[Any, Any, Any], application: str, data: DeclineBody
    ) -> Response[ApplicationView]:
        outcome = market.service(Applications).decline(
            command_request(request, data), application_id(application), data.reason, data.feedback
        )
        return _respond(market, request, outcome)

    @post("/{application:str}/accept", summary="Accept the offer: the grant agreement (applicant)", **writes(APPLY))
    def accept(
        self, market: Marketplace, request: Request[Any, Any, Any], application: str
    ) -> Response[ApplicationView]:
        outcome = market.service(Applications).accept(command_request(request), application_id(application))
        return _respond(market, request, outcome)

    @post("/{application:str}/decline-offer", summary="Decline the offer, saying why (applicant)", **writes(APPLY))
    def decline_offer(
        self, market: Marketplace, request: Request[Any, Any, Any], application: str, data: AnswerBody
    ) -> Response[ApplicationView]:
        outcome = market.service(Applications).decline_offer(
            command_request(request, data), application_id(application), data.reason
        )
        return _respond(market, request, outcome)
