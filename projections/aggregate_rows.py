"""Views with one row per aggregate: the folds of its events into it, and the columns every event moves.

`first_row` folds an aggregate's first event into the row it makes; `own_row` folds a later one by its
`Change` (the columns the event changes, given the row before it). Either stamps the row: `versioned` moves
its version and count of events folded (which must end equal), `updated` also its `updated_at`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table

from projections.batch import Fold, Row, Touched, utc


def versioned(row: Row, event: Any) -> Row:
    """What one more of a row's own aggregate's events moves: events_folded must end equal to version."""
    return {"version": event.originator_version, "events_folded": row["events_folded"] + 1}


def updated(row: Row, event: Any) -> Row:
    """`versioned`, and the time of the latest event, for the rows that show it (written out: one dict per event)."""
    return {
        "version": event.originator_version,
        "events_folded": row["events_folded"] + 1,
        "updated_at": utc(event.timestamp),
    }


def bumped(row: Row, event: Any) -> Row:
    """A row after one more of its own aggregate's events."""
    return {**row, **versioned(row, event)}


Change = Callable[[Row, Any], Row]  # the columns an event changes, given its aggregate's row before it
Stamp = Callable[[Row, Any], Row]  # the columns every event of the aggregate moves: `versioned` or `updated`


def first_row(table: Table, make: Callable[[Any], Row], stamp: Stamp = updated) -> Fold:
    """The fold of an aggregate's first event: the row it makes (events_folded 0), stamped."""
    name = table.name

    def fold(touched: Touched, event: Any) -> None:
        row = make(event)
        row.update(stamp(row, event))  # a row just made is no other's: stamped as it is
        touched[name].put(row)

    return fold


def own_row(table: Table, change: Change, stamp: Stamp = updated) -> Fold:
    """The fold of a later event into its own aggregate's row (keyed by the aggregate's id), stamped."""
    name = table.name

    def fold(touched: Touched, event: Any) -> None:
        rows, key = touched[name], str(event.originator_id)
        row = rows.rows.get(key)
        if row is None:
            raise KeyError(f"{name} has no row {key}: an event of an aggregate before its first")
        rows.put({**row, **change(row, event), **stamp(row, event)})

    return fold


def unchanged(row: Row, event: Any) -> Row:
    """The change of an event that moves only its row's version."""
    return {}


def taken(event: Any, *names: str) -> Row:
    """The event's own fields, as the columns of the same names."""
    return {name: getattr(event, name) for name in names}
