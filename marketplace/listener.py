"""The projection worker's ear on PostgreSQL: LISTEN on the event store's channel, woken by each commit's NOTIFY."""

from __future__ import annotations

import select
from typing import Any

from sqlalchemy.engine import Engine


class Listener:
    """A connection of its own that LISTENs on the event store's channel: taken from the pool and kept (a
    connection returned to the pool is rolled back, and its LISTEN with it), in the driver's autocommit (a LISTEN
    inside a transaction takes effect only when that transaction commits)."""

    def __init__(self, pooled: Any, channel: str) -> None:
        self.pooled = pooled
        self.driver: Any = pooled.driver_connection
        self.driver.autocommit = True
        self.driver.execute(f"LISTEN {channel}")

    @classmethod
    def open(cls, engine: Engine, channel: str) -> Listener:
        return cls(engine.raw_connection(), channel)

    def channels(self) -> list[str]:
        """What this connection listens on, as PostgreSQL says (`pg_listening_channels()`)."""
        return [row[0] for row in self.driver.execute("SELECT pg_listening_channels()").fetchall()]

    def wait(self, timeout: float) -> None:
        """Until a notification arrives or the timeout passes; then drop whatever has arrived."""
        if select.select([self.driver], [], [], timeout)[0]:
            for _ in self.driver.notifies(timeout=0, stop_after=1000):
                pass

    def close(self) -> None:
        self.pooled.invalidate()  # never back to the pool: it listens
