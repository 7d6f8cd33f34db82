"""The commands on one kind of record, as every context's services write them: each checked against its permit,
and on a record that is one organisation's, for that organisation alone (marketplace/access.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar
from uuid import UUID

from domain.base import Context, MarketplaceAggregate
from marketplace.access import OwnRecord, Permit
from marketplace.authority.check import DelegatedAuthority
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
        owner = own or self.own

        def as_owner(record: A, ctx: Context) -> Any:
            if owner is not None:
                owner.check(ctx.actor, record)
            return act(record, ctx)

        return self._act(request, key, as_owner, permit or self.permit)
