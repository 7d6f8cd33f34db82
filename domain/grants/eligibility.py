"""Who may apply to a programme and what a proposal must say: the applicant's eligibility (legal form, size,
VCSE, active in the register) and the proposal's limits, dates, locations served and budget breakdown.

An application is refused with the rule it breaks when it is drafted and again when it is submitted, so an
organisation that stopped being eligible in between cannot submit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.grants.programme import GrantProgramme
from domain.grants.rules import AREA, pounds
from domain.grants.terms import BudgetLine, Eligibility, Location, LocationKind, Proposal
from domain.rules import DomainError, InOrder, Rule, TextWithin, ValueRule, check
from domain.values import choice, money

_PARISH = re.compile(r"^E04\d{6}$")  # ONS civil parish code


# --- who may apply ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EligibilityRule(Rule):
    """A rule an applicant keeps against the programme's eligibility: broken, the application is refused (422)."""

    eligibility: Eligibility
    applicant: Applicant
    field: str | None = "applicant"


@dataclass(frozen=True)
class Applicant:
    """The applying organisation as the register has it when it applies."""

    identifier: str
    name: str
    legal_form: str
    size: str
    vcse: bool
    active: bool


class ApplicantActive(EligibilityRule):
    def is_broken(self) -> bool:
        return not self.applicant.active

    @property
    def message(self) -> str:
        return f"{self.applicant.identifier} is not an active organisation in the register."


class LegalFormEligible(EligibilityRule):
    def is_broken(self) -> bool:
        allowed = self.eligibility.legal_forms
        return bool(allowed) and self.applicant.legal_form not in allowed

    @property
    def message(self) -> str:
        allowed = ", ".join(self.eligibility.legal_forms)
        return f"This programme funds only these legal forms: {allowed} (not {self.applicant.legal_form})."


class SizeEligible(EligibilityRule):
    def is_broken(self) -> bool:
        allowed = self.eligibility.size_classes
        return bool(allowed) and self.applicant.size not in allowed

    @property
    def message(self) -> str:
        allowed = ", ".join(self.eligibility.size_classes)
        return f"This programme funds only organisations of these sizes: {allowed} (not {self.applicant.size})."


class VcseEligible(EligibilityRule):
    message = "This programme funds only voluntary, community and social enterprise organisations."

    def is_broken(self) -> bool:
        return self.eligibility.vcse_only and not self.applicant.vcse


def eligibility_rules(eligibility: Eligibility, applicant: Applicant) -> tuple[Rule, ...]:
    return tuple(
        rule(eligibility, applicant) for rule in (ApplicantActive, LegalFormEligible, SizeEligible, VcseEligible)
    )


# --- an application's proposal ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestWithinLimits(ValueRule[Decimal]):
    minimum: Decimal = Decimal(0)
    maximum: Decimal = Decimal(0)
    field: str | None = "amount_requested"

    def is_broken(self) -> bool:
        return not self.minimum <= self.value <= self.maximum or self.value <= 0

    @property
    def message(self) -> str:
        return f"This programme awards from {pounds(self.minimum)} to {pounds(self.maximum)}."


@dataclass(frozen=True)
class EndsAfterStart(InOrder):
    field: str | None = "planned_end"
    message = "A project must end after it starts."


@dataclass(frozen=True)
class LocationsServed(ValueRule[Sequence[Location]]):
    """Beneficiaries live where the programme serves: a postcode district within an area served (any, when the
    programme names none), or a parish by its ONS code."""

    areas: Sequence[str] = ()
    field: str | None = "locations"

    def is_broken(self) -> bool:
        return not self.value or any(not self._served(location) for location in self.value)

    def _served(self, location: Location) -> bool:
        if location.kind == LocationKind.PARISH:
            return bool(_PARISH.match(location.code))
        code = location.code
        return bool(AREA.match(code)) and (not self.areas or any(_within(code, area) for area in self.areas))

    @property
    def message(self) -> str:
        served = ", ".join(self.areas) or "any postcode district"
        return f"Name at least one beneficiary location: a postcode district in {served}, or a parish's E04 code."


def _within(district: str, area: str) -> bool:
    """SY3 is within SY and within SY3; SY is not within S."""
    if district == area:
        return True
    letters = re.match(r"^[A-Z]+", district)
    return letters is not None and letters.group(0) == area


@dataclass(frozen=True)
class BudgetAddsUp(ValueRule[Sequence[Decimal]]):
    """The budget breakdown accounts for exactly the amount requested."""

    total: Decimal = Decimal(0)
    field: str | None = "budget"

    def is_broken(self) -> bool:
        return not self.value or sum(self.value, Decimal(0)) != self.total

    @property
    def message(self) -> str:
        return f"The budget lines must add up to the amount requested, {pounds(self.total)}."


def checked_proposal(proposal: Proposal, programme: GrantProgramme) -> Proposal:
    """The proposal, if it keeps the programme's limits and its own rules (amounts checked as money first)."""
    requested = money(proposal.amount_requested, "amount_requested")
    lines = [BudgetLine(line.item.strip(), money(line.amount, "budget.amount")) for line in proposal.budget]
    locations = [_location(loc) for loc in proposal.locations]
    outcomes = [o.strip() for o in proposal.outcomes if o.strip()]
    check(
        TextWithin(proposal.project_title, "project_title", 200),
        TextWithin(proposal.summary, "summary", 10_000),
        RequestWithinLimits(requested, minimum=programme.minimum_award, maximum=programme.maximum_award),
        EndsAfterStart(proposal.planned_start, proposal.planned_end),
        LocationsServed(locations, areas=programme.eligibility.postcode_areas),
        BudgetAddsUp([line.amount for line in lines], total=requested),
    )
    if not 1 <= len(outcomes) <= 20 or any(len(o) > 1000 for o in outcomes):
        raise DomainError("Commit to between 1 and 20 outcomes, each up to 1,000 characters.", field="outcomes")
    for line in lines:
        check(TextWithin(line.item, "budget.item", 200))
    return Proposal(
        proposal.project_title.strip(),
        proposal.summary.strip(),
        requested,
        proposal.planned_start,
        proposal.planned_end,
        locations,
        outcomes,
        lines,
    )


def _location(location: Location) -> Location:
    kind = choice(LocationKind, location.kind, "locations.kind")
    check(TextWithin(location.name, "locations.name", 200))
    return Location(kind, location.code.strip().upper(), location.name.strip())
