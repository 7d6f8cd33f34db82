"""Tenders: draft, publish, clarify, amend, open, award, contract, cancel; and the public opportunities."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import Parameter

from api.as_it_stood import HISTORY_HEADERS, AsOf, Version, as_it_stood_answer, recall
from api.auth import current_actor
from api.commanding import BLOCKING, answer, command_request, etag, record_id, writes
from api.fields import Moment
from api.fields import Money as Money  # noqa: PLC0414 - re-exported: api.tendering.contracts reads it from here
from api.moments import within_calendar
from api.organisations.routes import DecisionBody, Reason
from api.problems import problem_responses
from api.rendering import pence, utc, utc_or_none
from domain.base import Actor, Role
from domain.rules import NotFound
from domain.tendering.procurement import Category, Criterion, CriterionKind, Lot, Procedure
from domain.tendering.tender import DRAFT, Award, Tender
from marketplace.outcome import Outcome
from marketplace.service import Marketplace
from marketplace.tendering.services import Tenders
from projections.tendering.queries import awards_for_tender, find_tender, questions_for, search_tenders

Key = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
LongText = Annotated[str, msgspec.Meta(min_length=1, max_length=10_000)]
OFFICERS = (Role.COMMISSIONER, Role.ADMIN)
_DEADLINE_QUERY = "Tender deadline {} this time (RFC 3339, with its offset, e.g. 2026-04-01T12:00:00Z)."
READERS_OF_DRAFTS = (Role.COMMISSIONER, Role.ADMIN, Role.AUDITOR)


class LotBody(msgspec.Struct, forbid_unknown_fields=True):
    lot_id: Key
    title: Title
    value: Money


class CriterionBody(msgspec.Struct, forbid_unknown_fields=True):
    key: Key
    name: Title
    kind: CriterionKind
    weight: Annotated[int, msgspec.Meta(ge=1, le=100)]


class TenderTerms(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    description: LongText
    category: Category
    procedure: Procedure
    lots: Annotated[list[LotBody], msgspec.Meta(min_length=1, max_length=50)]
    criteria: Annotated[list[CriterionBody], msgspec.Meta(min_length=2, max_length=20)]
    clarification_deadline: Moment
    tender_deadline: Moment


class TenderChanges(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Only the terms given change."""

    title: Title | None = None
    description: LongText | None = None
    category: Category | None = None
    procedure: Procedure | None = None
    lots: Annotated[list[LotBody], msgspec.Meta(min_length=1, max_length=50)] | None = None
    criteria: Annotated[list[CriterionBody], msgspec.Meta(min_length=2, max_length=20)] | None = None
    clarification_deadline: Moment | None = None
    tender_deadline: Moment | None = None


class Amendment(TenderChanges, forbid_unknown_fields=True, omit_defaults=True):
    reason: Reason = ""


class ConflictsAssessment(msgspec.Struct, forbid_unknown_fields=True):
    conflicts_found: bool
    reason: Reason
    mitigation: Annotated[str, msgspec.Meta(max_length=5000)] = ""


class QuestionBody(msgspec.Struct, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]


class AnswerBody(msgspec.Struct, forbid_unknown_fields=True):
    answer: LongText


class AwardBody(msgspec.Struct, forbid_unknown_fields=True):
    lot_id: Key
    bid_id: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    reason: Reason


class ContractBody(msgspec.Struct, forbid_unknown_fields=True):
    lot_id: Key
    start: Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2026-06-01"])]
    end: Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2028-05-31"])]
    kpis: Annotated[list[Annotated[str, msgspec.Meta(max_length=500)]], msgspec.Meta(max_length=50)] = []


class LotView(msgspec.Struct):
    lot_id: str
    title: str
    value: Decimal


class CriterionView(msgspec.Struct):
    key: str
    name: str
    kind: str
    weight: int


class QuestionView(msgspec.Struct):
    question_id: str
    text: str
    answer: str | None = None


class AwardView(msgspec.Struct):
    lot_id: str
    bid_id: str
    supplier: str
    supplier_name: str
    value: Decimal
    decided_at: datetime
    standstill_ends: str | None
    contract_id: str | None = None


