"""Keyset pagination: an opaque cursor holds the sort key of the last row a page showed."""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import Column, Select, and_, or_


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


def after(query: Select[Any], columns: list[Column[Any]], cursor: str | None) -> Select[Any]:
    """Rows strictly after the cursor in the (col1, col2, ...) ascending order."""
    query = query.order_by(*columns)
    if not cursor:
        return query
    values = decode_cursor(cursor, len(columns))
    clauses = []
    for i, column in enumerate(columns):
        equal = [columns[j] == values[j] for j in range(i)]
        clauses.append(and_(*equal, column > values[i]))
    return query.where(or_(*clauses))


def page(rows: list[Any], limit: int, key: list[str]) -> tuple[list[Any], str | None]:
    """Trim a limit+1 fetch to a page and make the cursor for the next one."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode_cursor([last[k] for k in key])
