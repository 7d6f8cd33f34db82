"""Commands on tenders, bids, evaluations and contracts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.base import Context
from domain.organisations.organisation import Organisation, organisation_uuid
from domain.rules import DomainError, Refusal, StateAllows, check
from domain.tendering.bid import Bid, BidderInRegister, bid_uuid
from domain.tendering.contract import Contract, contract_uuid
from domain.tendering.evaluation import Evaluation, OpenedBid, evaluation_uuid
from domain.tendering.tender import EVALUATION, Supplier, Tender
from marketplace.capability import Wiring
from marketplace.commands import Changed, CommandRequest, refuse_duplicate
from marketplace.outcome import Outcome
from projections.tendering.queries import bid_ids_for_tender


def _buyer_only(tender: Tender, ctx: Context) -> None:
    if ctx.actor.organisation != tender.buyer:
        raise DomainError(f"Only {tender.buyer} manages this tender.", kind=Refusal.FORBIDDEN, rule="Buyer")


def _bidder_only(bid: Bid, ctx: Context) -> None:
    if ctx.actor.organisation != bid.bidder:
        raise DomainError("Only the bidder may change its bid.", kind=Refusal.FORBIDDEN, rule="Bidder")


class Tenders:
    def __init__(self, wiring: Wiring) -> None:
        self.commands = wiring.commands
        self.policy = wiring.settings.policy
        self.views_at_head = wiring.views_at_head

    def bid_index(self, tender_id: UUID) -> list[str]:
        """Every bid ever submitted for the tender, from the views once they hold every committed event."""
        with self.views_at_head() as session:
            return bid_ids_for_tender(session, str(tender_id))

    def _change(self, request: CommandRequest, tender_id: UUID, act: Callable[[Tender, Context], Any]) -> Outcome:
        def as_buyer(tender: Tender, ctx: Context) -> Any:
            _buyer_only(tender, ctx)
            return act(tender, ctx)

        return self.commands.change(request, Tender, tender_id, as_buyer, label=str(tender_id))

    def draft(self, request: CommandRequest, **terms: Any) -> Outcome:
        return self.commands.create(
            request, lambda ctx: Tender.draft(ctx, self.policy, ctx.actor.organisation, **terms)
        )

    def revise(self, request: CommandRequest, tender_id: UUID, **changes: Any) -> Outcome:
        return self._change(request, tender_id, lambda t, ctx: t.revise(ctx, self.policy, **changes))

    def assess_conflicts(
        self, request: CommandRequest, tender_id: UUID, conflicts_found: bool, mitigation: str, reason: str
    ) -> Outcome:
        return self._change(
            request, tender_id, lambda t, ctx: t.record_conflicts_assessment(ctx, conflicts_found, mitigation, reason)
        )

    def publish(self, request: CommandRequest, tender_id: UUID, reason: str) -> Outcome:
        return self._change(request, tender_id, lambda t, ctx: t.publish(ctx, self.policy, reason))

    def ask(self, request: CommandRequest, tender_id: UUID, text: str) -> Outcome:
        """Any signed-in provider may ask; the question's asker is never published."""
        return self.commands.change(request, Tender, tender_id, lambda t, ctx: t.ask(ctx, text), label=str(tender_id))

    def answer(self, request: CommandRequest, tender_id: UUID, question_id: str, answer: str) -> Outcome:
        return self._change(request, tender_id, lambda t, ctx: t.answer(ctx, question_id, answer))

    def amend(self, request: CommandRequest, tender_id: UUID, reason: str, **changes: Any) -> Outcome:
        return self._change(request, tender_id, lambda t, ctx: t.amend(ctx, self.policy, reason, **changes))

    def close(self, request: CommandRequest, tender_id: UUID) -> Outcome:
        """The scheduler's explicit closing event (commands obey the clock regardless)."""
        return self.commands.change(request, Tender, tender_id, lambda t, ctx: t.close_tendering(ctx))

    def open_bids(self, request: CommandRequest, tender_id: UUID) -> Outcome:
        def open_them(tender: Tender, ctx: Context) -> Changed:
            _buyer_only(tender, ctx)
            bids = [self.commands.load(Bid, UUID(bid_id)) for bid_id in self.bid_index(tender_id)]
            opened = [b for b in bids if b.opens_with(tender)]
            tender.open_bids(ctx, [str(b.id) for b in opened])
            sealed = [OpenedBid(str(b.id), b.bidder, dict(b.prices)) for b in opened]
            return (Evaluation.start(ctx, tender_id, list(tender.criteria), sealed),)

        return self.commands.change(request, Tender, tender_id, open_them, label=str(tender_id))

    def award(self, request: CommandRequest, tender_id: UUID, lot_id: str, bid_id: str, reason: str) -> Outcome:
        """Award a lot to its most advantageous bid, naming it, with reasons and an assessment for every bidder."""

        def award_it(tender: Tender, ctx: Context) -> None:
            check(StateAllows(tender.status, frozenset({EVALUATION}), "award"))
            evaluation = self.commands.load(Evaluation, evaluation_uuid(tender_id))
            ranking = evaluation.ranking(lot_id)
            if ranking[0].bid_id != bid_id:
                raise DomainError(
                    f"Bid {bid_id} is not the most advantageous tender for lot {lot_id} ({ranking[0].bid_id} is).",
                    field="bid_id",
                    rule="MostAdvantageousTender",
                )
            winner = evaluation.bid(bid_id)
            org = self.commands.load(Organisation, organisation_uuid(winner.bidder))
            supplier = Supplier(org.identifier, org.name, org.size, org.vcse, org.address.district)
            tender.award_lot(ctx, self.policy, reason, lot_id, ranking[0], supplier, winner.prices[lot_id], ranking)

        return self._change(request, tender_id, award_it)

    def conclude_contract(
        self, request: CommandRequest, tender_id: UUID, lot_id: str, start: date, end: date, kpis: list[str]
    ) -> Outcome:
        """The contract (the outcome's subject) and the tender's record of it, saved together."""

        def conclude(ctx: Context) -> Changed:
            tender = self.commands.load(Tender, tender_id, label=str(tender_id))
            _buyer_only(tender, ctx)
            award = tender.conclude_contract(ctx, lot_id, contract_uuid(tender_id, lot_id))
            return Contract.conclude(ctx, tender_id, tender.buyer, award, start, end, kpis), tender

        return self.commands.create(request, conclude)

    def cancel(self, request: CommandRequest, tender_id: UUID, reason: str) -> Outcome:
        return self._change(request, tender_id, lambda t, ctx: t.cancel(ctx, reason))

    def cancel_lot(self, request: CommandRequest, tender_id: UUID, lot_id: str, reason: str) -> Outcome:
        return self._change(request, tender_id, lambda t, ctx: t.cancel_lot(ctx, lot_id, reason))


