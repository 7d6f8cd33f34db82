"""What tendering's commands take, each as one value: a tender's terms and a change to them, an offer, a score,
a contract's terms, a variation, an ending.

A caller (the API, the command line, a test) builds the value once and it travels whole to the aggregate's
command, which checks its rules and records its events with the fields those events have always stored. A
decision's reason is not part of its value: every decision takes it beside the value, as `decide` records it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from domain.authority.delegation import DelegatedDecision
from domain.tendering.procurement import Criterion, Lot


def shallow_fields(value: Any) -> dict[str, Any]:
    """A dataclass's fields by name, its nested values left as they are (`dataclasses.asdict` would unmake them)."""
    return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}


@dataclass(frozen=True)
class TenderTerms:
    """Everything a tender publishes about what is bought and how bids are judged."""

    title: str
    description: str
    category: str
    procedure: str
    lots: Sequence[Lot]
    criteria: Sequence[Criterion]
    clarification_deadline: datetime
    tender_deadline: datetime


TERMS = tuple(field.name for field in dataclasses.fields(TenderTerms))  # what a revision or amendment may change


@dataclass(frozen=True)
class TermsChange:
    """Some of a tender's terms, changed: a term left None stays as it is."""

    title: str | None = None
    description: str | None = None
    category: str | None = None
    procedure: str | None = None
    lots: Sequence[Lot] | None = None
    criteria: Sequence[Criterion] | None = None
    clarification_deadline: datetime | None = None
    tender_deadline: datetime | None = None

    def given(self) -> dict[str, Any]:
        """The terms this change names, by name."""
        return {name: value for name, value in shallow_fields(self).items() if value is not None}


@dataclass(frozen=True)
class ConflictsAssessment:
    """What the conflicts of interest assessment found (PA2023 s.83), and how any conflict is mitigated."""

    conflicts_found: bool
    mitigation: str = ""


@dataclass(frozen=True)
class Selection:
    """The bid an officer awards a lot to: the award is refused unless it is the lot's most advantageous tender."""

    lot_id: str
    bid_id: str


@dataclass(frozen=True)
class AwardLot(DelegatedDecision):
    """The decision to award a lot, with its reasons: a delegated decision, which may be held for approval."""

    selection: Selection
    reason: str


@dataclass(frozen=True)
class Offer:
    """A bid's content: a price per lot bid for, and a response per quality or social value criterion."""

    prices: Mapping[str, Decimal]
    responses: Mapping[str, str]


@dataclass(frozen=True)
class Score:
    """One evaluator's score of one bid on one criterion, with the justification the bidder may later read."""

    bid_id: str
    criterion: str
    score: int
    justification: str


@dataclass(frozen=True)
class Moderation:
    """The score the evaluators agreed for one bid on one criterion, once each has scored it."""

    bid_id: str
    criterion: str
    score: int
    note: str


@dataclass(frozen=True)
class ContractTerms:
    """The contract concluded for an awarded lot: its term and the KPIs it is managed by."""

    lot_id: str
    start: date
    end: date
    kpis: Sequence[str] = ()
    kpi_exemption: str = ""  # why a contract over £5m cannot be assessed by KPIs (PA2023 s.52(3))


@dataclass(frozen=True)
class Variation:
    """A contract's new value, or new end date, or both: None keeps it as it is; and the contract change notice
    that announced it, when it is beyond de minimis (domain/tendering/modification.py)."""

    value: Decimal | None = None
    end: date | None = None
    change_notice: str = ""

    OMITTED_WHEN_DEFAULT: ClassVar[tuple[str, ...]] = ("change_notice",)  # held variations stored before it


@dataclass(frozen=True)
class VaryContract(DelegatedDecision):
    """The decision to vary a contract, with its reasons: a delegated decision, which may be held for approval."""

    variation: Variation
    reason: str


@dataclass(frozen=True)
class Ending:
    """When a contract ends early, and (when the service itself ends) how the people affected were consulted."""

    effective: date
    consultation: str = ""
