"""Working days in England and Wales: what the standstill period (PA2023 s.51) is counted in.

A working day is any day but a Saturday, a Sunday or a bank holiday in England and Wales
(Banking and Financial Dealings Act 1971, Schedule 1, with the substitute days it provides).
Holidays are computed by rule; one-off holidays proclaimed for particular years are listed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

SATURDAY = 5
UK = ZoneInfo("Europe/London")


def uk_date(moment: datetime) -> date:
    """The day it is in the UK at that moment: standstill, expiries and contract ends count UK calendar days.

    Just after midnight in summer (BST) it is still the previous day in UTC.
    """
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).astimezone(UK).date()


# Proclaimed one-offs and moved holidays (GOV.UK bank holiday list).
MOVED: dict[int, dict[date, date]] = {
    2020: {date(2020, 5, 4): date(2020, 5, 8)},  # VE Day
    2022: {date(2022, 5, 30): date(2022, 6, 2)},  # Platinum Jubilee
}
EXTRA: dict[int, set[date]] = {
    2022: {date(2022, 6, 3), date(2022, 9, 19)},  # Platinum Jubilee; State Funeral
    2023: {date(2023, 5, 8)},  # Coronation
}


def easter_sunday(year: int) -> date:
    """The Gregorian Easter (the anonymous algorithm of Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=last.weekday())


def _christmas(year: int) -> set[date]:
    """Christmas Day and Boxing Day, each moved to the next free weekday when it falls at a weekend."""
    days: set[date] = set()
    for usual in (date(year, 12, 25), date(year, 12, 26)):
        day = usual
        while day.weekday() >= SATURDAY or day in days:
            day += timedelta(days=1)
        days.add(day)
    return days


@cache
def bank_holidays(year: int) -> frozenset[date]:
    easter = easter_sunday(year)
    new_year = date(year, 1, 1)
    while new_year.weekday() >= SATURDAY:
        new_year += timedelta(days=1)
    days = {
        new_year,
        easter - timedelta(days=2),  # Good Friday
        easter + timedelta(days=1),  # Easter Monday
        _monday_on_or_after(date(year, 5, 1)),  # early May
        _last_monday(year, 5),  # spring
        _last_monday(year, 8),  # summer
        *_christmas(year),
    }
    for usual, moved in MOVED.get(year, {}).items():
        days.discard(usual)
        days.add(moved)
    return frozenset(days | EXTRA.get(year, set()))


def is_working_day(day: date) -> bool:
    return day.weekday() < SATURDAY and day not in bank_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The `count`-th working day after `start` (start itself is not counted)."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days fall after `start`, up to and including `end`."""
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n)))
