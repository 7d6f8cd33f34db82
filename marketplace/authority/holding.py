"""Decisions held for approval: how a delegated decision beyond its decider's limit is held rather than taken, and
how its approval carries it out.

The decision's command runs as it always does, every rule of its record checked, with `Holding` in place of the
authority check; if the decider's entry holds the decision rather than refusing it, the command is then abandoned
(nothing of it is saved) and a held decision records it instead, in a transaction of its own. Approved, the same
command runs again, on the record as it then stands, by the approver and under the approver's own authority
(`Approving`), saved with the approval.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from domain.authority.delegation import DelegatedDecision
from domain.authority.held_decision import HeldDecision, ProposedDecision
from domain.authority.scheme import OverLimit
from domain.base import Context, MarketplaceAggregate, words
from domain.rules import DomainError
from marketplace.authority.check import Approving, Holding

if TYPE_CHECKING:
    from marketplace.records import RecordCommands

A = TypeVar("A", bound=MarketplaceAggregate)


class Held(DomainError):
    """Raised out of the command's transaction, so nothing of the decision is saved while it is held."""

    def __init__(self, over: OverLimit) -> None:
        super().__init__(over.message, kind=over.kind, rule="HeldForApproval")
        self.over = over

    def proposal(self, record_kind: str, record_id: str, command: DelegatedDecision) -> ProposedDecision:
        over = self.over
        return ProposedDecision(over.decision, over.value, record_kind, record_id, command, command.reason, over.limit)


def held_back(act: Callable[[A, Context], Any], holding: Holding) -> Callable[[A, Context], Any]:
    """The decision's act, run whole (every rule of its record checked), then abandoned if it is to be held."""

    def take(record: A, ctx: Context) -> Any:
        also = act(record, ctx)
        if holding.over is not None:
            raise Held(holding.over)
        return also

    return take


def record_kind(kind: type) -> str:
    """A kind of record as declarations name it: "grant_application"."""
    return words(kind.__name__).replace(" ", "_")


def carried_out(
    carrier: RecordCommands[Any], held: HeldDecision, approving: Approving, ctx: Context
) -> tuple[Any, ...]:
    """The held decision carried out by its approver: its record, and whatever else the decision changed."""
    record = carrier.commands.load(carrier.kind, UUID(held.record_id), label=held.record_id)
    also = carrier.carry_out(held.command, approving)(record, ctx)
    return (record, *also) if isinstance(also, tuple) else (record,)
