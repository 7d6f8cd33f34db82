"""What the views' queries share: one row by a column, equality filters, and keyset pages (an opaque cursor
holds the sort key of the last row a page showed)."""

from __future__ import annotations

import base64
import json
from collections.abc import Collection
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Date, DateTime, Integer, Numeric, Select, String, Text, literal, select, tuple_
from sqlalchemy.orm import Session

Row = dict[str, Any]


def one_row(session: Session, column: Column[Any], value: Any) -> Row | None:
    """The row of the column's table whose column holds the value, if any."""
    row = session.execute(select(column.table).where(column == value)).mappings().first()
    return dict(row) if row else None


def where_given(query: Select[Any], *filters: tuple[Column[Any], Any]) -> Select[Any]:
    """The query narrowed to the rows whose column equals each value given (a None value is not asked for)."""
    for column, value in filters:
        if value is not None:
            query = query.where(column == value)
    return query


def where_one_of(
    query: Select[Any], column: Column[Any], wanted: Collection[str], every: Collection[str]
) -> Select[Any]:
    """The query narrowed to the rows whose column holds one of the values wanted, of a column that holds only the
    values `every` names, said so that the index of the list's own order can serve it: an IN of several values has
    the database seek each value's rows and sort what it found. Every value wanted: no condition; fewer values left
    out than wanted: NOT IN those (no index seeks that, so the list's own is read in order); else IN (`=` for one)."""
    asked, known = list(dict.fromkeys(str(value) for value in wanted)), [str(value) for value in every]  # as text
    left_out = [value for value in known if value not in asked]
    if not set(asked) <= set(known) or len(left_out) >= len(asked):
        return query.where(column.in_(asked))
    return query.where(column.not_in(left_out)) if left_out else query


class BadCursor(ValueError):
    """The cursor was not one this service handed out."""


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError as error:
        raise BadCursor("The cursor is not valid; use the `next` link of the previous page.") from error
    if not isinstance(values, list) or len(values) != width:
        raise BadCursor("The cursor is not valid; use the `next` link of the previous page.")
    return values


def _to_cursor(value: Any) -> Any:
    """Dates and times travel in the cursor as ISO text (in UTC, as the views store them), amounts and scores as
    their decimal text (a float would not say them exactly)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _from_cursor(column: Column[Any], value: Any) -> Any:
    try:
        if isinstance(column.type, DateTime):
            return datetime.fromisoformat(value)
        if isinstance(column.type, Date):
            return date.fromisoformat(value)
        if isinstance(column.type, Numeric):
            found = Decimal(value)
            if not found.is_finite() or abs(found) >= 10**15:  # what no view's NUMERIC column holds
                raise ValueError(value)
            return found
        if isinstance(column.type, String | Text) is not isinstance(value, str):
            raise TypeError(value)  # a hand-made cursor: text is compared with text alone (PostgreSQL insists)
        if isinstance(column.type, Integer) and (not isinstance(value, int) or isinstance(value, bool)):
            raise TypeError(value)
    except (TypeError, ValueError, ArithmeticError) as error:
        raise BadCursor("The cursor is not valid; use the `next` link of the previous page.") from error
    return value


def after(query: Select[Any], columns: list[Column[Any]], cursor: str | None) -> Select[Any]:
    """Rows strictly after the cursor in the (col1, col2, ...) ascending order."""
    query = query.order_by(*columns)
    if not cursor:
        return query
    values = [_from_cursor(c, v) for c, v in zip(columns, decode_cursor(cursor, len(columns)), strict=True)]
    # One row-value comparison, (a, b, c) > (x, y, z): both databases seek the index to it, where the same
    # condition spelt out as ORs had SQLite walk every row before the cursor (bench/payables.py: 1.96x at 100,000).
    return query.where(tuple_(*columns) > tuple_(*(literal(v, c.type) for c, v in zip(columns, values, strict=True))))


def page(rows: list[Row], limit: int, columns: list[Column[Any]]) -> tuple[list[Row], str | None]:
    """Trim a limit+1 fetch to a page and make the cursor for the next one."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor([_to_cursor(rows[-1][column.name]) for column in columns])


def fetch_page(
    session: Session, query: Select[Any], columns: list[Column[Any]], cursor: str | None, limit: int
) -> tuple[list[Row], str | None]:
    """One keyset page of a query's rows, as dicts."""
    query = after(query, columns, cursor).limit(limit + 1)
    return page([dict(row) for row in session.execute(query).mappings()], limit, columns)
