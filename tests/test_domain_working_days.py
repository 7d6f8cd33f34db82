"""Working days in England and Wales, as the standstill period counts them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.working_days import add_working_days, bank_holidays, is_working_day, uk_date, working_days_between

# GOV.UK's published England and Wales bank holidays.
PUBLISHED = {
    2025: ["01-01", "04-18", "04-21", "05-05", "05-26", "08-25", "12-25", "12-26"],
    2026: ["01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"],
    2027: ["01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28"],
    2022: ["01-03", "04-15", "04-18", "05-02", "06-02", "06-03", "08-29", "09-19", "12-26", "12-27"],
    2023: ["01-02", "04-07", "04-10", "05-01", "05-08", "05-29", "08-28", "12-25", "12-26"],
}


def test_the_computed_bank_holidays_are_the_published_ones() -> None:
    for year, days in PUBLISHED.items():
        assert sorted(bank_holidays(year)) == [date.fromisoformat(f"{year}-{d}") for d in days]


def test_an_eight_day_standstill_over_christmas_2026_skips_the_substitute_boxing_day() -> None:
    # Published Thu 17 Dec 2026: 18, 21, 22, 23, 24, 29, 30, 31 December are the eight working days.
    assert add_working_days(date(2026, 12, 17), 8) == date(2026, 12, 31)


def test_an_eight_day_standstill_over_easter_2027() -> None:
    # Published Wed 24 Mar 2027: 25 Mar, then 30, 31 Mar, 1, 2, 5, 6, 7 Apr (26 and 29 Mar are holidays).
    assert add_working_days(date(2027, 3, 24), 8) == date(2027, 4, 7)


@given(st.dates(date(2026, 1, 1), date(2027, 12, 31)), st.integers(0, 40))
def test_adding_n_working_days_lands_on_a_working_day_exactly_n_working_days_later(start: date, n: int) -> None:
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    if n:
        assert is_working_day(end)


@given(st.dates(date(2026, 1, 1), date(2027, 12, 31)))
def test_weekends_and_bank_holidays_are_never_working_days(day: date) -> None:
    if day.weekday() >= 5 or day in bank_holidays(day.year):
        assert not is_working_day(day)
    else:
        assert is_working_day(day)


@given(st.dates(date(2026, 1, 1), date(2027, 12, 31)))
def test_a_standstill_of_eight_working_days_spans_at_least_ten_calendar_days(day: date) -> None:
    assert add_working_days(day, 8) - day >= timedelta(days=10)


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime(2026, 1, 15, 23, 30, tzinfo=UTC), date(2026, 1, 15)),  # GMT: the UTC day
        (datetime(2026, 7, 15, 23, 30, tzinfo=UTC), date(2026, 7, 16)),  # BST: already tomorrow in London
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), date(2026, 3, 29)),  # the clocks go forward at 01:00 UTC
        (datetime(2026, 10, 24, 23, 0, tzinfo=UTC), date(2026, 10, 25)),  # the night the clocks go back
    ],
)
def test_the_day_is_the_uk_calendar_day_whatever_the_season(moment: datetime, day: date) -> None:
    assert uk_date(moment) == day
