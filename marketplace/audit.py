"""Tamper evidence: recompute the audit chain from the stored events and find the first place it breaks.

The chain (projections.chain) was folded as each event was stored. Verifying reads the events table
and the chain side by side in position order and recomputes every link from the stored bytes:

- a stored event whose recomputed link differs from the chain's: the event was changed (or rows
  were reordered, which changes what is stored at a position);
- a chained position with no stored event: the event was deleted;
- a stored event at a position the chain never linked: the event was inserted outside the
  application (or, in worker mode, the projection worker has not folded it yet).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from marketplace.service import Marketplace
from projections.chain import GENESIS, AuditChain, audit_chain, link
from projections.engine import positions

PAGE = 10_000


@dataclass(frozen=True)
class Verdict:
    """`ok`: the head the chain verified to; otherwise the first position where it breaks, and how."""

    ok: bool
    position: int
    hash: str = GENESIS
    problem: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"ok {self.position} {self.hash}"
        return f"broken at position {self.position}: {self.problem}"


def _paged(connection: Connection, table: Table, *columns: str) -> Iterator[tuple[Any, ...]]:
    """Every row of a table by position (its `id` or `position` key), read a page at a time."""
    key = table.primary_key.columns.values()[0]
    query = select(key, *(table.c[name] for name in columns)).order_by(key).limit(PAGE)
    after = None
    while True:
        rows = connection.execute(query if after is None else query.where(key > after)).all()
        yield from (tuple(row) for row in rows)
        if len(rows) < PAGE:
            return
        after = rows[-1][0]


def verify_chain(connection: Connection, events: Table) -> Verdict:
    """Recompute the chain from `events` and compare it link by link with the stored chain."""
    chained_upto = connection.execute(select(positions.c.position).where(positions.c.name == AuditChain.name)).scalar()
    stored = _paged(connection, events, "originator_id", "originator_version", "topic", "state")
    chain = _paged(connection, audit_chain, "hash")
    event = next(stored, None)
    row = next(chain, None)
    current, head = GENESIS, 0
    while event is not None or row is not None:
        if row is not None and (event is None or row[0] < event[0]):
            return Verdict(False, int(row[0]), problem="the chain links an event that is no longer stored (deleted)")
        assert event is not None
        position, originator_id, version, topic, state = event
        if row is None or row[0] > position:
            if chained_upto is not None and position > chained_upto:
                problem = "stored after the chain's head: not linked (inserted, or the projection worker is behind)"
            else:
                problem = "a stored event the chain never linked (inserted)"
            return Verdict(False, int(position), problem=problem)
        current = link(current, position, originator_id, version, topic, bytes(state))
        if current != row[1]:
            return Verdict(
                False, int(position), problem="the stored event differs from the one chained (changed or reordered)"
            )
        head = int(position)
        event, row = next(stored, None), next(chain, None)
    return Verdict(True, head, current)


def verify(market: Marketplace) -> Verdict:
    events = market.app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    with market.engine.connect() as connection:
        return verify_chain(connection, events)
