"""What tendering's routes read and answer: the request bodies, the responses, and the one conversion of a body
into the domain value its command takes (domain/tendering/terms.py).

A body's fields are named as the value's, so `command` converts it whole; a route parses only what the body
keeps as text (a day) and passes it in.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, TypeVar
from uuid import UUID

import msgspec

from api.commanding import command_from, record_id
from api.fields import Moment, Money, Reason
from api.moments import within_calendar
from domain.rules import DomainError
from domain.tendering.bid import BidStatus
from domain.tendering.contract import ContractStatus
from domain.tendering.evaluation import PRICE_FORMULA, EvaluatorState
from domain.tendering.procurement import Category, CriterionKind, Procedure
from domain.tendering.tender import TenderStatus

T = TypeVar("T")

# The records a path names (anything that is not a UUID names none: 404).
tender_id, bid_id, contract_id = record_id("tender"), record_id("bid"), record_id("contract")

Key = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
LongText = Annotated[str, msgspec.Meta(min_length=1, max_length=10_000)]
ResponseText = Annotated[str, msgspec.Meta(min_length=1, max_length=50_000)]
Points = Annotated[int, msgspec.Meta(ge=0, le=100)]
BidId = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Day = Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2027-03-31"])]


def tender_terms(data: TenderTerms | TenderChanges, kind: type[T]) -> T:
    """A tender's terms, or a change to them, once the deadlines given are times the calendar can hold."""
    for name in ("clarification_deadline", "tender_deadline"):
        within_calendar(getattr(data, name), name)
    return command_from(data, kind)


def parse_day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError(f"'{value}' is not a date (YYYY-MM-DD).", field=field) from None


# --- tenders ------------------------------------------------------------------------------------------------------


class LotBody(msgspec.Struct, forbid_unknown_fields=True):
    lot_id: Key
    title: Title
    value: Money


class CriterionBody(msgspec.Struct, forbid_unknown_fields=True):
    key: Key
    name: Title
    kind: CriterionKind
    weight: Annotated[int, msgspec.Meta(ge=1, le=100)]


Lots = Annotated[list[LotBody], msgspec.Meta(min_length=1, max_length=50)]
Criteria = Annotated[list[CriterionBody], msgspec.Meta(min_length=2, max_length=20)]


