"""Money: one domain value for every amount the service records, in pounds and pence.

An amount is a Decimal that is finite, zero or more, whole pence, and no more than the columns that keep it hold
exactly. The views keep amounts as NUMERIC(14, 2), which PostgreSQL refuses at 10**12 or more: an amount the
event store took but a view could not would stall every view behind it. A registration's hourly rate is kept as
NUMERIC(10, 2), so it has its own, lower, maximum. SQLite keeps NUMERIC as a double, exact to 15 significant
digits, which both maximums are within. Every command checks its amounts here before any other rule compares or
adds them, so NaN, infinities, a tenth of a penny and amounts no column holds are refused, naming the field,
whoever calls the domain: the API, the command line or the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.rules import ValueRule, check

PENNY = Decimal("0.01")
MAXIMUM = Decimal("999999999999.99")  # NUMERIC(14, 2): lot and tender values, prices, awards, contracts, cover
HOURLY_RATE_MAXIMUM = Decimal("99999999.99")  # NUMERIC(10, 2): registrations.hourly_rate


class AmountIsDecimal(ValueRule[object]):
    """A binary float cannot say 0.10 exactly: amounts arrive as Decimals, or not at all."""

    def is_broken(self) -> bool:
        return not isinstance(self.value, Decimal)

    @property
    def message(self) -> str:
        return f"{self.field} must be an amount in pounds and pence, written as a decimal number."


class AmountFinite(ValueRule[Decimal]):
    """NaN and the infinities are Decimals, but no amount: they cannot be compared, added or stored in a view."""

    def is_broken(self) -> bool:
        return not self.value.is_finite()

    @property
    def message(self) -> str:
        return f"{self.field} must be a number of pounds, not NaN or infinity."


class AmountNotNegative(ValueRule[Decimal]):
    def is_broken(self) -> bool:
        return self.value < 0

    @property
    def message(self) -> str:
        return f"{self.field} must be zero or more."


@dataclass(frozen=True)
class AmountWithinMaximum(ValueRule[Decimal]):
    """No more than the smallest column that keeps it holds, so the event and every view agree on it."""

    maximum: Decimal = MAXIMUM
    label: str = ""

    def is_broken(self) -> bool:
        return self.value > self.maximum

    @property
    def message(self) -> str:
        return f"{self.label or self.field} must be at most {self.maximum:,} pounds."


class AmountInPence(ValueRule[Decimal]):
    """A tenth of a penny would be shown as 0.00 by a view and as 0.001 in open data: pence are the smallest unit."""

    def is_broken(self) -> bool:
        return self.value != self.value.quantize(PENNY)  # exact: the value is finite and at most the maximum

    @property
    def message(self) -> str:
        return f"{self.field} must be in pounds and pence: at most two decimal places."


def money(value: Decimal, field: str, maximum: Decimal = MAXIMUM, label: str = "") -> Decimal:
    """The amount, if it is money: the same amount back (minus zero as zero), or a refusal naming the field.

    The rules run in this order so that each only meets values the ones before let through: a comparison with
    NaN raises, and quantizing 400 digits overflows the context.
    """
    check(AmountIsDecimal(value, field))
    check(
        AmountFinite(value, field),
        AmountNotNegative(value, field),
        AmountWithinMaximum(value, field, maximum, label),
        AmountInPence(value, field),
    )
    return value.copy_abs()
