"""Request field types the routes share: money and moments, as a request must write them.

A `Moment` must carry its offset from UTC: msgspec refuses one without while decoding the body (a 400 naming the
field), before any rule compares it with the clock's aware times. Query parameters are not decoded by msgspec's
struct rules (Litestar drops `Meta(tz=True)` there), so every time a query gives goes through
`api.moments.within_calendar`, which refuses a naive one the same way.

msgspec cannot bound a Decimal (`Meta(ge=..., le=...)` is for int and float only, a TypeError on Decimal), and it
decodes "NaN", "Infinity", "sNaN" and "1e400" as Decimals, so a `Money` field only says what money is; the domain's
money value (`domain/money.py`) holds it for every caller, naming the field (422).

A body is decoded before any field type applies (`api/decoding.py`), and msgspec's untyped JSON decoder reads a
number as a binary float: 1e400 is refused as "not valid JSON" naming only the body, and 999999999999.99001 arrives
as 999999999999.99. `exact_number`, as that decoder's `float_hook`, reads a JSON number as the Decimal written
whenever a float would not say exactly that, so a money field sees every digit sent and its rule names the field.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from domain.money import HOURLY_RATE_MAXIMUM, MAXIMUM

Money = Annotated[
    Decimal,
    msgspec.Meta(
        examples=[Decimal("250000.00")],
        description=f"GBP, as a decimal string: zero or more, whole pence (at most two decimal places), at most "
        f"{MAXIMUM}. NaN, infinities and anything else are refused, naming the field.",
    ),
]
HourlyRate = Annotated[
    Decimal,
    msgspec.Meta(
        examples=[Decimal("22.50")],
        description=f"GBP an hour, as a decimal string: more than zero, whole pence, at most {HOURLY_RATE_MAXIMUM} "
        "(what the registrations view keeps).",
    ),
]
Moment = Annotated[
    datetime,
    msgspec.Meta(
        tz=True,
        description="RFC 3339 with its offset from UTC, such as 2026-04-01T12:00:00Z or 2026-04-01T13:00:00+01:00; "
        "a time without an offset is refused.",
    ),
]


def exact_number(text: str) -> float | Decimal:
    """A JSON number with a fraction or an exponent: the float, when the float is exactly the number written (so
    every other field reads as before), else the Decimal written, which the field's own rule then judges."""
    written = Decimal(text)
    near = float(written)
    return near if math.isfinite(near) and Decimal(repr(near)) == written else written


Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=2000, description="Why the decision was taken.")]


class DecisionBody(msgspec.Struct, forbid_unknown_fields=True):
    """A decision's whole body: why it was taken (every decision must say)."""

    reason: Reason
