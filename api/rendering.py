"""How answers render what views and aggregates hold: times with their offset, money to the penny."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from projections.batch import utc  # the views store UTC; SQLite gives times back without their offset

PENCE = Decimal("0.01")
__all__ = ["pence", "utc", "utc_or_none"]


def utc_or_none(moment: datetime | None) -> datetime | None:
    return None if moment is None else utc(moment)


def pence(value: Decimal) -> Decimal:
    """Money as the views keep it (to the penny), so a record rebuilt from events reads as the view does."""
    return Decimal(value).quantize(PENCE)
