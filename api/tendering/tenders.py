"""Tenders: draft, publish, clarify, amend, open, award, cancel; and the public opportunities."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import Parameter
from sqlalchemy.orm import Session

from api.as_it_stood import Asked, AsOf, Version, read_record, reads_as_it_stood
from api.auth import current_actor
from api.authority.held import HeldDecisionView, decided, delegated_writes
from api.commanding import BLOCKING, command_from, command_request, writes
from api.fields import DecisionBody
from api.moments import within_calendar
from api.organisations.routes import Search, searched_words
from api.paging import Cursor, Limit
from api.problems import problem_responses
from api.tendering.bodies import (
    Amendment,
    AnswerBody,
    AwardBody,
    ConflictsAssessment,
    QuestionBody,
    TenderChanges,
    TenderPage,
    TenderTerms,
    TenderView,
    tender_id,
    tender_terms,
)
from api.tendering.presenters import respond, summary_from_row, tender_as_read, tender_from_row
from domain.base import Actor
from domain.tendering import terms
from domain.tendering.procurement import Category
from domain.tendering.tender import DRAFT, Tender, TenderStatus
from marketplace.outcome import Outcome
from marketplace.service import Marketplace
from marketplace.tendering.access import ASK_QUESTION, DRAFT_TENDER, MANAGE_TENDER, sees_drafts
from marketplace.tendering.services import Tenders
from projections.search.tenders import matching_tenders
from projections.tendering.queries import awards_for_tender, find_tender, questions_for, search_tenders

_STATUS_QUERY = (
    "Any of draft (officers only), tendering, closed, evaluation, standstill, awarded, complete, cancelled; repeat "
    "the parameter for several"
)
_DEADLINE_QUERY = "Tender deadline {} this time (RFC 3339, with its offset, e.g. 2026-04-01T12:00:00Z)."
PUBLIC = [status for status in TenderStatus if status != DRAFT]  # what anyone may list: every tender once published


def _shown_to(reader: Actor | None) -> Callable[[Tender], bool]:
    """Tenders never published (drafts, or drafts cancelled) are for council officers and auditors, now and then."""
    return lambda tender: tender.published_at is not None or sees_drafts(reader)


def _respond(
    market: Marketplace, request: Request[Any, Any, Any], outcome: Outcome, created: bool = False
) -> Response[TenderView]:
    """A command's answer is the tender as the GET that follows shows it to the same caller."""
    reader = current_actor(request)
    return respond(
        market, outcome, Tender, lambda tender: tender_as_read(tender, reader), "/tenders" if created else ""
    )


