"""A contract concluded from an award: delivered, varied, then ended or decommissioned with reasons.

Lifecycle: concluded (after the standstill) -> varied (value or end date, with reasons) ->
terminated early or decommissioned (PA2023 termination notice), or expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from domain.base import Context, MarketplaceAggregate
from domain.rules import DomainError, Refusal, Rule, StateAllows, check
from domain.tendering.tender import Award, Supplier
from domain.values import money

ACTIVE = "active"
TERMINATED = "terminated"
DECOMMISSIONED = "decommissioned"


def contract_uuid(tender_id: UUID, lot_id: str) -> UUID:
    return uuid5(tender_id, f"contract:{lot_id}")


@dataclass(frozen=True)
class EndsAfterStart(Rule):
    start: date
    end: date
    field: str | None = "end"

    def is_broken(self) -> bool:
        return self.end <= self.start

    @property
    def message(self) -> str:
        return "A contract must end after it starts."


@dataclass(frozen=True)
class NotExpired(Rule):
    """A contract past its end date has expired: it can no longer be varied or ended early."""

    contract: Contract
    ctx: Context
    kind: Refusal = Refusal.CONFLICT
    field: str | None = None

    def is_broken(self) -> bool:
        return self.ctx.today > self.contract.end

    @property
    def message(self) -> str:
        return f"The contract expired on {self.contract.end}."


class Contract(MarketplaceAggregate):
    tender_id: str
    lot_id: str
    buyer: str
    supplier: Supplier
    value: Decimal
    start: date
    end: date
    kpis: list[str]
    status: str = ACTIVE
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
    def conclude(
        cls, ctx: Context, tender_id: UUID, buyer: str, award: Award, start: date, end: date, kpis: list[str]
    ) -> Contract:
        check(EndsAfterStart(start, end))
        return cls._create(
            cls.Concluded,
            id=contract_uuid(tender_id, award.lot_id),
            **ctx.stamp(),
            tender_id=str(tender_id),
            lot_id=award.lot_id,
            buyer=buyer,
            supplier=award.supplier,
            value=award.value,
            start=start,
            end=end,
            kpis=[k.strip() for k in kpis if k.strip()],
        )

    class Varied(MarketplaceAggregate.Decision):
        changes: dict[str, Any]

        def apply(self, contract: Contract) -> None:
            for name, value in self.changes.items():
                setattr(contract, name, value)

        def summary(self) -> str:
            return "varied: " + ", ".join(f"{name} to {value}" for name, value in sorted(self.changes.items()))

    def vary(self, ctx: Context, reason: str, value: Decimal | None = None, end: date | None = None) -> None:
        check(StateAllows(self.status, frozenset({ACTIVE}), "vary a contract"), NotExpired(self, ctx))
        changes: dict[str, Any] = {}
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
            contract.status, contract.ended_on = self.how, self.effective

        def summary(self) -> str:
            return f"contract {self.how}, effective {self.effective}"

    def terminate(self, ctx: Context, reason: str, effective: date) -> None:
        self._end(ctx, reason, TERMINATED, effective, "")

    def decommission(self, ctx: Context, reason: str, effective: date, consultation: str) -> None:
        """Ending the service itself: record who was consulted and how (commissioning cycle)."""
        if len(consultation.strip()) < 3:
            raise DomainError("Say how the people affected were consulted.", field="consultation")
        self._end(ctx, reason, DECOMMISSIONED, effective, consultation.strip())

    def _end(self, ctx: Context, reason: str, how: str, effective: date, consultation: str) -> None:
        check(StateAllows(self.status, frozenset({ACTIVE}), "end a contract"), NotExpired(self, ctx))
        if not self.start <= effective <= self.end:
            raise DomainError("The end date must fall within the contract term.", field="effective")
        self.decide(self.Ended, ctx, reason, how=how, effective=effective, consultation=consultation)
