"""How a projection folds events into view tables, exactly once.

Each projection keeps its position (the last notification id it folded) in
`projection_positions`. The view change and the position move commit in one
transaction, and the position moves by compare-and-set, so a batch folded twice
(a crash, a race between two workers) fails and rolls back instead of applying twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any, NamedTuple

import msgspec
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Notification
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    MetaData,
    String,
    Table,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

metadata = MetaData()

positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
)


class Envelope(NamedTuple):
    """A decoded event with its place in the notification log, and the stored row it was decoded from."""

    position: int
    event: DomainEventProtocol[Any]
    stored: Notification | None = None  # the bytes as stored (the audit chain hashes these, not the event)


class PositionMoved(Exception):
    """Another folder moved this projection's position first: this batch must not apply."""


def describe(error: BaseException, limit: int = 500) -> str:
    """An error's type and the first line of its message: the driver's own error, not SQLAlchemy's
    wrapper, whose message carries the SQL and every row's parameters (other people's data)."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}"[:limit]


class ViewCannotFold(Exception):
    """A view raised while folding events: the service's fault, named so that only that view need stop."""

    def __init__(self, view: str, error: BaseException) -> None:
        super().__init__(f"the {view} view cannot fold: {describe(error)}")
        self.view = view
        self.error = error


class Projection:
    """What the engine folds: a view's name and tables, which event classes it wants, and how it applies a
    batch of them. Every view is written as a `BatchProjection` (projections/batch.py), which says how."""

    name: str = ""
    tables: tuple[Table, ...] = ()
    is_evidence = False  # evidence (the audit chain) is rebuilt only when named: rebuilding it would bless tampering

    def wants_class(self, kind: type) -> bool:
        """Whether events of this class are folded here (asked once per class: only wanted events are decoded)."""
        raise NotImplementedError

    def apply(self, session: Session, batch: Sequence[Envelope]) -> None:
        raise NotImplementedError


class _Upsert(NamedTuple):
    sql: str
    pick: Callable[[dict[str, Any]], tuple[Any, ...]]  # a row's values in column order
    processed: list[tuple[int, Callable[[Any], Any]]]  # columns whose values the dialect must convert


_UPSERTS: dict[tuple[str, Table], _Upsert] = {}


def _upsert_statement(dialect: Dialect, table: Table) -> _Upsert:
    """INSERT ... ON CONFLICT (key) DO UPDATE, the same SQL on SQLite and PostgreSQL, built once per table.

    Written in the driver's own parameter style and executed with the driver's executemany, so a
    rebuild pays neither SQLAlchemy's statement compilation nor its per-row parameter assembly.
    """
    quote = dialect.identifier_preparer.quote
    names = [column.name for column in table.columns]
    keys = [column.name for column in table.primary_key.columns]
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    others = [f"{quote(n)} = excluded.{quote(n)}" for n in names if n not in keys]
    sql = (
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join(marker for _ in names)}) "
        f"ON CONFLICT ({', '.join(quote(k) for k in keys)}) "
        + (f"DO UPDATE SET {', '.join(others)}" if others else "DO NOTHING")  # a row that is all key: nothing to set
    )
    processors = [bind_processor(dialect, column) for column in table.columns]
    return _Upsert(sql, itemgetter(*names), [(i, p) for i, p in enumerate(processors) if p is not None])


def bind_processor(dialect: Dialect, column: Column[Any]) -> Callable[[Any], Any] | None:
    """The dialect's conversion of a column's values, with SQLite's for times done by `isoformat`.

    SQLAlchemy writes a SQLite DATETIME field by field through a %-format; `isoformat` gives the same
    text (the offset, which SQLite's format leaves out, cut off) in one C call. The rebuild benchmark went
    from 18,785 to 21,002 events/s with this (docs/benchmarks.md); a Hypothesis test shows the text is equal.
    """
    standard = column.type.dialect_impl(dialect).bind_processor(dialect)
    if standard is None or dialect.name != "sqlite" or not isinstance(column.type, DateTime):
        return standard

    def sqlite_datetime(value: Any) -> Any:
        if type(value) is datetime:
            return value.isoformat(" ", "microseconds")[:26]
        return standard(value)

    return sqlite_datetime


