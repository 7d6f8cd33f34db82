"""The rules grants keep, each a named object with the message an officer or an applicant understands.

They are grouped by the record that keeps them: a programme's terms and budget, an applicant's eligibility,
an application's proposal, an offer, and a grant's money (paid minus reclaimed never more than the award).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.grants.terms import AssessmentCriterion, Instalment
from domain.rules import InOrder, Rule, StateRule, ValueRule

AREA = re.compile(r"^[A-Z]{1,2}(\d[A-Z\d]?)?$")  # a postcode area (SY) or district (SY3)
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


def pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


# --- a programme's terms and budget ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyShaped(ValueRule[str]):
    """Codes and keys appear in identifiers and open data: letters, digits, '.', '_' and '-', up to 40."""

    def is_broken(self) -> bool:
        return not _KEY.match(self.value)

    @property
    def message(self) -> str:
        return f"{self.field} must be 1 to 40 letters, digits, '.', '_' or '-', starting with a letter or digit."


@dataclass(frozen=True)
class WindowCloseAfterOpening(InOrder):
    field: str | None = "closes"
    message = "The application window must close after it opens."


@dataclass(frozen=True)
class AwardLimitsInOrder(Rule):
    minimum: Decimal
    maximum: Decimal
    budget: Decimal
    field: str | None = "maximum_award"

    def is_broken(self) -> bool:
        return not (self.minimum <= self.maximum <= self.budget) or self.maximum <= 0

    @property
    def message(self) -> str:
        return "The maximum award must be more than zero, at least the minimum award and no more than the budget."


@dataclass(frozen=True)
class CriteriaWeighed(Rule):
    """Applications are judged on weighted criteria: at least one, keys unique, whole weights summing to 100,
    each on a scale of 1 to 100."""

    criteria: Sequence[AssessmentCriterion]
    field: str | None = "criteria"

    def is_broken(self) -> bool:
        keys = [c.key for c in self.criteria]
        return (
            not self.criteria
            or len(set(keys)) != len(keys)
            or any(c.weight <= 0 or not 1 <= c.scale <= 100 for c in self.criteria)
            or sum(c.weight for c in self.criteria) != 100
        )

    @property
    def message(self) -> str:
        return "Criteria need unique keys, positive whole weights summing to 100, and a scale from 1 to 100."


@dataclass(frozen=True)
class EnoughAssessorsRequired(ValueRule[int]):
    """Every application is assessed by at least two people, so no one person decides who is funded."""

    field: str | None = "assessors_needed"
    message = "Each application needs at least 2 assessors (and no more than 10)."

    def is_broken(self) -> bool:
        return not 2 <= self.value <= 10


@dataclass(frozen=True)
class AreasRecognised(ValueRule[Sequence[str]]):
    field: str | None = "eligibility.postcode_areas"

    def is_broken(self) -> bool:
        return any(not AREA.match(area) for area in self.value)

    @property
    def message(self) -> str:
        return "Areas served are postcode areas or districts, such as SY or SY3."


@dataclass(frozen=True)
class BudgetNotOverCommitted(StateRule):
    """The sum of awards and open offers never exceeds the programme's budget."""

    budget: Decimal
    committed: Decimal
    asked: Decimal

    def is_broken(self) -> bool:
        return self.committed + self.asked > self.budget

    @property
    def message(self) -> str:
        remaining = self.budget - self.committed
        return (
            f"Committing {pounds(self.asked)} would exceed the programme's budget of {pounds(self.budget)}: "
            f"{pounds(remaining)} remains uncommitted."
        )


@dataclass(frozen=True)
class BudgetCoversCommitments(Rule):
    """A budget cut cannot take back money already offered or awarded."""

    budget: Decimal
    committed: Decimal
    field: str | None = "budget"

    def is_broken(self) -> bool:
        return self.budget < self.committed

    @property
    def message(self) -> str:
        return f"The budget cannot be less than the {pounds(self.committed)} already offered or awarded."


# --- an offer -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UpliftJustified(Rule):
    """An award is no more than was requested unless an uplift reason is given."""

    amount: Decimal
    requested: Decimal
    uplift_reason: str
    field: str | None = "uplift_reason"

    def is_broken(self) -> bool:
        return self.amount > self.requested and len(self.uplift_reason.strip()) < 3

    @property
    def message(self) -> str:
        return f"The offer is more than the {pounds(self.requested)} requested: give the reason for the uplift."


@dataclass(frozen=True)
class WithinMaximumAward(ValueRule[Decimal]):
    maximum: Decimal = Decimal(0)
    field: str | None = "amount"

    def is_broken(self) -> bool:
        return self.value > self.maximum or self.value <= 0

    @property
    def message(self) -> str:
        return f"An offer is more than zero and no more than the programme's maximum award, {pounds(self.maximum)}."


@dataclass(frozen=True)
class AwardDateNotInFuture(InOrder):
    """An award is recorded once it is decided: its date is never in the future."""

    strict: bool = False
    field: str | None = "decided_on"
    message = "The award date cannot be in the future."


