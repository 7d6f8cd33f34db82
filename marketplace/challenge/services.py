"""Commands on the council's service register and on expressions of interest.

Each checks its permit (marketplace/challenge/access.py) before it loads anything, and that an organisation acts
on its own records alone: the council on its services and the expressions made to it, a body on its own
expressions. An acceptance is saved with the service's record of it, so the tender that later starts the
procurement knows which challenges it answers (marketplace/challenge/procurement.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from domain.authority.delegation import DecisionKind
from domain.base import Context
from domain.challenge.council_service import CouncilService
from domain.challenge.expression import ExpressionOfInterest, accepted_for
from domain.challenge.terms import Body, Interest, Rejection, ServiceChange, ServiceTerms, Window
from domain.organisations.organisation import Organisation, OrganisationStatus, organisation_uuid
from domain.rules import DomainError, Refusal
from marketplace.challenge.access import (
    BODY_ONLY,
    CONSIDER,
    COUNCIL_ONLY,
    DECIDING_COUNCIL,
    EXPRESS,
    KEEP_REGISTER,
    RECORD_OVERDUE,
)
from marketplace.commands import Changed, CommandRequest
from marketplace.outcome import Outcome
from marketplace.records import RecordCommands


class Services(RecordCommands[CouncilService]):
    kind = CouncilService
    permit = KEEP_REGISTER
    own = COUNCIL_ONLY

    def register(self, request: CommandRequest, terms: ServiceTerms) -> Outcome:
        KEEP_REGISTER.check(request.actor)
        return self.commands.create(request, lambda ctx: CouncilService.register(ctx, ctx.actor.organisation, terms))

    def update(self, request: CommandRequest, service_id: UUID, reason: str, change: ServiceChange) -> Outcome:
        return self._change(request, service_id, lambda s, ctx: s.update(ctx, reason, change))

    def publish_window(self, request: CommandRequest, service_id: UUID, reason: str, window: Window) -> Outcome:
        return self._change(request, service_id, lambda s, ctx: s.publish_window(ctx, reason, window))


class Expressions(RecordCommands[ExpressionOfInterest]):
    kind = ExpressionOfInterest
    permit = EXPRESS
    own = BODY_ONLY

    def _service(self, service_id: UUID | str, field: str | None = None) -> CouncilService:
        try:
            key = UUID(str(service_id))
        except ValueError:
            raise DomainError(f"No service with id {service_id}.", field=field, rule="Exists") from None
        found = self.commands.find(CouncilService, key)
        if found is None:
            kind = Refusal.INVALID if field else Refusal.NOT_FOUND
            raise DomainError(f"No service with id {service_id}.", field=field, kind=kind, rule="Exists")
        return found

    def _body(self, organisation: str) -> Body | None:
        """The expressing organisation as the register has it now (None: not registered)."""
        org = self.commands.find(Organisation, organisation_uuid(organisation))
        if org is None:
            return None
        return Body(org.identifier, org.name, org.legal_form, org.status == OrganisationStatus.ACTIVE)

    def submit(self, request: CommandRequest, interest: Interest) -> Outcome:
        EXPRESS.check(request.actor)

        def submit(ctx: Context) -> ExpressionOfInterest:
            service = self._service(interest.service_id, "service_id")
            return ExpressionOfInterest.submit(ctx, service, self._body(ctx.actor.organisation), interest)

        return self.commands.create(request, submit)

    # --- the body's part -----------------------------------------------------------------------------------------

    def agree_modification(self, request: CommandRequest, expression_id: UUID) -> Outcome:
        return self._change(request, expression_id, lambda e, ctx: e.agree_modification(ctx))

    def decline_modification(self, request: CommandRequest, expression_id: UUID, reason: str) -> Outcome:
        return self._change(request, expression_id, lambda e, ctx: e.decline_modification(ctx, reason))

    def withdraw(self, request: CommandRequest, expression_id: UUID) -> Outcome:
        return self._change(request, expression_id, lambda e, ctx: e.withdraw(ctx))

    # --- the council's part --------------------------------------------------------------------------------------

    def acknowledge(self, request: CommandRequest, expression_id: UUID) -> Outcome:
        return self._council(request, expression_id, lambda e, ctx: e.acknowledge(ctx))

    def propose_modification(
        self, request: CommandRequest, expression_id: UUID, reason: str, modification: str
    ) -> Outcome:
        return self._council(request, expression_id, lambda e, ctx: e.propose_modification(ctx, reason, modification))

    def accept(self, request: CommandRequest, expression_id: UUID, reason: str) -> Outcome:
        """The acceptance and the service's record that a procurement is due, saved together."""

        def accept(expression: ExpressionOfInterest, ctx: Context) -> Changed:
            expression.accept(self.authority.under(ctx, DecisionKind.DECIDE_CHALLENGE), reason)
            service = self._service(expression.service_id)
            accepted_for(service, expression, ctx)
            return (service,)

        return self._council(request, expression_id, accept)

    def reject(self, request: CommandRequest, expression_id: UUID, rejection: Rejection) -> Outcome:
        return self._council(
            request,
            expression_id,
            lambda e, ctx: e.reject(self.authority.under(ctx, DecisionKind.DECIDE_CHALLENGE), rejection),
        )

    def record_overdue(self, request: CommandRequest, expression_id: UUID) -> Outcome:
        """The chronograph's flag on a decision, or a procurement, not made in time."""

        def record(expression: ExpressionOfInterest, ctx: Context) -> None:
            if not expression.record_overdue(ctx):
                raise DomainError("Nothing about the expression of interest is overdue.", rule="OverdueDue")

        return self._act(request, expression_id, record, RECORD_OVERDUE)

    def _council(
        self, request: CommandRequest, expression_id: UUID, act: Callable[[ExpressionOfInterest, Context], Any]
    ) -> Outcome:
        """A command an officer of the council the expression was made to issues."""
        return self._change(request, expression_id, act, CONSIDER, DECIDING_COUNCIL)