def upsert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert or replace rows by primary key, in one executemany for the whole list."""
    connection = session.connection()
    dialect = connection.dialect
    statement = _UPSERTS.get((dialect.name, table))
    if statement is None:
        statement = _UPSERTS[(dialect.name, table)] = _upsert_statement(dialect, table)
    pick, processed = statement.pick, statement.processed
    values = []
    for row in rows:
        value = list(pick(row))
        for index, process in processed:
            value[index] = process(value[index])
        values.append(tuple(value))
    connection.exec_driver_sql(statement.sql, values)  # type: ignore[arg-type]


# Statements on the hot path are built once: building one costs more than running it.
_READ_POSITIONS = select(positions.c.name, positions.c.position)
_MOVE_POSITIONS = (
    update(positions)
    .where(positions.c.name.in_(bindparam("names", expanding=True)), positions.c.position == bindparam("old"))
    .values(position=bindparam("new"))
)


def read_positions(session: Session) -> dict[str, int]:
    return {name: position for name, position in session.execute(_READ_POSITIONS)}


def ensure_positions(session: Session, projections: Iterable[Projection]) -> None:
    known = read_positions(session)
    missing = [{"name": p.name, "position": 0} for p in projections if p.name not in known]
    if missing:
        session.execute(insert(positions), missing)


def move_position(session: Session, names: Sequence[str], old: int, new: int) -> None:
    """Compare-and-set: the positions move only from where this folder found them, all or none."""
    result = session.execute(_MOVE_POSITIONS, {"names": list(names), "old": old, "new": new})
    if result.rowcount != len(names):  # type: ignore[attr-defined]
        raise PositionMoved(f"projection(s) {', '.join(names)} moved past {old} while this batch was folded")


def fold(
    session: Session, projections: Sequence[Projection], position: int, batch: Sequence[Envelope], upto: int
) -> None:
    """Fold the events after `position` into projections that all stand there, and move them to `upto` at once.

    Which projection wants what is settled per event class, not per event: a projection that wants every
    class in the batch takes the batch as it is, one that wants none is skipped, only the rest filter.
    """
    unseen = [e for e in batch if e.position > position] if batch and batch[0].position <= position else batch
    classes = {type(e.event) for e in unseen}
    for projection in projections:
        wanted = {kind for kind in classes if projection.wants_class(kind)}
        if wanted == classes:
            relevant = list(unseen)
        else:
            relevant = [e for e in unseen if type(e.event) in wanted] if wanted else []
        if relevant:
            try:  # free unless raised (Python 3.11): the happy path pays nothing
                projection.apply(session, relevant)
            except Exception as error:
                raise ViewCannotFold(projection.name, error) from error
    move_position(session, [p.name for p in projections], position, upto)


def by_position(projections: Iterable[Projection], positions: dict[str, int]) -> dict[int, list[Projection]]:
    """Projections grouped by where they stand (usually all together)."""
    groups: dict[int, list[Projection]] = {}
    for projection in projections:
        groups.setdefault(positions[projection.name], []).append(projection)
    return groups


def _canonical(value: Any) -> Any:
    """What msgspec cannot encode itself."""
    return bytes(value).hex() if isinstance(value, memoryview) else str(value)


def table_checksum(session: Session, table: Table) -> str:
    """SHA-256 over a table's rows in primary-key order: equal views, equal checksums.

    Rows are read as the driver gives them (times as the dialect stores them), not converted by
    SQLAlchemy, whose conversion would cost a rebuild more than the hashing does. Columns are named in
    the schema's order, and JSON stored as text (SQLite) is parsed, so key order never counts.
    """
    digest = hashlib.sha256()
    preparer = session.get_bind().dialect.identifier_preparer
    columns = ", ".join(preparer.quote(column.name) for column in table.columns)
    order = ", ".join(preparer.quote(column.name) for column in table.primary_key.columns)
    json_columns = [i for i, column in enumerate(table.columns) if isinstance(column.type, JSON)]
    encode = msgspec.json.Encoder(enc_hook=_canonical, order="sorted", decimal_format="string").encode
    query = f"SELECT {columns} FROM {preparer.format_table(table)} ORDER BY {order}"
    for row in session.connection().exec_driver_sql(query):
        values = list(row)
        for index in json_columns:
            if isinstance(values[index], str):
                values[index] = msgspec.json.decode(values[index])
        digest.update(encode(values))
        digest.update(b"\n")
    return digest.hexdigest()


def projection_checksum(session: Session, projection: Projection) -> str:
    digest = hashlib.sha256()
    for table in projection.tables:
        digest.update(f"{table.name}:{table_checksum(session, table)}\n".encode())
    return digest.hexdigest()
