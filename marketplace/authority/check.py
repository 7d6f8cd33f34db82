"""The check every delegated decision makes against the scheme of delegation.

`DelegatedAuthority.under` is what a service calls inside a decision's command: it reads the entries in force as
the views hold them when the decision is taken (in worker mode, as far as the worker has folded: an entry recorded
or revoked a moment ago counts once it has), refuses the decider who holds no authority covering the decision's value,
and returns the command's context with the authority named on its actor, so the decision's event records it and
the decision log shows it. The people register says which team the decider is in (an officer who left is in none).

A decision that may be held for approval (marketplace/authority/holding.py) is taken through `Holding`: beyond the
decider's limit, where their entry holds rather than refuses, the command runs on to check every other rule and is
then held instead of saved; and, once approved, through `Approving`, which never holds and names the held record.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Protocol

from domain.authority.delegation import Decider
from domain.authority.scheme import OverLimit, authority
from domain.base import Context
from marketplace.capability import Wiring
from marketplace.people.access import officer
from projections.authority.delegations import in_force


class Under(Protocol):
    """How a delegated decision's command asks for the context to decide in (`DelegatedAuthority.under`)."""

    def __call__(self, ctx: Context, decision: str, value: Decimal | None = None) -> Context: ...


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


class Holding:
    """One command's check that holds, rather than refuses, a decision beyond the decider's limit when their entry
    says so: it notes what went beyond, and lets the command run on so that every other rule is checked."""

    def __init__(self, authority: DelegatedAuthority) -> None:
        self.authority = authority
        self.over: OverLimit | None = None

    def __call__(self, ctx: Context, decision: str, value: Decimal | None = None) -> Context:
        try:
            return self.authority.under(ctx, decision, value)
        except OverLimit as over:
            if not over.holds:
                raise
            self.over = over
            return replace(ctx, actor=replace(ctx.actor, authority=f"held for approval: beyond {over.limit}"))


class Approving:
    """The check a held decision's approval carries it out under: the approver's own authority, which must cover
    it (never held again), named together with the held record."""

    def __init__(self, authority: DelegatedAuthority, held: str) -> None:
        self.authority = authority
        self.held = held

    def __call__(self, ctx: Context, decision: str, value: Decimal | None = None) -> Context:
        decided = self.authority.under(ctx, decision, value)
        actor = decided.actor
        return replace(decided, actor=replace(actor, authority=f"{actor.authority}; {self.held}"))
