"""The 30-day clock and late payment, as the rules count them: day 1 is the day after receipt, calendar days
(bank holidays count), UK days across the clock change, and statutory interest and compensation on late debts."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.payments.clock import (
    REFERENCE_RATES,
    ReferenceRate,
    band,
    days_to_pay,
    due,
    fixed_compensation,
    late_charges,
    reference_rate,
)
from domain.payments.compliance import Paid, performance, reporting_period
from domain.working_days import uk_date


def test_an_invoice_paid_the_day_after_it_is_received_took_one_day() -> None:
    assert days_to_pay(date(2026, 7, 1), date(2026, 7, 2)) == 1


def test_bank_holidays_count_like_any_other_day() -> None:
    # Received on the Friday before the August bank holiday (31 August 2026): ten calendar days, holiday and all.
    assert days_to_pay(date(2026, 8, 28), date(2026, 9, 7)) == 10
    assert due(date(2026, 12, 24)) == date(2027, 1, 23)  # over Christmas and New Year: 30 days all the same


@pytest.mark.parametrize(
    ("received", "due_on"),
    [
        (date(2026, 1, 31), date(2026, 3, 2)),  # across a short February
        (date(2028, 1, 31), date(2028, 3, 1)),  # a leap year's
        (date(2026, 12, 15), date(2027, 1, 14)),  # across the year end
        (date(2026, 3, 1), date(2026, 3, 31)),  # within a 31-day month
    ],
)
def test_the_due_date_is_thirty_calendar_days_after_receipt_across_month_and_year_ends(
    received: date, due_on: date
) -> None:
    assert due(received) == due_on


def test_an_invoice_received_late_in_the_evening_in_summer_was_received_the_next_uk_day() -> None:
    # 29 March 2026 is the clock change: at 23:30 UTC it is already 00:30 on the 30th in the UK.
    assert uk_date(datetime(2026, 3, 29, 23, 30, tzinfo=timezone.utc)) == date(2026, 3, 30)
    assert uk_date(datetime(2026, 3, 28, 23, 30, tzinfo=timezone.utc)) == date(2026, 3, 28)  # still GMT
    assert days_to_pay(date(2026, 3, 28), date(2026, 3, 30)) == 2  # the short night counts as a whole day


@pytest.mark.parametrize(("days", "expected"), [(1, "1-30"), (30, "1-30"), (31, "31-60"), (60, "31-60"), (61, "61+")])
def test_payments_are_banded_as_the_compliance_notice_reports_them(days: int, expected: str) -> None:
    assert band(days) == expected


@pytest.mark.parametrize(
    ("debt", "fee"),
    [("999.99", "40.00"), ("1000.00", "70.00"), ("9999.99", "70.00"), ("10000.00", "100.00")],
)
def test_fixed_compensation_follows_the_size_of_the_debt(debt: str, fee: str) -> None:
    assert fixed_compensation(Decimal(debt)) == Decimal(fee)


def test_the_reference_rate_is_the_one_fixed_for_the_half_year_the_debt_became_late() -> None:
    assert reference_rate(REFERENCE_RATES, date(2025, 12, 31)) == Decimal("4.25")
    assert reference_rate(REFERENCE_RATES, date(2026, 1, 1)) == Decimal("3.75")
    with pytest.raises(ValueError, match="MARKETPLACE_REFERENCE_RATES"):
        reference_rate(REFERENCE_RATES, date(2022, 6, 1))


def test_a_debt_paid_on_its_due_date_costs_nothing_and_one_paid_after_carries_interest_and_compensation() -> None:
    assert late_charges(Decimal(30000), date(2026, 8, 2), date(2026, 8, 2), REFERENCE_RATES).total == 0
    charges = late_charges(Decimal(30000), date(2026, 8, 2), date(2026, 8, 13), REFERENCE_RATES)
    assert (charges.days_late, charges.rate, charges.interest, charges.compensation) == (
        11,
        Decimal("11.75"),
        Decimal("106.23"),  # 30,000 x 11.75% x 11/365
        Decimal("100.00"),
    )


def test_the_rate_stays_fixed_for_a_debt_late_across_a_half_year_end() -> None:
    rates = (ReferenceRate(date(2026, 1, 1), Decimal("4")), ReferenceRate(date(2026, 7, 1), Decimal("2")))
    charges = late_charges(Decimal(3650), date(2026, 6, 20), date(2026, 7, 10), rates)
    assert (charges.rate, charges.interest) == (Decimal("12"), Decimal("24.00"))  # 3,650 x 12% x 20/365


@pytest.mark.parametrize(
    ("day", "period"),
    [
        (date(2026, 4, 1), (date(2026, 4, 1), date(2026, 9, 30))),
        (date(2026, 9, 30), (date(2026, 4, 1), date(2026, 9, 30))),
        (date(2026, 10, 1), (date(2026, 10, 1), date(2027, 3, 31))),
        (date(2027, 3, 31), (date(2026, 10, 1), date(2027, 3, 31))),
    ],
)
def test_reporting_periods_end_on_31_march_and_30_september(day: date, period: tuple[date, date]) -> None:
    assert reporting_period(day) == period


@given(st.lists(st.tuples(st.integers(1, 120), st.integers(0, 60), st.booleans()), max_size=40))
def test_the_bands_share_out_every_invoice_paid(paid: list[tuple[int, int, bool]]) -> None:
    figures = performance(date(2026, 4, 1), date(2026, 9, 30), [Paid(*p) for p in paid], [])
    total = figures.paid_1_30 + figures.paid_31_60 + figures.paid_61_plus
    assert figures.invoices_paid == len(paid)
    assert total == 0 if not paid else abs(total - 100) <= Decimal("0.2")  # each share rounded to one place
