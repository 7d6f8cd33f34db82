"""A tender: the council buys an outcome, lot by lot, through a fair and open competition.

Lifecycle: drafted (revised freely) -> conflicts assessed (PA2023 s.83) -> published ->
clarification questions answered, terms amended (bidders must reconfirm) -> tendering closes
at the deadline -> bids opened -> per lot: award decided with reasons, a standstill (its end recorded by the
clock) -> contract concluded after standstill. Once every lot is decided the tender is in standstill while any
award's runs, then awarded, then complete (`tender_rules.lots_status`). Cancellation is possible from any
non-final state.
Bids are aggregates of their own, so a tender's history never grows with the number of bids.
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from domain.base import Context, MarketplaceAggregate
from domain.rules import DomainError, Refusal, Rule, TextWithin, check
from domain.tendering.award import Assessment as Assessment  # noqa: PLC0414 - re-exported: the values read from here
from domain.tendering.award import Award as Award  # noqa: PLC0414
from domain.tendering.award import Supplier as Supplier  # noqa: PLC0414
from domain.tendering.award import Winner as Winner  # noqa: PLC0414
from domain.tendering.procurement import (
    Criterion,
    Lot,
    ProcurementPolicy,
    is_above_threshold,
)
from domain.tendering.tender_rules import (
    After,
    Before,
    ConflictsAssessed,
    DeadlineAhead,
    LotOpen,
    NoContractYet,
    StandstillOver,
    StandstillRunning,
    TenderAllows,
    checked_terms,
    tender_lots_status,
)
from domain.tendering.terms import TERMS as TERMS  # noqa: PLC0414 - re-exported: the views read it from here
from domain.tendering.terms import ConflictsAssessment, TenderTerms, TermsChange, shallow_fields
from domain.working_days import add_working_days


class TenderStatus(StrEnum):
    DRAFT = "draft"
    TENDERING = "tendering"
    CLOSED = "closed"  # the deadline passed; bids not yet opened
    EVALUATION = "evaluation"
    STANDSTILL = "standstill"  # every lot decided; an award's standstill period runs (PA2023 s.51)
    AWARDED = "awarded"  # every lot decided, no standstill running; contracts yet to be concluded
    COMPLETE = "complete"
    CANCELLED = "cancelled"


DRAFT, TENDERING, CLOSED = TenderStatus.DRAFT, TenderStatus.TENDERING, TenderStatus.CLOSED  # as the views name them
EVALUATION, COMPLETE, CANCELLED = TenderStatus.EVALUATION, TenderStatus.COMPLETE, TenderStatus.CANCELLED
STANDSTILL, AWARDED = TenderStatus.STANDSTILL, TenderStatus.AWARDED
DECIDING = frozenset({EVALUATION, STANDSTILL, AWARDED})  # bids opened; lots being awarded and contracted
NOT_FINAL = frozenset({DRAFT, TENDERING, CLOSED, *DECIDING})  # what may still be cancelled


class Tender(MarketplaceAggregate):
    buyer: str
    title: str
    description: str
    category: str
    procedure: str
    lots: list[Lot]
    criteria: list[Criterion]
    clarification_deadline: datetime
    tender_deadline: datetime
    status: TenderStatus = DRAFT
    conflicts_assessed: bool = False
    amendment: int = 0  # bids must confirm the latest amendment to be opened
    published_at: datetime | None = None
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)
    awards: dict[str, Award] = field(default_factory=dict)
    cancelled_lots: list[str] = field(default_factory=list)
    opened_bids: tuple[str, ...] | None = None  # the bids opened at the deadline; None until they are
    standstill_ended: list[str] = field(default_factory=list)  # lots whose standstill the clock has ended
    service: str = ""  # the service in the council's register it procures (its id), if it names one

    @property
    def value(self) -> Decimal:
        return sum((lot.value for lot in self.lots), Decimal(0))

    @property
    def above_threshold(self) -> bool:
        return is_above_threshold(self.category, self.value)

    def accepts_bids(self, now: datetime) -> bool:
        """Open for bids: published, and the clock says the deadline has not passed (whatever else ran)."""
        return self.status == TENDERING and now < self.tender_deadline

    def lot(self, lot_id: str) -> Lot:
        for lot in self.lots:
            if lot.lot_id == lot_id:
                return lot
        raise DomainError(f"The tender has no lot {lot_id}.", field="lot_id", kind=Refusal.NOT_FOUND)

    # --- drafting -------------------------------------------------------------------------------

    class Drafted(MarketplaceAggregate.Created):
        buyer: str
        title: str
        description: str
        category: str
        procedure: str
        lots: list[Lot]
        criteria: list[Criterion]
        clarification_deadline: datetime
        tender_deadline: datetime
        service: str = ""  # stored since the service register: earlier tenders name none

    @classmethod
    def draft(
        cls, ctx: Context, policy: ProcurementPolicy, buyer: str, terms: TenderTerms, service: str = ""
    ) -> Tender:
        """`service`: the id of the service in the council's register the tender procures, if it names one."""
        checked = checked_terms(shallow_fields(terms), policy)
        return cls._create(cls.Drafted, id=uuid4(), **ctx.stamp(), buyer=buyer, **checked, service=service)

    class Revised(MarketplaceAggregate.Event):
        terms: dict[str, Any]

        def apply(self, tender: Tender) -> None:
            for name, value in self.terms.items():
                setattr(tender, name, value)

    def revise(self, ctx: Context, policy: ProcurementPolicy, change: TermsChange) -> None:
        check(TenderAllows(self.status, frozenset({DRAFT}), "revise the terms", "amend the published terms instead"))
        self.record(self.Revised, ctx, terms=self._changed_terms(change, policy))

    def _changed_terms(self, change: TermsChange, policy: ProcurementPolicy) -> dict[str, Any]:
        """The terms the change makes different, once the terms it leaves keep every rule."""
        current = {name: getattr(self, name) for name in TERMS}
        merged = checked_terms({**current, **change.given()}, policy)
        changed = {k: v for k, v in merged.items() if current[k] != v}
        if not changed:
            raise DomainError("The change changes nothing.", rule="ChangesSomething")
        return changed

    class ConflictsAssessmentRecorded(MarketplaceAggregate.Decision):
        conflicts_found: bool
        mitigation: str

        def apply(self, tender: Tender) -> None:
            tender.conflicts_assessed = True

        def summary(self) -> str:
            return (
                "conflicts of interest found, mitigated" if self.conflicts_found else "no conflicts of interest found"
            )

    def record_conflicts_assessment(self, ctx: Context, assessment: ConflictsAssessment, reason: str) -> None:
        """PA2023 s.83: conflicts assessed (and mitigated) before the tender notice."""
        before = "it is recorded before publication"
        check(TenderAllows(self.status, frozenset({DRAFT}), "record the conflicts assessment", before))
        if assessment.conflicts_found:
            check(TextWithin(assessment.mitigation, "mitigation", 5000))
        self.decide(self.ConflictsAssessmentRecorded, ctx, reason, **shallow_fields(assessment))

    # --- tendering ------------------------------------------------------------------------------

    class Published(MarketplaceAggregate.Decision):
        def apply(self, tender: Tender) -> None:
            tender.status = TENDERING
            tender.published_at = self.timestamp

        def summary(self) -> str:
            return "tender notice published"

    def publish(self, ctx: Context, policy: ProcurementPolicy, reason: str) -> None:
        minimum = policy.minimum_tender_days_above_threshold if self.above_threshold else 0
        check(
            TenderAllows(self.status, frozenset({DRAFT}), "publish the tender"),
            ConflictsAssessed(self.conflicts_assessed),
            DeadlineAhead(self.tender_deadline, ctx.now, minimum),
            Before(ctx.now, self.clarification_deadline, "clarification deadline"),
        )
        self.decide(self.Published, ctx, reason)

    class QuestionAsked(MarketplaceAggregate.Event):
        question_id: str
        text: str

        def apply(self, tender: Tender) -> None:
            tender.questions[self.question_id] = {"text": self.text, "asked_by": self.actor.organisation}

    def ask(self, ctx: Context, text: str) -> str:
        check(
            TenderAllows(self.status, frozenset({TENDERING}), "ask a clarification question"),
            Before(ctx.now, self.clarification_deadline, "clarification deadline"),
            TextWithin(text, "text", 5000),
        )
        question_id = f"Q{len(self.questions) + 1}"
        self.record(self.QuestionAsked, ctx, question_id=question_id, text=text.strip())
        return question_id

    class QuestionAnswered(MarketplaceAggregate.Event):
        question_id: str
        answer: str

        def apply(self, tender: Tender) -> None:
            tender.questions[self.question_id]["answer"] = self.answer

    def answer(self, ctx: Context, question_id: str, answer: str) -> None:
        """Answers are published to every prospective bidder, without naming who asked."""
        check(
            TenderAllows(self.status, frozenset({TENDERING}), "answer a clarification question"),
            TextWithin(answer, "answer", 10_000),
        )
        if question_id not in self.questions:
            raise DomainError(f"No question {question_id}.", field="question_id", kind=Refusal.NOT_FOUND)
        if "answer" in self.questions[question_id]:
            raise DomainError(f"Question {question_id} is already answered.", kind=Refusal.CONFLICT)
        self.record(self.QuestionAnswered, ctx, question_id=question_id, answer=answer.strip())

    class Amended(MarketplaceAggregate.Decision):
        terms: dict[str, Any]
        amendment: int

        def apply(self, tender: Tender) -> None:
            for name, value in self.terms.items():
                setattr(tender, name, value)
            tender.amendment = self.amendment

        def summary(self) -> str:
            return f"amendment {self.amendment} to the published terms: {', '.join(sorted(self.terms)) or 'none'}"

    def amend(self, ctx: Context, policy: ProcurementPolicy, reason: str, change: TermsChange) -> None:
        """Changing published terms: every bid already in must be reconfirmed before the deadline."""
        check(
            TenderAllows(self.status, frozenset({TENDERING}), "amend the published terms"),
            Before(ctx.now, self.tender_deadline, "tender deadline"),
        )
        terms = self._changed_terms(change, policy)
        deadline = terms.get("tender_deadline", self.tender_deadline)
        check(DeadlineAhead(deadline, ctx.now), self._minimum_period_kept(terms, deadline, policy))
        self.decide(self.Amended, ctx, reason, terms=terms, amendment=self.amendment + 1)

    def _minimum_period_kept(self, terms: dict[str, Any], deadline: datetime, policy: ProcurementPolicy) -> Rule:
        """An amendment may not cut an above-threshold tendering period, counted from publication, below the minimum."""
        lots = terms.get("lots", self.lots)
        value = sum((lot.value for lot in lots), Decimal(0))
        above = is_above_threshold(terms.get("category", self.category), value)
        minimum = policy.minimum_tender_days_above_threshold if above else 0
        assert self.published_at is not None, "only published terms are amended"
        return DeadlineAhead(deadline, self.published_at, minimum)

    class TenderingClosed(MarketplaceAggregate.Event):
        def apply(self, tender: Tender) -> None:
            tender.status = CLOSED

    def close_tendering(self, ctx: Context) -> None:
        """Recorded by the scheduler (the chronograph) at the deadline, for the audit trail."""
        check(
            TenderAllows(self.status, frozenset({TENDERING}), "close tendering"),
            After(ctx.now, self.tender_deadline, "tender deadline"),
        )
        self.record(self.TenderingClosed, ctx)

    class BidsOpened(MarketplaceAggregate.Event):
        bid_ids: list[str]

        def apply(self, tender: Tender) -> None:
            tender.status = EVALUATION
            tender.opened_bids = tuple(self.bid_ids)

    def open_bids(self, ctx: Context, bid_ids: list[str]) -> None:
        """After the deadline only; closes tendering first if the scheduler has not yet."""
        check(
            TenderAllows(self.status, frozenset({TENDERING, CLOSED}), "open the bids"),
            After(ctx.now, self.tender_deadline, "tender deadline"),
        )
        if self.status == TENDERING:
            self.record(self.TenderingClosed, ctx)
        self.record(self.BidsOpened, ctx, bid_ids=sorted(bid_ids))

    # --- award and contract ---------------------------------------------------------------------

    class Awarded(MarketplaceAggregate.Decision):
        award: Award
        assessments: list[Assessment]

        def apply(self, tender: Tender) -> None:
            tender.awards[self.award.lot_id] = self.award
            tender.settle_on_lots()

        def summary(self) -> str:
            award = self.award
            return (
                f"lot {award.lot_id} awarded to {award.supplier.name} ({award.supplier.identifier}), "
                f"bid {award.bid_id}, value GBP {award.value}"
            )

    def award_lot(self, ctx: Context, policy: ProcurementPolicy, reason: str, winner: Winner) -> Award:
        check(TenderAllows(self.status, frozenset({EVALUATION}), "award a lot"), LotOpen(self, winner.lot_id))
        self.lot(winner.lot_id)
        standstill = self.above_threshold or winner.voluntary_standstill
        ends = add_working_days(ctx.today, policy.standstill_working_days) if standstill else None
        award = Award(winner.lot_id, winner.bid_id, winner.supplier, winner.value, ctx.now, ends)
        self.decide(self.Awarded, ctx, reason, award=award, assessments=list(winner.assessments))
        return award

    class ContractConcluded(MarketplaceAggregate.Event):
        lot_id: str
        contract_id: str

        def apply(self, tender: Tender) -> None:
            award = tender.awards[self.lot_id]
            tender.awards[self.lot_id] = Award(**{**award.__dict__, "contract_id": self.contract_id})
            tender.settle_on_lots()

    def conclude_contract(self, ctx: Context, lot_id: str, contract_id: UUID) -> Award:
        check(TenderAllows(self.status, DECIDING, "conclude a contract"))
        award = self.awards.get(lot_id)
        if award is None:
            raise DomainError(f"Lot {lot_id} has not been awarded.", field="lot_id", kind=Refusal.CONFLICT)
        if award.contract_id:
            raise DomainError(f"Lot {lot_id} already has a contract.", field="lot_id", kind=Refusal.CONFLICT)
        check(StandstillOver(award, ctx.now))
        self.record(self.ContractConcluded, ctx, lot_id=lot_id, contract_id=str(contract_id))
        return award

    class StandstillEnded(MarketplaceAggregate.Event):
        lot_id: str

        def apply(self, tender: Tender) -> None:
            tender.standstill_ended.append(self.lot_id)
            tender.settle_on_lots()

    def end_standstill(self, ctx: Context, lot_id: str) -> None:
        """Recorded by the chronograph once the standstill's last day has passed, for the audit trail and the
        tender's status; the contract's own rule reads the clock regardless (`StandstillOver`)."""
        check(StandstillRunning(self, lot_id))
        check(StandstillOver(self.awards[lot_id], ctx.now))
        self.record(self.StandstillEnded, ctx, lot_id=lot_id)

    def settle_on_lots(self) -> None:
        """Once every lot is decided the tender moves as its lots do (`tender_rules.lots_status`): standstill,
        awarded, then complete (or cancelled)."""
        status = tender_lots_status(self)
        if status is not None and self.status != CANCELLED:
            self.status = TenderStatus(status)

    class LotCancelled(MarketplaceAggregate.Decision):
        lot_id: str

        def apply(self, tender: Tender) -> None:
            tender.cancelled_lots.append(self.lot_id)
            tender.settle_on_lots()

        def summary(self) -> str:
            return f"lot {self.lot_id} cancelled"

    def cancel_lot(self, ctx: Context, lot_id: str, reason: str) -> None:
        self.lot(lot_id)
        check(TenderAllows(self.status, NOT_FINAL, "cancel a lot"))
        check(LotOpen(self, lot_id))
        self.decide(self.LotCancelled, ctx, reason, lot_id=lot_id)

    class Cancelled(MarketplaceAggregate.Decision):
        def apply(self, tender: Tender) -> None:
            tender.status = CANCELLED

        def summary(self) -> str:
            return "tender cancelled"

    def cancel(self, ctx: Context, reason: str) -> None:
        check(TenderAllows(self.status, NOT_FINAL, "cancel the tender"))
        check(NoContractYet(self))
        self.decide(self.Cancelled, ctx, reason)
