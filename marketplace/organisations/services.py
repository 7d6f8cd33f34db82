"""Commands on the organisation register: each checks its permit and that the actor acts for the organisation."""

from __future__ import annotations

from collections.abc import Callable

from domain.authority.delegation import DecisionKind
from domain.base import Context
from domain.organisations.organisation import (
    DetailsChange,
    Organisation,
    OrganisationDetails,
    canonical,
    organisation_uuid,
)
from domain.values import org_id
from marketplace.access import Permit
from marketplace.authority.check import DelegatedAuthority
from marketplace.capability import Wiring
from marketplace.commands import CommandRequest, refuse_duplicate
from marketplace.organisations.access import DEACTIVATE, REGISTER, UPDATE_DETAILS, VERIFY, check_acts_for
from marketplace.outcome import Outcome

VERIFYING = DecisionKind.VERIFY_ORGANISATION  # the decision the scheme of delegation names


class Organisations:
    def __init__(self, wiring: Wiring) -> None:
        self.commands = wiring.commands
        self.authority = DelegatedAuthority(wiring)

    def register(self, request: CommandRequest, details: OrganisationDetails) -> Outcome:
        """A provider registers its own organisation; council officers may register any."""
        self._allowed(request, REGISTER, details.identifier)
        identifier = org_id(details.identifier)

        def register(ctx: Context) -> Organisation:
            if self.commands.exists(organisation_uuid(identifier)):
                raise refuse_duplicate("An organisation with identifier", identifier)
            return Organisation.register(ctx, details)

        return self.commands.create(request, register)

    def update_details(self, request: CommandRequest, identifier: str, change: DetailsChange) -> Outcome:
        return self._change(request, UPDATE_DETAILS, identifier, lambda org, ctx: org.update_details(ctx, change))

    def verify(self, request: CommandRequest, identifier: str, reason: str) -> Outcome:
        return self._change(
            request, VERIFY, identifier, lambda org, ctx: org.verify(self.authority.under(ctx, VERIFYING), reason)
        )

    def deactivate(self, request: CommandRequest, identifier: str, reason: str) -> Outcome:
        return self._change(request, DEACTIVATE, identifier, lambda org, ctx: org.deactivate(ctx, reason))

    def as_it_stood(self, identifier: str, version: int | None = None) -> Organisation:
        return self.commands.load(Organisation, organisation_uuid(identifier), version)

    def _allowed(self, request: CommandRequest, permit: Permit, identifier: str) -> str:
        """The organisation the command is for, in the register's form, once the actor may act for it."""
        permit.check(request.actor)
        organisation = canonical(identifier)
        check_acts_for(request.actor, organisation)
        return organisation

    def _change(
        self, request: CommandRequest, permit: Permit, identifier: str, act: Callable[[Organisation, Context], None]
    ) -> Outcome:
        organisation = self._allowed(request, permit, identifier)
        return self.commands.change(request, Organisation, organisation_uuid(organisation), act, label=organisation)
