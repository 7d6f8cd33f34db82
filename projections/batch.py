"""Batch folding over several tables, plain JSON and keyset pages over dates: what the tendering views share.

Tender, bid and evaluation events touch rows other than their own aggregate's (opening a tender
marks its bids; a withdrawal changes its tender's bid count), so these projections fold a batch
through `Rows` caches: each touched row is read once, folded in memory and written once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from projections.engine import Envelope, Projection, upsert

Key = tuple[Any, ...]
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


def copied(value: Any) -> Any:
    """A copy of a row's JSON values (dicts and lists); scalars are immutable and shared.

    copy.deepcopy cost a rebuild 1.1 s of 7.6 s under the profiler (`python -m bench profile rebuild`); this, 0.09 s.
    """
    if isinstance(value, dict):
        return {key: copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copied(item) for item in value]
    return value


def bumped(row: Row, event: Any) -> Row:
    """A row after one more of its own aggregate's events: events_folded must end equal to version."""
    return {**row, "version": event.originator_version, "events_folded": row["events_folded"] + 1}


class Rows:
    """The rows of one table that a batch touches."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.key_names = tuple(column.name for column in table.primary_key.columns)
        self.rows: dict[Key, Row] = {}
        self.before: dict[Key, Row] = {}

    def key_of(self, row: Any) -> Key:
        return tuple(row[name] for name in self.key_names)

    def load(self, session: Session, column: str, values: Iterable[Any]) -> None:
        """Read every stored row whose `column` is one of `values`, unless already read."""
        wanted = sorted(set(values))
        if not wanted:
            return
        for found in session.execute(select(self.table).where(self.table.c[column].in_(wanted))).mappings():
            key = self.key_of(found)
            if key not in self.before:
                self.before[key] = copied(dict(found))  # JSON values must not be shared with `rows`
                self.rows.setdefault(key, dict(found))

    def get(self, key: Any) -> Row | None:
        """The row with this primary key (a tuple, or the value itself for a one-column key)."""
        return self.rows.get(key if isinstance(key, tuple) else (key,))

    def __getitem__(self, key: Any) -> Row:
        row = self.get(key)
        if row is None:
            raise KeyError(f"{self.table.name} has no row {key} in this batch")
        return row

    def put(self, row: Row) -> None:
        self.rows[self.key_of(row)] = row

    def values(self) -> list[Row]:
        return list(self.rows.values())

    def flush(self, session: Session) -> None:
        """Write each changed row once, in one statement."""
        changed = [row for key, row in self.rows.items() if row != self.before.get(key)]
        if changed:
            upsert(session, self.table, changed)


Touched = dict[str, Rows]  # by table name
Handler = Callable[[Touched, Any], None]
Handlers = tuple[tuple[type | tuple[type, ...], Handler], ...]  # every handler whose event types match runs


class BatchProjection(Projection):
    """Folds a batch through `Rows` caches: `load` reads what the batch touches, `handlers` fold each event."""

    handlers: Handlers = ()

    def load(self, session: Session, touched: Touched, events: list[Any]) -> None:
        raise NotImplementedError

    def apply(self, session: Session, batch: Sequence[Envelope]) -> None:
        touched = {table.name: Rows(table) for table in self.tables}
        events = [envelope.event for envelope in batch]
        self.load(session, touched, events)
        for event in events:
            for kind, handler in self.handlers:
                if isinstance(event, kind):
                    handler(touched, event)
        for rows in touched.values():
            rows.flush(session)
