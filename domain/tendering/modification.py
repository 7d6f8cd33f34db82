"""How far a contract may be modified before the council must publish a contract change notice first (PA2023
s.74-75): a change of value of up to 10% (goods and services) or 15% (works) of the contract as concluded, with the
term changed by no more than 10%, is de minimis and needs none; nor does a below-threshold contract. Anything more
is made only once a change notice for exactly that change is published, and after any voluntary standstill it
announced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from domain.rules import InOrder, Rule, StateRule

ONE_DP = Decimal("0.1")
DE_MINIMIS_VALUE = Decimal(10)  # percent, goods and services (PA2023 s.74(2))
DE_MINIMIS_VALUE_WORKS = Decimal(15)
DE_MINIMIS_TERM = Decimal(10)


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal:
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(ONE_DP, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Modification:
    """A contract's value and end after a change, beside the contract as concluded: what the change notice
    reports and the de minimis test measures (all changes since the contract was concluded, taken together)."""

    concluded_value: Decimal
    concluded_start: date
    concluded_end: date
    value: Decimal
    end: date
    works: bool = False

    @property
    def value_change(self) -> Decimal:
        return percent(self.value - self.concluded_value, self.concluded_value) if self.concluded_value else ONE_DP * 0

    @property
    def term_change(self) -> Decimal:
        term = (self.concluded_end - self.concluded_start).days or 1
        return percent((self.end - self.concluded_end).days, term)

    @property
    def de_minimis(self) -> bool:
        limit = DE_MINIMIS_VALUE_WORKS if self.works else DE_MINIMIS_VALUE
        return abs(self.value_change) <= limit and abs(self.term_change) <= DE_MINIMIS_TERM


@dataclass(frozen=True)
class NoticedChange:
    """A contract change notice as the modification it announces: the value and end it published, and the end of
    any voluntary standstill."""

    notice_id: str
    value: Decimal
    end: date
    standstill_ends: date | None = None


@dataclass(frozen=True)
class ChangeRegime:
    """What the law asks of a modification to this contract: whether it is a public contract (above the
    threshold its tender was published under), whether works, and the change notice the command names, if any."""

    public: bool
    works: bool
    noticed: NoticedChange | None = None


@dataclass(frozen=True)
class ChangeNoticed(StateRule):
    """A modification beyond de minimis of a public contract needs a published change notice announcing it."""

    modification: Modification
    regime: ChangeRegime
    field: str | None = "change_notice"

    def is_broken(self) -> bool:
        if not self.regime.public or self.modification.de_minimis:
            return False
        noticed = self.regime.noticed
        return noticed is None or (noticed.value, noticed.end) != (self.modification.value, self.modification.end)

    @property
    def message(self) -> str:
        m = self.modification
        change = f"{m.value_change:+}% in value and {m.term_change:+}% in term"
        if self.regime.noticed is not None:
            return f"The change notice announced a different change: vary the contract as it said ({change} asked)."
        return (
            f"A change of {change} is beyond de minimis (PA2023 s.74): publish a contract change notice for it first "
            "(POST /notices/contract-change) and name it in change_notice."
        )


@dataclass(frozen=True)
class StandstillOver(InOrder, StateRule):
    """A modification announced with a voluntary standstill is made only after the standstill ends."""

    field: str | None = "change_notice"

    @property
    def message(self) -> str:
        return f"The change notice's voluntary standstill runs until {self.earlier}: vary the contract after it."


def modification_rules(modification: Modification, regime: ChangeRegime, today: date) -> tuple[Rule, ...]:
    """The rules a variation keeps under its change regime, as one list for `check`."""
    rules: list[Rule] = [ChangeNoticed(modification, regime)]
    noticed = regime.noticed
    if noticed is not None and noticed.standstill_ends is not None:
        rules.append(StandstillOver(noticed.standstill_ends, today))
    return tuple(rules)
