"""Commands on care micro-enterprise registrations.

Each checks its permit (marketplace/care/access.py) before it runs, and the applicant's commands that the actor
acts for the registration's organisation; council officers act on any registration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any
from uuid import UUID

from domain.authority.delegation import DecisionKind
from domain.base import Context
from domain.care.micro_enterprise import (
    Corrections,
    EvidenceCheck,
    EvidenceItem,
    ListingApplication,
    MicroEnterprisePolicy,
    registration_uuid,
)
from domain.care.registration import Registration
from domain.organisations.organisation import Organisation, organisation_uuid
from domain.values import org_id
from marketplace.access import Permit
from marketplace.authority.check import DelegatedAuthority
from marketplace.capability import Wiring
from marketplace.care.access import (
    ADD_EVIDENCE,
    APPLY_FOR_LISTING,
    APPROVE,
    RECORD_CHECK,
    RECORD_STANDING,
    REINSTATE,
    REJECT,
    RESUBMIT,
    SUSPEND,
    UPDATE_AVAILABILITY,
    WITHDRAW,
    check_applicant,
    check_registrant,
)
from marketplace.commands import CommandRequest, refuse_duplicate
from marketplace.outcome import Outcome

Act = Callable[[Registration, Context], Any]


APPROVING = DecisionKind.APPROVE_REGISTRATION  # the decision the scheme of delegation names


class Registrations:
    def __init__(self, wiring: Wiring, policy: MicroEnterprisePolicy | None = None) -> None:
        self.commands = wiring.commands
        self.policy = policy or MicroEnterprisePolicy()
        self.authority = DelegatedAuthority(wiring)

    # The applicant's commands: a provider for its own organisation, council officers for any.

    def apply_for_listing(self, request: CommandRequest, application: ListingApplication) -> Outcome:
        APPLY_FOR_LISTING.check(request.actor)
        application = replace(application, organisation=org_id(application.organisation, "organisation"))
        check_applicant(request.actor, application.organisation)

        def submit(ctx: Context) -> Registration:
            org = self.commands.load(
                Organisation, organisation_uuid(application.organisation), label=application.organisation
            )
            if self.commands.exists(registration_uuid(org.identifier)):
                raise refuse_duplicate("A care micro-enterprise registration for", org.identifier)
            return Registration.submit_application(ctx, self.policy, org, application)

        return self.commands.create(request, submit)

    def add_evidence(self, request: CommandRequest, registration_id: UUID, item: EvidenceItem) -> Outcome:
        return self._as_applicant(
            request, ADD_EVIDENCE, registration_id, lambda r, ctx: r.add_evidence(ctx, self.policy, item)
        )

    def resubmit(self, request: CommandRequest, registration_id: UUID, corrections: Corrections) -> Outcome:
        return self._as_applicant(
            request, RESUBMIT, registration_id, lambda r, ctx: r.resubmit(ctx, self.policy, corrections)
        )

    def update_availability(self, request: CommandRequest, registration_id: UUID, available_hours: int) -> Outcome:
        return self._as_applicant(
            request, UPDATE_AVAILABILITY, registration_id, lambda r, ctx: r.update_availability(ctx, available_hours)
        )

    def withdraw(self, request: CommandRequest, registration_id: UUID, reason: str) -> Outcome:
        def withdraw(registration: Registration, ctx: Context) -> None:
            check_registrant(ctx.actor, registration.organisation)
            registration.withdraw(ctx, reason)

        return self._change(request, WITHDRAW, registration_id, withdraw)

    # Council officers' decisions.

    def record_check(self, request: CommandRequest, registration_id: UUID, result: EvidenceCheck) -> Outcome:
        return self._change(
            request, RECORD_CHECK, registration_id, lambda r, ctx: r.record_check(ctx, self.policy, result)
        )

    def approve(self, request: CommandRequest, registration_id: UUID, reason: str) -> Outcome:
        return self._change(
            request,
            APPROVE,
            registration_id,
            lambda r, ctx: r.approve(self.authority.under(ctx, APPROVING), self.policy, reason),
        )

    def reject(self, request: CommandRequest, registration_id: UUID, reason: str) -> Outcome:
        return self._change(request, REJECT, registration_id, lambda r, ctx: r.reject(ctx, reason))

    def suspend(self, request: CommandRequest, registration_id: UUID, reason: str) -> Outcome:
        return self._change(request, SUSPEND, registration_id, lambda r, ctx: r.suspend(ctx, reason))

    def reinstate(self, request: CommandRequest, registration_id: UUID, reason: str) -> Outcome:
        return self._change(request, REINSTATE, registration_id, lambda r, ctx: r.reinstate(ctx, reason))

    # The clock's.

    def record_standing(self, request: CommandRequest, registration_id: UUID) -> Outcome:
        """The chronograph's explicit renewal-due or lapsed event (the rules obey the clock regardless)."""
        return self._change(
            request, RECORD_STANDING, registration_id, lambda r, ctx: r.record_standing(ctx, self.policy)
        )

    def as_it_stood(self, registration_id: UUID, version: int | None = None) -> Registration:
        return self.commands.load(Registration, registration_id, version, label=str(registration_id))

    def _change(self, request: CommandRequest, permit: Permit, registration_id: UUID, act: Act) -> Outcome:
        permit.check(request.actor)
        return self.commands.change(request, Registration, registration_id, act, label=str(registration_id))

    def _as_applicant(self, request: CommandRequest, permit: Permit, registration_id: UUID, act: Act) -> Outcome:
        def as_applicant(registration: Registration, ctx: Context) -> None:
            check_applicant(ctx.actor, registration.organisation)
            act(registration, ctx)

        return self._change(request, permit, registration_id, as_applicant)
