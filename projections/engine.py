"""How a projection folds events into view tables, exactly once.

Each projection keeps its position (the last notification id it folded) in
`projection_positions`. The view change and the position move commit in one
transaction, and the position moves by compare-and-set, so a batch folded twice
(a crash, a race between two workers) fails and rolls back instead of applying twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import BigInteger, Column, MetaData, String, Table, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

metadata = MetaData()

positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
)


class Envelope(NamedTuple):
    """A decoded event with its place in the notification log."""

    position: int
    event: DomainEventProtocol[Any]


class PositionMoved(Exception):
    """Another folder moved this projection's position first: this batch must not apply."""


class Projection:
    """Folds events of the types it handles into its tables."""

    name: str = ""
    tables: tuple[Table, ...] = ()
    handles: tuple[type, ...] = ()

    def wants(self, event: object) -> bool:
        return isinstance(event, self.handles)

    def apply(self, session: Session, batch: Sequence[Envelope]) -> None:
        raise NotImplementedError


class RowProjection(Projection):
    """A view with one row per key (usually per aggregate), each row a fold of its events.

    A batch loads the rows it touches once, folds every event in memory, then writes
    each changed row once: that is what makes rebuilding fast.
    """

    table: Table

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if "table" in cls.__dict__:
            cls.tables = (cls.table,)

    def key(self, event: Any) -> Any:
        return str(event.originator_id)

    def fold(self, row: dict[str, Any] | None, envelope: Envelope) -> dict[str, Any] | None:
        raise NotImplementedError

    def apply(self, session: Session, batch: Sequence[Envelope]) -> None:
        keys = {self.key(envelope.event) for envelope in batch}
        primary = self.table.primary_key.columns.values()[0]
        found = session.execute(select(self.table).where(primary.in_(keys))).mappings()
        rows: dict[Any, dict[str, Any] | None] = {row[primary.name]: dict(row) for row in found}
        before = dict(rows)
        for envelope in batch:
            key = self.key(envelope.event)
            rows[key] = self.fold(rows.get(key), envelope)
        gone = [key for key, row in rows.items() if row is None and before.get(key) is not None]
        changed = [row for key, row in rows.items() if row is not None and row != before.get(key)]
        if gone:
            session.execute(delete(self.table).where(primary.in_(gone)))
        if changed:
            upsert(session, self.table, changed)


def upsert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert or replace rows by primary key, in one statement for the whole list."""
    dialect = session.get_bind().dialect.name
    stmt: Any = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    key_names = [column.name for column in table.primary_key.columns]
    changing = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in key_names}
    session.execute(stmt.on_conflict_do_update(index_elements=key_names, set_=changing), rows)


def read_positions(session: Session) -> dict[str, int]:
    return {name: position for name, position in session.execute(select(positions.c.name, positions.c.position))}


def ensure_positions(session: Session, projections: Iterable[Projection]) -> None:
    known = read_positions(session)
    missing = [{"name": p.name, "position": 0} for p in projections if p.name not in known]
    if missing:
        session.execute(insert(positions), missing)


def move_position(session: Session, name: str, old: int, new: int) -> None:
    """Compare-and-set: the position moves only from where this folder found it."""
    result = session.execute(
        update(positions).where(positions.c.name == name, positions.c.position == old).values(position=new)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise PositionMoved(f"projection {name} moved past {old} while this batch was folded")


def fold(session: Session, projection: Projection, position: int, batch: Sequence[Envelope], upto: int) -> int:
    """Fold the events after `position` into the projection and move it to `upto`."""
    relevant = [e for e in batch if e.position > position and projection.wants(e.event)]
    if relevant:
        projection.apply(session, relevant)
    move_position(session, projection.name, position, upto)
    return upto


def _canonical(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return str(value) if not isinstance(value, (int, bool, type(None))) else value


def table_checksum(session: Session, table: Table) -> str:
    """SHA-256 over a table's rows in primary-key order: equal views, equal checksums."""
    digest = hashlib.sha256()
    order = list(table.primary_key.columns)
    for row in session.execute(select(table).order_by(*order)).mappings():
        digest.update(json.dumps({k: _canonical(v) for k, v in row.items()}, sort_keys=True).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def projection_checksum(session: Session, projection: Projection) -> str:
    digest = hashlib.sha256()
    for table in projection.tables:
        digest.update(f"{table.name}:{table_checksum(session, table)}\n".encode())
    return digest.hexdigest()