class TenderView(msgspec.Struct):
    id: str
    buyer: str
    title: str
    description: str
    category: str
    procedure: str
    status: str
    value: Decimal
    above_threshold: bool
    lots: list[LotView]
    criteria: list[CriterionView]
    clarification_deadline: datetime
    tender_deadline: datetime
    amendment: int
    version: int
    published_at: datetime | None = None
    questions: list[QuestionView] = []
    awards: list[AwardView] = []


class TenderSummary(msgspec.Struct):
    id: str
    buyer: str
    title: str
    category: str
    procedure: str
    status: str
    value: Decimal
    value_band: str
    tender_deadline: datetime
    version: int


class TenderPage(msgspec.Struct):
    items: list[TenderSummary]
    next_cursor: str | None = None


def _terms(body: TenderTerms | TenderChanges) -> dict[str, Any]:
    terms = {f: getattr(body, f) for f in TenderChanges.__struct_fields__ if getattr(body, f, None) is not None}
    for name in ("clarification_deadline", "tender_deadline"):
        within_calendar(terms.get(name), name)
    if "lots" in terms:
        terms["lots"] = [Lot(lot.lot_id, lot.title, lot.value) for lot in terms["lots"]]
    if "criteria" in terms:
        terms["criteria"] = [Criterion(c.key, c.name, c.kind.value, c.weight) for c in terms["criteria"]]
    for name in ("category", "procedure"):
        if name in terms:
            terms[name] = terms[name].value
    return terms


def from_aggregate(tender: Tender) -> TenderView:
    return TenderView(
        id=str(tender.id),
        buyer=tender.buyer,
        title=tender.title,
        description=tender.description,
        category=tender.category,
        procedure=tender.procedure,
        status=tender.status,
        value=tender.value,
        above_threshold=tender.above_threshold,
        lots=[LotView(lot.lot_id, lot.title, lot.value) for lot in tender.lots],
        criteria=[CriterionView(c.key, c.name, c.kind, c.weight) for c in tender.criteria],
        clarification_deadline=tender.clarification_deadline,
        tender_deadline=tender.tender_deadline,
        amendment=tender.amendment,
        version=tender.version,
        published_at=tender.published_at,
    )


def _may_see_drafts(actor: Actor | None) -> bool:
    return actor is not None and actor.role in READERS_OF_DRAFTS


def _shown_to(actor: Actor | None) -> Callable[[Tender], bool]:
    """Tenders never published (drafts, or drafts cancelled) are for council officers and auditors, now and then."""
    return lambda tender: tender.published_at is not None or _may_see_drafts(actor)


def _award_view(award: Award) -> AwardView:
    ends = award.standstill_ends.isoformat() if award.standstill_ends else None
    supplier, contract = award.supplier, award.contract_id or None
    value = pence(award.value)
    return AwardView(
        award.lot_id, award.bid_id, supplier.identifier, supplier.name, value, award.decided_at, ends, contract
    )


def as_read(tender: Tender, actor: Actor | None) -> TenderView:
    """The tender as its GET shows it: with questions (answered ones only, unless the actor may read drafts;
    never who asked) and awards, as the aggregate holds them."""
    view = from_aggregate(tender)
    answered_only = not _may_see_drafts(actor)
    view.questions = [
        QuestionView(question_id, q["text"], q.get("answer"))
        for question_id, q in tender.questions.items()
        if "answer" in q or not answered_only
    ]
    view.awards = [_award_view(award) for _, award in sorted(tender.awards.items())]
    return view


def _answer(
    market: Marketplace, request: Request[Any, Any, Any], outcome: Outcome, created: bool = False
) -> Response[TenderView]:
    """A command's answer is the tender as the GET that follows shows it to the same caller."""
    location = (lambda t: f"/tenders/{t.id}") if created else None
    actor = current_actor(request)
    return answer(market, outcome, Tender, lambda tender: as_read(tender, actor), location)


tender_id = record_id("tender")


