"""Each notice drafted from the records it reports, with the rules before it may be published: a period's
notices once the period has ended, due within 30 days of its end; a contract's performance once it has KPIs and
one of them has been measured; a change while the contract is in force, before the change is made; a termination
once the contract has ended, due within 30 days of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.notices.content import (
    ContractChange,
    ContractPerformance,
    ContractTermination,
    KpiAssessment,
    LargePayment,
    LargePayments,
)
from domain.notices.notice import Draft, NoticeKind
from domain.payments.compliance import Performance
from domain.rules import DomainError, InOrder, Refusal, StateAllows, StateRule, TextWithin, check
from domain.tendering.contract import ACTIVE, DECOMMISSIONED, TERMINATED, Contract
from domain.tendering.modification import Modification
from domain.values import choice
from domain.working_days import add_working_days

DUE_WITHIN = timedelta(days=30)  # a period's notices, and a termination notice, within 30 days of its end
VOLUNTARY_STANDSTILL = 8  # working days between a change notice and the change, when the council chooses one
NOT_MEASURED = "not-measured"


class TerminationGround(StrEnum):
    """Why a contract ended early, as the termination notice says it (regulation 41)."""

    BREACH = "breach"  # the supplier breached the contract: the notice says what was breached
    AGREEMENT = "agreement"
    CONTRACT_PROVISION = "contract-provision"  # a right the contract gives the council (e.g. a break clause)
    SERVICE_ENDED = "service-ended"  # the service itself was decommissioned
    OTHER = "other"


@dataclass(frozen=True)
class Announced:
    """What the council says of a modification it intends to make: what it is, and whether it waits a voluntary
    standstill before making it (so a supplier who thinks it unlawful can challenge it first)."""

    description: str
    voluntary_standstill: bool = False


def quarter(day: date) -> tuple[date, date]:
    """The quarter a day falls in, ending 31 March, 30 June, 30 September or 31 December."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    next_start = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return start, next_start - timedelta(days=1)


@dataclass(frozen=True)
class PeriodEnded(InOrder, StateRule):
    """A period's notice reports the whole period: it is published after the period ends."""

    field: str | None = "period"

    @property
    def message(self) -> str:
        return f"The period runs until {self.earlier}: publish its notice once it has ended."


def payments_compliance(figures: Performance, today: date) -> Draft:
    check(PeriodEnded(figures.end, today))
    covers = f"{figures.start}/{figures.end}"
    return Draft(NoticeKind.PAYMENTS_COMPLIANCE, covers, "", figures, figures.end + DUE_WITHIN)


def payments_over_30000(start: date, end: date, payments: Sequence[LargePayment], today: date) -> Draft:
    check(PeriodEnded(end, today))
    content = LargePayments(start, end, list(payments))
    return Draft(NoticeKind.PAYMENTS_OVER_30000, f"{start}/{end}", "", content, end + DUE_WITHIN)


def contract_performance(contract: Contract, today: date) -> Draft:
    """Each KPI with its latest rating; on its end, the contract's last (one per contract per day otherwise)."""
    indicators = contract.indicators or {}
    ratings = contract.ratings or {}
    if not indicators:
        raise DomainError(
            "The contract has no KPIs to report: set them first (POST /contracts/{id}/kpis).",
            kind=Refusal.CONFLICT,
            rule="KpisSet",
        )
    if not ratings:
        raise DomainError("No KPI has been measured yet.", kind=Refusal.CONFLICT, rule="KpisMeasured")
    kpis = [KpiAssessment(k.key, k.title, k.target, ratings.get(k.key, NOT_MEASURED)) for k in indicators.values()]
    ending = contract.status != ACTIVE
    supplier = contract.supplier
    content = ContractPerformance(str(contract.id), supplier.identifier, supplier.name, kpis, ending)
    covers = f"{contract.id}:{'ended' if ending else today.isoformat()}"
    return Draft(NoticeKind.CONTRACT_PERFORMANCE, covers, str(contract.id), content)


def contract_change(contract: Contract, modification: Modification, announced: Announced, today: date) -> Draft:
    """A modification announced before it is made (one notice per state of the contract), with a voluntary
    standstill of eight working days when the council chooses one."""
    check(
        StateAllows(contract.status, frozenset({ACTIVE}), "announce a change"),
        TextWithin(announced.description, "description", 2000, 3),
    )
    if (modification.value, modification.end) == (contract.value, contract.end):
        raise DomainError("The change announced changes nothing.", rule="ChangesSomething")
    standstill = add_working_days(today, VOLUNTARY_STANDSTILL) if announced.voluntary_standstill else None
    s = contract.supplier
    content = ContractChange(
        str(contract.id),
        s.identifier,
        s.name,
        contract.value,
        modification.value,
        contract.end,
        modification.end,
        modification.value_change,
        modification.term_change,
        announced.description.strip(),
        standstill,
    )
    return Draft(NoticeKind.CONTRACT_CHANGE, f"{contract.id}:v{contract.version}", str(contract.id), content)


@dataclass(frozen=True)
class Termination:
    """What the termination notice adds to the contract's own ending: the ground, and what was breached."""

    terminated_for: str  # a TerminationGround code
    breach: str = ""


def contract_termination(contract: Contract, termination: Termination) -> Draft:
    """How the contract ended and why (its ending decision's reasons); for a breach, what was breached."""
    check(StateAllows(contract.status, frozenset({TERMINATED, DECOMMISSIONED}), "publish a termination notice"))
    terminated_for = choice(TerminationGround, termination.terminated_for, "terminated_for")
    breach = termination.breach
    if terminated_for == TerminationGround.BREACH:
        check(TextWithin(breach, "breach", 2000))
    assert contract.ended_on is not None, "an ended contract has its end date"
    s = contract.supplier
    content = ContractTermination(
        str(contract.id),
        s.identifier,
        s.name,
        contract.status.value,
        contract.ended_on,
        contract.ended_because,
        terminated_for,
        breach.strip(),
    )
    covers = f"{contract.id}:ended"
    return Draft(NoticeKind.CONTRACT_TERMINATION, covers, str(contract.id), content, contract.ended_on + DUE_WITHIN)
