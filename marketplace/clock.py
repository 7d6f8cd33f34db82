"""The clock is injected so tests (and deadlines) control time.

Two clocks are for demos and training only: the demo's `FixedClock`, which `marketplace demo` starts weeks back
and moves forward to build a past (marketplace/demo.py), and `OffsetClock`, the system clock moved by
MARKETPLACE_CLOCK_OFFSET so a trainer can watch a standstill end (refused in production settings:
marketplace/settings.py). Bearer tokens are not read by this clock: their `iat` and `exp` are wall-clock times.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Protocol

from domain.working_days import UK, add_working_days, is_working_day, uk_date


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock that moves only when told to: for tests, replays and the demo."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment

    def move_to(self, moment: datetime) -> datetime:
        """Forward only: a clock moved back would stamp events before ones it has already stamped."""
        if moment < self._now:
            raise ValueError(f"the clock is at {self._now.isoformat()}: it cannot move back to {moment.isoformat()}")
        self._now = moment
        return moment


class OffsetClock:
    """The system clock moved by a fixed offset: a demo server's clock (MARKETPLACE_CLOCK_OFFSET)."""

    def __init__(self, offset: timedelta, base: Clock | None = None) -> None:
        self.offset = offset
        self.base = base or SystemClock()

    def now(self) -> datetime:
        return self.base.now() + self.offset


def working_day(present: datetime, days_before: int, hour: int, minute: int = 0) -> datetime:
    """The moment `days_before` working days before `present`'s UK day (after it, when negative), at that UK time:
    the demo's officers and bidders act on working days, so its past reads as a council's would."""
    day = uk_date(present)
    if days_before < 0:
        day = add_working_days(day, -days_before)
    for _ in range(days_before):
        day -= timedelta(days=1)
        while not is_working_day(day):
            day -= timedelta(days=1)
    return datetime.combine(day, time(hour, minute), tzinfo=UK).astimezone(timezone.utc)
