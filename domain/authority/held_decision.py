"""A decision held for approval: beyond its decider's delegated limit, where their entry of the scheme holds such
decisions rather than refusing them.

The officer who proposed it is recorded with the decision as they put it (its command, whole, with its reason);
nothing about the record it concerns changes while it is held. An officer of the council whose own delegation
covers its value approves it, with a reason, and the decision is then carried out as proposed, by the approver,
under the approver's authority and naming this record; or declines it, with a reason. Four eyes: the person who
proposed it never approves or declines it; they may withdraw it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar
from uuid import uuid4

from domain.authority.delegation import DelegatedDecision
from domain.base import Context, MarketplaceAggregate
from domain.rules import DomainError, FourEyes, Refusal, StateAllows, check


class HeldStatus(StrEnum):
    HELD = "held"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


SETTLED = frozenset({HeldStatus.APPROVED, HeldStatus.DECLINED, HeldStatus.WITHDRAWN})


@dataclass(frozen=True)
class ProposedDecision:
    """What is held: the kind of decision and its value, the record it concerns, the command that takes it (a
    frozen value of the record's context, carried out as it stands when approved) and the limit it went beyond."""

    decision: str  # a DecisionKind code
    value: Decimal
    record_kind: str
    record_id: str
    command: DelegatedDecision
    reason: str  # the proposer's, as the command gives it
    beyond: str  # the proposer's authority, in words, which the value exceeds


@dataclass(frozen=True)
class Settlement:
    """Who settled a held decision (approved, declined or withdrew it), why, and when."""

    by: str
    reason: str
    at: datetime


class Settled(MarketplaceAggregate.Decision):
    """What approving, declining and withdrawing a held decision share: each settles it, for good."""

    status: ClassVar[HeldStatus]

    def apply(self, held: HeldDecision) -> None:
        held.settled(self)


class HeldDecision(MarketplaceAggregate):
    owner: str  # the council the decision is for
    reason: str  # the proposer's
    decision: str
    value: Decimal
    record_kind: str
    record_id: str
    command: DelegatedDecision
    beyond: str
    proposer: tuple[str, str] = ("", "")  # (organisation, subject): set from the Held event's actor
    status: HeldStatus = HeldStatus.HELD
    settlement: Settlement | None = None

    class Held(MarketplaceAggregate.Created, MarketplaceAggregate.Decision):
        owner: str
        decision: str
        value: Decimal
        record_kind: str
        record_id: str
        command: DelegatedDecision
        beyond: str

        def apply(self, held: HeldDecision) -> None:
            held.proposer = self.actor.person

        def summary(self) -> str:
            return f"{self.decision} of £{self.value:,.2f} held for approval"

    @classmethod
    def hold(cls, ctx: Context, proposed: ProposedDecision) -> HeldDecision:
        return cls._create(
            cls.Held,
            id=uuid4(),
            **ctx.stamp(),
            reason=proposed.reason,
            owner=ctx.actor.organisation,
            decision=proposed.decision,
            value=proposed.value,
            record_kind=proposed.record_kind,
            record_id=proposed.record_id,
            command=proposed.command,
            beyond=proposed.beyond,
        )

    def may_settle(self, ctx: Context, what: str) -> None:
        """Still held, and `what` (approve, decline, withdraw) is this person's to do."""
        check(StateAllows(self.status, frozenset({HeldStatus.HELD}), what))
        if what != "withdraw":
            check(FourEyes(self.proposer, ctx.actor.person, "proposed", what))
        elif ctx.actor.person != self.proposer:
            raise DomainError("Only the officer who proposed it withdraws it.", kind=Refusal.FORBIDDEN, rule="Proposer")

    def said(self) -> str:
        """This record, in words, as the decision carried out on its approval names it."""
        organisation, subject = self.proposer
        return f"approving held decision {self.id}, proposed by {subject} ({organisation})"

    class Approved(Settled):
        status = HeldStatus.APPROVED

    def approve(self, ctx: Context, reason: str) -> None:
        """Approved by someone other than its proposer (the approver's authority is on the context's actor)."""
        self._settle(self.Approved, ctx, reason, "approve")

    class Declined(Settled):
        status = HeldStatus.DECLINED

    def decline(self, ctx: Context, reason: str) -> None:
        self._settle(self.Declined, ctx, reason, "decline")

    class Withdrawn(Settled):
        status = HeldStatus.WITHDRAWN

    def withdraw(self, ctx: Context, reason: str) -> None:
        self._settle(self.Withdrawn, ctx, reason, "withdraw")

    def _settle(self, event_class: type[Settled], ctx: Context, reason: str, what: str) -> None:
        self.may_settle(ctx, what)
        self.decide(event_class, ctx, reason)

    def settled(self, event: Settled) -> None:
        self.status = event.status
        self.settlement = Settlement(event.actor.subject, event.reason, event.timestamp)
