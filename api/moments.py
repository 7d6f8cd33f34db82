"""Times a request gives: with their offset from UTC, and within the years the service can convert (to UTC, to UK
time), or a 400 naming the field.

A time without an offset names no moment (09:00 where?); compared with the clock's aware times it fails deep in a
rule or a query (a TypeError, a 500), and taking it as UTC would guess at what the caller meant, so it is refused.
A moment near the ends of Python's calendar (year 1 or 9999 with an offset) cannot be converted to UTC; it would
fail deep in a query or a fold. No record of this service is dated outside these years.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from litestar.exceptions import ClientException

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def within_calendar(value: datetime | None, field: str) -> datetime | None:
    """The moment, if it carries its offset and is between 1900 and 9000."""
    if value is None:
        return None
    if value.utcoffset() is None:
        raise ClientException(
            f"{field} needs its offset from UTC (RFC 3339), such as 2026-03-02T09:00:00Z.", extra={"field": field}
        )
    if not EARLIEST <= value <= LATEST:
        raise ClientException(f"{field} must be between the years 1900 and 9000.", extra={"field": field})
    return value


def day_within_calendar(value: date | None, field: str) -> date | None:
    """The day, if it is between 1900 and 9000 (the years a period or a deadline can fall in)."""
    if value is not None and not EARLIEST.date() <= value <= LATEST.date():
        raise ClientException(f"{field} must be between the years 1900 and 9000.", extra={"field": field})
    return value
