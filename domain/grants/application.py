"""An application for a grant, from its first draft to the decision on it and the applicant's answer.

Lifecycle: drafted by an eligible, active organisation while the window is open -> drafts saved -> submitted
(before the window closes) -> changes may be requested and the application resubmitted -> assessors assigned,
each declaring any conflict before scoring every criterion with a justification -> moderation agrees each
criterion's score -> the decision, with reasons: a conditional offer (amount, conditions, payment schedule,
expiry) or a decline with feedback -> the applicant accepts the offer (the grant agreement) or declines it, or
it lapses by the clock at its expiry. The applicant may withdraw until it is decided.
"""

from __future__ import annotations

from dataclasses import field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from domain.assessment import (
    AssessorState,
    NotConflicted,
    Panel,
    ScoreOnScale,
    all_scored,
    declared,
    declaring,
    joining,
    scoring,
)
from domain.base import Context, MarketplaceAggregate
from domain.grants.eligibility import Applicant, checked_proposal, eligibility_rules
from domain.grants.offer import checked_offer
from domain.grants.programme import GrantProgramme
from domain.grants.rules import (
    pounds,
)
from domain.grants.terms import (
    AgreedScore,
    AssessmentCriterion,
    BudgetLine,
    Condition,
    CriterionScore,
    Instalment,
    Location,
    OfferTerms,
    Proposal,
    ProposalChange,
)
from domain.rules import DomainError, Refusal, StateAllows, TextWithin, check

CENT = Decimal("0.01")


class ApplicationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes-requested"
    OFFERED = "offered"
    DECLINED = "declined"  # the council declined it
    WITHDRAWN = "withdrawn"
    ACCEPTED = "accepted"  # the offer accepted: a grant
    OFFER_DECLINED = "offer-declined"  # the applicant declined the offer
    LAPSED = "lapsed"  # the offer expired unaccepted


S = ApplicationStatus
UNDECIDED = frozenset({S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED})
EDITABLE = frozenset({S.DRAFT, S.CHANGES_REQUESTED})


