"""The rules a tender's commands check, each with the message a user sees when it is broken.

Kept beside the aggregate (domain/tendering/tender.py) so that file reads as the tender's lifecycle.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from domain.money import money
from domain.rules import InOrder, Rule, StateRule, TextWithin, check
from domain.tendering.procurement import (
    Category,
    CriterionKind,
    LotsDistinct,
    OnePriceCriterion,
    Procedure,
    ProcedureFitsCategory,
    ProcurementPolicy,
    SocialValueWeighted,
    WeightsSumTo100,
)
from domain.values import choice, moment
from domain.working_days import uk_date

if TYPE_CHECKING:
    from domain.tendering.tender import Award, Tender

COMPLETE, CANCELLED = "complete", "cancelled"  # the statuses a tender's lots can end it in (as tender.py names them)


def settled_status(lots: Iterable[str], contracted: Collection[str], cancelled: Iterable[str]) -> str | None:
    """What a tender's lots make it once each is settled (has its contract, or is cancelled): complete if any
    has a contract, else cancelled; None while any is open or awaits its contract.

    The one rule by which the aggregate and the views (tenders, OCDS) end a tender on its lots.
    """
    if not {*contracted, *cancelled}.issuperset(lots):
        return None
    return COMPLETE if contracted else CANCELLED


def lots_settled_status(tender: Tender) -> str | None:
    """`settled_status` of the tender's own lots, contracts and cancelled lots."""
    contracted = [lot_id for lot_id, award in tender.awards.items() if award.contract_id]
    return settled_status((lot.lot_id for lot in tender.lots), contracted, tender.cancelled_lots)


@dataclass(frozen=True)
class DeadlineAhead(Rule):
    deadline: datetime
    now: datetime
    minimum_days: int = 0
    field: str | None = "tender_deadline"

    def is_broken(self) -> bool:
        return self.deadline <= self.now + timedelta(days=self.minimum_days)

    @property
    def message(self) -> str:
        if self.minimum_days:
            return f"An above-threshold tender must allow at least {self.minimum_days} days before its deadline."
        return "The tender deadline must be in the future."


@dataclass(frozen=True)
class ClarificationBeforeDeadline(InOrder):
    field: str | None = "clarification_deadline"
    message = "The clarification deadline must come before the tender deadline."


@dataclass(frozen=True)
class ConflictsAssessed(StateRule):
    assessed: bool
    message = "Record the conflicts of interest assessment before publishing (Procurement Act 2023 s.83)."

    def is_broken(self) -> bool:
        return not self.assessed


@dataclass(frozen=True)
class OnTime(StateRule):
    """A step allowed only before (or only after) a deadline, by the clock, whatever else has run."""

    now: datetime
    limit: datetime
    what: str
    before: bool = True

    def is_broken(self) -> bool:
        return self.now >= self.limit if self.before else self.now < self.limit

    @property
    def message(self) -> str:
        if self.before:
            return f"The {self.what} passed at {self.limit.isoformat()}."
        return f"Not before the {self.what} ({self.limit.isoformat()})."


def Before(now: datetime, limit: datetime, what: str) -> OnTime:  # noqa: N802 - reads as a rule
    return OnTime(now, limit, what, before=True)


def After(now: datetime, limit: datetime, what: str) -> OnTime:  # noqa: N802 - reads as a rule
    return OnTime(now, limit, what, before=False)


@dataclass(frozen=True)
class LotOpen(StateRule):
    tender: Tender
    lot_id: str
    field: str | None = "lot_id"

    def is_broken(self) -> bool:
        return self.lot_id in self.tender.awards or self.lot_id in self.tender.cancelled_lots

    @property
    def message(self) -> str:
        return f"Lot {self.lot_id} is already awarded or cancelled."


@dataclass(frozen=True)
class StandstillOver(StateRule):
    award: Award
    now: datetime

    def is_broken(self) -> bool:
        return self.award.standstill_ends is not None and uk_date(self.now) <= self.award.standstill_ends

    @property
    def message(self) -> str:
        return f"The contract cannot be concluded until the standstill period ends on {self.award.standstill_ends}."


@dataclass(frozen=True)
class NoContractYet(StateRule):
    tender: Tender
    message = "A lot already has a contract: cancel the remaining lots instead, or terminate the contract."

    def is_broken(self) -> bool:
        return any(award.contract_id for award in self.tender.awards.values())


def checked_terms(terms: dict[str, Any], policy: ProcurementPolicy) -> dict[str, Any]:
    """The rules every version of a tender's terms keeps, draft or published."""
    checked = dict(terms)
    checked["category"] = choice(Category, terms["category"], "category")
    checked["procedure"] = choice(Procedure, terms["procedure"], "procedure")
    lots, criteria = tuple(terms["lots"]), tuple(terms["criteria"])
    for index, lot in enumerate(lots):  # money before the rules that compare and add the values
        money(lot.value, f"lots[{index}].value")
    total = money(sum((lot.value for lot in lots), Decimal(0)), "lots", label="The lots' values together")
    moment(terms["clarification_deadline"], "clarification_deadline")
    moment(terms["tender_deadline"], "tender_deadline")
    check(
        TextWithin(terms["title"], "title", 300),
        TextWithin(terms["description"], "description", 10_000),
        LotsDistinct(lots),
        OnePriceCriterion(criteria),
        WeightsSumTo100(criteria),
        SocialValueWeighted(criteria, policy.social_value_minimum),
        ProcedureFitsCategory(checked["procedure"], checked["category"], total),
        ClarificationBeforeDeadline(terms["clarification_deadline"], terms["tender_deadline"]),
    )
    for criterion in criteria:
        choice(CriterionKind, criterion.kind, "criteria.kind")
    checked["lots"], checked["criteria"] = list(lots), list(criteria)
    return checked
