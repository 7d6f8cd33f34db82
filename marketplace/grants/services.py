"""Commands on grant programmes, applications and grants.

Each checks its permit (marketplace/grants/access.py) before it loads anything, and the record rule that an
organisation acts on its own records alone. A command that moves money saves the programme's ledger with the
record it changes, in one transaction: an offer and its commitment, a release and the change that frees it.
Two offers racing for the last of a budget both load the same programme version; one is saved, the other's
save conflicts (409) and may be retried against the programme as it now stands.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.authority.delegation import DecisionKind
from domain.base import Context
from domain.grants.application import GrantApplication
from domain.grants.eligibility import Applicant
from domain.grants.grant import CLAWBACK, UNDERSPEND_REPAID, Grant
from domain.grants.programme import GrantProgramme, programme_uuid
from domain.grants.terms import (
    AgreedScore,
    Closure,
    CriterionScore,
    GrantVariation,
    MonitoringReturn,
    OfferGrant,
    OfferTerms,
    ProgrammeTerms,
    Proposal,
    ProposalChange,
)
from domain.organisations.organisation import Organisation, OrganisationStatus, organisation_uuid
from domain.payments.invoice import Invoice
from domain.payments.terms import RecoveryAsked
from domain.rules import DomainError
from marketplace.access import Permit
from marketplace.authority.check import Under
from marketplace.commands import Changed, CommandRequest, refuse_duplicate
from marketplace.grants.access import (
    APPLICANT_ONLY,
    APPLY,
    ASSESS,
    DECIDE,
    FUNDER_ONLY,
    GRANT_FUNDER_ONLY,
    LAPSE_OFFER,
    MANAGE_GRANT,
    RECORD_WINDOW,
    REPORT,
    RUN_PROGRAMME,
    reports_as,
)
from marketplace.outcome import Outcome
from marketplace.payments.recoveries import next_recovery, raise_recovery
from marketplace.records import RecordCommands, guarded


class Programmes(RecordCommands[GrantProgramme]):
    kind = GrantProgramme
    permit = RUN_PROGRAMME
    own = FUNDER_ONLY

    def draft(self, request: CommandRequest, terms: ProgrammeTerms) -> Outcome:
        RUN_PROGRAMME.check(request.actor)

        def draft(ctx: Context) -> GrantProgramme:
            if self.commands.exists(programme_uuid(terms.code)):
                raise refuse_duplicate("A programme with code", terms.code)
            return GrantProgramme.draft(ctx, ctx.actor.organisation, terms)

        return self.commands.create(request, draft)

    def publish(self, request: CommandRequest, programme_id: UUID, reason: str) -> Outcome:
        return self._change(request, programme_id, lambda p, ctx: p.publish(ctx, reason))

    def extend_window(self, request: CommandRequest, programme_id: UUID, reason: str, closes: datetime) -> Outcome:
        return self._change(request, programme_id, lambda p, ctx: p.extend_window(ctx, reason, closes))

    def adjust_budget(self, request: CommandRequest, programme_id: UUID, reason: str, budget: Decimal) -> Outcome:
        return self._change(request, programme_id, lambda p, ctx: p.adjust_budget(ctx, reason, budget))

    def close(self, request: CommandRequest, programme_id: UUID, reason: str) -> Outcome:
        return self._change(request, programme_id, lambda p, ctx: p.close(ctx, reason))

    def record_window(self, request: CommandRequest, programme_id: UUID) -> Outcome:
        """The chronograph's record of the window opening or closing, when one is due."""

        def record(programme: GrantProgramme, ctx: Context) -> None:
            if not programme.record_window(ctx):
                raise DomainError("Nothing about the window is due.", rule="WindowDue")

        return self._act(request, programme_id, record, RECORD_WINDOW)


