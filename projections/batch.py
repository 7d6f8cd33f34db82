"""How to write a view: a `BatchProjection`, which folds each batch of events through `Rows` caches.

A view declares, as class attributes, beside its `name` and `tables`:

- `follows`: the aggregates whose events it reads, `follows = (Tender, Bid)`;
- `folds`: event class -> its fold, or a tuple of folds run in that order. A fold is a function
  `fold(touched, event)`: it reads rows from `touched[table.name]` (`get`, `[key]`) and `put`s (or `remove`s)
  rows; `touched.envelope` is the event's envelope, for the views that keep its position or stored bytes;
- `ignores`: the event classes of those aggregates it leaves alone;
- `own_rows` (optional): its table with one row per aggregate, keyed by the aggregate's id.

Every event class of every aggregate a view follows (`domain.base.event_classes`) is folded or ignored,
never both and never neither, and nothing else is folded (`tests/test_view_coverage.py`): adding an event
to an aggregate makes each view that follows it decide what the event means to it. The engine hands a view
only the events whose class (or a class it derives from) `folds` names, settled once per class, and never
decodes an event for a view that does not want it.

Why batches: a view's `load(session, touched, batch)` reads, in a few statements, every stored row the whole
batch will touch (by default the `own_rows` of the aggregates it has events of) into one `Rows` cache per
table; the folds then run in memory, and the flush writes each row put, once, in one executemany (and deletes
those removed). A rebuild so costs a few statements per thousand events, not several per event. A fold never
changes a row, or a JSON value in it, in place: it puts a new one. Rows share their JSON values with the rows
they were made from, and only what is put is written.

The platform's views (the decision log, the audit chain) follow every aggregate, those yet to be written
too: their `follows` is `domain_aggregates()`, worked out when the view is made, and they fold by a base
class (every decision; every stored event) instead of naming each class.

Here too is what every view's rows share: plain JSON values and UTC times. A view with one row per
aggregate folds it with `first_row` and `own_row` (projections/aggregate_rows.py).
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum
from functools import cached_property
from operator import itemgetter
from typing import Any

from sqlalchemy import Delete, Select, Table, and_, bindparam, delete, select
from sqlalchemy.orm import Session

import domain
from domain.base import MarketplaceAggregate, event_classes
from projections.engine import Envelope, Projection, upsert

Key = Any  # a row's primary key: the value itself for a one-column key, else a tuple in the key's order
Row = dict[str, Any]


def utc(moment: datetime) -> datetime:
    """Views hold UTC: SQLite drops the offset, so any other zone would sort wrongly there."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def plain(value: Any) -> Any:
    """Plain JSON with sorted keys, so a JSON column compares (and checksums) the same however it was built."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in sorted(value.items(), key=lambda item: str(item[0]))}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, datetime):
        return utc(value).isoformat()
    if isinstance(value, (Decimal, date)):
        return str(value)
    return value


def originators(batch: Iterable[Envelope], kind: type | tuple[type, ...] = object) -> set[str]:
    """The ids of the aggregates whose events of this kind the batch holds: what most views load by."""
    return {str(envelope.event.originator_id) for envelope in batch if isinstance(envelope.event, kind)}


def events_of(batch: Iterable[Envelope], kind: type | tuple[type, ...]) -> list[Any]:
    return [envelope.event for envelope in batch if isinstance(envelope.event, kind)]


_LOADS: dict[tuple[Table, str], Select[Any]] = {}
_DELETES: dict[Table, Delete] = {}


def _load_statement(table: Table, column: str) -> Select[Any]:
    """SELECT the rows whose column is in a list, built once per table and column (building costs more than running)."""
    statement = _LOADS.get((table, column))
    if statement is None:
        statement = select(table).where(table.c[column].in_(bindparam("values", expanding=True)))
        _LOADS[(table, column)] = statement
    return statement


def _delete_statement(table: Table) -> Delete:
    statement = _DELETES.get(table)
    if statement is None:
        key = [column == bindparam(f"key_{column.name}") for column in table.primary_key.columns]
        statement = _DELETES[table] = delete(table).where(and_(*key))
    return statement


class Rows:
    """The rows of one table that a batch touches: read once, folded in memory, each changed row written once."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.key_names = tuple(column.name for column in table.primary_key.columns)
        self.key_of: Callable[[Row], Key] = itemgetter(*self.key_names)
        self.rows: dict[Key, Row] = {}  # every row known to the batch: as read, or as last put
        self.changed: dict[Key, Row] = {}  # the rows put: what the flush writes
        self.gone: set[Key] = set()  # the rows removed: what the flush deletes

    def read(self, session: Session, statement: Select[Any], parameters: Mapping[str, Any] | None = None) -> None:
        """Keep every row a statement selects, unless the batch already holds it."""
        result = session.execute(statement, parameters)
        names = list(result.keys())
        for values in result.all():  # all at once, as tuples: a fetch or a mapping per row costs more than the row
            row = dict(zip(names, values, strict=True))
            self.rows.setdefault(self.key_of(row), row)

    def load(self, session: Session, column: str, values: Iterable[Any]) -> None:
        """Read every stored row whose `column` is one of `values`."""
        wanted = list(set(values))
        if wanted:
            self.read(session, _load_statement(self.table, column), {"values": wanted})

    def get(self, key: Key) -> Row | None:
        return self.rows.get(key)

    def __getitem__(self, key: Key) -> Row:
        row = self.rows.get(key)
        if row is None:
            raise KeyError(f"{self.table.name} has no row {key} in this batch")
        return row

    def put(self, row: Row) -> None:
        key = self.key_of(row)
        self.rows[key] = self.changed[key] = row
        if self.gone:
            self.gone.discard(key)

    def remove(self, key: Key) -> None:
        self.rows.pop(key, None)
        self.changed.pop(key, None)
        self.gone.add(key)

    def values(self) -> list[Row]:
        return list(self.rows.values())

    def last(self) -> Row | None:
        """The row read or put last."""
        return next(reversed(self.rows.values()), None)

    def flush(self, session: Session) -> None:
        """Delete the rows removed and write the rows put, one statement each."""
        if self.gone:
            keys = [key if isinstance(key, tuple) else (key,) for key in sorted(self.gone)]
            rows = [{f"key_{name}": value for name, value in zip(self.key_names, key, strict=True)} for key in keys]
            session.execute(_delete_statement(self.table), rows)
        if self.changed:
            upsert(session, self.table, list(self.changed.values()))