class Bids:
    def __init__(self, wiring: Wiring) -> None:
        self.commands = wiring.commands

    def _tender(self, tender_id: str | UUID) -> Tender:
        return self.commands.load(Tender, UUID(str(tender_id)), label=str(tender_id))

    def submit(
        self, request: CommandRequest, tender_id: UUID, prices: dict[str, Decimal], responses: dict[str, str]
    ) -> Outcome:
        def submit(ctx: Context) -> Bid:
            bidder = self.commands.find(Organisation, organisation_uuid(ctx.actor.organisation))
            check(BidderInRegister(ctx.actor.organisation, bidder.status if bidder else None))
            tender = self._tender(tender_id)
            if self.commands.exists(bid_uuid(tender_id, ctx.actor.organisation)):
                raise refuse_duplicate("A bid from", f"{ctx.actor.organisation} (replace or resubmit it instead)")
            return Bid.submit(ctx, tender, ctx.actor.organisation, prices, responses)

        return self.commands.create(request, submit)

    def _change(self, request: CommandRequest, bid_id: UUID, act: Callable[[Bid, Tender, Context], None]) -> Outcome:
        def as_bidder(bid: Bid, ctx: Context) -> None:
            _bidder_only(bid, ctx)
            act(bid, self._tender(bid.tender_id), ctx)

        return self.commands.change(request, Bid, bid_id, as_bidder, label=str(bid_id))

    def replace(
        self, request: CommandRequest, bid_id: UUID, prices: dict[str, Decimal], responses: dict[str, str]
    ) -> Outcome:
        return self._change(request, bid_id, lambda b, t, ctx: b.replace(ctx, t, prices, responses))

    def withdraw(self, request: CommandRequest, bid_id: UUID) -> Outcome:
        return self._change(request, bid_id, lambda b, t, ctx: b.withdraw(ctx, t))

    def reconfirm(self, request: CommandRequest, bid_id: UUID) -> Outcome:
        return self._change(request, bid_id, lambda b, t, ctx: b.reconfirm(ctx, t))


class Evaluations:
    def __init__(self, wiring: Wiring) -> None:
        self.commands = wiring.commands

    def _change(self, request: CommandRequest, tender_id: UUID, act: Callable[[Evaluation, Context], None]) -> Outcome:
        return self.commands.change(request, Evaluation, evaluation_uuid(tender_id), act, label=str(tender_id))

    def assign(self, request: CommandRequest, tender_id: UUID, evaluator: str) -> Outcome:
        return self._change(request, tender_id, lambda e, ctx: e.assign(ctx, evaluator))

    def declare(self, request: CommandRequest, tender_id: UUID, conflict: bool, statement: str) -> Outcome:
        return self._change(request, tender_id, lambda e, ctx: e.declare(ctx, conflict, statement))

    def score(
        self, request: CommandRequest, tender_id: UUID, bid_id: str, criterion: str, score: int, justification: str
    ) -> Outcome:
        return self._change(request, tender_id, lambda e, ctx: e.score(ctx, bid_id, criterion, score, justification))

    def moderate(
        self, request: CommandRequest, tender_id: UUID, bid_id: str, criterion: str, score: int, note: str
    ) -> Outcome:
        return self._change(request, tender_id, lambda e, ctx: e.moderate(ctx, bid_id, criterion, score, note))


class Contracts:
    def __init__(self, wiring: Wiring) -> None:
        self.commands = wiring.commands

    def _change(self, request: CommandRequest, contract_id: UUID, act: Callable[[Contract, Context], None]) -> Outcome:
        def as_buyer(contract: Contract, ctx: Context) -> None:
            if ctx.actor.organisation != contract.buyer:
                raise DomainError(f"Only {contract.buyer} manages this contract.", kind=Refusal.FORBIDDEN)
            act(contract, ctx)

        return self.commands.change(request, Contract, contract_id, as_buyer, label=str(contract_id))

    def vary(
        self, request: CommandRequest, contract_id: UUID, reason: str, value: Decimal | None, end: date | None
    ) -> Outcome:
        return self._change(request, contract_id, lambda c, ctx: c.vary(ctx, reason, value, end))

    def terminate(self, request: CommandRequest, contract_id: UUID, reason: str, effective: date) -> Outcome:
        return self._change(request, contract_id, lambda c, ctx: c.terminate(ctx, reason, effective))

    def decommission(
        self, request: CommandRequest, contract_id: UUID, reason: str, effective: date, consultation: str
    ) -> Outcome:
        return self._change(request, contract_id, lambda c, ctx: c.decommission(ctx, reason, effective, consultation))
