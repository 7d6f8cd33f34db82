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
from domain.payments.rules import WithinContractValue
from domain.payments.terms import OutcomePrice
from domain.rules import DomainError, InOrder, Refusal, Rule, StateRule, TextWithin, check
from domain.tendering.modification import ChangeRegime, Modification, modification_rules
from domain.tendering.performance import EnoughKpis, Kpi, Measurement, checked_kpi, checked_measurement
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


@dataclass(frozen=True)
class InForce(StateRule):
    """Only a contract in force is varied, ended, priced or measured: one terminated or decommissioned is over."""

    status: str
    action: str

    def is_broken(self) -> bool:
        return self.status != ACTIVE

    @property
    def message(self) -> str:
        return f"Cannot {self.action}: the contract is {self.status} and no longer in force."


@dataclass(frozen=True)
class OutcomePriced(Rule):
    """An outcome a contract pays by results has a code, a price and the evidence a claim needs."""

    outcome: OutcomePrice
    field: str | None = "price"

    def is_broken(self) -> bool:
        return self.outcome.price <= 0

    @property
    def message(self) -> str:
        return "An outcome's price is more than nothing."


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
    ended_because: str = ""  # the reasons it was ended for (the termination notice gives them)
    paid: Decimal = Decimal(0)  # what invoices paid against it come to (domain/payments)
    indicators: dict[str, Kpi] | None = None  # its key performance indicators, by key (domain/tendering/performance)
    ratings: dict[str, str] | None = None  # each KPI's latest rating
    outcomes: dict[str, OutcomePrice] | None = None  # what it pays by results, by code
    concluded: tuple[Decimal, date] | None = None  # value and end as concluded, once it has been varied
    changes_noticed: tuple[str, ...] = ()  # the contract change notices its variations carried out

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
        check(EndsAfterStart(terms.start, terms.end), EnoughKpis(award.value, terms.kpis, terms.kpi_exemption))
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
        change_notice: str = ""  # the contract change notice that announced it, when one was needed

        def apply(self, contract: Contract) -> None:
            contract.concluded = contract.concluded or (contract.value, contract.end)
            for name, value in self.changes.items():
                setattr(contract, name, value)
            if self.change_notice:
                contract.changes_noticed = (*contract.changes_noticed, self.change_notice)

        def summary(self) -> str:
            return "varied: " + ", ".join(f"{name} to {value}" for name, value in sorted(self.changes.items()))

    def _in_force(self, ctx: Context, action: str) -> tuple[Rule, ...]:
        """A contract is varied or ended only while it is active and has not yet expired."""
        return InForce(self.status, action), NotExpired(ctx.today, self.end)

    def vary(self, ctx: Context, reason: str, variation: Variation, regime: ChangeRegime | None = None) -> None:
        """A new value or end, with reasons; beyond de minimis on a public contract, only as a published contract
        change notice announced it (PA2023 s.74-75: domain/tendering/modification.py)."""
        check(*self._in_force(ctx, "vary a contract"))
        regime = regime or ChangeRegime(public=False, works=False)
        modification = self.modification(variation, regime.works)
        changes = {name: after for name, after in (("value", modification.value), ("end", modification.end))}
        changes = {name: after for name, after in changes.items() if after != getattr(self, name)}
        if not changes:
            raise DomainError("The variation changes nothing.", rule="ChangesSomething")
        if regime.noticed is not None and regime.noticed.notice_id in self.changes_noticed:
            raise DomainError(
                "That change notice's modification has been made.", field="change_notice", kind=Refusal.CONFLICT
            )
        check(*modification_rules(modification, regime, ctx.today))
        notice = regime.noticed.notice_id if regime.noticed and not modification.de_minimis and regime.public else ""
        self.decide(self.Varied, ctx, reason, changes=changes, change_notice=notice)

    def modification(self, variation: Variation, works: bool = False) -> Modification:
        """The contract's value and end after the variation, beside them as concluded (checked: money, the end
        after the start)."""
        value = self.value if variation.value is None else money(variation.value, "value")
        end = self.end if variation.end is None else variation.end
        check(EndsAfterStart(self.start, end))
        concluded_value, concluded_end = self.concluded or (self.value, self.end)
        return Modification(concluded_value, self.start, concluded_end, value, end, works)

    class Ended(MarketplaceAggregate.Decision):
        how: str  # terminated | decommissioned
        effective: date
        consultation: str

        def apply(self, contract: Contract) -> None:
            contract.status, contract.ended_on = ContractStatus(self.how), self.effective
            contract.ended_because = self.reason

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

    class OutcomeDefined(MarketplaceAggregate.Decision):
        outcome: OutcomePrice

        def apply(self, contract: Contract) -> None:
            contract.outcomes = {**(contract.outcomes or {}), self.outcome.code: self.outcome}

        def summary(self) -> str:
            return f"outcome {self.outcome.code} priced at {self.outcome.price}"

    def define_outcome(self, ctx: Context, reason: str, outcome: OutcomePrice) -> None:
        """Payment by results: an outcome the contract pays for, its price each and the evidence each claim needs."""
        check(*self._in_force(ctx, "price an outcome"))
        price = money(outcome.price, "price")
        check(
            OutcomePriced(outcome),
            TextWithin(outcome.code, "code", 40),
            TextWithin(outcome.description, "description", 500),
            TextWithin(outcome.evidence, "evidence", 500),
        )
        if outcome.code.strip() in (self.outcomes or {}):
            raise DomainError(f"Outcome {outcome.code} is already priced.", kind=Refusal.DUPLICATE, rule="Unique")
        defined = OutcomePrice(outcome.code.strip(), outcome.description.strip(), price, outcome.evidence.strip())
        self.decide(self.OutcomeDefined, ctx, reason, outcome=defined)

    class PaymentRecorded(MarketplaceAggregate.Event):
        invoice_id: str
        amount: Decimal
        paid_on: date
        payee: str  # the supplier paid, as its register identifier

        def apply(self, contract: Contract) -> None:
            contract.paid += self.amount

    def record_payment(self, ctx: Context, invoice_id: str, amount: Decimal, paid_on: date) -> None:
        """An invoice paid against the contract: never beyond its current value (a variation comes first)."""
        check(WithinContractValue(self.paid, amount, self.value))
        self.record(
            self.PaymentRecorded,
            ctx,
            invoice_id=invoice_id,
            amount=amount,
            paid_on=paid_on,
            payee=self.supplier.identifier,
        )

    class KpiSet(MarketplaceAggregate.Decision):
        kpi: Kpi

        def apply(self, contract: Contract) -> None:
            contract.indicators = {**(contract.indicators or {}), self.kpi.key: self.kpi}

        def summary(self) -> str:
            return f"KPI {self.kpi.key} set: {self.kpi.title}, target {self.kpi.target}"

    def set_kpi(self, ctx: Context, reason: str, kpi: Kpi) -> None:
        """A key performance indicator the contract is managed by (PA2023 s.52)."""
        check(*self._in_force(ctx, "set a KPI"))
        self.decide(self.KpiSet, ctx, reason, kpi=checked_kpi(kpi, list(self.indicators or {})))

    class KpiMeasured(MarketplaceAggregate.Decision):
        measurement: Measurement

        def apply(self, contract: Contract) -> None:
            contract.ratings = {**(contract.ratings or {}), self.measurement.kpi: self.measurement.rating}

        def summary(self) -> str:
            m = self.measurement
            return f"KPI {m.kpi} for {m.period_start} to {m.period_end} rated {m.rating}"

    def measure_kpi(self, ctx: Context, reason: str, measured: Measurement) -> None:
        """A period's measure of a KPI with its evidence, rated (the contract performance notice reports it)."""
        self.decide(
            self.KpiMeasured,
            ctx,
            reason,
            measurement=checked_measurement(measured, list(self.indicators or {}), ctx.today),
        )
