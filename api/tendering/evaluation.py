"""Evaluation: assign evaluators, declare interests, score with justifications, moderate; the matrix."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post

from api.as_it_stood import HISTORY_HEADERS, AsOf, Version, as_it_stood_answer, recall_with_events
from api.auth import requires
from api.commanding import BLOCKING, answer, command_request, writes
from api.problems import problem_responses
from api.tendering.tenders import Key, LongText, tender_id
from domain.base import Role
from domain.rules import NotFound
from domain.tendering.evaluation import PRICE_FORMULA, Evaluation, evaluation_uuid
from marketplace.as_it_stood import evaluation_matrix_as_it_stood
from marketplace.outcome import Outcome
from marketplace.service import Marketplace
from marketplace.tendering.services import Evaluations
from projections.tendering.queries import evaluation_matrix

OFFICERS = (Role.COMMISSIONER, Role.ADMIN)
Score = Annotated[int, msgspec.Meta(ge=0, le=100)]
BidId = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


class EvaluatorBody(msgspec.Struct, forbid_unknown_fields=True):
    evaluator: Annotated[str, msgspec.Meta(min_length=1, max_length=200, description="the evaluator's subject")]


class DeclarationBody(msgspec.Struct, forbid_unknown_fields=True):
    conflict: bool
    statement: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]


class ScoreBody(msgspec.Struct, forbid_unknown_fields=True):
    bid_id: BidId
    criterion: Key
    score: Score
    justification: LongText


class ModerationBody(msgspec.Struct, forbid_unknown_fields=True):
    bid_id: BidId
    criterion: Key
    score: Score
    note: LongText


class EvaluationState(msgspec.Struct):
    tender_id: str
    evaluators: dict[str, str]
    scored: int
    agreed: int
    version: int
    price_formula: str = PRICE_FORMULA


def state_of(evaluation: Evaluation) -> EvaluationState:
    return EvaluationState(
        evaluation.tender_id,
        dict(evaluation.evaluators),
        len(evaluation.scores),
        len(evaluation.agreed),
        evaluation.version,
    )


def _answer(market: Marketplace, outcome: Outcome) -> Response[EvaluationState]:
    return answer(market, outcome, Evaluation, state_of)


class EvaluationController(Controller):
    path = "/tenders/{tender:str}/evaluation"
    tags = ["evaluation"]

    @get(
        summary="The evaluation matrix: bids x criteria, scores, moderated scores, ranking per lot "
        "(now, or as it stood at a version or moment)",
        **BLOCKING,
        guards=[requires(Role.COMMISSIONER, Role.ADMIN, Role.AUDITOR)],
        responses=problem_responses(400, 401, 403, 404),
        response_headers=HISTORY_HEADERS,
        security=[{"bearerAuth": []}],
    )
    def matrix(
        self, market: Marketplace, tender: str, version: Version = None, as_of: AsOf = None
    ) -> Response[dict[str, Any]]:
        """The matrix is a view of one aggregate, the tender's evaluation: `version` is the evaluation's version.
        As it stood, it is that view folded from the evaluation's events up to the point asked for."""
        key = tender_id(tender)
        what = "evaluation for tender"
        stood = recall_with_events(market, Evaluation, evaluation_uuid(key), version, as_of, what=what, key=tender)
        if stood is not None:
            matrix = evaluation_matrix_as_it_stood(stood)
            return as_it_stood_answer(dict(matrix or {}, price_formula=PRICE_FORMULA), stood.aggregate)
        with market.views() as session:
            found = evaluation_matrix(session, str(key))
        if not found:
            raise NotFound(what, tender)
        return Response(dict(found, price_formula=PRICE_FORMULA))

    @post("/evaluators", summary="Assign an evaluator", **writes(*OFFICERS))
    def assign(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: EvaluatorBody
    ) -> Response[EvaluationState]:
        return _answer(
            market,
            market.service(Evaluations).assign(command_request(request, data), tender_id(tender), data.evaluator),
        )

    @post(
        "/declarations", summary="Declare any conflict of interest (the evaluator, before scoring)", **writes(*OFFICERS)
    )
    def declare(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: DeclarationBody
    ) -> Response[EvaluationState]:
        outcome = market.service(Evaluations).declare(
            command_request(request, data), tender_id(tender), data.conflict, data.statement
        )
        return _answer(market, outcome)

    @post(
        "/scores", summary="Score a bid on a quality or social value criterion, with justification", **writes(*OFFICERS)
    )
    def score(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: ScoreBody
    ) -> Response[EvaluationState]:
        outcome = market.service(Evaluations).score(
            command_request(request, data),
            tender_id(tender),
            data.bid_id,
            data.criterion,
            data.score,
            data.justification,
        )
        return _answer(market, outcome)

    @post("/moderation", summary="Record the agreed (moderated) score", **writes(*OFFICERS))
    def moderate(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: ModerationBody
    ) -> Response[EvaluationState]:
        outcome = market.service(Evaluations).moderate(
            command_request(request, data), tender_id(tender), data.bid_id, data.criterion, data.score, data.note
        )
        return _answer(market, outcome)
