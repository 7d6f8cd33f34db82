"""A grant programme: the council's offer of money for work that serves one of its priorities.

Lifecycle: drafted by a commissioner (code, priority, budget, window, award limits, eligibility, weighted
criteria, assessors per application, payment basis) -> published with a reason -> the window opens and closes
by the clock (the chronograph records each; commands obey the clock regardless) -> the window may be extended
and the budget adjusted, each with a reason -> closed.

The programme keeps the budget's ledger: every open offer and every grant commits money against it, and
releasing money (an offer declined or lapsed, a grant reduced, underspend returned, a clawback, a closure's
unpaid balance) frees it again. The sum committed never exceeds the budget: an offer and its commitment are
saved together, so two offers racing for the last of the money cannot both be saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID, uuid5

from domain.base import Context, MarketplaceAggregate
from domain.grants.rules import (
    AreasRecognised,
    AwardLimitsInOrder,
    BudgetCoversCommitments,
    BudgetNotOverCommitted,
    CriteriaWeighed,
    EnoughAssessorsRequired,
    KeyShaped,
    WindowCloseAfterOpening,
    pounds,
)
from domain.grants.terms import AssessmentCriterion, CouncilPriority, Eligibility, PaymentBasis, ProgrammeTerms
from domain.organisations.organisation import LegalForm, SizeClass
from domain.rules import DomainError, InOrder, Positive, StateAllows, TextWithin, check
from domain.tendering.terms import shallow_fields
from domain.values import choice, moment, money

PROGRAMMES = UUID("6f1d3c55-0b7e-4c43-9a59-2f0f4b1f0a11")


class ProgrammeStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


DRAFT, PUBLISHED, CLOSED = ProgrammeStatus.DRAFT, ProgrammeStatus.PUBLISHED, ProgrammeStatus.CLOSED


class WindowRecorded(StrEnum):
    """What the chronograph has recorded of a published programme's window (commands obey the clock itself)."""

    NOT_OPEN = "not-open"
    OPEN = "open"
    CLOSED = "closed"


def programme_uuid(code: str) -> UUID:
    """One programme per code: the code is how 360Giving data names it."""
    return uuid5(PROGRAMMES, code)


@dataclass(frozen=True)
class WindowStillOpen(InOrder):
    """Before the window closes (now earlier than the close)."""

    field: str | None = None

    @property
    def message(self) -> str:
        return f"The application window closed at {self.later.isoformat()}."


def checked_terms(terms: ProgrammeTerms) -> ProgrammeTerms:
    """The terms, if they keep every rule a programme's terms keep (amounts checked as money first)."""
    budget = money(terms.budget, "budget")
    minimum, maximum = money(terms.minimum_award, "minimum_award"), money(terms.maximum_award, "maximum_award")
    eligibility = terms.eligibility
    check(
        KeyShaped(terms.code, "code"),
        TextWithin(terms.title, "title", 200),
        TextWithin(terms.description, "description", 10_000),
        Positive(budget, "budget"),
        AwardLimitsInOrder(minimum, maximum, budget),
        WindowCloseAfterOpening(moment(terms.opens, "opens"), moment(terms.closes, "closes")),
        CriteriaWeighed(terms.criteria),
        EnoughAssessorsRequired(terms.assessors_needed),
        AreasRecognised([area.strip().upper() for area in eligibility.postcode_areas]),
    )
    for criterion in terms.criteria:
        check(KeyShaped(criterion.key, "criteria.key"), TextWithin(criterion.name, "criteria.name", 200))
    if terms.currency != "GBP":
        raise DomainError("The council's grants are in pounds sterling (GBP).", field="currency")
    return replace(
        terms,
        budget=budget,
        minimum_award=minimum,
        maximum_award=maximum,
        priority=choice(CouncilPriority, terms.priority, "priority"),
        payment_basis=choice(PaymentBasis, terms.payment_basis, "payment_basis"),
        eligibility=Eligibility(
            [choice(LegalForm, f, "eligibility.legal_forms") for f in eligibility.legal_forms],
            [choice(SizeClass, s, "eligibility.size_classes") for s in eligibility.size_classes],
            eligibility.vcse_only,
            [area.strip().upper() for area in eligibility.postcode_areas],
        ),
        criteria=[AssessmentCriterion(c.key, c.name.strip(), c.weight, c.scale) for c in terms.criteria],
        title=terms.title.strip(),
        description=terms.description.strip(),
    )


