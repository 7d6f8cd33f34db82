"""The rules a tender's commands check, each with the message a user sees when it is broken.

Kept beside the aggregate (domain/tendering/tender.py) so that file reads as the tender's lifecycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
STANDSTILL, AWARDED = "standstill", "awarded"  # the statuses of a tender whose every lot is decided, before that

# A lot's state once decided, as the aggregate and the views name it (none: the lot is open).
IN_STANDSTILL, LOT_AWARDED, CONTRACTED, LOT_CANCELLED = "standstill", "awarded", "contracted", "cancelled"

WHERE_A_TENDER_STANDS = {  # each status in a commissioner's and a provider's words: why a step is refused
    "draft": "the tender is a draft, not yet published",
    "tendering": "the tender is open for bids until its deadline",
    "closed": "the tender deadline has passed and the bids are not yet opened",
    "evaluation": "the bids are opened and being evaluated",
    STANDSTILL: "every lot is decided and the standstill period is running",
    AWARDED: "every lot is awarded and its contract is yet to be concluded",
    COMPLETE: "the tender is complete: its contracts are concluded",
    CANCELLED: "the tender is cancelled",
}


def lots_status(lots: Iterable[str], states: Mapping[str, str]) -> str | None:
    """What a tender's lots make it once each is decided (lot id -> its state; a lot absent is open): complete
    once each lot has its contract or is cancelled and one has a contract, cancelled if all are; before that,
    standstill while any award's standstill runs, else awarded; None while any lot is open.

    The one rule by which the aggregate and the views (tenders, OCDS) move a tender on its lots.
    """
    decided = [states.get(lot_id) for lot_id in lots]
    if None in decided:
        return None
    if set(decided) <= {CONTRACTED, LOT_CANCELLED}:
        return COMPLETE if CONTRACTED in decided else CANCELLED
    return STANDSTILL if IN_STANDSTILL in decided else AWARDED


def lot_states(tender: Tender) -> dict[str, str]:
    """The state of each of the tender's decided lots, from its awards, contracts, ended standstills and
    cancelled lots."""
    states = dict.fromkeys(tender.cancelled_lots, LOT_CANCELLED)
    for lot_id, award in tender.awards.items():
        if award.contract_id:
            states[lot_id] = CONTRACTED
        elif award.standstill_ends is not None and lot_id not in tender.standstill_ended:
            states[lot_id] = IN_STANDSTILL
        else:
            states[lot_id] = LOT_AWARDED
    return states


def tender_lots_status(tender: Tender) -> str | None:
    """`lots_status` of the tender's own lots."""
    return lots_status((lot.lot_id for lot in tender.lots), lot_states(tender))


@dataclass(frozen=True)
class TenderAllows(StateRule):
    """A step of the tender's lifecycle allowed only in some of its states: refused, it says where the tender
    stands (and, where there is one, what to do instead)."""

    status: str
    allowed: frozenset[str]
    action: str
    instead: str = ""

    def is_broken(self) -> bool:
        return self.status not in self.allowed

    @property
    def message(self) -> str:
        instead = f"; {self.instead}" if self.instead else ""
        return f"Cannot {self.action}: {WHERE_A_TENDER_STANDS.get(self.status, self.status)}{instead}."


@dataclass(frozen=True)
class StandstillRunning(StateRule):
    """The clock ends a lot's standstill once: only an award with a standstill not yet ended, and no contract."""

    tender: Tender
    lot_id: str
    field: str | None = "lot_id"

    def is_broken(self) -> bool:
        return lot_states(self.tender).get(self.lot_id) != IN_STANDSTILL or self.tender.status == CANCELLED

    @property
    def message(self) -> str:
        return f"Lot {self.lot_id} has no standstill running: it is not awarded, had none, or it has ended."


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
        return f"Lot {self.lot_id} is already decided: it has been awarded or cancelled."


@dataclass(frozen=True)
class StandstillOver(StateRule):
    award: Award
    now: datetime

    def is_broken(self) -> bool:
        return self.award.standstill_ends is not None and uk_date(self.now) <= self.award.standstill_ends

    @property
    def message(self) -> str:
        ends = self.award.standstill_ends
        return f"The standstill period runs to the end of {ends}: the contract can be concluded from the day after."


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
