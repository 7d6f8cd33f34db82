"""A contract concluded from an award: delivered, varied, then ended or decommissioned with reasons.

Lifecycle: concluded (after the standstill) -> varied (value or end date, with reasons) ->
terminated early or decommissioned (PA2023 termination notice), or expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid5

from domain.base import Context, MarketplaceAggregate
from domain.rules import DomainError, InOrder, Rule, StateAllows, StateRule, check
from domain.tendering.tender import Award, Supplier, Tender
from domain.tendering.terms import ContractTerms, Ending, Variation
from domain.values import money


class ContractStatus(StrEnum):
    ACTIVE = "active"
    TERMINATED = "terminated"  # ended early
    DECOMMISSIONED = "decommissioned"  # the service itself ended, after consultation


ACTIVE, TERMINATED, DECOMMISSIONED = ContractStatus.ACTIVE, ContractStatus.TERMINATED, ContractStatus.DECOMMISSIONED


def contract_uuid(tender_id: UUID, lot_id: str) -> UUID:
    return uuid5(tender_id, f"contract:{lot_id}")


@dataclass(frozen=True)
class EndsAfterStart(InOrder):
    field: str | None = "end"
    message = "A contract must end after it starts."


@dataclass(frozen=True)
class NotExpired(InOrder, StateRule):
    """A contract past its end date has expired: it can no longer be varied or ended early (today no later than
    its end)."""

    strict: bool = False

    @property
    def message(self) -> str:
        return f"The contract expired on {self.later}."


class Contract(MarketplaceAggregate):
    tender_id: str
    lot_id: str
    buyer: str
    supplier: Supplier
    value: Decimal
    start: date
    end: date
    kpis: list[str]
    status: ContractStatus = ACTIVE
    ended_on: date | None = None

    class Concluded(MarketplaceAggregate.Created):
        tender_id: str
        lot_id: str
        buyer: str
        supplier: Supplier
        value: Decimal
        start: date
        end: date
        kpis: list[str]

    @classmethod
    def conclude(cls, ctx: Context, tender: Tender, award: Award, terms: ContractTerms) -> Contract:
        """The contract for an awarded lot: with its winner, at its price, for the term and KPIs agreed."""
        check(EndsAfterStart(terms.start, terms.end))
        return cls._create(
            cls.Concluded,
            id=contract_uuid(tender.id, award.lot_id),
            **ctx.stamp(),
            tender_id=str(tender.id),
            lot_id=award.lot_id,
            buyer=tender.buyer,
            supplier=award.supplier,
            value=award.value,
            start=terms.start,
            end=terms.end,
            kpis=[k.strip() for k in terms.kpis if k.strip()],
        )

    class Varied(MarketplaceAggregate.Decision):
        changes: dict[str, Any]

        def apply(self, contract: Contract) -> None:
            for name, value in self.changes.items():
                setattr(contract, name, value)

        def summary(self) -> str:
            return "varied: " + ", ".join(f"{name} to {value}" for name, value in sorted(self.changes.items()))

    def _in_force(self, ctx: Context, action: str) -> tuple[Rule, ...]:
        """A contract is varied or ended only while it is active and has not yet expired."""
        return StateAllows(self.status, frozenset({ACTIVE}), action), NotExpired(ctx.today, self.end)

    def vary(self, ctx: Context, reason: str, variation: Variation) -> None:
        check(*self._in_force(ctx, "vary a contract"))
        changes: dict[str, Any] = {}
        value, end = variation.value, variation.end
        if value is not None and (value := money(value, "value")) != self.value:  # money before it is compared
            changes["value"] = value
        if end is not None and end != self.end:
            check(EndsAfterStart(self.start, end))
            changes["end"] = end
        if not changes:
            raise DomainError("The variation changes nothing.", rule="ChangesSomething")
        self.decide(self.Varied, ctx, reason, changes=changes)

    class Ended(MarketplaceAggregate.Decision):
        how: str  # terminated | decommissioned
        effective: date
        consultation: str

        def apply(self, contract: Contract) -> None:
            contract.status, contract.ended_on = ContractStatus(self.how), self.effective

        def summary(self) -> str:
            return f"contract {self.how}, effective {self.effective}"

    def terminate(self, ctx: Context, reason: str, effective: date) -> None:
        self._end(ctx, reason, TERMINATED, Ending(effective))

    def decommission(self, ctx: Context, reason: str, ending: Ending) -> None:
        """Ending the service itself: record who was consulted and how (commissioning cycle)."""
        if len(ending.consultation.strip()) < 3:
            raise DomainError("Say how the people affected were consulted.", field="consultation")
        self._end(ctx, reason, DECOMMISSIONED, Ending(ending.effective, ending.consultation.strip()))

    def _end(self, ctx: Context, reason: str, how: ContractStatus, ending: Ending) -> None:
        check(*self._in_force(ctx, "end a contract"))
        if not self.start <= ending.effective <= self.end:
            raise DomainError("The end date must fall within the contract term.", field="effective")
        self.decide(
            self.Ended, ctx, reason, how=how.value, effective=ending.effective, consultation=ending.consultation
        )
