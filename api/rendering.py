"""How answers render what views and aggregates hold: times with their offset, days, money to the penny."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from projections.batch import utc  # the views store UTC; SQLite gives times back without their offset

PENCE = Decimal("0.01")
__all__ = ["day", "day_or_none", "pence", "utc", "utc_or_none"]


def utc_or_none(moment: datetime | None) -> datetime | None:
    return None if moment is None else utc(moment)


def pence(value: Decimal) -> Decimal:
    """Money as the views keep it (to the penny), so a record rebuilt from events reads as the view does."""
    return Decimal(value).quantize(PENCE)


def day_or_none(value: object) -> date | None:
    """A day as a view or a JSON column holds it (a date, or its ISO text), or None when there is none."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def day(value: object) -> date:
    """A day a view keeps in a column that always has one."""
    found = day_or_none(value)
    assert found is not None, "a NOT NULL date column"
    return found