class TenderController(Controller):
    path = "/tenders"
    tags = ["tenders"]

    @post(summary="Draft a tender", **writes(DRAFT_TENDER, created=True))
    def draft(self, market: Marketplace, request: Request[Any, Any, Any], data: TenderTerms) -> Response[TenderView]:
        drafted = tender_terms(data, terms.TenderTerms)
        outcome = market.service(Tenders).draft(command_request(request, data), drafted, data.service_id)
        return _respond(market, request, outcome, created=True)

    @get(
        summary="Opportunities: published tenders (officers may include drafts)",
        **BLOCKING,
        responses=problem_responses(400),
    )
    def opportunities(  # noqa: PLR0913, PLR0917 - Litestar reads, validates and documents each query parameter from here
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        status: Annotated[list[str] | None, Parameter(description=_STATUS_QUERY)] = None,
        category: Category | None = None,
        value_band: Annotated[str | None, Parameter(pattern="^(under-30k|30k-to-threshold|above-threshold)$")] = None,
        deadline_after: Annotated[datetime | None, Parameter(description=_DEADLINE_QUERY.format("at or after"))] = None,
        deadline_before: Annotated[datetime | None, Parameter(description=_DEADLINE_QUERY.format("before"))] = None,
        q: Search = None,
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> TenderPage:
        """By deadline, soonest first; searched by words (`q`: title, description, lots), best match first."""
        words = searched_words(q)
        drafts = sees_drafts(current_actor(request))
        wanted = [s for s in status or PUBLIC if drafts or s != DRAFT]
        with market.views() as session:
            listed = partial(matching_tenders, session, words) if words else partial(search_tenders, session)
            rows, next_cursor = listed(
                statuses=wanted,
                category=category.value if category else None,
                value_band=value_band,
                deadline_after=within_calendar(deadline_after, "deadline_after"),
                deadline_before=within_calendar(deadline_before, "deadline_before"),
                published_only=not drafts,
                cursor=cursor,
                limit=limit,
            )
        return TenderPage([summary_from_row(r) for r in rows], next_cursor)

    @get(
        "/{tender:str}",
        summary="One tender, with published answers and awards (now, or as it stood at a version or moment)",
        **reads_as_it_stood(400, 404),
    )
    def read(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        tender: str,
        version: Version = None,
        as_of: AsOf = None,
    ) -> Response[TenderView]:
        reader = current_actor(request)

        def now(session: Session) -> tuple[TenderView, int] | None:
            row = find_tender(session, str(tender_id(tender)))
            if row is None or (row["published_at"] is None and not sees_drafts(reader)):
                return None
            questions = questions_for(session, row["id"], answered_only=not sees_drafts(reader))
            return tender_from_row(row, questions, awards_for_tender(session, row["id"])), row["version"]

        asked = Asked(Tender, tender_id(tender), "tender", tender, _shown_to(reader))
        return read_record(market, asked, version, as_of, then=lambda s: tender_as_read(s.aggregate, reader), now=now)

    @patch("/{tender:str}", summary="Revise a draft", **writes(MANAGE_TENDER))
    def revise(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: TenderChanges
    ) -> Response[TenderView]:
        change = tender_terms(data, terms.TermsChange)
        outcome = market.service(Tenders).revise(command_request(request, data), tender_id(tender), change)
        return _respond(market, request, outcome)

    @post(
        "/{tender:str}/conflicts-assessment",
        summary="Record the conflicts assessment (PA2023 s.83)",
        **writes(MANAGE_TENDER),
    )
    def assess_conflicts(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: ConflictsAssessment
    ) -> Response[TenderView]:
        assessment = command_from(data, terms.ConflictsAssessment)
        outcome = market.service(Tenders).assess_conflicts(
            command_request(request, data), tender_id(tender), assessment, data.reason
        )
        return _respond(market, request, outcome)

    @post("/{tender:str}/publish", summary="Publish the tender notice", **writes(MANAGE_TENDER))
    def publish(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: DecisionBody
    ) -> Response[TenderView]:
        outcome = market.service(Tenders).publish(command_request(request, data), tender_id(tender), data.reason)
        return _respond(market, request, outcome)

    @post(
        "/{tender:str}/questions",
        summary="Ask a clarification question (asker never published)",
        **writes(ASK_QUESTION, created=True),
    )
    def ask(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: QuestionBody
    ) -> Response[TenderView]:
        outcome = market.service(Tenders).ask(command_request(request, data), tender_id(tender), data.text)
        return _respond(market, request, outcome, created=True)

    @post(
        "/{tender:str}/questions/{question:str}/answer",
        summary="Answer a question, to every bidder",
        **writes(MANAGE_TENDER),
    )
    def answer_question(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, question: str, data: AnswerBody
    ) -> Response[TenderView]:
        outcome = market.service(Tenders).answer(
            command_request(request, data), tender_id(tender), question, data.answer
        )
        return _respond(market, request, outcome)

    @post("/{tender:str}/amend", summary="Amend published terms (bids must be reconfirmed)", **writes(MANAGE_TENDER))
    def amend(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: Amendment
    ) -> Response[TenderView]:
        change = tender_terms(data, terms.TermsChange)
        outcome = market.service(Tenders).amend(command_request(request, data), tender_id(tender), data.reason, change)
        return _respond(market, request, outcome)

    @post("/{tender:str}/open-bids", summary="Open the bids (after the deadline only)", **writes(MANAGE_TENDER))
    def open_bids(self, market: Marketplace, request: Request[Any, Any, Any], tender: str) -> Response[TenderView]:
        outcome = market.service(Tenders).open_bids(command_request(request), tender_id(tender))
        return _respond(market, request, outcome)

    @post(
        "/{tender:str}/award",
        summary="Award a lot, with reasons (standstill follows); beyond your delegated limit, held for approval",
        **delegated_writes(MANAGE_TENDER),
    )
    def award(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: AwardBody
    ) -> Response[TenderView | HeldDecisionView]:
        selection = command_from(data, terms.Selection)
        outcome = market.service(Tenders).award(
            command_request(request, data), tender_id(tender), selection, data.reason
        )
        reader = current_actor(request)
        return decided(market, outcome, Tender, lambda tender: tender_as_read(tender, reader))

    @post("/{tender:str}/cancel", summary="Cancel the tender, with reasons", **writes(MANAGE_TENDER))
    def cancel(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: DecisionBody
    ) -> Response[TenderView]:
        outcome = market.service(Tenders).cancel(command_request(request, data), tender_id(tender), data.reason)
        return _respond(market, request, outcome)

    @post("/{tender:str}/lots/{lot:str}/cancel", summary="Cancel one lot, with reasons", **writes(MANAGE_TENDER))
    def cancel_lot(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, lot: str, data: DecisionBody
    ) -> Response[TenderView]:
        outcome = market.service(Tenders).cancel_lot(
            command_request(request, data), tender_id(tender), lot, data.reason
        )
        return _respond(market, request, outcome)
