"""Evaluation: assign evaluators, declare interests, score with justifications, moderate; the matrix."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post

from api.as_it_stood import Asked, AsOf, Version, as_it_stood_answer, reads_as_it_stood, recall_with_events
from api.auth import requires
from api.commanding import command_from, command_request, writes
from api.tendering.bodies import (
    DeclarationBody,
    EvaluationState,
    EvaluatorBody,
    ModerationBody,
    ScoreBody,
    tender_id,
)
from api.tendering.presenters import respond, state_of
from domain.rules import NotFound
from domain.tendering import terms
from domain.tendering.evaluation import PRICE_FORMULA, Evaluation, evaluation_uuid
from marketplace.access import COUNCIL_READERS
from marketplace.as_it_stood import evaluation_matrix_as_it_stood
from marketplace.outcome import Outcome
from marketplace.service import Marketplace
from marketplace.tendering.access import EVALUATE
from marketplace.tendering.services import Evaluations
from projections.tendering.queries import evaluation_matrix


def _respond(market: Marketplace, outcome: Outcome) -> Response[EvaluationState]:
    """A command's answer is where the evaluation stands: who is assigned, how much is scored and agreed."""
    return respond(market, outcome, Evaluation, state_of)


class EvaluationController(Controller):
    path = "/tenders/{tender:str}/evaluation"
    tags = ["evaluation"]

    @get(
        summary="The evaluation matrix: bids x criteria, scores, moderated scores, ranking per lot "
        "(now, or as it stood at a version or moment)",
        guards=[requires(*sorted(COUNCIL_READERS))],
        security=[{"bearerAuth": []}],
        **reads_as_it_stood(400, 401, 403, 404),
    )
    def matrix(
        self, market: Marketplace, tender: str, version: Version = None, as_of: AsOf = None
    ) -> Response[dict[str, Any]]:
        """The matrix is a view of one aggregate, the tender's evaluation: `version` is the evaluation's version.
        As it stood, it is that view folded from the evaluation's events up to the point asked for."""
        key = tender_id(tender)
        what = "evaluation for tender"
        stood = recall_with_events(market, Asked(Evaluation, evaluation_uuid(key), what, tender), version, as_of)
        if stood is not None:
            matrix = evaluation_matrix_as_it_stood(stood)
            return as_it_stood_answer(dict(matrix or {}, price_formula=PRICE_FORMULA), stood.aggregate)
        with market.views() as session:
            found = evaluation_matrix(session, str(key))
        if not found:
            raise NotFound(what, tender)
        return Response(dict(found, price_formula=PRICE_FORMULA))

    @post("/evaluators", summary="Assign an evaluator", **writes(EVALUATE))
    def assign(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: EvaluatorBody
    ) -> Response[EvaluationState]:
        outcome = market.service(Evaluations).assign(command_request(request, data), tender_id(tender), data.evaluator)
        return _respond(market, outcome)

    @post(
        "/declarations", summary="Declare any conflict of interest (the evaluator, before scoring)", **writes(EVALUATE)
    )
    def declare(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: DeclarationBody
    ) -> Response[EvaluationState]:
        outcome = market.service(Evaluations).declare(
            command_request(request, data), tender_id(tender), data.conflict, data.statement
        )
        return _respond(market, outcome)

    @post(
        "/scores", summary="Score a bid on a quality or social value criterion, with justification", **writes(EVALUATE)
    )
    def score(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: ScoreBody
    ) -> Response[EvaluationState]:
        scored = command_from(data, terms.Score)
        outcome = market.service(Evaluations).score(command_request(request, data), tender_id(tender), scored)
        return _respond(market, outcome)

    @post("/moderation", summary="Record the agreed (moderated) score", **writes(EVALUATE))
    def moderate(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: ModerationBody
    ) -> Response[EvaluationState]:
        agreed = command_from(data, terms.Moderation)
        outcome = market.service(Evaluations).moderate(command_request(request, data), tender_id(tender), agreed)
        return _respond(market, outcome)
