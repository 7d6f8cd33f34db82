"""Commands on the scheme of delegation: an admin records an entry, or revokes one, with a reason (the check
every delegated decision makes against the scheme is marketplace/authority/check.py); and on the decisions held
for approval beyond their deciders' limits."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.authority.delegation import Delegation, DelegationTerms
from domain.authority.held_decision import HeldDecision
from domain.base import Context
from marketplace.authority.access import COUNCIL_ONLY, HELD_FOR_COUNCIL, KEEP_SCHEME, SETTLE_HELD
from marketplace.authority.check import Approving
from marketplace.authority.holding import carried_out
from marketplace.commands import Changed, CommandRequest
from marketplace.outcome import Outcome
from marketplace.records import RecordCommands


class Delegations(RecordCommands[Delegation]):
    kind = Delegation
    permit = KEEP_SCHEME
    own = COUNCIL_ONLY

    def record(self, request: CommandRequest, terms: DelegationTerms) -> Outcome:
        KEEP_SCHEME.check(request.actor)
        return self.commands.create(request, lambda ctx: Delegation.record_entry(ctx, terms))

    def revoke(self, request: CommandRequest, delegation_id: UUID, reason: str) -> Outcome:
        return self._change(request, delegation_id, lambda d, ctx: d.revoke(ctx, reason))


class HeldDecisions(RecordCommands[HeldDecision]):
    """Decisions held for approval (marketplace/authority/holding.py): approved by an officer whose own delegation
    covers them, and carried out as proposed; declined; or withdrawn by their proposer. Each with a reason."""

    kind = HeldDecision
    permit = SETTLE_HELD
    own = HELD_FOR_COUNCIL

    def approve(self, request: CommandRequest, held_id: UUID, reason: str) -> Outcome:
        """The approval and the decision it carries out, saved together; refused if the record no longer allows
        the decision (it stays held, to be declined or withdrawn)."""

        def approve(held: HeldDecision, ctx: Context) -> Changed:
            held.may_settle(ctx, "approve")
            held.approve(self.authority.under(ctx, held.decision, held.value), reason)
            return carried_out(self._carrier(held), held, Approving(self.authority, held.said()), ctx)

        return self._change(request, held_id, approve)

    def decline(self, request: CommandRequest, held_id: UUID, reason: str) -> Outcome:
        """Declined by an officer who could have approved it."""

        def decline(held: HeldDecision, ctx: Context) -> None:
            held.may_settle(ctx, "decline")
            held.decline(self.authority.under(ctx, held.decision, held.value), reason)

        return self._change(request, held_id, decline)

    def withdraw(self, request: CommandRequest, held_id: UUID, reason: str) -> Outcome:
        return self._change(request, held_id, lambda held, ctx: held.withdraw(ctx, reason))

    def _carrier(self, held: HeldDecision) -> RecordCommands[Any]:
        """The service that carries out the held decision's command."""
        for service in self.wiring.services.values():
            if isinstance(service, RecordCommands) and service.carries_out is type(held.command):
                return service
        raise LookupError(f"no service carries out {type(held.command).__name__}")
