"""Commands on the scheme of delegation: an admin records an entry, or revokes one, with a reason (the check
every delegated decision makes against the scheme is marketplace/authority/check.py)."""

from __future__ import annotations

from uuid import UUID

from domain.authority.delegation import Delegation, DelegationTerms
from marketplace.authority.access import COUNCIL_ONLY, KEEP_SCHEME
from marketplace.commands import CommandRequest
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
