"""The payments compliance figures (PA2023 s.69; regulation 38 of SI 2024/692) for a six-month period ending
31 March or 30 September: average days to pay, the share paid in days 1-30, 31-60 and 61 or more, and the share of
the invoices received in the period not paid within it; beside them the council's own aim, the share of SME and
VCSE invoices paid within its sooner target."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from domain.payments.clock import band

ONE_DP = Decimal("0.1")


def reporting_period(day: date) -> tuple[date, date]:
    """The six-month reporting period a day falls in: 1 April to 30 September, or 1 October to 31 March."""
    if 4 <= day.month <= 9:
        return date(day.year, 4, 1), date(day.year, 9, 30)
    start_year = day.year if day.month >= 10 else day.year - 1
    return date(start_year, 10, 1), date(start_year + 1, 3, 31)


def share(part: int, whole: int) -> Decimal:
    """A percentage to one decimal place (0 of nothing is 0)."""
    return ONE_DP * 0 if whole == 0 else (Decimal(100 * part) / whole).quantize(ONE_DP, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Paid:
    """One invoice paid in the period: how many days it took, how many past its due date, and whether the sooner
    target applied to it."""

    days_to_pay: int
    days_late: int
    sooner: bool


@dataclass(frozen=True)
class Performance:
    start: date
    end: date
    invoices_paid: int
    average_days: Decimal
    paid_1_30: Decimal  # percent of the invoices paid in the period
    paid_31_60: Decimal
    paid_61_plus: Decimal
    received: int
    not_paid_in_period: Decimal  # percent of the invoices received in the period
    sooner_paid: int
    sooner_within_target: Decimal  # percent of SME and VCSE invoices paid by their due date


def performance(start: date, end: date, paid: Iterable[Paid], received: Iterable[date | None]) -> Performance:
    """The figures, from the invoices paid in the period and the payment days of those received in it."""
    payments = list(paid)
    bands = [band(p.days_to_pay) for p in payments]
    days = sum(p.days_to_pay for p in payments)
    sooner = [p for p in payments if p.sooner]
    arrived = list(received)
    unpaid = sum(1 for paid_on in arrived if paid_on is None or paid_on > end)
    count = len(payments)
    return Performance(
        start,
        end,
        count,
        ONE_DP * 0 if count == 0 else (Decimal(days) / count).quantize(ONE_DP, rounding=ROUND_HALF_UP),
        share(bands.count("1-30"), count),
        share(bands.count("31-60"), count),
        share(bands.count("61+"), count),
        len(arrived),
        share(unpaid, len(arrived)),
        len(sooner),
        share(sum(1 for p in sooner if p.days_late == 0), len(sooner)),
    )
