"""Times a request gives: within the years the service can convert (to UTC, to UK time), or a 400 naming the field.

A moment near the ends of Python's calendar (year 1 or 9999 with an offset) cannot be converted to UTC; it would
fail deep in a query or a fold. No record of this service is dated outside these years.
"""

from __future__ import annotations

from datetime import UTC, datetime

from litestar.exceptions import ClientException

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def within_calendar(value: datetime | None, field: str) -> datetime | None:
    """The moment, if between 1900 and 9000 (a time without an offset is taken as UTC)."""
    if value is None:
        return None
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if not EARLIEST <= aware <= LATEST:
        raise ClientException(f"{field} must be between the years 1900 and 9000.", extra={"field": field})
    return value
