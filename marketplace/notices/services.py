"""Publishing notices: each drafted from the records as they stand (the payment figures of the period, the
contract as it is), approved by the named officer publishing it, once (domain/notices)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from domain.base import Context
from domain.notices import drafts
from domain.notices.content import NamedOfficer
from domain.notices.drafts import Announced, Termination
from domain.notices.notice import Draft, Notice, notice_uuid
from domain.rules import DomainError, Refusal
from domain.tendering.contract import Contract
from domain.tendering.procurement import Category
from domain.tendering.tender import Tender
from domain.tendering.terms import Variation
from marketplace.commands import CommandRequest
from marketplace.notices.access import PUBLISH_NOTICE
from marketplace.outcome import Outcome
from marketplace.payments.performance import payment_performance
from marketplace.people.access import check_officer
from marketplace.records import RecordCommands
from marketplace.tendering.access import CONTRACT_BUYER_ONLY
from projections.notices.payments import large_payments


class Notices(RecordCommands[Notice]):
    kind = Notice
    permit = PUBLISH_NOTICE

    def payments_compliance(self, request: CommandRequest, day: date, reason: str) -> Outcome:
        """The council's payment figures for the six-month period the day falls in."""

        def draft(ctx: Context) -> Draft:
            with self.wiring.views_at_head() as session:
                figures = payment_performance(session, ctx.actor.organisation, day)
            return drafts.payments_compliance(figures, ctx.today)

        return self._publish(request, reason, draft)

    def payments_over_30000(self, request: CommandRequest, day: date, reason: str) -> Outcome:
        """Each payment of more than £30,000 the council made under a contract in the quarter the day falls in."""

        def draft(ctx: Context) -> Draft:
            start, end = drafts.quarter(day)
            with self.wiring.views_at_head() as session:
                payments = large_payments(session, ctx.actor.organisation, start, end)
            return drafts.payments_over_30000(start, end, payments, ctx.today)

        return self._publish(request, reason, draft)

    def contract_performance(self, request: CommandRequest, contract_id: UUID, reason: str) -> Outcome:
        """Each of the contract's KPIs with its latest rating: at least every twelve months, and as it ends."""
        return self._publish(
            request, reason, lambda ctx: drafts.contract_performance(self._contract(ctx, contract_id), ctx.today)
        )

    def contract_change(
        self, request: CommandRequest, contract_id: UUID, reason: str, variation: Variation, announced: Announced
    ) -> Outcome:
        """The modification the council intends, announced before it is made (domain/tendering/modification.py)."""

        def draft(ctx: Context) -> Draft:
            contract = self._contract(ctx, contract_id)
            tender = self.commands.load(Tender, UUID(contract.tender_id))
            modification = contract.modification(variation, tender.category == Category.WORKS)
            return drafts.contract_change(contract, modification, announced, ctx.today)

        return self._publish(request, reason, draft)

    def contract_termination(
        self, request: CommandRequest, contract_id: UUID, reason: str, termination: Termination
    ) -> Outcome:
        def draft(ctx: Context) -> Draft:
            contract = self._contract(ctx, contract_id)
            return drafts.contract_termination(contract, termination)

        return self._publish(request, reason, draft)

    def _contract(self, ctx: Context, contract_id: UUID) -> Contract:
        contract = self.commands.load(Contract, contract_id, label=str(contract_id))
        CONTRACT_BUYER_ONLY.check(ctx.actor, contract)
        return contract

    def _publish(self, request: CommandRequest, reason: str, draft_of: Callable[[Context], Draft]) -> Outcome:
        """The notice drafted, approved by the officer publishing it, unless one for the same is published."""
        PUBLISH_NOTICE.check(request.actor)

        def publish(ctx: Context) -> Notice:
            draft = draft_of(ctx)
            if self.commands.exists(notice_uuid(ctx.actor.organisation, draft.kind, draft.covers)):
                raise DomainError(
                    f"A {draft.kind} notice for {draft.covers} is already published.",
                    kind=Refusal.DUPLICATE,
                    rule="PublishedOnce",
                )
            return Notice.publish(ctx, reason, draft, self._named(ctx))

        return self.commands.create(request, publish)

    def _named(self, ctx: Context) -> NamedOfficer:
        """The officer approving the notice, as the council's people register names them: the regulations want a
        named officer, so someone not in the register may not approve one, whatever their token says."""
        try:
            person = check_officer(self.wiring, ctx.actor.subject, ctx.actor.organisation, "approved_by")
        except DomainError as unnamed:
            raise DomainError(
                f"A notice is approved by a named officer: {unnamed.message}",
                kind=Refusal.FORBIDDEN,
                rule="NamedOfficer",
            ) from None
        return NamedOfficer(person.subject, person.name, person.job_title)
