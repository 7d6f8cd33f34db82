"""Commands on tenders, bids, evaluations and contracts.

Each command takes its terms as one domain value (domain/tendering/terms.py; the API converts its body into it) and
checks its permit (marketplace/tendering/access.py) before it loads anything, so the API, the command line and the
clock are held to the same rules. A command on a tender or a contract is also its buyer's alone, on a bid its
bidder's; asking a question, and the clock's closing of tendering, are anyone's the permit allows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from domain.assessment import NotConflicted
from domain.authority.delegation import DecisionKind
from domain.base import Context
from domain.organisations.organisation import Organisation, organisation_uuid
from domain.payments.terms import OutcomePrice
from domain.rules import DomainError, check
from domain.tendering.bid import Bid, BidderInRegister, bid_uuid
from domain.tendering.contract import Contract, contract_uuid
from domain.tendering.evaluation import Evaluation, OpenedBid, evaluation_uuid
from domain.tendering.performance import Kpi, Measurement
from domain.tendering.tender import EVALUATION, Supplier, Tender, Winner
from domain.tendering.tender_rules import TenderAllows
from domain.tendering.terms import (
    AwardLot,
    ConflictsAssessment,
    ContractTerms,
    Ending,
    Moderation,
    Offer,
    Score,
    Selection,
    TenderTerms,
    TermsChange,
    Variation,
    VaryContract,
)
from marketplace.authority.check import Under
from marketplace.capability import Wiring
from marketplace.challenge.procurement import named_service, procurement_started, service_decommissioned
from marketplace.commands import Changed, CommandRequest, refuse_duplicate
from marketplace.outcome import Outcome
from marketplace.records import RecordCommands, guarded
from marketplace.tendering.access import (
    ASK_QUESTION,
    BID,
    BIDDER_ONLY,
    BUYER_ONLY,
    CLOSE_TENDERING,
    CONTRACT_BUYER_ONLY,
    DRAFT_TENDER,
    END_STANDSTILL,
    EVALUATE,
    MANAGE_CONTRACT,
    MANAGE_TENDER,
)
from marketplace.tendering.changes import change_regime
from projections.tendering.queries import bid_ids_for_tender


class Tenders(RecordCommands[Tender]):
    kind = Tender
    permit = MANAGE_TENDER
    own = BUYER_ONLY

    def __init__(self, wiring: Wiring) -> None:
        super().__init__(wiring)
        self.policy = wiring.settings.policy
        self.views_at_head = wiring.views_at_head

    def bid_index(self, tender_id: UUID) -> list[str]:
        """Every bid ever submitted for the tender, from the views once they hold every committed event."""
        with self.views_at_head() as session:
            return bid_ids_for_tender(session, str(tender_id))

    def draft(self, request: CommandRequest, terms: TenderTerms, service_id: UUID | None = None) -> Outcome:
        """`service_id`: the service in the buyer's register the tender procures, if it names one."""
        DRAFT_TENDER.check(request.actor)

        def draft(ctx: Context) -> Tender:
            buyer = ctx.actor.organisation
            service = named_service(self.commands, service_id, buyer)
            return Tender.draft(ctx, self.policy, buyer, terms, service)

        return self.commands.create(request, draft)

    def revise(self, request: CommandRequest, tender_id: UUID, change: TermsChange) -> Outcome:
        return self._change(request, tender_id, lambda t, ctx: t.revise(ctx, self.policy, change))

    def assess_conflicts(
        self, request: CommandRequest, tender_id: UUID, assessment: ConflictsAssessment, reason: str
    ) -> Outcome:
        return self._change(request, tender_id, lambda t, ctx: t.record_conflicts_assessment(ctx, assessment, reason))

    def publish(self, request: CommandRequest, tender_id: UUID, reason: str) -> Outcome:
        """The tender notice; a tender naming a service starts the procurement its accepted challenges wait for."""

        def publish(tender: Tender, ctx: Context) -> Changed:
            tender.publish(ctx, self.policy, reason)
            return procurement_started(self.commands, tender, ctx)

        return self._change(request, tender_id, publish)

    def ask(self, request: CommandRequest, tender_id: UUID, text: str) -> Outcome:
        """Any signed-in provider may ask; the question's asker is never published."""
        return self._act(request, tender_id, lambda t, ctx: t.ask(ctx, text), ASK_QUESTION)

    def answer(self, request: CommandRequest, tender_id: UUID, question_id: str, answer: str) -> Outcome:
        return self._change(request, tender_id, lambda t, ctx: t.answer(ctx, question_id, answer))

    def amend(self, request: CommandRequest, tender_id: UUID, reason: str, change: TermsChange) -> Outcome:
        return self._change(request, tender_id, lambda t, ctx: t.amend(ctx, self.policy, reason, change))

    def close(self, request: CommandRequest, tender_id: UUID) -> Outcome:
        """The scheduler's explicit closing event (commands obey the clock regardless)."""
        return self._act(request, tender_id, lambda t, ctx: t.close_tendering(ctx), CLOSE_TENDERING)

    def end_standstill(self, request: CommandRequest, tender_id: UUID, lot_id: str) -> Outcome:
        """The scheduler's record that a lot's standstill has ended (the contract's rule reads the clock regardless)."""
        return self._act(request, tender_id, lambda t, ctx: t.end_standstill(ctx, lot_id), END_STANDSTILL)

    def open_bids(self, request: CommandRequest, tender_id: UUID) -> Outcome:
        def open_them(tender: Tender, ctx: Context) -> Changed:
            bids = [self.commands.load(Bid, UUID(bid_id)) for bid_id in self.bid_index(tender_id)]
            opened = [b for b in bids if b.opens_with(tender)]
            tender.open_bids(ctx, [str(b.id) for b in opened])
            sealed = [OpenedBid(str(b.id), b.bidder, dict(b.prices)) for b in opened]
            return (Evaluation.start(ctx, tender_id, list(tender.criteria), sealed),)

        return self._change(request, tender_id, open_them)

    def award(self, request: CommandRequest, tender_id: UUID, selection: Selection, reason: str) -> Outcome:
        """Award a lot to its most advantageous bid, naming it, with reasons and an assessment for every bidder."""
        return self._delegated(request, tender_id, AwardLot(selection, reason))

    carries_out = AwardLot

    def carry_out(self, command: AwardLot, under: Under) -> Callable[[Tender, Context], None]:
        def award_it(tender: Tender, ctx: Context) -> None:
            check(TenderAllows(tender.status, frozenset({EVALUATION}), "award a lot"))
            evaluation = self.commands.load(Evaluation, evaluation_uuid(tender.id))
            check(NotConflicted(evaluation.panel, ctx.actor.subject))  # a conflicted evaluator decides nothing
            winner = self._winner(evaluation, command.selection)
            decided = under(ctx, DecisionKind.AWARD_CONTRACT, winner.value)
            tender.award_lot(decided, self.policy, command.reason, winner)

        return guarded(award_it, self.permit, self.own)

    def _winner(self, evaluation: Evaluation, selection: Selection) -> Winner:
        """The lot's most advantageous tender, if it is the bid selected; its supplier as the register has it now."""
        lot_id, bid_id = selection.lot_id, selection.bid_id
        ranking = evaluation.ranking(lot_id)
        if ranking[0].bid_id != bid_id:
            raise DomainError(
                f"Bid {bid_id} is not the most advantageous tender for lot {lot_id} ({ranking[0].bid_id} is).",
                field="bid_id",
                rule="MostAdvantageousTender",
            )
        bid = evaluation.bid(bid_id)
        org = self.commands.load(Organisation, organisation_uuid(bid.bidder))
        supplier = Supplier(org.identifier, org.name, org.size, org.vcse, org.address.district)
        return Winner(lot_id, supplier, bid.prices[lot_id], ranking)

    def conclude_contract(self, request: CommandRequest, tender_id: UUID, terms: ContractTerms) -> Outcome:
        """The contract (the outcome's subject) and the tender's record of it, saved together."""
        MANAGE_CONTRACT.check(request.actor)

        def conclude(ctx: Context) -> Changed:
            tender = self.commands.load(Tender, tender_id, label=str(tender_id))
            BUYER_ONLY.check(ctx.actor, tender)
            award = tender.conclude_contract(ctx, terms.lot_id, contract_uuid(tender_id, terms.lot_id))
            return Contract.conclude(ctx, tender, award, terms), tender

        return self.commands.create(request, conclude)

    def cancel(self, request: CommandRequest, tender_id: UUID, reason: str) -> Outcome:
        return self._change(request, tender_id, lambda t, ctx: t.cancel(ctx, reason))

    def cancel_lot(self, request: CommandRequest, tender_id: UUID, lot_id: str, reason: str) -> Outcome:
        return self._change(request, tender_id, lambda t, ctx: t.cancel_lot(ctx, lot_id, reason))


