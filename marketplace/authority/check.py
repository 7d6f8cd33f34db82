"""The check every delegated decision makes against the scheme of delegation.

`DelegatedAuthority.under` is what a service calls inside a decision's command: it reads the entries in force as
the views hold them when the decision is taken (in worker mode, as far as the worker has folded: an entry recorded
or revoked a moment ago counts once it has), refuses the decider who holds no authority covering the decision's value,
and returns the command's context with the authority named on its actor, so the decision's event records it and
the decision log shows it. The people register says which team the decider is in (an officer who left is in none).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from domain.authority.delegation import Decider
from domain.authority.scheme import authority
from domain.base import Context
from marketplace.capability import Wiring
from marketplace.people.access import officer
from projections.authority.delegations import in_force


class DelegatedAuthority:
    """The scheme, as the decisions it delegates consult it."""

    def __init__(self, wiring: Wiring) -> None:
        self.views = wiring.views  # as they stand: a command may not wait for a worker while it holds the write lock

    def under(self, ctx: Context, decision: str, value: Decimal | None = None) -> Context:
        """The context to decide in: its actor names the authority used; refused (403) beyond it."""
        actor = ctx.actor
        with self.views() as session:
            entries = in_force(session, actor.organisation, decision)
            found = officer(session, actor.subject) if entries else None
        here = found is not None and found.active and found.council == actor.organisation
        used = authority(
            entries, Decider(actor.subject, found.team if here and found else "", actor.role.value), decision, value
        )
        return replace(ctx, actor=replace(actor, authority=used))
