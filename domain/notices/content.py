"""What each notice the Procurement Act 2023 asks a council to publish says, as values: the payments compliance
notice (s.69; regulation 38 of SI 2024/692: `domain.payments.compliance.Performance`), the payments over £30,000
(s.70), the contract performance notice (s.71; regulation 39), the contract change notice (s.75; regulation 40) and
the contract termination notice (s.80; regulation 41). A notice's content is fixed when it is published: it says
what the records said then, whatever they say later."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.payments.compliance import Performance

LARGE_PAYMENT = Decimal(30_000)  # PA2023 s.70: each payment of more than this under a public contract


@dataclass(frozen=True)
class NamedOfficer:
    """The officer who approved the notice, as the council's people register named them then."""

    subject: str
    name: str
    job_title: str


@dataclass(frozen=True)
class LargePayment:
    """One payment of more than £30,000 made under a contract in the quarter."""

    contract_id: str
    supplier: str  # the supplier's register identifier
    supplier_name: str
    invoice_id: str
    amount: Decimal
    paid_on: date


@dataclass(frozen=True)
class LargePayments:
    """The payments over £30,000 the council made in a quarter (none is a notice too: it says there were none)."""

    start: date
    end: date
    payments: Sequence[LargePayment]


@dataclass(frozen=True)
class KpiAssessment:
    """One KPI as the contract performance notice rates it: its latest rating, or "not-measured"."""

    key: str
    title: str
    target: str
    rating: str


@dataclass(frozen=True)
class ContractPerformance:
    """How a contract performed against its KPIs: published at least every twelve months, and on its end."""

    contract_id: str
    supplier: str
    supplier_name: str
    kpis: Sequence[KpiAssessment]
    on_ending: bool  # the notice published as the contract ended


@dataclass(frozen=True)
class ContractChange:
    """A modification the council intends to make, published before it is made: the value and term before and
    after, the change from the contract as concluded, and any voluntary standstill before it may be made."""

    contract_id: str
    supplier: str
    supplier_name: str
    value_before: Decimal
    value_after: Decimal
    end_before: date
    end_after: date
    value_change: Decimal  # percent of the value as concluded, signed
    term_change: Decimal  # percent of the term as concluded, signed
    description: str
    standstill_ends: date | None = None  # the modification is made no sooner than this day


@dataclass(frozen=True)
class ContractTermination:
    """How and when a contract ended early, and why; for a breach, what was breached."""

    contract_id: str
    supplier: str
    supplier_name: str
    how: str  # terminated | decommissioned
    effective: date
    reasons: str  # the ending decision's own reasons
    terminated_for: str  # a TerminationGround code
    breach: str = ""


Content = Performance | LargePayments | ContractPerformance | ContractChange | ContractTermination
