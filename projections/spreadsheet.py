"""CSV for people who open it in a spreadsheet: a text cell that a spreadsheet would run as a formula (it starts
with =, +, -, @, a tab or a carriage return) is written with a leading apostrophe (OWASP's CSV injection advice).
Numbers are numbers: a negative amount is not text and is written as it is."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """A value as its CSV cell: text neutralised, times in ISO 8601, numbers as written."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_line(values: Sequence[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([cell(value) for value in values])
    return buffer.getvalue()
