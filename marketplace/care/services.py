"""Commands on care micro-enterprise registrations.

A provider acts only on its own organisation's registration; council officers act on any.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.base import Context, Role
from domain.care.micro_enterprise import MicroEnterprisePolicy, registration_uuid
from domain.care.registration import Registration
from domain.organisations.organisation import Organisation, organisation_uuid
from domain.rules import DomainError, Refusal
from domain.values import org_id
from marketplace.capability import Wiring
from marketplace.commands import CommandRequest, refuse_duplicate
from marketplace.outcome import Outcome

OFFICERS = (Role.COMMISSIONER, Role.ADMIN)


def _applicant_only(organisation: str, ctx: Context) -> None:
    """Providers act for their own organisation only; council officers for any."""
    if ctx.actor.role not in OFFICERS and ctx.actor.organisation != organisation:
        raise DomainError(
            f"You act for {ctx.actor.organisation}: only {organisation} or a council officer may do this.",
            kind=Refusal.FORBIDDEN,
            rule="OwnRegistration",
        )


def _provider_only(registration: Registration, ctx: Context) -> None:
    if ctx.actor.role != Role.PROVIDER or ctx.actor.organisation != registration.organisation:
        raise DomainError(
            f"Only {registration.organisation} may withdraw its registration.",
            kind=Refusal.FORBIDDEN,
            rule="OwnRegistration",
        )


class Registrations:
    def __init__(self, wiring: Wiring, policy: MicroEnterprisePolicy | None = None) -> None:
        self.commands = wiring.commands
        self.policy = policy or MicroEnterprisePolicy()

    def apply(self, request: CommandRequest, organisation: str, **details: Any) -> Outcome:
        organisation = org_id(organisation, "organisation")

        def apply(ctx: Context) -> Registration:
            _applicant_only(organisation, ctx)
            org = self.commands.load(Organisation, organisation_uuid(organisation), label=organisation)
            if self.commands.exists(registration_uuid(org.identifier)):
                raise refuse_duplicate("A care micro-enterprise registration for", org.identifier)
            return Registration.apply(ctx, self.policy, org, **details)

        return self.commands.create(request, apply)

    def _change(
        self, request: CommandRequest, registration_id: UUID, act: Callable[[Registration, Context], Any]
    ) -> Outcome:
        return self.commands.change(request, Registration, registration_id, act, label=str(registration_id))

    def _as_applicant(
        self, request: CommandRequest, registration_id: UUID, act: Callable[[Registration, Context], Any]
    ) -> Outcome:
        def as_applicant(registration: Registration, ctx: Context) -> None:
            _applicant_only(registration.organisation, ctx)
            act(registration, ctx)

        return self._change(request, registration_id, as_applicant)

    def add_evidence(
        self,
        request: CommandRequest,
        registration_id: UUID,
        kind: str,
        name: str,
        issued: date,
        expires: date | None = None,
        amount: Decimal | None = None,
        reference: str = "",
    ) -> Outcome:
        return self._as_applicant(
            request,
            registration_id,
            lambda r, ctx: r.add_evidence(ctx, self.policy, kind, name, issued, expires, amount, reference),
        )

    def resubmit(self, request: CommandRequest, registration_id: UUID, **corrections: Any) -> Outcome:
        return self._as_applicant(request, registration_id, lambda r, ctx: r.resubmit(ctx, self.policy, **corrections))

    def update_availability(self, request: CommandRequest, registration_id: UUID, available_hours: int) -> Outcome:
        return self._as_applicant(request, registration_id, lambda r, ctx: r.update_availability(ctx, available_hours))

    def withdraw(self, request: CommandRequest, registration_id: UUID, reason: str) -> Outcome:
        def withdraw(registration: Registration, ctx: Context) -> None:
            _provider_only(registration, ctx)
            registration.withdraw(ctx, reason)

        return self._change(request, registration_id, withdraw)

    # Council officers' decisions (the API lets only officers call these).

    def record_check(
        self, request: CommandRequest, registration_id: UUID, evidence_id: str, passed: bool, note: str
    ) -> Outcome:
        return self._change(
            request, registration_id, lambda r, ctx: r.record_check(ctx, self.policy, evidence_id, passed, note)
        )

    def approve(self, request: CommandRequest, registration_id: UUID, reason: str) -> Outcome:
        return self._change(request, registration_id, lambda r, ctx: r.approve(ctx, self.policy, reason))

    def reject(self, request: CommandRequest, registration_id: UUID, reason: str) -> Outcome:
        return self._change(request, registration_id, lambda r, ctx: r.reject(ctx, reason))

    def suspend(self, request: CommandRequest, registration_id: UUID, reason: str) -> Outcome:
        return self._change(request, registration_id, lambda r, ctx: r.suspend(ctx, reason))

    def reinstate(self, request: CommandRequest, registration_id: UUID, reason: str) -> Outcome:
        return self._change(request, registration_id, lambda r, ctx: r.reinstate(ctx, reason))

    def record_standing(self, request: CommandRequest, registration_id: UUID) -> Outcome:
        """The chronograph's explicit renewal-due or lapsed event (the rules obey the clock regardless)."""
        return self._change(request, registration_id, lambda r, ctx: r.record_standing(ctx, self.policy))

    def as_it_stood(self, registration_id: UUID, version: int | None = None) -> Registration:
        return self.commands.load(Registration, registration_id, version, label=str(registration_id))
