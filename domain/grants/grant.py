"""A grant: an accepted offer, from the grant agreement to its closure.

Lifecycle: made when its applicant accepts the offer -> conditions discharged with evidence -> instalments
paid as the schedule says (never before the conditions each waits for) -> monitoring returns each period,
accepted or returned with reasons -> variations of amount or end date, with reasons -> underspend declared,
then returned -> clawback, with reasons -> closed with the actual dates and the amount disbursed.

Money moves through payment records (domain/payments/invoice.py) both ways; the grant's account follows from them in
the same transaction: an instalment paid (`InstalmentPaid`), money asked back received (`Recovered`). Paid minus
reclaimed never exceeds the award, nor reclaimed and asked back what was paid. A clawback, or the paid part of a
returned underspend, is asked back, and comes off the award (freed in the programme's budget) when received.
"""

from __future__ import annotations

from dataclasses import field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from domain.base import Context, MarketplaceAggregate
from domain.grants.application import GrantApplication
from domain.grants.eligibility import EndsAfterStart
from domain.grants.offer import agreement
from domain.grants.programme import GrantProgramme
from domain.grants.rules import (
    ConditionsDischarged,
    PaidWithinAward,
    ReclaimWithinPaid,
    RecoveryAwaited,
    RepaidWithinUnderspend,
    ReturnsReviewed,
    UnderspendDeclared,
    UnderspendWithinAward,
    pounds,
)
from domain.grants.terms import (
    Closure,
    Condition,
    GrantStatus,
    GrantVariation,
    Instalment,
    Location,
    MonitoringReturn,
    Payment,
    ReturnStatus,
)
from domain.payments.terms import MoneyReceived
from domain.rules import DomainError, NotAfterToday, Positive, Refusal, StateAllows, TextWithin, check
from domain.values import money

ACTIVE = frozenset({GrantStatus.ACTIVE})
CLAWBACK, UNDERSPEND_REPAID = "clawback", "underspend repaid"  # why money is asked back


def grant_uuid(application_id: UUID | str) -> UUID:
    return uuid5(UUID(str(application_id)), "grant")


