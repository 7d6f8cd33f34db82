"""The vocabulary of a procurement: categories, procedures, lots, award criteria, thresholds, policy.

Thresholds are the Procurement Act 2023 figures in force from 1 January 2026 (VAT inclusive).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.rules import Rule


class Category(StrEnum):
    ADULT_SOCIAL_CARE = "adult-social-care"
    CHILDRENS_SERVICES = "childrens-services"
    HEALTH_AND_WELLBEING = "health-and-wellbeing"
    PREVENTATIVE_SERVICES = "preventative-services"
    LIBRARIES_AND_CULTURE = "libraries-and-culture"
    COUNTRYSIDE = "countryside-management"
    TRANSPORT = "transport"
    FACILITIES = "facilities-management"
    OTHER_SERVICES = "other-services"
    GOODS = "goods"
    WORKS = "works"


class Procedure(StrEnum):
    BELOW_THRESHOLD = "below-threshold-quotation"
    OPEN = "open"
    COMPETITIVE_FLEXIBLE = "competitive-flexible"
    LIGHT_TOUCH = "light-touch"


class CriterionKind(StrEnum):
    PRICE = "price"
    QUALITY = "quality"
    SOCIAL_VALUE = "social-value"


# Social and other specific services (light-touch regime, PA2023 Sch. / Procurement Regulations 2024).
LIGHT_TOUCH_CATEGORIES = frozenset(
    {
        Category.ADULT_SOCIAL_CARE,
        Category.CHILDRENS_SERVICES,
        Category.HEALTH_AND_WELLBEING,
        Category.PREVENTATIVE_SERVICES,
    }
)
THRESHOLD_GOODS_AND_SERVICES = Decimal("207720")
THRESHOLD_WORKS = Decimal("5193000")
THRESHOLD_LIGHT_TOUCH = Decimal("663540")
PUBLICATION_THRESHOLD_BELOW = Decimal("30000")  # below-threshold contracts over this are published


def threshold_for(category: str) -> Decimal:
    if category == Category.WORKS:
        return THRESHOLD_WORKS
    if category in LIGHT_TOUCH_CATEGORIES:
        return THRESHOLD_LIGHT_TOUCH
    return THRESHOLD_GOODS_AND_SERVICES


def is_above_threshold(category: str, value: Decimal) -> bool:
    return value >= threshold_for(category)


@dataclass(frozen=True)
class Lot:
    """A part of the tender awarded separately."""

    lot_id: str
    title: str
    value: Decimal


@dataclass(frozen=True)
class Criterion:
    """A published award criterion; weights are percentages and sum to 100."""

    key: str
    name: str
    kind: str
    weight: int


@dataclass(frozen=True)
class ProcurementPolicy:
    """The council's procurement policy settings."""

    social_value_minimum: int = 10  # percent (the council applies PPN 06/20 by policy)
    standstill_working_days: int = 8  # PA2023 s.51 minimum
    minimum_tender_days_above_threshold: int = 25  # PA2023 s.54, open procedure, electronic tenders


@dataclass(frozen=True)
class CriteriaRule(Rule):
    """A rule the award criteria keep together: refused naming the field `criteria`."""

    criteria: tuple[Criterion, ...]
    field = "criteria"


class WeightsSumTo100(CriteriaRule):
    def is_broken(self) -> bool:
        return sum(c.weight for c in self.criteria) != 100 or any(c.weight <= 0 for c in self.criteria)

    @property
    def message(self) -> str:
        total = sum(c.weight for c in self.criteria)
        return f"Award criteria weights must each be positive and sum to 100 (they sum to {total})."


@dataclass(frozen=True)
class SocialValueWeighted(CriteriaRule):
    minimum: int

    def is_broken(self) -> bool:
        return sum(c.weight for c in self.criteria if c.kind == CriterionKind.SOCIAL_VALUE) < self.minimum

    @property
    def message(self) -> str:
        return f"Social value must carry at least {self.minimum}% of the award criteria weighting (council policy)."


class OnePriceCriterion(CriteriaRule):
    def is_broken(self) -> bool:
        keys = [c.key for c in self.criteria]
        prices = [c for c in self.criteria if c.kind == CriterionKind.PRICE]
        return len(prices) != 1 or len(set(keys)) != len(keys)

    message = "Award criteria need exactly one price criterion and distinct keys."


@dataclass(frozen=True)
class LotsDistinct(Rule):
    lots: tuple[Lot, ...]
    field: str | None = "lots"
    message = "A tender needs at least one lot; lot ids are distinct and each lot has a positive value."

    def is_broken(self) -> bool:
        ids = [lot.lot_id for lot in self.lots]
        return not ids or len(set(ids)) != len(ids) or any(lot.value <= 0 for lot in self.lots)


@dataclass(frozen=True)
class ProcedureFitsCategory(Rule):
    procedure: str
    category: str
    value: Decimal
    field: str | None = "procedure"

    def is_broken(self) -> bool:
        if self.procedure == Procedure.LIGHT_TOUCH:
            return self.category not in LIGHT_TOUCH_CATEGORIES
        if self.procedure == Procedure.BELOW_THRESHOLD:
            return is_above_threshold(self.category, self.value)
        return False

    @property
    def message(self) -> str:
        if self.procedure == Procedure.LIGHT_TOUCH:
            return "The light-touch procedure is only for social, health, education and other specific services."
        return "A below-threshold quotation cannot be used at or above the procurement threshold."
