"""What a command returns: enough for a response (Location, ETag, event position)."""

from __future__ import annotations

from typing import Any, NamedTuple


class Outcome(NamedTuple):
    aggregate_id: str
    version: int
    position: int  # the notification id of the command's last event
    replayed: bool = False  # true when an Idempotency-Key returned an earlier outcome
    aggregate: Any = None  # the aggregate as the command left it (None when replayed)
