"""How a contract's performance is managed (PA2023 s.52 and s.71): key performance indicators set on it, each
measured per period with evidence and rated Good, Approaching target, Requires improvement, Inadequate or Other;
and, before a contract worth more than £5 million is entered into, at least three KPIs set, unless performance
cannot be assessed that way and the reason is recorded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain.rules import DomainError, InOrder, NotAfterToday, Rule, TextWithin, check
from domain.values import choice

KPIS_REQUIRED_ABOVE = Decimal(5_000_000)  # PA2023 s.52(1)
KPIS_REQUIRED = 3


class KpiRating(StrEnum):
    """The ratings a contract performance notice gives each KPI (regulation 39 of SI 2024/692)."""

    GOOD = "good"
    APPROACHING_TARGET = "approaching-target"
    REQUIRES_IMPROVEMENT = "requires-improvement"
    INADEQUATE = "inadequate"
    OTHER = "other"


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SIX_MONTHLY = "six-monthly"
    ANNUALLY = "annually"


@dataclass(frozen=True)
class Kpi:
    """A key performance indicator: what is measured, the target, and how often it is measured."""

    key: str
    title: str
    measure: str
    target: str
    frequency: str  # a Frequency code


@dataclass(frozen=True)
class Measurement:
    """One period's measure of a KPI, its evidence, and the rating the council gives it."""

    kpi: str
    period_start: date
    period_end: date
    value: str
    evidence: str
    rating: str  # a KpiRating code


@dataclass(frozen=True)
class EnoughKpis(Rule):
    """A contract worth more than £5 million is entered into with at least three KPIs, or with the reason it
    cannot be assessed by them recorded."""

    value: Decimal
    kpis: Sequence[str]
    exemption: str
    field: str | None = "kpis"

    def is_broken(self) -> bool:
        return self.value > KPIS_REQUIRED_ABOVE and len(self.kpis) < KPIS_REQUIRED and not self.exemption.strip()

    @property
    def message(self) -> str:
        return (
            f"A contract worth more than £5,000,000 sets at least {KPIS_REQUIRED} key performance indicators "
            "(PA2023 s.52), or records in kpi_exemption why its performance cannot be assessed by them."
        )


@dataclass(frozen=True)
class PeriodInOrder(InOrder):
    strict: bool = False
    field: str | None = "period_end"
    message = "A period ends on or after the day it starts."


def checked_kpi(kpi: Kpi, known: Sequence[str]) -> Kpi:
    check(
        TextWithin(kpi.key, "key", 40),
        TextWithin(kpi.title, "title", 200),
        TextWithin(kpi.measure, "measure", 500),
        TextWithin(kpi.target, "target", 200),
    )
    frequency = choice(Frequency, kpi.frequency, "frequency")
    if kpi.key.strip() in known:
        raise DomainError(f"The contract already has a KPI {kpi.key}.", field="key", rule="Unique")
    return Kpi(kpi.key.strip(), kpi.title.strip(), kpi.measure.strip(), kpi.target.strip(), frequency)


def checked_measurement(measured: Measurement, known: Sequence[str], today: date) -> Measurement:
    if measured.kpi not in known:
        raise DomainError(f"The contract has no KPI {measured.kpi}.", field="kpi", rule="Exists")
    rating = choice(KpiRating, measured.rating, "rating")
    check(
        PeriodInOrder(measured.period_start, measured.period_end),
        NotAfterToday(measured.period_end, today, field="period_end"),
        TextWithin(measured.value, "value", 200),
        TextWithin(measured.evidence, "evidence", 2000),
    )
    return Measurement(
        measured.kpi,
        measured.period_start,
        measured.period_end,
        measured.value.strip(),
        measured.evidence.strip(),
        rating,
    )
