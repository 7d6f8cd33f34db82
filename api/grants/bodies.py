"""What grants' routes read: the request bodies, each converted whole into the domain value its command takes
(domain/grants/terms.py) by `api.commanding.command_from`; fields are named as the value's."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec

from api.commanding import record_id
from api.fields import Moment, Money, Reason
from domain.grants.terms import CouncilPriority, LocationKind, PaymentBasis, Trigger
from domain.organisations.organisation import LegalForm, SizeClass

programme_id, application_id, grant_id = record_id("grant programme"), record_id("application"), record_id("grant")

Key = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
LongText = Annotated[str, msgspec.Meta(min_length=1, max_length=10_000)]
Short = Annotated[str, msgspec.Meta(max_length=200)]
Points = Annotated[int, msgspec.Meta(ge=0, le=100)]
Area = Annotated[str, msgspec.Meta(min_length=1, max_length=4)]
Assessors = Annotated[int, msgspec.Meta(ge=2, le=10)]
Weight = Annotated[int, msgspec.Meta(ge=1, le=100)]


class Body(msgspec.Struct, forbid_unknown_fields=True):
    pass


# --- programmes ---------------------------------------------------------------------------------------------------


class CriterionBody(Body):
    key: Key
    name: Title
    weight: Weight
    scale: Annotated[int, msgspec.Meta(ge=1, le=100, description="The highest score on this criterion.")]


class EligibilityBody(Body):
    legal_forms: list[LegalForm] = []
    size_classes: list[SizeClass] = []
    vcse_only: bool = False
    postcode_areas: list[Area] = []


class ProgrammeBody(Body):
    code: Key
    title: Title
    description: LongText
    priority: CouncilPriority
    budget: Money
    opens: Moment
    closes: Moment
    minimum_award: Money
    maximum_award: Money
    criteria: Annotated[list[CriterionBody], msgspec.Meta(min_length=1, max_length=20)]
    assessors_needed: Assessors
    payment_basis: PaymentBasis
    eligibility: EligibilityBody = msgspec.field(default_factory=EligibilityBody)
    currency: Annotated[str, msgspec.Meta(pattern="^GBP$")] = "GBP"


class WindowExtension(Body):
    reason: Reason
    closes: Moment


class BudgetAdjustment(Body):
    reason: Reason
    budget: Money


# --- applications -------------------------------------------------------------------------------------------------


class LocationBody(Body):
    kind: LocationKind
    code: Annotated[str, msgspec.Meta(min_length=2, max_length=9)]
    name: Title


class BudgetLineBody(Body):
    item: Title
    amount: Money


class ProposalBody(Body):
    project_title: Title
    summary: LongText
    amount_requested: Money
    planned_start: date
    planned_end: date
    locations: Annotated[list[LocationBody], msgspec.Meta(min_length=1, max_length=50)]
    outcomes: Annotated[list[Annotated[str, msgspec.Meta(max_length=1000)]], msgspec.Meta(max_length=20)]
    budget: Annotated[list[BudgetLineBody], msgspec.Meta(min_length=1, max_length=50)]


class ProposalChangeBody(Body, omit_defaults=True):
    project_title: Title | None = None
    summary: LongText | None = None
    amount_requested: Money | None = None
    planned_start: date | None = None
    planned_end: date | None = None
    locations: Annotated[list[LocationBody], msgspec.Meta(min_length=1, max_length=50)] | None = None
    outcomes: Annotated[list[Annotated[str, msgspec.Meta(max_length=1000)]], msgspec.Meta(max_length=20)] | None = None
    budget: Annotated[list[BudgetLineBody], msgspec.Meta(min_length=1, max_length=50)] | None = None


class AssessorBody(Body):
    assessor: Annotated[str, msgspec.Meta(min_length=1, max_length=200, description="The assessor's subject.")]


class DeclarationBody(Body):
    conflict: bool
    statement: LongText


class ScoreBody(Body):
    criterion: Key
    score: Points
    justification: LongText


class ModerationBody(Body):
    criterion: Key
    score: Points
    note: LongText


class ConditionBody(Body):
    key: Key
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class InstalmentBody(Body):
    key: Key
    amount: Money
    trigger: Trigger
    due: date | None = None
    milestone: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    conditions: Annotated[list[Key], msgspec.Meta(max_length=20)] = []


class OfferBody(Body):
    reason: Reason
    amount: Money
    schedule: Annotated[list[InstalmentBody], msgspec.Meta(min_length=1, max_length=50)]
    expires: date
    conditions: Annotated[list[ConditionBody], msgspec.Meta(max_length=20)] = []
    uplift_reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    decided_on: date | None = None


class DeclineBody(Body):
    reason: Reason
    feedback: LongText


class AnswerBody(Body):
    """An applicant declining an offer says why."""

    reason: Reason


# --- grants -------------------------------------------------------------------------------------------------------


class DischargeBody(Body):
    reason: Reason
    condition: Key
    evidence: LongText


class ReturnBody(Body):
    period: Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    spend: Money
    progress: LongText


class ReviewBody(Body):
    reason: Reason
    period: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    accepted: bool


class GrantVariationBody(Body):
    reason: Reason
    amount: Money | None = None
    end: date | None = None


class UnderspendBody(Body):
    amount: Money
    explanation: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class UnderspendReturnBody(Body):
    reason: Reason
    repaid: Money


class ClawbackBody(Body):
    reason: Reason
    amount: Money


class ClosureBody(Body):
    reason: Reason
    actual_start: date
    actual_end: date
