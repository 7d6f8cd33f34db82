"""The 30-day clock, counted as the Procurement Act 2023 payments compliance regulations count it, and the late
payment interest the Late Payment of Commercial Debts (Interest) Act 1998 adds to an invoice paid late.

Days are UK calendar days: an invoice received at 23:30 UTC in summer was received the next day (BST), and
bank holidays count like any other day (the regulations count days, not working days). Day 1 is the day after
the invoice is received, so an invoice paid the day after receipt took 1 day, and one paid on day 30 was on time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

STATUTORY_DAYS = 30  # PA2023 s.68: payment within 30 days of receiving a valid invoice
STATUTORY_MARGIN = Decimal(8)  # percentage points over the reference rate (Late Payment Act, SI 2002/1675)
PENCE = Decimal("0.01")


def days_to_pay(received: date, paid: date) -> int:
    """How many days an invoice took to pay: day 1 is the day after it was received."""
    return (paid - received).days


def due(received: date, days: int = STATUTORY_DAYS) -> date:
    """The last day on which payment is on time: day `days` after receipt."""
    return received + timedelta(days=days)


def band(days: int) -> str:
    """The band the payments compliance notice reports a payment in."""
    if days <= 30:
        return "1-30"
    return "31-60" if days <= 60 else "61+"


@dataclass(frozen=True)
class ReferenceRate:
    """The Bank of England rate in force on 31 December (for January to June) or 30 June (for July to December):
    the Late Payment Act's reference rate for the half-year starting `since`."""

    since: date
    rate: Decimal  # percent a year


# Bank Rate on each 31 December and 30 June (Bank of England, Official Bank Rate history). The council adds each
# half-year's as it is fixed (MARKETPLACE_REFERENCE_RATES); a debt late after the last entry uses the last entry.
REFERENCE_RATES = (
    ReferenceRate(date(2023, 1, 1), Decimal("3.5")),
    ReferenceRate(date(2023, 7, 1), Decimal("5.0")),
    ReferenceRate(date(2024, 1, 1), Decimal("5.25")),
    ReferenceRate(date(2024, 7, 1), Decimal("5.25")),
    ReferenceRate(date(2025, 1, 1), Decimal("4.75")),
    ReferenceRate(date(2025, 7, 1), Decimal("4.25")),
    ReferenceRate(date(2026, 1, 1), Decimal("3.75")),
)


def reference_rate(rates: tuple[ReferenceRate, ...], on: date) -> Decimal:
    """The reference rate for a debt that became late on `on` (it stays fixed for that debt)."""
    applying = [r for r in rates if r.since <= on]
    if not applying:
        raise ValueError(f"No reference rate is recorded for {on}: add it to MARKETPLACE_REFERENCE_RATES.")
    return max(applying, key=lambda r: r.since).rate


@dataclass(frozen=True)
class LateCharges:
    """What the council owes for paying late: simple interest for each day late, and the fixed compensation."""

    days_late: int
    rate: Decimal  # percent a year: 8 points over the reference rate
    interest: Decimal
    compensation: Decimal

    @property
    def total(self) -> Decimal:
        return self.interest + self.compensation


NO_CHARGES = LateCharges(0, Decimal(0), Decimal("0.00"), Decimal("0.00"))


def fixed_compensation(debt: Decimal) -> Decimal:
    """Late Payment Act s.5A: £40 for a debt under £1,000, £70 under £10,000, £100 from £10,000."""
    if debt < 1000:
        return Decimal("40.00")
    return Decimal("70.00") if debt < 10000 else Decimal("100.00")


def late_charges(debt: Decimal, due_on: date, paid_on: date, rates: tuple[ReferenceRate, ...]) -> LateCharges:
    """Interest at 8% a year over the reference rate from the day after the due date to the day paid, and the
    fixed compensation; none when paid on time."""
    days_late = (paid_on - due_on).days
    if days_late <= 0:
        return NO_CHARGES
    rate = STATUTORY_MARGIN + reference_rate(rates, due_on + timedelta(days=1))
    interest = (debt * rate / 100 * days_late / 365).quantize(PENCE, rounding=ROUND_HALF_UP)
    return LateCharges(days_late, rate, interest, fixed_compensation(debt))
