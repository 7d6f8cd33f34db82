"""The kinds of column the views share: aggregates' ids, organisations' identifiers, and the version columns.

Each kind is defined once, so a width (a UUID's 36 characters, an org-id.guide identifier's 80) cannot drift
between tables. A helper makes fresh columns on every call: a column belongs to one table.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, DateTime, Index, Integer, String


def ids(*names: str, key: bool = False) -> list[Column[Any]]:
    """Columns that hold aggregates' ids (UUIDs as text): the row's own key, or else what it belongs to."""
    return [Column(n, String(36), primary_key=True) if key else Column(n, String(36), nullable=False) for n in names]


def org_ids(*names: str) -> list[Column[Any]]:
    """Columns that hold organisations' org-id.guide identifiers (buyers, bidders, suppliers)."""
    return [Column(name, String(80), nullable=False) for name in names]


def version_columns(*, updated_at: bool = True) -> list[Column[Any]]:
    """The columns every view row that folds one aggregate ends with: its version, the events it folded
    (equal to the version: each event folded exactly once) and, mostly, the time of the latest."""
    columns: list[Column[Any]] = [
        Column("version", Integer, nullable=False),
        Column("events_folded", Integer, nullable=False),
    ]
    return [*columns, Column("updated_at", DateTime(timezone=True), nullable=False)] if updated_at else columns


def list_index(name: str, *columns: str) -> Index:
    """An index that serves a list's filter and order, and no fold: a rebuild makes it once the log is folded (one
    sort of the finished table), rather than keeping it up row by row (marketplace/projector.py)."""
    return Index(name, *columns, info={"serves": "lists"})


def serves_lists_only(index: Index) -> bool:
    return index.info.get("serves") == "lists"