class GrantApplication(MarketplaceAggregate):
    programme_id: str
    applicant: str  # org-id
    applicant_name: str
    project_title: str
    summary: str
    amount_requested: Decimal
    planned_start: date
    planned_end: date
    locations: list[Location]
    outcomes: list[str]
    budget: list[BudgetLine]
    status: ApplicationStatus = S.DRAFT
    assessors: dict[str, AssessorState] = field(default_factory=dict)  # subject -> where they stand
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)  # "criterion|assessor" -> score, justification
    agreed: dict[str, dict[str, Any]] = field(default_factory=dict)  # criterion -> moderated score and note
    offer: dict[str, Any] | None = None  # amount, conditions, schedule, expires, decided_on

    class Drafted(MarketplaceAggregate.Created):
        programme_id: str
        applicant: str
        applicant_name: str
        project_title: str
        summary: str
        amount_requested: Decimal
        planned_start: date
        planned_end: date
        locations: list[Location]
        outcomes: list[str]
        budget: list[BudgetLine]

    @classmethod
    def draft(
        cls, ctx: Context, programme: GrantProgramme, applicant: Applicant, proposal: Proposal
    ) -> GrantApplication:
        """Refused, naming the rule, when the applicant is not eligible or the window is not open."""
        programme.check_window(ctx.now)
        check(*eligibility_rules(programme.eligibility, applicant))
        proposal = checked_proposal(proposal, programme)
        return cls._create(
            cls.Drafted,
            **ctx.stamp(),
            programme_id=str(programme.id),
            applicant=applicant.identifier,
            applicant_name=applicant.name,
            **{name: getattr(proposal, name) for name in Proposal.__dataclass_fields__},
        )

    @property
    def panel(self) -> Panel:
        return Panel(self.assessors, "this application")

    class DraftSaved(MarketplaceAggregate.Event):
        changes: dict[str, Any]

        def apply(self, application: GrantApplication) -> None:
            for name, value in self.changes.items():
                setattr(application, name, value)

    def save_draft(self, ctx: Context, programme: GrantProgramme, change: ProposalChange) -> None:
        check(StateAllows(self.status, EDITABLE, "change an application"))
        current = Proposal(**{name: getattr(self, name) for name in Proposal.__dataclass_fields__})
        proposal = checked_proposal(Proposal(**{**vars(current), **change.given()}), programme)
        changes = {
            name: getattr(proposal, name)
            for name in change.given()
            if getattr(proposal, name) != getattr(current, name)
        }
        if not changes:
            raise DomainError("The draft changes nothing.", rule="ChangesSomething")
        self.record(self.DraftSaved, ctx, changes=changes)

    class Submitted(MarketplaceAggregate.Event):
        def apply(self, application: GrantApplication) -> None:
            application.status = S.SUBMITTED

    def submit(self, ctx: Context, programme: GrantProgramme, applicant: Applicant) -> None:
        """A first submission is made within the window; an answer to a request for changes may come after it."""
        check(StateAllows(self.status, EDITABLE, "submit an application"))
        if self.status == S.DRAFT:
            programme.check_window(ctx.now)
        check(*eligibility_rules(programme.eligibility, applicant))
        checked_proposal(Proposal(**{name: getattr(self, name) for name in Proposal.__dataclass_fields__}), programme)
        self.record(self.Submitted, ctx)

    class Withdrawn(MarketplaceAggregate.Event):
        def apply(self, application: GrantApplication) -> None:
            application.status = S.WITHDRAWN

    def withdraw(self, ctx: Context) -> None:
        check(StateAllows(self.status, UNDECIDED, "withdraw an application"))
        self.record(self.Withdrawn, ctx)

    class ChangesRequested(MarketplaceAggregate.Decision):
        def apply(self, application: GrantApplication) -> None:
            application.status = S.CHANGES_REQUESTED

        def summary(self) -> str:
            return "changes requested"

    def request_changes(self, ctx: Context, reason: str) -> None:
        """The reason says what to change; scores given so far stand."""
        check(StateAllows(self.status, frozenset({S.SUBMITTED}), "request changes"))
        self._decider(ctx)
        self.decide(self.ChangesRequested, ctx, reason)

    # --- assessment ---------------------------------------------------------------------------------------------

    class AssessorAssigned(MarketplaceAggregate.Event):
        assessor: str

        def apply(self, application: GrantApplication) -> None:
            application.assessors[self.assessor] = AssessorState.ASSIGNED

    def assign(self, ctx: Context, assessor: str) -> None:
        check(StateAllows(self.status, frozenset({S.SUBMITTED}), "assign an assessor"))
        check(*joining(self.panel, assessor, "assessor"))
        self.record(self.AssessorAssigned, ctx, assessor=assessor)

    class InterestsDeclared(MarketplaceAggregate.Event):
        assessor: str
        conflict: bool
        statement: str

        def apply(self, application: GrantApplication) -> None:
            application.assessors[self.assessor] = declared(self.conflict)

    def declare(self, ctx: Context, conflict: bool, statement: str) -> None:
        assessor = ctx.actor.subject
        check(*declaring(self.panel, assessor, statement))
        self.record(self.InterestsDeclared, ctx, assessor=assessor, conflict=conflict, statement=statement.strip())

    class Scored(MarketplaceAggregate.Event):
        criterion: str
        assessor: str
        score: int
        justification: str

        def apply(self, application: GrantApplication) -> None:
            key = f"{self.criterion}|{self.assessor}"
            application.scores[key] = {"score": self.score, "justification": self.justification}

    def score(self, ctx: Context, programme: GrantProgramme, mark: CriterionScore) -> None:
        assessor = ctx.actor.subject
        check(StateAllows(self.status, frozenset({S.SUBMITTED}), "score an application"))
        check(*scoring(self.panel, assessor, mark.justification))
        check(ScoreOnScale(mark.score, maximum=_criterion(programme, mark.criterion).scale))
        self.record(
            self.Scored,
            ctx,
            criterion=mark.criterion,
            assessor=assessor,
            score=mark.score,
            justification=mark.justification.strip(),
        )

    class Moderated(MarketplaceAggregate.Event):
        criterion: str
        score: int
        note: str

        def apply(self, application: GrantApplication) -> None:
            application.agreed[self.criterion] = {"score": self.score, "note": self.note}

    def moderate(self, ctx: Context, programme: GrantProgramme, agreed: AgreedScore) -> None:
        """The agreed score, once enough assessors cleared of conflict have scored and every scorer has."""
        check(StateAllows(self.status, frozenset({S.SUBMITTED}), "moderate an application"))
        self._decider(ctx)
        criterion, score, note = agreed.criterion, agreed.score, agreed.note
        scale = _criterion(programme, criterion).scale
        scored = [who for who in self.assessors if f"{criterion}|{who}" in self.scores]
        check(all_scored(self.panel, scored, "assessor"), ScoreOnScale(score, maximum=scale))
        cleared = len(self.panel.cleared())
        if cleared < programme.assessors_needed:
            raise DomainError(
                f"This programme needs {programme.assessors_needed} assessors free of conflict ({cleared} so far).",
                kind=Refusal.CONFLICT,
                rule="EnoughAssessors",
            )
        check(TextWithin(note, "note", 10_000))
        self.record(self.Moderated, ctx, criterion=criterion, score=score, note=note.strip())

    def total_score(self, programme: GrantProgramme) -> Decimal:
        """The weighted total of the agreed scores, out of 100; refused until every criterion is moderated."""
        missing = [c.key for c in programme.criteria if c.key not in self.agreed]
        if missing:
            raise DomainError(
                f"Moderation is not complete: no agreed score yet for {', '.join(missing)}.",
                kind=Refusal.CONFLICT,
                rule="ModerationComplete",
            )
        total = sum((Decimal(self.agreed[c.key]["score"]) / c.scale * c.weight for c in programme.criteria), Decimal(0))
        return total.quantize(CENT, ROUND_HALF_UP)

    # --- the decision and the answer ----------------------------------------------------------------------------

    class Offered(MarketplaceAggregate.Decision):
        amount: Decimal
        uplift_reason: str
        conditions: list[Condition]
        schedule: list[Instalment]
        expires: date
        decided_on: date
        total_score: Decimal

        def apply(self, application: GrantApplication) -> None:
            application.status = S.OFFERED
            application.offer = {
                "amount": self.amount,
                "conditions": self.conditions,
                "schedule": self.schedule,
                "expires": self.expires,
                "decided_on": self.decided_on,
            }

        def summary(self) -> str:
            return f"grant offered: {pounds(self.amount)}, open until {self.expires}"

    def make_offer(self, ctx: Context, programme: GrantProgramme, reason: str, terms: OfferTerms) -> Decimal:
        """A conditional offer; returns the amount the programme must commit (its caller commits it)."""
        check(StateAllows(self.status, frozenset({S.SUBMITTED}), "offer a grant"))
        self._decider(ctx)
        terms = checked_offer(terms, programme, self.amount_requested, ctx.today)
        total = self.total_score(programme)
        self.decide(
            self.Offered,
            ctx,
            reason,
            amount=terms.amount,
            uplift_reason=terms.uplift_reason,
            conditions=list(terms.conditions),
            schedule=list(terms.schedule),
            expires=terms.expires,
            decided_on=terms.decided_on,
            total_score=total,
        )
        return terms.amount

    class Declined(MarketplaceAggregate.Decision):
        feedback: str

        def apply(self, application: GrantApplication) -> None:
            application.status = S.DECLINED

        def summary(self) -> str:
            return "application declined"

    def decline(self, ctx: Context, reason: str, feedback: str) -> None:
        check(StateAllows(self.status, frozenset({S.SUBMITTED, S.CHANGES_REQUESTED}), "decline an application"))
        self._decider(ctx)
        check(TextWithin(feedback, "feedback", 10_000))
        self.decide(self.Declined, ctx, reason, feedback=feedback.strip())

    def _decider(self, ctx: Context) -> None:
        """A conflicted assessor neither scores, moderates nor decides."""
        check(NotConflicted(self.panel, ctx.actor.subject))

    class OfferAccepted(MarketplaceAggregate.Event):
        def apply(self, application: GrantApplication) -> None:
            application.status = S.ACCEPTED

    def accept(self, ctx: Context) -> dict[str, Any]:
        """The grant agreement: returns the offer the grant is made on."""
        self._offer_open(ctx)
        self.record(self.OfferAccepted, ctx)
        assert self.offer is not None
        return self.offer

    class OfferDeclined(MarketplaceAggregate.Event):
        reason: str

        def apply(self, application: GrantApplication) -> None:
            application.status = S.OFFER_DECLINED

    def decline_offer(self, ctx: Context, reason: str) -> Decimal:
        """Returns the money the programme releases."""
        self._offer_open(ctx)
        self.record(self.OfferDeclined, ctx, reason=reason.strip())
        return self._offered_amount()

    class OfferLapsed(MarketplaceAggregate.Event):
        def apply(self, application: GrantApplication) -> None:
            application.status = S.LAPSED

    def lapse(self, ctx: Context) -> Decimal | None:
        """The chronograph's record of an offer unaccepted at its expiry; None when it is not yet due."""
        if self.status != S.OFFERED or ctx.today <= self._expires():
            return None
        self.record(self.OfferLapsed, ctx)
        return self._offered_amount()

    def _offer_open(self, ctx: Context) -> None:
        check(StateAllows(self.status, frozenset({S.OFFERED}), "answer an offer"))
        if ctx.today > self._expires():
            raise DomainError(f"The offer expired on {self._expires()}.", kind=Refusal.CONFLICT, rule="OfferOpen")

    def _expires(self) -> date:
        assert self.offer is not None
        expires: date = self.offer["expires"]
        return expires

    def _offered_amount(self) -> Decimal:
        assert self.offer is not None
        amount: Decimal = self.offer["amount"]
        return amount


def _criterion(programme: GrantProgramme, key: str) -> AssessmentCriterion:
    for criterion in programme.criteria:
        if criterion.key == key:
            return criterion
    raise DomainError(f"No assessment criterion {key}.", field="criterion", kind=Refusal.NOT_FOUND, rule="Exists")
