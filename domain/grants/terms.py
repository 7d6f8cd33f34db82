"""What grants' commands take, each as one value: a programme's terms, an application's proposal, an offer, a
monitoring return, a variation, and the parts they are made of (criteria, eligibility, locations, instalments).

The parts that events store (criteria, eligibility, locations, budget lines, conditions, instalments) are frozen
dataclasses of plain fields, stored by the event store's transcoder as JSON objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from domain.authority.delegation import DelegatedDecision
from domain.tendering.terms import shallow_fields


class CouncilPriority(StrEnum):
    """The six priorities of the council's strategy; every programme serves one."""

    HOMES = "more-people-with-a-suitable-home"
    CARE = "care-for-those-in-need-at-any-age"
    BUSINESS = "a-good-place-to-do-business"
    ENVIRONMENT = "a-healthy-environment"
    COMMUNITIES = "sustainable-places-and-communities"
    RURALITY = "embrace-our-rurality"


class PaymentBasis(StrEnum):
    """How a programme's grants are paid: what triggers each instalment."""

    IN_ADVANCE = "in-advance"  # by date, before the work
    IN_ARREARS = "in-arrears"  # by date, after the work (the council's default)
    MILESTONES = "milestones"  # when a milestone is reached
    RESULTS = "by-results"  # when an outcome is evidenced


class Trigger(StrEnum):
    """What makes an instalment due."""

    DATE = "date"
    MILESTONE = "milestone"
    OUTCOME = "outcome"


TRIGGERS = {
    PaymentBasis.IN_ADVANCE: Trigger.DATE,
    PaymentBasis.IN_ARREARS: Trigger.DATE,
    PaymentBasis.MILESTONES: Trigger.MILESTONE,
    PaymentBasis.RESULTS: Trigger.OUTCOME,
}


class GrantStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class ReturnStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"  # sent back for changes


class LocationKind(StrEnum):
    """How a beneficiary location is named: a postcode district (SY1) or a parish by its ONS code (E04...)."""

    POSTCODE_DISTRICT = "postcode-district"
    PARISH = "parish"


@dataclass(frozen=True)
class AssessmentCriterion:
    """A weighted criterion applications are scored on, each on its stated scale (0 to `scale`)."""

    key: str
    name: str
    weight: int  # percent: a programme's weights sum to 100
    scale: int  # the highest score


@dataclass(frozen=True)
class Eligibility:
    """Who may apply: an empty list allows any legal form or size; areas are postcode areas (SY) or districts."""

    legal_forms: list[str] = field(default_factory=list)
    size_classes: list[str] = field(default_factory=list)
    vcse_only: bool = False
    postcode_areas: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ProgrammeTerms:
    """Everything a grant programme publishes: what it funds, for whom, how much, when, and how it judges."""

    code: str
    title: str
    description: str
    priority: str  # a CouncilPriority code
    budget: Decimal
    opens: datetime
    closes: datetime
    minimum_award: Decimal
    maximum_award: Decimal
    eligibility: Eligibility
    criteria: Sequence[AssessmentCriterion]
    assessors_needed: int
    payment_basis: str  # a PaymentBasis code
    currency: str = "GBP"


@dataclass(frozen=True)
class CriterionScore:
    """One assessor's score on one criterion, justified."""

    criterion: str
    score: int
    justification: str


@dataclass(frozen=True)
class AgreedScore:
    """Moderation's agreed score on one criterion."""

    criterion: str
    score: int
    note: str


@dataclass(frozen=True)
class Location:
    """Where the people a project benefits live."""

    kind: str  # a LocationKind code
    code: str  # SY1, or E04012345
    name: str


@dataclass(frozen=True)
class BudgetLine:
    item: str
    amount: Decimal


@dataclass(frozen=True)
class Proposal:
    """What an applicant asks for and commits to."""

    project_title: str
    summary: str
    amount_requested: Decimal
    planned_start: date
    planned_end: date
    locations: Sequence[Location]
    outcomes: Sequence[str]
    budget: Sequence[BudgetLine]


@dataclass(frozen=True)
class ProposalChange:
    """Some of a draft's proposal, changed: a part left None stays as it is."""

    project_title: str | None = None
    summary: str | None = None
    amount_requested: Decimal | None = None
    planned_start: date | None = None
    planned_end: date | None = None
    locations: Sequence[Location] | None = None
    outcomes: Sequence[str] | None = None
    budget: Sequence[BudgetLine] | None = None

    def given(self) -> dict[str, Any]:
        return {name: value for name, value in shallow_fields(self).items() if value is not None}


@dataclass(frozen=True)
class Condition:
    """Something the grantee must do before the instalments that depend on it are paid."""

    key: str
    text: str


@dataclass(frozen=True)
class Instalment:
    """One payment of a grant: its amount, what makes it due, and the conditions it waits for."""

    key: str
    amount: Decimal
    trigger: str  # a Trigger code
    due: date | None = None  # for a date trigger
    milestone: str = ""  # the milestone or outcome, for the others
    conditions: list[str] = field(default_factory=list)  # condition keys


@dataclass(frozen=True)
class OfferTerms:
    """A conditional offer: how much (more than asked only with an uplift reason), on what conditions, paid how,
    open until when, and the day the award was decided (never in the future)."""

    amount: Decimal
    conditions: Sequence[Condition]
    schedule: Sequence[Instalment]
    expires: date
    uplift_reason: str = ""
    decided_on: date | None = None  # today when not given


@dataclass(frozen=True)
class OfferGrant(DelegatedDecision):
    """The decision to offer a grant, with its reasons: a delegated decision, which may be held for approval."""

    terms: OfferTerms
    reason: str


@dataclass(frozen=True)
class Payment:
    """An instalment paid: disbursement records the money leaving (invoices and payment runs come later)."""

    instalment: str
    amount: Decimal | None  # the instalment's amount when not given
    paid_on: date
    reference: str = ""


@dataclass(frozen=True)
class MonitoringReturn:
    """A period's return: money spent and progress against the outcomes committed to."""

    period: str  # e.g. 2027-Q1
    spend: Decimal
    progress: str


@dataclass(frozen=True)
class GrantVariation:
    """A change to a grant's amount or end date: a part left None stays as it is."""

    amount: Decimal | None = None
    end: date | None = None


@dataclass(frozen=True)
class Closure:
    """How a grant ended: the project's actual dates."""

    actual_start: date
    actual_end: date