class Grant(MarketplaceAggregate):
    application_id: str
    programme_id: str
    programme_code: str
    programme_title: str
    funder: str
    recipient: str
    recipient_name: str
    title: str
    description: str
    currency: str
    amount: Decimal  # the current award
    award_date: date
    planned_start: date
    planned_end: date
    locations: list[Location]
    conditions: list[Condition]
    schedule: list[Instalment]
    status: GrantStatus = GrantStatus.ACTIVE
    discharged: dict[str, str] = field(default_factory=dict)  # condition key -> evidence
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)  # instalment key -> amount, paid_on
    paid: Decimal = Decimal(0)
    reclaimed: Decimal = Decimal(0)  # recovered: money paid that came back
    asked_back: Decimal = Decimal(0)  # recoveries raised, their money not yet received
    recoveries: dict[str, dict[str, Any]] = field(default_factory=dict)  # recovery id -> cause, amount, recovered_on
    underspend_declared: Decimal = Decimal(0)
    returns: dict[str, str] = field(default_factory=dict)  # period -> ReturnStatus

    class Made(MarketplaceAggregate.Created):
        application_id: str
        programme_id: str
        programme_code: str
        programme_title: str
        funder: str
        recipient: str
        recipient_name: str
        title: str
        description: str
        currency: str
        amount: Decimal
        award_date: date
        planned_start: date
        planned_end: date
        locations: list[Location]
        conditions: list[Condition]
        schedule: list[Instalment]

    @classmethod
    def make(
        cls, ctx: Context, application: GrantApplication, programme: GrantProgramme, offer: dict[str, Any]
    ) -> Grant:
        """The grant agreement, on the terms of the offer its applicant accepted."""
        return cls._create(
            cls.Made, id=grant_uuid(application.id), **ctx.stamp(), **agreement(application, programme, offer)
        )

    @property
    def disbursed(self) -> Decimal:
        """What the recipient holds of the council's money: paid minus reclaimed."""
        return self.paid - self.reclaimed

    @property
    def reclaimable(self) -> Decimal:
        """What may still be asked back: what the recipient holds, less what is asked back already."""
        return self.disbursed - self.asked_back

    def _active(self, action: str) -> StateAllows:
        return StateAllows(self.status, ACTIVE, action)

    class ConditionDischarged(MarketplaceAggregate.Decision):
        condition: str
        evidence: str

        def apply(self, grant: Grant) -> None:
            grant.discharged[self.condition] = self.evidence

        def summary(self) -> str:
            return f"condition {self.condition} discharged"

    def discharge(self, ctx: Context, reason: str, condition: str, evidence: str) -> None:
        check(self._active("discharge a condition"), TextWithin(evidence, "evidence", 10_000))
        if condition not in {c.key for c in self.conditions}:
            raise DomainError(f"The grant has no condition {condition}.", field="condition", kind=Refusal.NOT_FOUND)
        if condition in self.discharged:
            raise DomainError(f"Condition {condition} is already discharged.", kind=Refusal.CONFLICT, rule="Once")
        self.decide(self.ConditionDischarged, ctx, reason, condition=condition, evidence=evidence.strip())

    class InstalmentPaid(MarketplaceAggregate.Event):
        instalment: str
        amount: Decimal
        paid_on: date
        reference: str

        def apply(self, grant: Grant) -> None:
            grant.payments[self.instalment] = {"amount": self.amount, "paid_on": self.paid_on}
            grant.paid += self.amount

    def payable(self, key: str, asked: Decimal | None) -> Decimal:
        """What paying instalment `key` now would pay (its amount, unless less is asked): refused while the grant is
        not active, its conditions wait, it is paid already, or it would pay beyond the award."""
        instalment = self._instalment(key)
        amount = instalment.amount if asked is None else money(asked, "amount")
        waiting = [condition for condition in instalment.conditions if condition not in self.discharged]
        check(
            self._active("pay an instalment"),
            ConditionsDischarged(waiting),
            Positive(amount, "amount"),
            PaidWithinAward(self.paid + amount, self.reclaimed, self.amount),
        )
        if key in self.payments:
            raise DomainError(f"Instalment {key} is already paid.", kind=Refusal.CONFLICT, rule="Once")
        return amount

    def pay(self, ctx: Context, payment: Payment) -> None:
        """Record an instalment paid, once its payment request is approved (domain/payments): after acceptance (the
        grant exists only then) and its conditions."""
        amount = self.payable(payment.instalment, payment.amount)
        check(
            NotAfterToday(payment.paid_on, ctx.today, field="paid_on"),
            TextWithin(payment.reference, "reference", 200, min_length=0),
        )
        paid = {"amount": amount, "paid_on": payment.paid_on, "reference": payment.reference.strip()}
        self.record(self.InstalmentPaid, ctx, instalment=payment.instalment, **paid)

    def _instalment(self, key: str) -> Instalment:
        for instalment in self.schedule:
            if instalment.key == key:
                return instalment
        raise DomainError(f"The grant has no instalment {key}.", field="instalment", kind=Refusal.NOT_FOUND)

    class ReturnSubmitted(MarketplaceAggregate.Event):
        period: str
        spend: Decimal
        progress: str

        def apply(self, grant: Grant) -> None:
            grant.returns[self.period] = ReturnStatus.SUBMITTED

    def submit_return(self, ctx: Context, report: MonitoringReturn) -> None:
        """A period's return; one sent back may be submitted again."""
        check(
            self._active("submit a monitoring return"),
            TextWithin(report.period, "period", 40),
            TextWithin(report.progress, "progress", 10_000),
        )
        spend, period = money(report.spend, "spend"), report.period.strip()  # the period as it is stored
        if self.returns.get(period) in {ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED}:
            raise DomainError(f"The return for {period} is already in.", kind=Refusal.CONFLICT, rule="Once")
        self.record(self.ReturnSubmitted, ctx, period=period, spend=spend, progress=report.progress.strip())

    class ReturnReviewed(MarketplaceAggregate.Decision):
        period: str
        outcome: str  # accepted | returned

        def apply(self, grant: Grant) -> None:
            grant.returns[self.period] = ReturnStatus(self.outcome)

        def summary(self) -> str:
            return f"monitoring return {self.period} {self.outcome}"

    def review_return(self, ctx: Context, reason: str, period: str, accepted: bool) -> None:
        check(self._active("review a monitoring return"))
        if self.returns.get(period) != ReturnStatus.SUBMITTED:
            raise DomainError(f"No return for {period} awaits review.", kind=Refusal.CONFLICT, rule="ReturnAwaits")
        outcome = ReturnStatus.ACCEPTED if accepted else ReturnStatus.RETURNED
        self.decide(self.ReturnReviewed, ctx, reason, period=period, outcome=outcome.value)

    class Varied(MarketplaceAggregate.Decision):
        changes: dict[str, Any]

        def apply(self, grant: Grant) -> None:
            for name, value in self.changes.items():
                setattr(grant, name, value)

        def summary(self) -> str:
            return "grant varied: " + ", ".join(f"{name} to {value}" for name, value in sorted(self.changes.items()))

    def vary(self, ctx: Context, reason: str, variation: GrantVariation) -> Decimal:
        """Returns how much the award changed by (more money needs the programme's commitment)."""
        check(self._active("vary a grant"))
        changes: dict[str, Any] = {}
        if variation.amount is not None and (amount := money(variation.amount, "amount")) != self.amount:
            check(Positive(amount, "amount"), PaidWithinAward(self.paid, self.reclaimed, amount))
            changes["amount"] = amount
        if variation.end is not None and variation.end != self.planned_end:
            check(EndsAfterStart(self.planned_start, variation.end))
            changes["planned_end"] = variation.end
        if not changes:
            raise DomainError("The variation changes nothing.", rule="ChangesSomething")
        before = self.amount
        self.decide(self.Varied, ctx, reason, changes=changes)
        return self.amount - before

    class UnderspendDeclared(MarketplaceAggregate.Event):
        amount: Decimal
        explanation: str

        def apply(self, grant: Grant) -> None:
            grant.underspend_declared += self.amount

    def declare_underspend(self, ctx: Context, amount: Decimal, explanation: str) -> None:
        """The recipient says how much of the award it will not need."""
        amount = money(amount, "amount")
        check(
            self._active("declare underspend"),
            Positive(amount, "amount"),
            TextWithin(explanation, "explanation"),
            UnderspendWithinAward(self.underspend_declared + amount, self.amount),
        )
        self.record(self.UnderspendDeclared, ctx, amount=amount, explanation=explanation.strip())

    class UnderspendReturned(MarketplaceAggregate.Decision):
        amount: Decimal  # taken off the award now, freed in the budget
        repaid: Decimal  # reclaimed at once: how repayments were recorded before they were recoveries (stored events)
        asked_back: Decimal = Decimal(0)  # the part that was paid, asked back by the recovery named
        recovery: str = ""

        def apply(self, grant: Grant) -> None:
            grant.amount -= self.amount
            grant.reclaimed += self.repaid
            grant.underspend_declared = Decimal(0)  # the declaration is settled
            if self.recovery:
                _asked_back(grant, self.recovery, UNDERSPEND_REPAID, self.asked_back)

        def summary(self) -> str:
            back = f", {pounds(self.asked_back)} of it asked back" if self.asked_back else ""
            return f"underspend of {pounds(self.amount + self.asked_back)} returned{back}"

    def return_underspend(self, ctx: Context, reason: str, repaid: Decimal, recovery: str) -> Decimal:
        """The declared underspend (no more than the award left, should a variation have reduced it since) settles
        the declaration: as far as it was never paid it comes off the award now; `repaid`, the part the recipient
        was paid and holds, is asked back by the recovery named ("" when nothing is), and comes off when recovered.
        Returns the amount the programme releases now."""
        repaid, underspend = money(repaid, "repaid"), min(self.underspend_declared, self.amount)
        check(
            self._active("return underspend"),
            UnderspendDeclared(self.underspend_declared),
            RepaidWithinUnderspend(repaid, underspend),
        )
        if repaid:  # money the recipient was paid and still holds, not already asked back, never more
            check(ReclaimWithinPaid(repaid, self.reclaimable, field="repaid"))
        unpaid = underspend - repaid
        check(PaidWithinAward(self.paid, self.reclaimed, self.amount - unpaid))
        self.decide(
            self.UnderspendReturned, ctx, reason, amount=unpaid, repaid=Decimal(0), asked_back=repaid, recovery=recovery
        )
        return unpaid

    class ClawedBack(MarketplaceAggregate.Decision):
        """A clawback reclaimed at once, as recorded before clawbacks were recoveries (stored events only)."""

        amount: Decimal

        def apply(self, grant: Grant) -> None:
            grant.reclaimed += self.amount
            grant.amount -= self.amount

        def summary(self) -> str:
            return f"clawback of {pounds(self.amount)}"

    class ClawbackDecided(MarketplaceAggregate.Decision):
        amount: Decimal
        recovery: str  # the payment record asking it back

        def apply(self, grant: Grant) -> None:
            _asked_back(grant, self.recovery, CLAWBACK, self.amount)

        def summary(self) -> str:
            return f"clawback of {pounds(self.amount)} asked back"

    def claw_back(self, ctx: Context, reason: str, amount: Decimal, recovery: str) -> None:
        """Ask back money paid, never more than the recipient holds and is not already asked for, by the recovery
        named; the award is reduced by as much when the money comes back (`recover`)."""
        amount = money(amount, "amount")
        check(ReclaimWithinPaid(amount, self.reclaimable))  # a closed grant's money may be reclaimed too
        self.decide(self.ClawbackDecided, ctx, reason, amount=amount, recovery=recovery)

    class Recovered(MarketplaceAggregate.Event):
        recovery: str
        cause: str  # clawback | underspend repaid
        amount: Decimal
        received_on: date
        reference: str

        def apply(self, grant: Grant) -> None:
            asked = grant.recoveries[self.recovery]
            grant.recoveries = {**grant.recoveries, self.recovery: {**asked, "recovered_on": self.received_on}}
            grant.asked_back -= self.amount
            grant.reclaimed += self.amount
            grant.amount -= self.amount

    def recover(self, ctx: Context, recovery: str, received: MoneyReceived) -> Decimal:
        """A recovery's money received (its payment record says so, in the same transaction): reclaimed, and off the
        award. Returns the amount the programme releases."""
        asked = self.recoveries.get(recovery, {"recovered_on": date.min})
        check(RecoveryAwaited(asked["recovered_on"] is None), ReclaimWithinPaid(received.amount, self.disbursed))
        money_back = {"amount": received.amount, "received_on": received.received_on, "reference": received.reference}
        self.record(self.Recovered, ctx, recovery=recovery, cause=asked["cause"], **money_back)
        return received.amount

    class Closed(MarketplaceAggregate.Decision):
        actual_start: date
        actual_end: date
        disbursed: Decimal
        released: Decimal  # the award never paid, freed in the budget

        def apply(self, grant: Grant) -> None:
            grant.status = GrantStatus.CLOSED
            grant.amount -= self.released

        def summary(self) -> str:
            return f"grant closed: {pounds(self.disbursed)} disbursed"

    def close(self, ctx: Context, reason: str, closure: Closure) -> Decimal:
        """Returns the unpaid balance the programme releases."""
        check(
            self._active("close a grant"),
            EndsAfterStart(closure.actual_start, closure.actual_end, field="actual_end"),
            NotAfterToday(closure.actual_end, ctx.today, field="actual_end"),
        )
        check(ReturnsReviewed([period for period, status in self.returns.items() if status == ReturnStatus.SUBMITTED]))
        released = self.amount - self.disbursed
        self.decide(
            self.Closed,
            ctx,
            reason,
            actual_start=closure.actual_start,
            actual_end=closure.actual_end,
            disbursed=self.disbursed,
            released=released,
        )
        return released


def _asked_back(grant: Grant, recovery: str, cause: str, amount: Decimal) -> None:
    """A recovery raised against the grant: its money asked back, not yet received."""
    grant.recoveries = {**grant.recoveries, recovery: {"cause": cause, "amount": amount, "recovered_on": None}}
    grant.asked_back += amount