@dataclass(frozen=True)
class AwardDateInWindow(InOrder):
    """An award is decided on an application made to the programme: not before its window opened."""

    strict: bool = False
    field: str | None = "decided_on"
    message = "The award date cannot be before the programme's window opened."


@dataclass(frozen=True)
class KeysUnique(ValueRule[Sequence[str]]):
    """Each condition is discharged on its own evidence: no two share a key."""

    def is_broken(self) -> bool:
        return len(set(self.value)) != len(self.value)

    @property
    def message(self) -> str:
        return f"Each of {self.field} must be different."


@dataclass(frozen=True)
class OfferOpenUntil(InOrder):
    """An offer is open to its applicant until a day after today."""

    field: str | None = "expires"
    message = "An offer must stay open until a day after today."


@dataclass(frozen=True)
class ScheduleAddsUp(Rule):
    """The payment schedule pays exactly the amount offered, each instalment with a unique key and more than
    nothing, triggered as the programme's payment basis says, waiting only for conditions the offer sets."""

    schedule: Sequence[Instalment]
    amount: Decimal
    trigger: str
    conditions: frozenset[str]
    field: str | None = "schedule"

    def is_broken(self) -> bool:
        keys = [i.key for i in self.schedule]
        return (
            not self.schedule
            or len(set(keys)) != len(keys)
            or sum((i.amount for i in self.schedule), Decimal(0)) != self.amount
            or any(not self._fits(i) for i in self.schedule)
        )

    def _fits(self, instalment: Instalment) -> bool:
        described = instalment.due is not None if self.trigger == "date" else bool(instalment.milestone.strip())
        return (
            instalment.amount > 0
            and instalment.trigger == self.trigger
            and described
            and (set(instalment.conditions) <= self.conditions)
        )

    @property
    def message(self) -> str:
        what = "a due date" if self.trigger == "date" else "its milestone or outcome"
        return (
            f"The schedule's instalments must add up to {pounds(self.amount)}, each with a unique key, "
            f"the trigger '{self.trigger}' with {what}, and only conditions this offer sets."
        )


# --- a grant's money ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaidWithinAward(StateRule):
    """Paid minus reclaimed never exceeds the current award."""

    paid: Decimal
    reclaimed: Decimal
    award: Decimal

    def is_broken(self) -> bool:
        return self.paid - self.reclaimed > self.award

    @property
    def message(self) -> str:
        net = self.paid - self.reclaimed
        return f"That would leave {pounds(net)} paid against an award of {pounds(self.award)}."


@dataclass(frozen=True)
class ReclaimWithinPaid(Rule):
    """A clawback or repayment never takes back more than was paid: what the recipient holds, less what is asked
    back already."""

    amount: Decimal
    paid: Decimal
    field: str | None = "amount"

    def is_broken(self) -> bool:
        return self.amount > self.paid or self.amount <= 0

    @property
    def message(self) -> str:
        return (
            f"A reclaim must be more than zero and no more than the {pounds(self.paid)} paid "
            "and not yet reclaimed or asked back."
        )


@dataclass(frozen=True)
class ConditionsDischarged(StateRule):
    """No instalment is paid before the conditions it depends on are discharged."""

    waiting: Sequence[str]

    def is_broken(self) -> bool:
        return bool(self.waiting)

    @property
    def message(self) -> str:
        return f"The instalment waits for these conditions to be discharged: {', '.join(self.waiting)}."


@dataclass(frozen=True)
class UnderspendWithinAward(Rule):
    """Underspend declared never adds up to more than the award."""

    declared: Decimal
    award: Decimal
    field: str | None = "amount"

    def is_broken(self) -> bool:
        return self.declared > self.award

    @property
    def message(self) -> str:
        return f"Underspend cannot exceed the award of {pounds(self.award)}."


@dataclass(frozen=True)
class UnderspendDeclared(StateRule):
    """Underspend is returned once it has been declared."""

    declared: Decimal
    message = "No underspend has been declared."

    def is_broken(self) -> bool:
        return self.declared <= 0


@dataclass(frozen=True)
class RepaidWithinUnderspend(Rule):
    """What is repaid of an underspend is part of it."""

    repaid: Decimal
    underspend: Decimal
    field: str | None = "repaid"
    message = "The repayment cannot be more than the underspend."

    def is_broken(self) -> bool:
        return self.repaid > self.underspend


@dataclass(frozen=True)
class RecoveryAwaited(StateRule):
    """A recovery's money is received once, and only by the grant that asked it back."""

    awaited: bool
    message = "The grant awaits no such recovery: it was received already, or asked back by another record."

    def is_broken(self) -> bool:
        return not self.awaited


@dataclass(frozen=True)
class ReturnsReviewed(StateRule):
    """A grant closes once every monitoring return submitted has been reviewed."""

    waiting: Sequence[str]

    def is_broken(self) -> bool:
        return bool(self.waiting)

    @property
    def message(self) -> str:
        return f"Review the returns for {', '.join(self.waiting)} first."
