"""Tamper evidence: recompute the audit chain from the stored events and find the first place it breaks.

The chain (projections.chain) was folded as each event was stored. Verifying reads the events table
and the chain side by side in position order and recomputes every link from the stored bytes:

- a stored event whose recomputed link differs from the chain's: the event was changed (or rows
  were reordered, which changes what is stored at a position);
- a chained position with no stored event: the event was deleted;
- a stored event at a position the chain never linked: the event was inserted outside the
  application (or, in worker mode, the projection worker has not folded it yet).

Someone who can rewrite the events can rewrite the chain to match, so that comparison is not
enough: anchors kept outside (a head from GET /audit/chain/head, or signed checkpoints from GET
/audit/checkpoints) are checked against the chain recomputed from the events table alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, Text, cast, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

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
    subject: str = "broken"  # what failed: the chain table ("broken") or a kept "anchor"

    def __str__(self) -> str:
        if self.ok:
            return f"ok {self.position} {self.hash}"
        return f"{self.subject} at position {self.position}: {self.problem}"


@dataclass(frozen=True, order=True)
class Anchor:
    """A link kept outside the database: the history stored up to `position` must still lead to `hash`."""

    position: int
    hash: str


def _paged(
    connection: Connection, table: Table, *columns: str, after: int | None = None, upto: int | None = None
) -> Iterator[tuple[Any, ...]]:
    """Every row of a table by position (its `id` or `position` key), read a page at a time."""
    key = table.primary_key.columns.values()[0]
    chosen = (_as_text(connection, table.c[name]) if name == "originator_id" else table.c[name] for name in columns)
    query = select(key, *chosen).order_by(key).limit(PAGE)
    if upto is not None:
        query = query.where(key <= upto)
    while True:
        rows = connection.execute(query if after is None else query.where(key > after)).all()
        yield from (tuple(row) for row in rows)
        if len(rows) < PAGE:
            return
        after = rows[-1][0]


def _as_text(connection: Connection, column: ColumnElement[Any]) -> ColumnElement[Any]:
    """An event's originator id as the text the chain hashes (`str(uuid)`), made by the database rather than a
    UUID object per row: PostgreSQL casts its uuid; SQLite formats its 16 bytes' hex as 8-4-4-4-12."""
    if connection.dialect.name == "postgresql":
        return cast(column, Text)
    hexed = func.lower(func.hex(column))
    parts = [func.substr(hexed, start, length) for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))]
    return parts[0] + "-" + parts[1] + "-" + parts[2] + "-" + parts[3] + "-" + parts[4]


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


def recomputed(
    connection: Connection, events: Table, after: int = 0, start: str = GENESIS, upto: int | None = None
) -> Iterator[tuple[int, str]]:
    """Each link from the events table alone (the chain table is not read), after `after` whose link is `start`."""
    current = start
    stored = _paged(connection, events, "originator_id", "originator_version", "topic", "state", after=after, upto=upto)
    for position, originator_id, version, topic, state in stored:
        current = link(current, position, originator_id, version, topic, bytes(state))
        yield int(position), current


def _missed(anchor: Anchor, reached: tuple[int, str]) -> str:
    """Why the recomputed chain, at its first link at or after the anchor's position, misses it ("" if it meets it)."""
    position, hash_ = reached
    if position < anchor.position:
        return f"the stored history ends at position {position}, before the anchor (events deleted from the end)"
    if position > anchor.position:
        return "no stored event is at this position any more (deleted, or the events were renumbered)"
    if hash_ != anchor.hash:
        return (
            f"the stored events lead to {hash_} here, not to the kept {anchor.hash}: an event at or before this "
            "position was changed, inserted or deleted (and the chain table rewritten to match, if it verifies)"
        )
    return ""


def verify_anchors(connection: Connection, events: Table, anchors: Iterable[Anchor]) -> list[Verdict]:
    """Every kept anchor the chain recomputed from the events no longer leads to, in position order."""
    links = recomputed(connection, events)
    reached, failures = (0, GENESIS), []
    for anchor in sorted(set(anchors)):
        while reached[0] < anchor.position and (step := next(links, None)) is not None:
            reached = step
        problem = _missed(anchor, reached)
        if problem:
            failures.append(Verdict(False, anchor.position, anchor.hash, problem, subject="anchor"))
    return failures


def events_table(market: Marketplace) -> Table:
    table = market.app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def verify(market: Marketplace) -> Verdict:
    with market.engine.connect() as connection:
        return verify_chain(connection, events_table(market))


def verify_all(market: Marketplace, anchors: Sequence[Anchor], refused: Sequence[str] = ()) -> tuple[bool, list[str]]:
    """The chain table's verdict, then each kept anchor that fails and each kept checkpoint refused (forged)."""
    verdict = verify(market)
    with market.engine.connect() as connection:
        failures = verify_anchors(connection, events_table(market), anchors) if anchors else []
    lines = [str(verdict), *refused, *(str(failure) for failure in failures)]
    ok = verdict.ok and not failures and not refused
    if anchors and not failures:
        lines.append(f"anchors ok: {len(set(anchors))} kept, the last at position {max(anchors).position}")
    return ok, lines
