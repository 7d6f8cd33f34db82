"""An expression of interest: a relevant body asks to run a council service (Localism Act 2011 ss.81-86).

Lifecycle: submitted by a relevant body (an organisation of a qualifying legal form, or a staff group of two or
more employees) for a service the right applies to, within a window where the service has windows; the decision
deadline is fixed then, from the periods the council stated -> acknowledged (the deadline shown to the body) ->
a modification may be proposed, which happens only if the body agrees -> accepted (with the agreed modification,
if there is one) or rejected on one or more statutory grounds, always with reasons -> after acceptance, the
procurement exercise is due within the stated period and starts when a tender naming the service is published.
The body may withdraw until the decision. The clock flags a decision, or a procurement, not made in time.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any
from uuid import uuid4

from domain.base import Context, MarketplaceAggregate
from domain.challenge.council_service import ACTIVE as SERVICE_ACTIVE
from domain.challenge.council_service import CouncilService, checked_area
from domain.challenge.rules import (
    ModificationAnswered,
    OnlyAStaffGroupNamesMembers,
    OnStatutoryGrounds,
    RelevantBody,
    ServiceNotExcluded,
    StaffEngagementSaid,
    StaffGroupOfTwoOrMore,
    WithinAWindow,
)
from domain.challenge.terms import Body, BodyKind, Ground, Interest, Member, Partner, PartnerRole, Periods, Rejection
from domain.grants.terms import Location
from domain.rules import DomainError, Refusal, StateAllows, TextWithin, check
from domain.values import choice
from domain.working_days import uk_date

LONG = 10_000


class ExpressionStatus(StrEnum):
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    MODIFICATION_PROPOSED = "modification-proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Outcome(StrEnum):
    """What the council decided, as the public register says it."""

    ACCEPTED = "accepted"
    ACCEPTED_WITH_MODIFICATION = "accepted-with-modification"
    REJECTED = "rejected"


SUBMITTED, ACKNOWLEDGED = ExpressionStatus.SUBMITTED, ExpressionStatus.ACKNOWLEDGED
PROPOSED, ACCEPTED = ExpressionStatus.MODIFICATION_PROPOSED, ExpressionStatus.ACCEPTED
REJECTED, WITHDRAWN = ExpressionStatus.REJECTED, ExpressionStatus.WITHDRAWN
UNDECIDED = frozenset({SUBMITTED, ACKNOWLEDGED, PROPOSED})


def checked_interest(interest: Interest, body: Body | None) -> dict[str, Any]:
    """What the body says, if Schedule 1 is answered and the body is a relevant one."""
    kind = choice(BodyKind, interest.body_kind, "body_kind")
    members = [Member(m.name.strip(), m.job_title.strip()) for m in interest.members]
    if kind == BodyKind.STAFF_GROUP:
        if body is not None:  # the organisation signed in is in the register: it speaks as itself
            raise DomainError(
                f"{body.name} is in the register: it expresses an interest as itself, not as a staff group.",
                field="body_kind",
                kind=Refusal.FORBIDDEN,
                rule="StaffGroupNotAnOrganisation",
            )
        employees = {(m.name.casefold(), m.job_title.casefold()) for m in members}  # each employee counted once
        check(
            StaffGroupOfTwoOrMore(len(employees), "members"),
            TextWithin(interest.group_name, "group_name", 200),
            StaffEngagementSaid(interest.staff_engagement, "staff_engagement"),
        )
        for member in members:
            check(TextWithin(member.name, "members.name", 200), TextWithin(member.job_title, "members.job_title", 200))
    else:
        if members or interest.group_name.strip():
            check(OnlyAStaffGroupNamesMembers(kind, "members"))
        if body is None or not body.active:
            raise DomainError(
                "Register the organisation, and keep it active, before it expresses an interest.",
                field="body_kind",
                kind=Refusal.FORBIDDEN,
                rule="RegisteredBody",
            )
        check(RelevantBody(body.legal_form))
    for name in ("financial_resources", "capability_evidence", "well_being", "users_needs"):
        check(TextWithin(getattr(interest, name), name, LONG))
    if not interest.outcomes:
        raise DomainError("Say the outcomes the body would achieve.", field="outcomes", rule="OutcomesGiven")
    for outcome in interest.outcomes:
        check(TextWithin(outcome, "outcomes", 1000))
    partners = []
    for partner in interest.partners:
        check(
            TextWithin(partner.name, "partners.name", 200), TextWithin(partner.identifier, "partners.identifier", 60, 0)
        )
        role = choice(PartnerRole, partner.role, "partners.role")
        partners.append(Partner(role, partner.name.strip(), partner.identifier.strip()))
    return {
        "body_kind": kind,
        "group_name": interest.group_name.strip(),
        "members": members,
        "partners": partners,
        "financial_resources": interest.financial_resources.strip(),
        "capability_evidence": interest.capability_evidence.strip(),
        "outcomes": [outcome.strip() for outcome in interest.outcomes],
        "well_being": interest.well_being.strip(),
        "users_needs": interest.users_needs.strip(),
        "staff_engagement": interest.staff_engagement.strip(),
        "area": checked_area(interest.area),
    }


class ExpressionOfInterest(MarketplaceAggregate):
    service_id: str
    council: str  # the service's owner: who decides
    body: str  # the organisation expressing it (a staff group: the identifier its members sign in under)
    body_name: str  # the organisation's name, or the staff group's
    body_kind: str
    legal_form: str
    group_name: str
    members: list[Member]
    partners: list[Partner]
    financial_resources: str
    capability_evidence: str
    outcomes: list[str]
    well_being: str
    users_needs: str
    staff_engagement: str
    area: list[Location]
    window_id: str
    periods: Periods
    submitted_on: date
    decision_due: date
    status: ExpressionStatus = SUBMITTED
    acknowledged_on: date | None = None
    modification: str = ""
    modification_agreed: bool = False
    outcome: str = ""
    grounds: tuple[str, ...] = ()
    reasons: str = ""  # the decision's
    decided_on: date | None = None
    procurement_earliest: date | None = None
    procurement_due_by: date | None = None
    tender_id: str = ""
    decision_overdue: bool = False
    procurement_overdue: bool = False

    class Submitted(MarketplaceAggregate.Created):
        service_id: str
        council: str
        body: str
        body_name: str
        body_kind: str
        legal_form: str
        group_name: str
        members: list[Member]
        partners: list[Partner]
        financial_resources: str
        capability_evidence: str
        outcomes: list[str]
        well_being: str
        users_needs: str
        staff_engagement: str
        area: list[Location]
        window_id: str
        periods: Periods
        submitted_on: date
        decision_due: date

    @classmethod
    def submit(
        cls, ctx: Context, service: CouncilService, body: Body | None, interest: Interest
    ) -> ExpressionOfInterest:
        """Refused, with the rule, when the body is not a relevant one, the service is excluded, or no window of
        the service's is open; the decision is due the stated days after the window closes (or after today)."""
        check(
            StateAllows(service.status, frozenset({SERVICE_ACTIVE}), "express an interest in a service"),
            ServiceNotExcluded(service.excluded, service.exclusion_ground),
            WithinAWindow(ctx.today, list(service.windows.values())),
        )
        said = checked_interest(interest, body)
        found = service.window_on(ctx.today)
        window_id, periods = (found[0], found[1].periods or service.periods) if found else ("", service.periods)
        counted_from = found[1].closes if found else ctx.today
        staff = said["body_kind"] == BodyKind.STAFF_GROUP
        return cls._create(
            cls.Submitted,
            id=uuid4(),
            **ctx.stamp(),
            service_id=str(service.id),
            council=service.owner,
            body=ctx.actor.organisation,
            body_name=said["group_name"] if staff or body is None else body.name,
            legal_form="" if staff or body is None else body.legal_form,
            **said,
            window_id=window_id,
            periods=periods,
            submitted_on=ctx.today,
            decision_due=periods.after(counted_from, periods.decide_within),
        )

    def _undecided(self, action: str, allowed: frozenset[str] = UNDECIDED) -> None:
        check(StateAllows(self.status, allowed, action))

    class Acknowledged(MarketplaceAggregate.Event):
        decision_due: date

        def apply(self, expression: ExpressionOfInterest) -> None:
            expression.status, expression.acknowledged_on = ACKNOWLEDGED, uk_date(self.timestamp)

    def acknowledge(self, ctx: Context) -> None:
        """The council has it, and tells the body the day its decision is due."""
        self._undecided("acknowledge an expression of interest", frozenset({SUBMITTED}))
        self.record(self.Acknowledged, ctx, decision_due=self.decision_due)

    class ModificationProposed(MarketplaceAggregate.Decision):
        modification: str

        def apply(self, expression: ExpressionOfInterest) -> None:
            expression.status, expression.modification = PROPOSED, self.modification
            expression.modification_agreed = False

    def propose_modification(self, ctx: Context, reason: str, modification: str) -> None:
        """Where the council would otherwise reject it (s.83(10)): the change it could accept, and why."""
        self._undecided("propose a modification", frozenset({ACKNOWLEDGED}))
        check(TextWithin(modification, "modification", LONG, 3))
        self.decide(self.ModificationProposed, ctx, reason, modification=modification.strip())

    class ModificationAgreed(MarketplaceAggregate.Event):
        def apply(self, expression: ExpressionOfInterest) -> None:
            expression.status, expression.modification_agreed = ACKNOWLEDGED, True

    def agree_modification(self, ctx: Context) -> None:
        self._undecided("agree a modification", frozenset({PROPOSED}))
        self.record(self.ModificationAgreed, ctx)

    class ModificationDeclined(MarketplaceAggregate.Decision):
        def apply(self, expression: ExpressionOfInterest) -> None:
            expression.status, expression.modification = ACKNOWLEDGED, ""

    def decline_modification(self, ctx: Context, reason: str) -> None:
        """The body keeps its expression as it made it; the council then accepts it as it is or rejects it."""
        self._undecided("decline a modification", frozenset({PROPOSED}))
        self.decide(self.ModificationDeclined, ctx, reason)

    class Accepted(MarketplaceAggregate.Decision):
        outcome: str
        procurement_earliest: date
        procurement_due_by: date

        def apply(self, expression: ExpressionOfInterest) -> None:
            expression.status, expression.outcome, expression.decided_on = (
                ACCEPTED,
                self.outcome,
                uk_date(self.timestamp),
            )
            expression.procurement_earliest = self.procurement_earliest
            expression.procurement_due_by = self.procurement_due_by

        def summary(self) -> str:
            return f"expression of interest {self.outcome}; procurement due by {self.procurement_due_by}"

    def accept(self, ctx: Context, reason: str) -> None:
        """Accepted (with the modification the body agreed, if any): the procurement exercise is then due."""
        self._undecided("accept an expression of interest", frozenset({ACKNOWLEDGED, PROPOSED}))
        check(ModificationAnswered(self.status == PROPOSED))
        agreed = Outcome.ACCEPTED_WITH_MODIFICATION if self.modification_agreed else Outcome.ACCEPTED
        earliest = self.periods.after(ctx.today, self.periods.procure_after)
        due_by = self.periods.after(ctx.today, self.periods.procure_within)
        self.decide(
            self.Accepted, ctx, reason, outcome=agreed.value, procurement_earliest=earliest, procurement_due_by=due_by
        )

    class Rejected(MarketplaceAggregate.Decision):
        grounds: list[str]

        def apply(self, expression: ExpressionOfInterest) -> None:
            expression.status, expression.outcome = REJECTED, Outcome.REJECTED.value
            expression.grounds, expression.decided_on = tuple(self.grounds), uk_date(self.timestamp)
            expression.reasons = self.reason

        def summary(self) -> str:
            return "expression of interest rejected on grounds: " + ", ".join(self.grounds)

    def reject(self, ctx: Context, rejection: Rejection) -> None:
        """Rejected on one or more of the Schedule's grounds only, with reasons."""
        self._undecided("reject an expression of interest", frozenset({ACKNOWLEDGED, PROPOSED}))
        check(OnStatutoryGrounds(list(rejection.grounds), "grounds"))
        grounds = [choice(Ground, ground, "grounds") for ground in rejection.grounds]
        self.decide(self.Rejected, ctx, rejection.reason, grounds=grounds)

    class Withdrawn(MarketplaceAggregate.Event):
        def apply(self, expression: ExpressionOfInterest) -> None:
            expression.status = WITHDRAWN

    def withdraw(self, ctx: Context) -> None:
        self._undecided("withdraw an expression of interest")
        self.record(self.Withdrawn, ctx)

    class DecisionOverdue(MarketplaceAggregate.Event):
        def apply(self, expression: ExpressionOfInterest) -> None:
            expression.decision_overdue = True

    class ProcurementOverdue(MarketplaceAggregate.Event):
        def apply(self, expression: ExpressionOfInterest) -> None:
            expression.procurement_overdue = True

    def record_overdue(self, ctx: Context) -> bool:
        """The clock flags a decision not made by its day, or a procurement not started by its; False when
        neither is due."""
        if self.status in UNDECIDED and not self.decision_overdue and ctx.today > self.decision_due:
            self.record(self.DecisionOverdue, ctx)
            return True
        due_by = self.procurement_due_by
        waiting = self.status == ACCEPTED and not self.tender_id and not self.procurement_overdue
        if waiting and due_by is not None and ctx.today > due_by:
            self.record(self.ProcurementOverdue, ctx)
            return True
        return False

    class ProcurementStarted(MarketplaceAggregate.Event):
        tender_id: str

        def apply(self, expression: ExpressionOfInterest) -> None:
            expression.tender_id = self.tender_id

    def procurement_started(self, ctx: Context, tender_id: str) -> None:
        """A tender naming the service was published: the procurement this acceptance led to."""
        check(StateAllows(self.status, frozenset({ACCEPTED}), "start a procurement for an expression of interest"))
        self.record(self.ProcurementStarted, ctx, tender_id=tender_id)


def accepted_for(service: CouncilService, expression: ExpressionOfInterest, ctx: Context) -> None:
    """The service waits for the procurement the acceptance leads to (saved with the acceptance)."""
    assert expression.procurement_earliest is not None and expression.procurement_due_by is not None
    service.challenge_accepted(ctx, str(expression.id), expression.procurement_earliest, expression.procurement_due_by)
