"""What an award decides and records: the winning supplier as it stood, every bidder's assessment, the award.

Kept apart from the tender's lifecycle (domain/tendering/tender.py re-exports them); stored events name these
values by class name alone (marketplace/transcodings.py), so where they live does not change what is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class Supplier:
    """Who won, as they were at award time: what supplier-mix figures count."""

    identifier: str
    name: str
    size: str
    vcse: bool
    district: str


@dataclass(frozen=True)
class Assessment:
    """What each bidder is told at award: its scores, its rank and the outcome (PA2023 s.50)."""

    bid_id: str
    bidder: str
    scores: dict[str, str]  # criterion key -> weighted score, as a decimal string
    total: str
    rank: int
    successful: bool


@dataclass(frozen=True)
class Award:
    lot_id: str
    bid_id: str
    supplier: Supplier
    value: Decimal
    decided_at: datetime
    standstill_ends: date | None  # the last day of standstill; None when none applies
    contract_id: str = ""


@dataclass(frozen=True)
class Winner:
    """A lot's most advantageous tender as the evaluation ranked it, and what its award records."""

    lot_id: str
    supplier: Supplier
    value: Decimal  # the winning bid's price for the lot
    assessments: Sequence[Assessment]  # every bidder's, best first: the winner's is the first
    voluntary_standstill: bool = True  # below threshold no standstill is required; the council keeps one unless not

    @property
    def bid_id(self) -> str:
        return self.assessments[0].bid_id
