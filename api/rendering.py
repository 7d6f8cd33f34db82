"""How answers render what views and aggregates hold: times with their offset, money to the penny."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

PENCE = Decimal("0.01")


def utc(moment: datetime) -> datetime:
    """SQLite gives times back without their offset; the views store UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def utc_or_none(moment: datetime | None) -> datetime | None:
    return None if moment is None else utc(moment)


def pence(value: Decimal) -> Decimal:
    """Money as the views keep it (to the penny), so a record rebuilt from events reads as the view does."""
    return Decimal(value).quantize(PENCE)
