"""Records at their latest version without replaying their whole history: each record loaded is kept (in memory,
the least recently used forgotten first), and the next load folds only the events stored after it.

A record's cost to load is then the events it gained since it was last loaded (usually none: one indexed query
that finds nothing), not the length of its history, for commands and history reads alike. It stays right
across processes because stored events never change: another process's events are simply the newer ones the
next load folds. Inside a command's transaction a load may fold events the transaction wrote itself (an earlier
command of its group): what it loads is kept only once the transaction has committed (`holding`), so nobody is
ever shown, or builds on, a write that was rolled back.

A loaded record is a copy: a command mutates it (its pending events), and a refused command must leave nothing
of itself behind in the kept one.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application

from domain.base import MarketplaceAggregate

KEPT = 2048  # records kept: enough for the busy ones, a few MB at most


class LatestRecords:
    """The records most recently loaded, each at the latest version its load saw."""

    def __init__(self, app: Application[Any], kept: int = KEPT) -> None:
        self.app = app
        self.kept = kept
        self._records: OrderedDict[UUID, MarketplaceAggregate] = OrderedDict()
        self._lock = threading.Lock()
        self._held = threading.local()  # per thread: what its open transaction loaded, kept once it commits

    def get(self, aggregate_id: UUID) -> MarketplaceAggregate:
        """The record at its latest stored version (in the caller's transaction, when there is one): a copy the
        caller may change. Raises AggregateNotFoundError when no event has its id."""
        with self._lock:
            kept = self._records.get(aggregate_id)
            if kept is not None:
                self._records.move_to_end(aggregate_id)
        record: Any = copy.deepcopy(kept) if kept is not None else None
        newer: Any = self.app.events.get(aggregate_id, gt=record.version if record is not None else None)
        changed = False
        for event in newer:
            record, changed = event.mutate(record), True
        if record is None:
            raise AggregateNotFoundError(aggregate_id)
        if changed or kept is None:
            held: dict[UUID, MarketplaceAggregate] | None = getattr(self._held, "records", None)
            if held is None:
                self._keep(aggregate_id, copy.deepcopy(record))
            else:
                held[aggregate_id] = copy.deepcopy(record)
        return record  # type: ignore[no-any-return]

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Around a transaction: what it loads is kept when the block ends, and forgotten if it raises (the
        transaction rolled back, or its commit failed)."""
        held: dict[UUID, MarketplaceAggregate] = {}
        self._held.records = held
        try:
            yield
        finally:
            self._held.records = None
        for aggregate_id, record in held.items():
            self._keep(aggregate_id, record)

    def _keep(self, aggregate_id: UUID, record: MarketplaceAggregate) -> None:
        with self._lock:
            kept = self._records.get(aggregate_id)
            if kept is not None and kept.version > record.version:  # another thread kept a later one
                return
            self._records[aggregate_id] = record
            self._records.move_to_end(aggregate_id)
            while len(self._records) > self.kept:
                self._records.popitem(last=False)
