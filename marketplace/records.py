"""The commands on one kind of record, as every context's services write them: each checked against its permit,
and on a record that is one organisation's, for that organisation alone (marketplace/access.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar
from uuid import UUID

from domain.authority.delegation import DelegatedDecision
from domain.authority.held_decision import HeldDecision
from domain.base import Context, MarketplaceAggregate
from marketplace.access import OwnRecord, Permit
from marketplace.authority.check import DelegatedAuthority, Holding, Under
from marketplace.authority.holding import Held, held_back, record_kind
from marketplace.capability import Wiring
from marketplace.commands import CommandRequest
from marketplace.outcome import Outcome
from marketplace.people.access import check_assignable

A = TypeVar("A", bound=MarketplaceAggregate)


class RecordCommands(Generic[A]):
    """The commands on one kind of record, each checked against its permit, and on a record that is one
    organisation's, for that organisation alone."""

    kind: type[A]
    permit: ClassVar[Permit]  # what its commands on a record need (a few name their own)
    own: ClassVar[OwnRecord | None] = None
    carries_out: ClassVar[type | None] = None  # the delegated decision (a command value) that may be held for approval

    def __init__(self, wiring: Wiring) -> None:
        self.commands = wiring.commands
        self.authority = DelegatedAuthority(wiring)  # what a delegated decision is checked against
        self.wiring = wiring

    def assignable(self, ctx: Context, subject: str, field: str) -> None:
        """Someone a command names to assess is an officer of the acting council still here (people register)."""
        check_assignable(self.wiring, subject, ctx.actor.organisation, field, self.commands.dev_tokens)

    def aggregate_id(self, key: UUID) -> UUID:
        """The record a command's key names (an evaluation is known by its tender's id)."""
        return key

    def _act(self, request: CommandRequest, key: UUID, act: Callable[[A, Context], Any], permit: Permit) -> Outcome:
        """A command on the record by a role the permit allows, whoever's record it is."""
        permit.check(request.actor)
        return self.commands.change(request, self.kind, self.aggregate_id(key), act, label=str(key))

    def _change(
        self,
        request: CommandRequest,
        key: UUID,
        act: Callable[[A, Context], Any],
        permit: Permit | None = None,
        own: OwnRecord | None = None,
    ) -> Outcome:
        """A command on the record by a role the permit allows (the kind's, unless named), and by its owner alone
        (the kind's, unless the command names the one it answers to: a body's expression is decided by its
        council)."""
        return self._act(request, key, guarded(act, permit or self.permit, own or self.own), permit or self.permit)

    def carry_out(self, command: Any, under: Under) -> Callable[[A, Context], Any]:
        """The act that takes the delegated decision `command` on a record, checking who may (`guarded`) and its
        authority with `under` (marketplace/authority/holding.py): a service whose `carries_out` names one gives it."""
        raise NotImplementedError(f"{type(self).__name__} carries out no delegated decision")

    def _delegated(
        self, request: CommandRequest, key: UUID, command: DelegatedDecision, permit: Permit | None = None
    ) -> Outcome:
        """Take a delegated decision: within the decider's authority, now; beyond it, refused, or held for approval
        where their entry of the scheme says so (then nothing of it is saved but the held decision)."""
        (permit or self.permit).check(request.actor)  # at the door, before the record is loaded
        holding = Holding(self.authority)
        act = held_back(self.carry_out(command, holding), holding)
        try:
            return self.commands.change(request, self.kind, self.aggregate_id(key), act, label=str(key))
        except Held as held:
            proposed = held.proposal(record_kind(self.kind), str(self.aggregate_id(key)), command)
            return self.commands.create(request, lambda ctx: HeldDecision.hold(ctx, proposed))


def guarded(act: Callable[[A, Context], Any], permit: Permit, own: OwnRecord | None) -> Callable[[A, Context], Any]:
    """The act, by a role the permit allows, and (when `own` names one) by the record's owner alone."""

    def as_allowed(record: A, ctx: Context) -> Any:
        permit.check(ctx.actor)
        if own is not None:
            own.check(ctx.actor, record)
        return act(record, ctx)

    return as_allowed