class TenderTerms(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    description: LongText
    category: Category
    procedure: Procedure
    lots: Lots
    criteria: Criteria
    clarification_deadline: Moment
    tender_deadline: Moment
    service_id: Annotated[
        UUID | None, msgspec.Meta(description="The service in the council's register this tender procures.")
    ] = None


class TenderChanges(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Only the terms given change."""

    title: Title | None = None
    description: LongText | None = None
    category: Category | None = None
    procedure: Procedure | None = None
    lots: Lots | None = None
    criteria: Criteria | None = None
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
    bid_id: BidId
    reason: Reason


class ContractBody(msgspec.Struct, forbid_unknown_fields=True):
    lot_id: Key
    start: Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2026-06-01"])]
    end: Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2028-05-31"])]
    kpis: Annotated[list[Annotated[str, msgspec.Meta(max_length=500)]], msgspec.Meta(max_length=50)] = []
    kpi_exemption: Annotated[
        str, msgspec.Meta(max_length=2000, description="Over £5m with fewer than three KPIs: why (PA2023 s.52(3)).")
    ] = ""


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
    status: TenderStatus
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
    status: TenderStatus
    value: Decimal
    value_band: str
    tender_deadline: datetime
    version: int


class TenderPage(msgspec.Struct):
    items: list[TenderSummary]
    next_cursor: str | None = None


# --- bids ---------------------------------------------------------------------------------------------------------


class Offer(msgspec.Struct, forbid_unknown_fields=True):
    prices: Annotated[dict[Key, Money], msgspec.Meta(min_length=1, max_length=50)]
    responses: Annotated[dict[Key, ResponseText], msgspec.Meta(max_length=20)]


class Receipt(msgspec.Struct, omit_defaults=True):
    """What the bidder keeps: it proves what was sent, without revealing it.

    `digest` is SHA-256 over `nonce` followed by the offer's canonical JSON (docs/disclosure.md); the
    nonce is shown to the bidder alone, so nobody else can test a guessed price against the digest.
    """

    id: str
    tender_id: str
    bidder: str
    status: BidStatus
    digest: str
    submitted_at: datetime
    amendment: int
    version: int
    reconfirm_needed: Annotated[
        bool,
        msgspec.Meta(
            description="The tender was amended after this offer and the bidder has not reconfirmed it: reconfirm "
            "(or replace) it before the deadline, or it is not opened."
        ),
    ]
    nonce: str | None = None


class MostAdvantageous(msgspec.Struct):
    """The winning tender's assessment, as an unsuccessful bidder is told it (PA2023 s.50): its scores, never its
    prices or responses."""

    supplier_name: Annotated[str, msgspec.Meta(description="The supplier awarded the lot, as it stood at award.")]
    scores: Annotated[dict[str, str], msgspec.Meta(description="Criterion key -> the winning tender's weighted score.")]
    total: Annotated[str, msgspec.Meta(description="The winning tender's weighted total.")]


class LotOutcome(msgspec.Struct, omit_defaults=True):
    rank: int
    total: str
    scores: dict[str, str]
    successful: bool
    most_advantageous: Annotated[
        MostAdvantageous | None,
        msgspec.Meta(description="For an unsuccessful bid: the most advantageous tender's scores and total."),
    ] = None


class BidView(msgspec.Struct):
    receipt: Receipt
    opened: bool
    prices: dict[str, Decimal] | None = None  # once opened, for officers and the bidder
    responses: dict[str, str] | None = None
    outcome: dict[str, LotOutcome] | None = None  # per lot, for the bidder and officers only


class BidList(msgspec.Struct):
    sealed: bool
    count: int
    items: list[Receipt] = []
    next_cursor: str | None = None


class LotResult(msgspec.Struct, omit_defaults=True):
    lot_id: Annotated[str, msgspec.Meta(description="A lot the opened bid priced.")]
    outcome: Annotated[
        Literal["pending", "awarded", "unsuccessful", "cancelled"],
        msgspec.Meta(description="Pending until the lot is awarded (or cancelled); then whether this bid won it."),
    ]
    standstill_ends: Annotated[
        str | None, msgspec.Meta(description="The award's last day of standstill (YYYY-MM-DD), if one applies.")
    ] = None


class MyBid(Receipt, kw_only=True):
    """A provider's own bid: its receipt, the tender it bids for, and where it stands."""

    tender_title: Annotated[str, msgspec.Meta(description="The title of the tender bid for.")]
    tender_deadline: Annotated[datetime, msgspec.Meta(description="The tender deadline: bids are fixed from then.")]
    sealed: Annotated[
        bool, msgspec.Meta(description="True until the tender's bids are opened: nobody can read the offer.")
    ]
    outcomes: Annotated[
        list[LotResult],
        msgspec.Meta(description="Once opened, per lot the bid priced: pending, then its outcome once decided."),
    ]


class MyBids(msgspec.Struct):
    sealed: Annotated[bool, msgspec.Meta(description="True while any bid on this page is still sealed.")]
    count: Annotated[int, msgspec.Meta(description="How many bids this page holds.")]
    items: Annotated[list[MyBid], msgspec.Meta(description="The organisation's bids, by tender.")] = []
    next_cursor: Annotated[str | None, msgspec.Meta(description="The cursor of the next page, if there is one.")] = None


# --- evaluation ---------------------------------------------------------------------------------------------------


class EvaluatorBody(msgspec.Struct, forbid_unknown_fields=True):
    evaluator: Annotated[str, msgspec.Meta(min_length=1, max_length=200, description="the evaluator's subject")]


class DeclarationBody(msgspec.Struct, forbid_unknown_fields=True):
    conflict: bool
    statement: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]


class ScoreBody(msgspec.Struct, forbid_unknown_fields=True):
    bid_id: BidId
    criterion: Key
    score: Points
    justification: LongText


class ModerationBody(msgspec.Struct, forbid_unknown_fields=True):
    bid_id: BidId
    criterion: Key
    score: Points
    note: LongText


class EvaluationState(msgspec.Struct):
    tender_id: str
    evaluators: dict[str, EvaluatorState]
    scored: int
    agreed: int
    version: int
    price_formula: str = PRICE_FORMULA


# --- contracts and awards -----------------------------------------------------------------------------------------


class Variation(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason
    value: Money | None = None
    end: Day | None = None
    change_notice: Annotated[
        str,
        msgspec.Meta(
            max_length=36,
            description="The contract change notice that announced it: needed beyond de minimis (PA2023 s.74-75).",
        ),
    ] = ""


class Ending(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason
    effective: Day
    consultation: Annotated[str, msgspec.Meta(max_length=10_000)] = ""


class ContractView(msgspec.Struct):
    id: str
    tender_id: str
    lot_id: str
    buyer: str
    supplier: str
    supplier_name: str
    value: Decimal
    start: str
    end: str
    kpis: list[str]
    status: ContractStatus
    version: int
    ended_on: str | None = None


class ContractPage(msgspec.Struct):
    items: list[ContractView]
    next_cursor: str | None = None


class AwardNotice(msgspec.Struct):
    tender_id: str
    lot_id: str
    supplier: str
    supplier_name: str
    value: Decimal
    decided_at: datetime
    reason: str
    standstill_ends: str | None = None
    contract_id: str | None = None


class AwardPage(msgspec.Struct):
    items: list[AwardNotice]
    next_cursor: str | None = None
