"""Commands on the organisation register."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.base import Context
from domain.organisations.organisation import Organisation, organisation_uuid
from domain.values import org_id
from marketplace.capability import Wiring
from marketplace.commands import CommandRequest, refuse_duplicate
from marketplace.outcome import Outcome


class Organisations:
    def __init__(self, wiring: Wiring) -> None:
        self.commands = wiring.commands

    def register(self, request: CommandRequest, identifier: str, **details: Any) -> Outcome:
        identifier = org_id(identifier)

        def register(ctx: Context) -> Organisation:
            if self.commands.exists(organisation_uuid(identifier)):
                raise refuse_duplicate("An organisation with identifier", identifier)
            return Organisation.register(ctx, identifier, **details)

        return self.commands.create(request, register)

    def update_details(self, request: CommandRequest, identifier: str, **details: Any) -> Outcome:
        return self._change(request, identifier, lambda org, ctx: org.update_details(ctx, **details))

    def verify(self, request: CommandRequest, identifier: str, reason: str) -> Outcome:
        return self._change(request, identifier, lambda org, ctx: org.verify(ctx, reason))

    def deactivate(self, request: CommandRequest, identifier: str, reason: str) -> Outcome:
        return self._change(request, identifier, lambda org, ctx: org.deactivate(ctx, reason))

    def _change(
        self, request: CommandRequest, identifier: str, act: Callable[[Organisation, Context], None]
    ) -> Outcome:
        return self.commands.change(request, Organisation, organisation_uuid(identifier), act, label=identifier)

    def as_it_stood(self, identifier: str, version: int | None = None) -> Organisation:
        return self.commands.load(Organisation, organisation_uuid(identifier), version)