class Touched(dict[str, Rows]):
    """The rows a batch touches, by table name, and the envelope of the event being folded (its position in the
    log and its stored bytes, for the views that keep them)."""

    envelope: Envelope


Fold = Callable[[Touched, Any], None]
Folds = Mapping[type, Fold | tuple[Fold, ...]]


def each(classes: Iterable[type], fold: Fold | tuple[Fold, ...]) -> dict[type, Fold | tuple[Fold, ...]]:
    """The same fold for several event classes."""
    return dict.fromkeys(classes, fold)


class BatchProjection(Projection):
    """A view: the aggregates it `follows`, the event classes it `folds` and `ignores`, and how a batch loads."""

    follows: tuple[type[MarketplaceAggregate], ...] = ()
    folds: Folds = {}
    ignores: tuple[type, ...] = ()
    own_rows: Table | None = None  # a table with one row per aggregate, keyed by its id

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        both = set(cls.folds) & set(cls.ignores)
        if both:
            raise TypeError(f"{cls.__name__} both folds and ignores {sorted(c.__qualname__ for c in both)}")

    @cached_property
    def _plan(self) -> dict[type, tuple[Fold, ...]]:
        return {}

    def folds_for(self, kind: type) -> tuple[Fold, ...]:
        """The folds of the nearest class in the event class's ancestry that `folds` names (none if none is)."""
        found = self._plan.get(kind)
        if found is None:
            named = next((self.folds[cls] for cls in kind.__mro__ if cls in self.folds), ())
            found = self._plan[kind] = named if isinstance(named, tuple) else (named,)
        return found

    def wants_class(self, kind: type) -> bool:
        return bool(self.folds_for(kind))

    def load(self, session: Session, touched: Touched, batch: Sequence[Envelope]) -> None:
        """Read the stored rows the batch will touch: by default the `own_rows` of the aggregates it has events of."""
        if self.own_rows is not None:
            touched[self.own_rows.name].load(session, "id", originators(batch))

    def apply(self, session: Session, batch: Sequence[Envelope]) -> None:
        touched = Touched((table.name, Rows(table)) for table in self.tables)
        self.load(session, touched, batch)
        plan, folds_for = self._plan, self.folds_for
        for envelope in batch:
            event = envelope.event
            folds = plan.get(type(event)) or folds_for(type(event))
            touched.envelope = envelope
            for fold in folds:
                fold(touched, event)
        self.flush(session, touched)

    def flush(self, session: Session, touched: Touched) -> None:
        for rows in touched.values():
            rows.flush(session)


def domain_aggregates() -> tuple[type[MarketplaceAggregate], ...]:
    """Every aggregate the domain defines (its modules imported first): what a view following all of them follows."""
    for module in pkgutil.walk_packages(domain.__path__, f"{domain.__name__}."):
        importlib.import_module(module.name)
    found: list[type[MarketplaceAggregate]] = []
    pending = list(MarketplaceAggregate.__subclasses__())
    while pending:
        aggregate = pending.pop(0)
        pending.extend(aggregate.__subclasses__())
        if aggregate.__module__.startswith(f"{domain.__name__}."):
            found.append(aggregate)
    return tuple(found)


def followed_classes(aggregates: Iterable[type[MarketplaceAggregate]]) -> list[type]:
    """The event classes of these aggregates."""
    return [kind for aggregate in aggregates for kind in event_classes(aggregate)]