class Applications(RecordCommands[GrantApplication]):
    kind = GrantApplication
    permit = APPLY
    own = APPLICANT_ONLY

    def _programme(self, programme_id: UUID | str) -> GrantProgramme:
        return self.commands.load(GrantProgramme, UUID(str(programme_id)), label=str(programme_id))

    def _applicant(self, organisation: str) -> Applicant:
        """The applying organisation as the register has it now (unregistered: inactive, so refused)."""
        org = self.commands.find(Organisation, organisation_uuid(organisation))
        if org is None:
            return Applicant(organisation, "", "", "", vcse=False, active=False)
        active = org.status == OrganisationStatus.ACTIVE
        return Applicant(org.identifier, org.name, org.legal_form, org.size, org.vcse, active)

    def apply(self, request: CommandRequest, programme_id: UUID, proposal: Proposal) -> Outcome:
        APPLY.check(request.actor)

        def draft(ctx: Context) -> GrantApplication:
            applicant = self._applicant(ctx.actor.organisation)
            return GrantApplication.draft(ctx, self._programme(programme_id), applicant, proposal)

        return self.commands.create(request, draft)

    def save_draft(self, request: CommandRequest, application_id: UUID, change: ProposalChange) -> Outcome:
        return self._change(
            request, application_id, lambda a, ctx: a.save_draft(ctx, self._programme(a.programme_id), change)
        )

    def submit(self, request: CommandRequest, application_id: UUID) -> Outcome:
        def submit(application: GrantApplication, ctx: Context) -> None:
            applicant = self._applicant(application.applicant)
            application.submit(ctx, self._programme(application.programme_id), applicant)

        return self._change(request, application_id, submit)

    def withdraw(self, request: CommandRequest, application_id: UUID) -> Outcome:
        return self._change(request, application_id, lambda a, ctx: a.withdraw(ctx))

    def accept(self, request: CommandRequest, application_id: UUID) -> Outcome:
        """The grant agreement: the grant is made, on the offer's terms, in the same transaction."""

        def accept(application: GrantApplication, ctx: Context) -> Changed:
            offer = application.accept(ctx)
            return (Grant.make(ctx, application, self._programme(application.programme_id), offer),)

        return self._change(request, application_id, accept)

    def decline_offer(self, request: CommandRequest, application_id: UUID, reason: str) -> Outcome:
        return self._change(
            request, application_id, self._releasing(lambda a, ctx: a.decline_offer(ctx, reason), "offer declined")
        )

    def lapse(self, request: CommandRequest, application_id: UUID) -> Outcome:
        def lapse(application: GrantApplication, ctx: Context) -> Decimal:
            amount = application.lapse(ctx)
            if amount is None:
                raise DomainError("The offer is not due to lapse.", rule="OfferExpired")
            return amount

        return self._act(request, application_id, self._releasing(lapse, "offer lapsed"), LAPSE_OFFER)

    def _releasing(
        self, act: Callable[[GrantApplication, Context], Decimal], cause: str
    ) -> Callable[[GrantApplication, Context], Changed]:
        def released(application: GrantApplication, ctx: Context) -> Changed:
            amount = act(application, ctx)
            programme = self._programme(application.programme_id)
            programme.release(ctx, str(application.id), amount, cause)
            return (programme,)

        return released

    # --- the council's part: assessment and the decision ----------------------------------------------------

    def assign(self, request: CommandRequest, application_id: UUID, assessor: str) -> Outcome:
        def assign(application: GrantApplication, programme: GrantProgramme, ctx: Context) -> None:
            self.assignable(ctx, assessor, "assessor")
            application.assign(ctx, assessor)

        return self._officer(request, application_id, ASSESS, assign)

    def declare(self, request: CommandRequest, application_id: UUID, conflict: bool, statement: str) -> Outcome:
        return self._officer(request, application_id, ASSESS, lambda a, p, ctx: a.declare(ctx, conflict, statement))

    def score(self, request: CommandRequest, application_id: UUID, mark: CriterionScore) -> Outcome:
        return self._officer(request, application_id, ASSESS, lambda a, p, ctx: a.score(ctx, p, mark))

    def moderate(self, request: CommandRequest, application_id: UUID, agreed: AgreedScore) -> Outcome:
        return self._officer(request, application_id, ASSESS, lambda a, p, ctx: a.moderate(ctx, p, agreed))

    def request_changes(self, request: CommandRequest, application_id: UUID, reason: str) -> Outcome:
        return self._officer(request, application_id, DECIDE, lambda a, p, ctx: a.request_changes(ctx, reason))

    def offer(self, request: CommandRequest, application_id: UUID, reason: str, terms: OfferTerms) -> Outcome:
        """The offer and the programme's commitment of its money, saved together (409 if the budget moved)."""
        return self._delegated(request, application_id, OfferGrant(terms, reason), DECIDE)

    carries_out = OfferGrant

    def carry_out(self, command: OfferGrant, under: Under) -> Callable[[GrantApplication, Context], Changed]:
        def offer(application: GrantApplication, ctx: Context) -> Changed:
            programme = self._programme(application.programme_id)
            FUNDER_ONLY.check(ctx.actor, programme)
            decided = under(ctx, DecisionKind.OFFER_GRANT, command.terms.amount)
            amount = application.make_offer(decided, programme, command.reason, command.terms)
            programme.commit(ctx, str(application.id), amount)
            return (programme,)

        return guarded(offer, DECIDE, None)  # the programme's funder decides (FUNDER_ONLY), not its applicant

    def decline(self, request: CommandRequest, application_id: UUID, reason: str, feedback: str) -> Outcome:
        return self._officer(request, application_id, DECIDE, lambda a, p, ctx: a.decline(ctx, reason, feedback))

    def _officer(
        self,
        request: CommandRequest,
        application_id: UUID,
        permit: Permit,
        act: Callable[[GrantApplication, GrantProgramme, Context], Any],
    ) -> Outcome:
        """A command an officer of the programme's funder issues, on the application and its programme."""

        def as_funder(application: GrantApplication, ctx: Context) -> Any:
            programme = self._programme(application.programme_id)
            FUNDER_ONLY.check(ctx.actor, programme)
            return act(application, programme, ctx)

        return self._act(request, application_id, as_funder, permit)