class TenderController(Controller):
    path = "/tenders"
    tags = ["tenders"]

    @post(summary="Draft a tender", **writes(*OFFICERS, created=True))
    def draft(self, market: Marketplace, request: Request[Any, Any, Any], data: TenderTerms) -> Response[TenderView]:
        outcome = market.service(Tenders).draft(command_request(request, data), **_terms(data))
        return _answer(market, request, outcome, created=True)

    @get(
        summary="Opportunities: published tenders (officers may include drafts)",
        **BLOCKING,
        responses=problem_responses(400),
    )
    def opportunities(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        status: Annotated[list[str] | None, Parameter(description="draft, tendering, closed, evaluation, ...")] = None,
        category: Category | None = None,
        value_band: Annotated[str | None, Parameter(pattern="^(under-30k|30k-to-threshold|above-threshold)$")] = None,
        deadline_after: Annotated[datetime | None, Parameter(description=_DEADLINE_QUERY.format("at or after"))] = None,
        deadline_before: Annotated[datetime | None, Parameter(description=_DEADLINE_QUERY.format("before"))] = None,
        cursor: Annotated[str | None, Parameter(max_length=500)] = None,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
    ) -> TenderPage:
        public = ["tendering", "closed", "evaluation", "complete", "cancelled"]
        wanted = status or public
        if not _may_see_drafts(current_actor(request)):
            wanted = [s for s in wanted if s != DRAFT]
        with market.views() as session:
            rows, next_cursor = search_tenders(
                session,
                statuses=wanted,
                category=category.value if category else None,
                value_band=value_band,
                deadline_after=within_calendar(deadline_after, "deadline_after"),
                deadline_before=within_calendar(deadline_before, "deadline_before"),
                published_only=not _may_see_drafts(current_actor(request)),
                cursor=cursor,
                limit=limit,
            )
        items = [
            TenderSummary(
                r["id"],
                r["buyer"],
                r["title"],
                r["category"],
                r["procedure"],
                r["status"],
                Decimal(r["value"]),
                r["value_band"],
                utc(r["tender_deadline"]),
                r["version"],
            )
            for r in rows
        ]
        return TenderPage(items, next_cursor)

    @get(
        "/{tender:str}",
        summary="One tender, with published answers and awards (now, or as it stood at a version or moment)",
        **BLOCKING,
        responses=problem_responses(400, 404),
        response_headers=HISTORY_HEADERS,
    )
    def read(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        tender: str,
        version: Version = None,
        as_of: AsOf = None,
    ) -> Response[TenderView]:
        actor = current_actor(request)
        then = recall(
            market, Tender, tender_id(tender), version, as_of, what="tender", key=tender, visible=_shown_to(actor)
        )
        if then is not None:
            return as_it_stood_answer(as_read(then, actor), then)
        with market.views() as session:
            row = find_tender(session, str(tender_id(tender)))
            if row is None or (row["published_at"] is None and not _may_see_drafts(actor)):
                raise NotFound("tender", tender)
            questions = questions_for(session, row["id"], answered_only=not _may_see_drafts(actor))
            awards = awards_for_tender(session, row["id"])
        view = TenderView(
            id=row["id"],
            buyer=row["buyer"],
            title=row["title"],
            description=row["description"],
            category=row["category"],
            procedure=row["procedure"],
            status=row["status"],
            value=Decimal(row["value"]),
            above_threshold=row["above_threshold"],
            lots=[LotView(lot["lot_id"], lot["title"], Decimal(lot["value"])) for lot in row["lots"]],
            criteria=[CriterionView(c["key"], c["name"], c["kind"], c["weight"]) for c in row["criteria"]],
            clarification_deadline=utc(row["clarification_deadline"]),
            tender_deadline=utc(row["tender_deadline"]),
            amendment=row["amendment"],
            version=row["version"],
            published_at=utc_or_none(row["published_at"]),
            questions=[QuestionView(q["question_id"], q["text"], q["answer"]) for q in questions],
            awards=[
                AwardView(
                    a["lot_id"],
                    a["bid_id"],
                    a["supplier_identifier"],
                    a["supplier_name"],
                    Decimal(a["value"]),
                    utc(a["decided_at"]),
                    str(a["standstill_ends"]) if a["standstill_ends"] else None,
                    a["contract_id"] or None,
                )
                for a in awards
            ],
        )
        return Response(view, headers=etag(row["version"]))

    @patch("/{tender:str}", summary="Revise a draft", **writes(*OFFICERS))
    def revise(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: TenderChanges
    ) -> Response[TenderView]:
        outcome = market.service(Tenders).revise(command_request(request, data), tender_id(tender), **_terms(data))
        return _answer(market, request, outcome)

    @post(
        "/{tender:str}/conflicts-assessment",
        summary="Record the conflicts assessment (PA2023 s.83)",
        **writes(*OFFICERS),
    )
    def assess_conflicts(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: ConflictsAssessment
    ) -> Response[TenderView]:
        outcome = market.service(Tenders).assess_conflicts(
            command_request(request, data), tender_id(tender), data.conflicts_found, data.mitigation, data.reason
        )
        return _answer(market, request, outcome)

    @post("/{tender:str}/publish", summary="Publish the tender notice", **writes(*OFFICERS))
    def publish(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: DecisionBody
    ) -> Response[TenderView]:
        outcome = market.service(Tenders).publish(command_request(request, data), tender_id(tender), data.reason)
        return _answer(market, request, outcome)

    @post(
        "/{tender:str}/questions",
        summary="Ask a clarification question (asker never published)",
        **writes(Role.PROVIDER, created=True),
    )
    def ask(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: QuestionBody
    ) -> Response[TenderView]:
        outcome = market.service(Tenders).ask(command_request(request, data), tender_id(tender), data.text)
        return _answer(market, request, outcome, created=True)

    @post(
        "/{tender:str}/questions/{question:str}/answer",
        summary="Answer a question, to every bidder",
        **writes(*OFFICERS),
    )
    def answer_question(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, question: str, data: AnswerBody
    ) -> Response[TenderView]:
        outcome = market.service(Tenders).answer(
            command_request(request, data), tender_id(tender), question, data.answer
        )
        return _answer(market, request, outcome)

    @post("/{tender:str}/amend", summary="Amend published terms (bids must be reconfirmed)", **writes(*OFFICERS))
    def amend(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: Amendment
    ) -> Response[TenderView]:
        outcome = market.service(Tenders).amend(
            command_request(request, data), tender_id(tender), data.reason, **_terms(data)
        )
        return _answer(market, request, outcome)

    @post("/{tender:str}/open-bids", summary="Open the bids (after the deadline only)", **writes(*OFFICERS))
    def open_bids(self, market: Marketplace, request: Request[Any, Any, Any], tender: str) -> Response[TenderView]:
        return _answer(market, request, market.service(Tenders).open_bids(command_request(request), tender_id(tender)))

    @post("/{tender:str}/award", summary="Award a lot, with reasons (standstill follows)", **writes(*OFFICERS))
    def award(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: AwardBody
    ) -> Response[TenderView]:
        outcome = market.service(Tenders).award(
            command_request(request, data), tender_id(tender), data.lot_id, data.bid_id, data.reason
        )
        return _answer(market, request, outcome)

    @post("/{tender:str}/cancel", summary="Cancel the tender, with reasons", **writes(*OFFICERS))
    def cancel(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: DecisionBody
    ) -> Response[TenderView]:
        outcome = market.service(Tenders).cancel(command_request(request, data), tender_id(tender), data.reason)
        return _answer(market, request, outcome)

    @post("/{tender:str}/lots/{lot:str}/cancel", summary="Cancel one lot, with reasons", **writes(*OFFICERS))
    def cancel_lot(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, lot: str, data: DecisionBody
    ) -> Response[TenderView]:
        outcome = market.service(Tenders).cancel_lot(
            command_request(request, data), tender_id(tender), lot, data.reason
        )
        return _answer(market, request, outcome)