class Bids(RecordCommands[Bid]):
    kind = Bid
    permit = BID
    own = BIDDER_ONLY

    def _tender(self, tender_id: str | UUID) -> Tender:
        return self.commands.load(Tender, UUID(str(tender_id)), label=str(tender_id))

    def submit(self, request: CommandRequest, tender_id: UUID, offer: Offer) -> Outcome:
        BID.check(request.actor)

        def submit(ctx: Context) -> Bid:
            bidder = self.commands.find(Organisation, organisation_uuid(ctx.actor.organisation))
            check(BidderInRegister(ctx.actor.organisation, bidder.status if bidder else None))
            tender = self._tender(tender_id)
            if self.commands.exists(bid_uuid(tender_id, ctx.actor.organisation)):
                raise refuse_duplicate("A bid from", f"{ctx.actor.organisation} (replace or resubmit it instead)")
            return Bid.submit(ctx, tender, ctx.actor.organisation, offer)

        return self.commands.create(request, submit)

    def _on_tender(self, request: CommandRequest, bid_id: UUID, act: Callable[[Bid, Tender, Context], None]) -> Outcome:
        """A command on the bid that the rules of its tender, as it stands, decide."""
        return self._change(request, bid_id, lambda bid, ctx: act(bid, self._tender(bid.tender_id), ctx))

    def replace(self, request: CommandRequest, bid_id: UUID, offer: Offer) -> Outcome:
        return self._on_tender(request, bid_id, lambda b, t, ctx: b.replace(ctx, t, offer))

    def withdraw(self, request: CommandRequest, bid_id: UUID) -> Outcome:
        return self._on_tender(request, bid_id, lambda b, t, ctx: b.withdraw(ctx, t))

    def reconfirm(self, request: CommandRequest, bid_id: UUID) -> Outcome:
        return self._on_tender(request, bid_id, lambda b, t, ctx: b.reconfirm(ctx, t))