class Grants(RecordCommands[Grant]):
    kind = Grant
    permit = MANAGE_GRANT
    own = GRANT_FUNDER_ONLY

    def _programme(self, grant: Grant) -> GrantProgramme:
        return self.commands.load(GrantProgramme, UUID(grant.programme_id))

    def discharge(self, request: CommandRequest, grant_id: UUID, reason: str, condition: str, evidence: str) -> Outcome:
        return self._change(request, grant_id, lambda g, ctx: g.discharge(ctx, reason, condition, evidence))

    def submit_return(self, request: CommandRequest, grant_id: UUID, report: MonitoringReturn) -> Outcome:
        return self._report(request, grant_id, lambda g, ctx: g.submit_return(ctx, report))

    def review_return(
        self, request: CommandRequest, grant_id: UUID, reason: str, period: str, accepted: bool
    ) -> Outcome:
        return self._change(request, grant_id, lambda g, ctx: g.review_return(ctx, reason, period, accepted))

    def declare_underspend(self, request: CommandRequest, grant_id: UUID, amount: Decimal, explanation: str) -> Outcome:
        return self._report(request, grant_id, lambda g, ctx: g.declare_underspend(ctx, amount, explanation))

    def _report(self, request: CommandRequest, grant_id: UUID, act: Callable[[Grant, Context], None]) -> Outcome:
        def as_reporter(grant: Grant, ctx: Context) -> None:
            reports_as(ctx.actor, grant)
            act(grant, ctx)

        return self._act(request, grant_id, as_reporter, REPORT)

    def vary(self, request: CommandRequest, grant_id: UUID, reason: str, variation: GrantVariation) -> Outcome:
        """More money is committed from the programme (409 if it is not there); less is released."""

        def vary(grant: Grant, ctx: Context) -> Changed:
            change = grant.vary(ctx, reason, variation)
            programme = self._programme(grant)
            if change > 0:
                programme.commit(ctx, grant.application_id, change)
            elif change < 0:
                programme.release(ctx, grant.application_id, -change, "grant reduced")
            return (programme,) if change else ()

        return self._change(request, grant_id, vary)

    def return_underspend(self, request: CommandRequest, grant_id: UUID, reason: str, repaid: Decimal) -> Outcome:
        """The underspend settled: what was never paid of it comes off the award and is freed now; what was paid
        (`repaid`) is asked back by a recovery raised beside it, and freed when that is received."""

        def settle(grant: Grant, ctx: Context) -> Changed:
            asked, recovery = next_recovery(grant, UNDERSPEND_REPAID, repaid, reason)
            unpaid = grant.return_underspend(ctx, reason, repaid, recovery if repaid else "")
            return (*self._released(grant, ctx, unpaid, "underspend"), *self._asked_back(grant, ctx, asked, repaid))

        return self._change(request, grant_id, settle)

    def claw_back(self, request: CommandRequest, grant_id: UUID, reason: str, amount: Decimal) -> Outcome:
        """The clawback decided, and the recovery asking the money back raised beside it (its recipient sees it at
        once). The award is reduced, and its money freed, when the recovery is received (`Invoices.recover`)."""

        def claw_back(grant: Grant, ctx: Context) -> Changed:
            asked, recovery = next_recovery(grant, CLAWBACK, amount, reason)
            grant.claw_back(ctx, reason, amount, recovery)
            return self._asked_back(grant, ctx, asked, amount)

        return self._change(request, grant_id, claw_back)

    def _asked_back(self, grant: Grant, ctx: Context, asked: RecoveryAsked, amount: Decimal) -> tuple[Invoice, ...]:
        """The recovery's payment record, when there is money to ask back."""
        return (raise_recovery(ctx, grant, asked, self.wiring.settings.payments),) if amount else ()

    def close(self, request: CommandRequest, grant_id: UUID, reason: str, closure: Closure) -> Outcome:
        return self._change(request, grant_id, self._releasing(lambda g, ctx: g.close(ctx, reason, closure), "closed"))

    def _releasing(self, act: Callable[[Grant, Context], Decimal], cause: str) -> Callable[[Grant, Context], Changed]:
        def released(grant: Grant, ctx: Context) -> Changed:
            return self._released(grant, ctx, act(grant, ctx), cause)

        return released

    def _released(self, grant: Grant, ctx: Context, amount: Decimal, cause: str) -> tuple[GrantProgramme, ...]:
        """The programme's budget freed of `amount` no longer committed to the grant (none: nothing changes)."""
        if not amount:
            return ()
        programme = self._programme(grant)
        programme.release(ctx, grant.application_id, amount, cause)
        return (programme,)