class GrantProgramme(MarketplaceAggregate):
    owner: str  # the funding organisation (org-id)
    code: str
    title: str
    description: str
    priority: str
    currency: str
    budget: Decimal
    opens: datetime
    closes: datetime
    minimum_award: Decimal
    maximum_award: Decimal
    eligibility: Eligibility
    criteria: list[AssessmentCriterion]
    assessors_needed: int
    payment_basis: str
    status: ProgrammeStatus = DRAFT
    window_recorded: WindowRecorded = WindowRecorded.NOT_OPEN
    commitments: dict[str, Decimal] = field(default_factory=dict)  # application id -> money offered or awarded

    class Drafted(MarketplaceAggregate.Created):
        owner: str
        code: str
        title: str
        description: str
        priority: str
        currency: str
        budget: Decimal
        opens: datetime
        closes: datetime
        minimum_award: Decimal
        maximum_award: Decimal
        eligibility: Eligibility
        criteria: list[AssessmentCriterion]
        assessors_needed: int
        payment_basis: str

    @classmethod
    def draft(cls, ctx: Context, owner: str, terms: ProgrammeTerms) -> GrantProgramme:
        terms = checked_terms(terms)
        return cls._create(
            cls.Drafted,
            id=programme_uuid(terms.code),
            **ctx.stamp(),
            owner=owner,
            **{**shallow_fields(terms), "criteria": list(terms.criteria)},
        )

    @property
    def committed(self) -> Decimal:
        return sum(self.commitments.values(), Decimal(0))

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.committed

    def window_open(self, now: datetime) -> bool:
        return self.status == PUBLISHED and self.opens <= now < self.closes

    def check_window(self, now: datetime) -> None:
        """Applications are made and submitted while the window is open, whatever the chronograph has recorded."""
        check(StateAllows(self.status, frozenset({PUBLISHED}), "apply to a programme"))
        if now < self.opens:
            raise DomainError(f"The application window opens at {self.opens.isoformat()}.", rule="WindowOpen")
        check(WindowStillOpen(now, self.closes))

    class Published(MarketplaceAggregate.Decision):
        def apply(self, programme: GrantProgramme) -> None:
            programme.status = PUBLISHED

    def publish(self, ctx: Context, reason: str) -> None:
        check(
            StateAllows(self.status, frozenset({DRAFT}), "publish a programme"), WindowStillOpen(ctx.now, self.closes)
        )
        self.decide(self.Published, ctx, reason)

    class WindowOpened(MarketplaceAggregate.Event):
        def apply(self, programme: GrantProgramme) -> None:
            programme.window_recorded = WindowRecorded.OPEN

    class WindowClosed(MarketplaceAggregate.Event):
        def apply(self, programme: GrantProgramme) -> None:
            programme.window_recorded = WindowRecorded.CLOSED

    def record_window(self, ctx: Context) -> bool:
        """The chronograph records the window opening and closing as each time passes (both, when both have
        passed since it last looked); False when nothing is due."""
        if self.status != PUBLISHED:
            return False
        due = False
        if self.window_recorded == WindowRecorded.NOT_OPEN and ctx.now >= self.opens:
            self.record(self.WindowOpened, ctx)
            due = True
        if self.window_recorded == WindowRecorded.OPEN and ctx.now >= self.closes:
            self.record(self.WindowClosed, ctx)
            due = True
        return due

    class WindowExtended(MarketplaceAggregate.Decision):
        closes: datetime

        def apply(self, programme: GrantProgramme) -> None:
            programme.closes = self.closes
            if programme.window_recorded == WindowRecorded.CLOSED:
                programme.window_recorded = WindowRecorded.OPEN

        def summary(self) -> str:
            return f"window extended to {self.closes.isoformat()}"

    def extend_window(self, ctx: Context, reason: str, closes: datetime) -> None:
        check(StateAllows(self.status, frozenset({PUBLISHED}), "extend the window"))
        check(
            WindowCloseAfterOpening(self.closes, moment(closes, "closes")),
            WindowStillOpen(ctx.now, closes, field="closes"),
        )
        self.decide(self.WindowExtended, ctx, reason, closes=closes)

    class BudgetAdjusted(MarketplaceAggregate.Decision):
        budget: Decimal

        def apply(self, programme: GrantProgramme) -> None:
            programme.budget = self.budget

        def summary(self) -> str:
            return f"budget adjusted to {pounds(self.budget)}"

    def adjust_budget(self, ctx: Context, reason: str, budget: Decimal) -> None:
        budget = money(budget, "budget")
        check(
            StateAllows(self.status, frozenset({DRAFT, PUBLISHED}), "adjust the budget"),
            Positive(budget, "budget"),
            BudgetCoversCommitments(budget, self.committed),
        )
        if budget == self.budget:
            raise DomainError("The budget is already that amount.", field="budget", rule="ChangesSomething")
        self.decide(self.BudgetAdjusted, ctx, reason, budget=budget)

    class FundsCommitted(MarketplaceAggregate.Event):
        application_id: str
        amount: Decimal

        def apply(self, programme: GrantProgramme) -> None:
            key = self.application_id
            programme.commitments[key] = programme.commitments.get(key, Decimal(0)) + self.amount

    def commit(self, ctx: Context, application_id: str, amount: Decimal) -> None:
        """Money offered (or a grant increased): refused (409) when it would over-commit the budget."""
        check(
            StateAllows(self.status, frozenset({PUBLISHED}), "commit money from a programme"),
            BudgetNotOverCommitted(self.budget, self.committed, amount),
        )
        self.record(self.FundsCommitted, ctx, application_id=application_id, amount=amount)

    class FundsReleased(MarketplaceAggregate.Event):
        application_id: str
        amount: Decimal
        cause: str  # offer declined, offer lapsed, grant reduced, underspend returned, clawback, grant closed

        def apply(self, programme: GrantProgramme) -> None:
            key = self.application_id
            programme.commitments[key] = programme.commitments.get(key, Decimal(0)) - self.amount

    def release(self, ctx: Context, application_id: str, amount: Decimal, cause: str) -> None:
        """Money no longer needed by an offer or a grant, free for others again."""
        held = self.commitments.get(application_id, Decimal(0))
        if not Decimal(0) < amount <= held:
            raise DomainError(f"Only {pounds(held)} is committed to that application.", rule="ReleaseWithinCommitment")
        self.record(self.FundsReleased, ctx, application_id=application_id, amount=amount, cause=cause)

    class Closed(MarketplaceAggregate.Decision):
        def apply(self, programme: GrantProgramme) -> None:
            programme.status = CLOSED

    def close(self, ctx: Context, reason: str) -> None:
        """No more offers: grants already made run on. The window must have closed first."""
        check(StateAllows(self.status, frozenset({PUBLISHED}), "close a programme"))
        if ctx.now < self.closes:
            raise DomainError("Close the programme once its application window has closed.", rule="WindowClosed")
        self.decide(self.Closed, ctx, reason)