class Evaluations(RecordCommands[Evaluation]):
    """Commands on a tender's evaluation, known by its tender's id."""

    kind = Evaluation
    permit = EVALUATE  # no owner: its own rules say which evaluator may declare and score

    def aggregate_id(self, key: UUID) -> UUID:
        return evaluation_uuid(key)

    def assign(self, request: CommandRequest, tender_id: UUID, evaluator: str) -> Outcome:
        def assign(evaluation: Evaluation, ctx: Context) -> None:
            self.assignable(ctx, evaluator, "evaluator")
            evaluation.assign(ctx, evaluator)

        return self._by_the_buyer(request, tender_id, assign)

    def declare(self, request: CommandRequest, tender_id: UUID, conflict: bool, statement: str) -> Outcome:
        return self._by_the_buyer(request, tender_id, lambda e, ctx: e.declare(ctx, conflict, statement))

    def score(self, request: CommandRequest, tender_id: UUID, scored: Score) -> Outcome:
        return self._by_the_buyer(request, tender_id, lambda e, ctx: e.score(ctx, scored))

    def moderate(self, request: CommandRequest, tender_id: UUID, agreed: Moderation) -> Outcome:
        return self._by_the_buyer(request, tender_id, lambda e, ctx: e.moderate(ctx, agreed))

    def _by_the_buyer(
        self, request: CommandRequest, tender_id: UUID, act: Callable[[Evaluation, Context], None]
    ) -> Outcome:
        """The evaluation is its tender's buyer's: no other council's officer assigns, declares, scores or moderates."""

        def checked(evaluation: Evaluation, ctx: Context) -> None:
            BUYER_ONLY.check(ctx.actor, self.commands.load(Tender, tender_id))
            act(evaluation, ctx)

        return self._change(request, tender_id, checked)


class Contracts(RecordCommands[Contract]):
    kind = Contract
    permit = MANAGE_CONTRACT
    own = CONTRACT_BUYER_ONLY

    def vary(self, request: CommandRequest, contract_id: UUID, reason: str, variation: Variation) -> Outcome:
        return self._delegated(request, contract_id, VaryContract(variation, reason))

    carries_out = VaryContract

    def carry_out(self, command: VaryContract, under: Under) -> Callable[[Contract, Context], None]:
        def vary(contract: Contract, ctx: Context) -> None:
            variation = command.variation
            value = variation.value if variation.value is not None else contract.value
            regime = change_regime(self.commands, contract, variation)
            contract.vary(under(ctx, DecisionKind.VARY_CONTRACT, value), command.reason, variation, regime)

        return guarded(vary, self.permit, self.own)

    def price_outcome(self, request: CommandRequest, contract_id: UUID, reason: str, outcome: OutcomePrice) -> Outcome:
        """Payment by results: an outcome the contract pays for, invoiced and verified as domain/payments says."""
        return self._change(request, contract_id, lambda c, ctx: c.define_outcome(ctx, reason, outcome))

    def set_kpi(self, request: CommandRequest, contract_id: UUID, reason: str, kpi: Kpi) -> Outcome:
        return self._change(request, contract_id, lambda c, ctx: c.set_kpi(ctx, reason, kpi))

    def measure_kpi(self, request: CommandRequest, contract_id: UUID, reason: str, measured: Measurement) -> Outcome:
        return self._change(request, contract_id, lambda c, ctx: c.measure_kpi(ctx, reason, measured))

    def terminate(self, request: CommandRequest, contract_id: UUID, reason: str, effective: date) -> Outcome:
        return self._change(request, contract_id, lambda c, ctx: c.terminate(ctx, reason, effective))

    def decommission(self, request: CommandRequest, contract_id: UUID, reason: str, ending: Ending) -> Outcome:
        """The service ends: a service in the register its tender named is decommissioned with it."""

        def decommission(contract: Contract, ctx: Context) -> Changed:
            contract.decommission(ctx, reason, ending)
            return service_decommissioned(self.commands, contract, reason, ctx)

        return self._change(request, contract_id, decommission)
