"""The Community Right to Challenge through its services, on a real database: an acceptance saved with the service's
record of it, the tender that starts the procurement, the clock's flags, the contract whose decommissioning ends the
service, and the views, which a rebuild from the events gives again."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from domain.base import Actor, Role
from domain.challenge.council_service import CouncilService
from domain.challenge.expression import ExpressionOfInterest
from domain.challenge.terms import Periods, ServiceChange
from domain.grants.terms import Location
from domain.tendering.terms import (
    ConflictsAssessment,
    ContractTerms,
    Ending,
    Moderation,
    Offer,
    Score,
    Selection,
    TenderTerms,
)
from marketplace.challenge.deadlines import flag_overdue
from marketplace.challenge.services import Services
from marketplace.clock import FixedClock
from marketplace.scheduler import tick
from marketplace.service import Marketplace
from marketplace.tendering.services import Bids, Contracts, Evaluations, Tenders
from projections.batch import plain
from projections.challenge.expressions import find_expression, work_queue
from projections.challenge.services import find_service, search_windows
from tests.challenge_fixtures import CHARITY, CIC, PARISH, Register, registered, service_terms
from tests.conftest import COUNCIL
from tests.grants_fixtures import OFFICER, provider, refused, request
from tests.tendering_fixtures import LOTS, RESPONSES, terms

ELSEWHERE = Actor("olly", "GB-LAE-TFW", Role.COMMISSIONER)  # an officer of another council
EVE = Actor("eve", COUNCIL, Role.COMMISSIONER)
SOON = Periods(decide_within=30, procure_after=10, procure_within=60)  # procurement 10 to 60 days after acceptance
ASKING, TENDERING = timedelta(days=18), timedelta(days=30)
FLAGGED = "challenge deadlines flagged"  # the deadline's name in the clock's report


def service_of(register: Register) -> CouncilService:
    return register.market.commands.load(CouncilService, register.service_id)


def expression_of(register: Register, expression_id: UUID) -> ExpressionOfInterest:
    return register.market.commands.load(ExpressionOfInterest, expression_id)


def shown(market: Marketplace, expression_id: UUID) -> dict[str, Any]:
    with market.views() as session:
        row = find_expression(session, str(expression_id))
    assert row is not None
    return row


def service_row(market: Marketplace, service_id: UUID) -> dict[str, Any]:
    with market.views() as session:
        row = find_service(session, str(service_id))
    assert row is not None
    return row


def queue(market: Marketplace) -> list[str]:
    with market.views() as session:
        rows, _ = work_queue(session, COUNCIL)
    return [row["id"] for row in rows]


def tender_terms(market: Marketplace) -> TenderTerms:
    """One lot, its clarification and tender deadlines 18 and 30 days from now."""
    now = market.clock.now()
    return terms(lots=[LOTS[0]], clarification_deadline=now + ASKING, tender_deadline=now + TENDERING)


def draft_tender(market: Marketplace, service_id: UUID | None, actor: Actor = OFFICER) -> UUID:
    outcome = market.service(Tenders).draft(request(actor), tender_terms(market), service_id)
    tender_id = UUID(outcome.aggregate_id)
    market.service(Tenders).assess_conflicts(request(actor), tender_id, ConflictsAssessment(False), "None declared.")
    return tender_id


def publish(market: Marketplace, tender_id: UUID) -> None:
    market.service(Tenders).publish(request(OFFICER), tender_id, "Approved by the head of commissioning")


def contract_for(register: Register) -> UUID:
    """A published tender naming the service, one bid from the charity, awarded and concluded as a contract."""
    market, clock = register.market, register.clock
    tender_id = draft_tender(market, register.service_id)
    publish(market, tender_id)
    deadline = clock.now() + TENDERING
    offer = Offer({"1": Decimal("250000.00")}, dict(RESPONSES))
    bid_id = market.service(Bids).submit(request(provider(CHARITY)), tender_id, offer).aggregate_id
    clock.set(deadline + timedelta(hours=1))
    tenders, evaluations = market.service(Tenders), market.service(Evaluations)
    tenders.open_bids(request(OFFICER), tender_id)
    evaluations.assign(request(OFFICER), tender_id, EVE.subject)
    evaluations.declare(request(EVE), tender_id, False, "No links with any bidder")
    for criterion in ("quality", "sv"):
        evaluations.score(request(EVE), tender_id, Score(bid_id, criterion, 70, "Clear evidence"))
        evaluations.moderate(request(OFFICER), tender_id, Moderation(bid_id, criterion, 70, "Agreed"))
    tenders.award(request(OFFICER), tender_id, Selection("1", bid_id), "Most advantageous tender")
    clock.set(deadline + timedelta(days=20))  # after any standstill
    concluded = ContractTerms("1", date(2026, 5, 1), date(2028, 4, 30), ["Visits made"])
    return UUID(tenders.conclude_contract(request(OFFICER), tender_id, concluded).aggregate_id)


def test_the_acceptance_is_saved_with_the_services_record_of_it(market: Marketplace, clock: FixedClock) -> None:
    register = registered(market, clock, periods=SOON)
    expression_id = register.accepted()
    waiting = service_of(register).awaiting[str(expression_id)]
    assert (waiting.earliest, waiting.due_by) == (date(2026, 3, 12), date(2026, 5, 1))
    row = service_row(market, register.service_id)
    assert row["awaiting"] == [{"expression_id": str(expression_id), "earliest": "2026-03-12", "due_by": "2026-05-01"}]
    assert shown(market, expression_id)["next_deadline"] == date(2026, 5, 1)
    assert queue(market) == [str(expression_id)]


def test_a_tender_naming_another_councils_or_an_unknown_service_is_refused(
    market: Marketplace, clock: FixedClock
) -> None:
    register = registered(market, clock)
    theirs = UUID(market.service(Services).register(request(ELSEWHERE), service_terms()).aggregate_id)
    draft = market.service(Tenders).draft
    for service_id in (theirs, uuid4()):
        refused("ServiceInRegister", draft, request(OFFICER), terms(), service_id, field="service_id")
    draft_tender(market, register.service_id)  # its own is named
    draft_tender(market, theirs, ELSEWHERE)  # as the other council's is by it


def test_publishing_a_tender_before_the_earliest_procurement_day_is_refused_and_after_it_answers_the_challenges(
    market: Marketplace, clock: FixedClock
) -> None:
    register = registered(market, clock, periods=SOON)
    first, second = register.accepted(PARISH), register.accepted(CHARITY)
    undecided = register.acknowledged(CIC)
    tender_id = draft_tender(market, register.service_id)
    refused("ProcurementNotTooSoon", publish, market, tender_id)
    clock.advance(days=9)  # 11 March: still a day too soon
    refused("ProcurementNotTooSoon", publish, market, tender_id)
    assert market.commands.load(CouncilService, register.service_id).tenders == []  # a refusal records nothing
    clock.advance(days=1)
    publish(market, tender_id)
    service = service_of(register)
    assert service.awaiting == {} and service.tenders == [str(tender_id)]
    for answered in (first, second):
        assert expression_of(register, answered).tender_id == str(tender_id)
        row = shown(market, answered)
        assert (row["tender_id"], row["next_deadline"]) == (str(tender_id), None)
    assert expression_of(register, undecided).tender_id == ""
    assert queue(market) == [str(undecided)]  # the answered challenges leave the work queue
    row = service_row(market, register.service_id)
    assert (row["tenders"], row["awaiting"]) == ([str(tender_id)], [])


def test_the_clock_flags_an_undecided_expression_past_its_decision_day_once(
    market: Marketplace, clock: FixedClock
) -> None:
    register = registered(market, clock)
    late, withdrawn, decided = register.acknowledged(PARISH), register.submit(CHARITY), register.submit(CIC)
    register.expressions.withdraw(request(provider(CHARITY)), withdrawn)
    clock.advance(days=30)  # 1 April: the decision's day
    assert tick(market)[FLAGGED] == 0
    register.expressions.acknowledge(request(OFFICER), decided)
    register.expressions.accept(request(OFFICER), decided, "The body can run it.")
    clock.advance(days=1)
    assert tick(market)[FLAGGED] == 1
    assert expression_of(register, late).decision_overdue and shown(market, late)["decision_overdue"]
    assert tick(market)[FLAGGED] == 0 and flag_overdue(market) == 0  # flagged once
    assert not expression_of(register, withdrawn).decision_overdue
    assert queue(market)[0] == str(late)  # the overdue lead the work queue


def test_the_clock_flags_an_accepted_challenge_whose_procurement_is_not_started_in_time(
    market: Marketplace, clock: FixedClock
) -> None:
    register = registered(market, clock, periods=SOON)
    waiting, answered = register.accepted(PARISH), register.accepted(CHARITY)
    assert not expression_of(register, waiting).decision_overdue
    clock.advance(days=60)  # 1 May: the procurement's last day
    assert flag_overdue(market) == 0
    clock.advance(days=1)
    assert flag_overdue(market) == 2
    publish(market, draft_tender(market, register.service_id))  # late, but started: the flag stays as the audit
    for expression_id in (waiting, answered):
        expression = expression_of(register, expression_id)
        assert expression.procurement_overdue and expression.tender_id
        assert shown(market, expression_id)["procurement_overdue"]
    assert tick(market)[FLAGGED] == 0


def test_decommissioning_the_contract_from_a_tender_naming_the_service_decommissions_the_service(
    market: Marketplace, clock: FixedClock
) -> None:
    register = registered(market, clock)
    contract_id = contract_for(register)
    ending = Ending(date(2026, 6, 30), "Open meetings in each village and a survey of every reader.")
    market.service(Contracts).decommission(request(OFFICER), contract_id, "Replaced by the county service.", ending)
    service = service_of(register)
    assert service.status == "decommissioned"
    row = service_row(market, register.service_id)
    assert (row["status"], row["decommissioned_on"]) == ("decommissioned", date(2026, 6, 30))
    refused("ServiceActive", market.service(Tenders).draft, request(OFFICER), terms(), register.service_id)
    refused("StateAllows", register.submit)


def test_a_contract_from_a_tender_naming_no_service_leaves_the_register_alone(
    market: Marketplace, clock: FixedClock
) -> None:
    register = registered(market, clock)
    tender_id = draft_tender(market, None)
    publish(market, tender_id)
    assert service_of(register).tenders == []


def test_the_views_rebuilt_from_the_events_come_out_identical(market: Marketplace, clock: FixedClock) -> None:
    register = registered(market, clock)
    register.window(lasts=20)
    area = [Location("postcode-district", "SY9", "Bishop's Castle")]
    change = ServiceChange(name="Outreach", annual_budget=Decimal("250000.50"), periods=SOON, area=area)
    register.services.update(request(OFFICER), register.service_id, "Agreed by cabinet.", change)
    accepted = register.accepted(PARISH)
    register.rejected(CHARITY, "inadequate-information", "body-not-suitable")
    modified = register.acknowledged(CIC)
    register.expressions.propose_modification(request(OFFICER), modified, "Else rejected.", "The Clun valley only.")
    register.expressions.agree_modification(request(provider(CIC)), modified)
    register.expressions.accept(request(OFFICER), modified, "Agreed as modified.")
    clock.advance(days=10)
    publish(market, draft_tender(market, register.service_id))
    clock.advance(days=60)
    register.window(lasts=5)
    late = register.submit(PARISH)
    clock.advance(days=40)
    assert flag_overdue(market) == 1
    assert shown(market, accepted)["outcome"] == "accepted"
    assert shown(market, modified)["outcome"] == "accepted-with-modification"
    assert shown(market, late)["decision_overdue"]
    incremental = market.projector.checksums()
    assert market.projector.rebuild() == incremental
    market.projector.batch_size = 3
    assert market.projector.rebuild() == incremental  # a command's events split across batches


def test_a_services_new_budget_is_shown(market: Marketplace, clock: FixedClock) -> None:
    register = registered(market, clock)
    change = ServiceChange(annual_budget=Decimal("250000.50"))
    register.services.update(request(OFFICER), register.service_id, "Budget set by cabinet.", change)
    row = service_row(market, register.service_id)
    assert Decimal(row["annual_budget"]) == Decimal("250000.50")


def test_the_public_list_of_windows_shows_the_periods_an_expression_made_in_it_gets(
    market: Marketplace, clock: FixedClock
) -> None:
    register = registered(market, clock)
    register.window()  # states no periods of its own: the service's apply
    shorter = Periods(decide_within=10, procure_after=0, procure_within=20)
    register.services.update(request(OFFICER), register.service_id, "Faster decisions.", ServiceChange(periods=shorter))
    expression_id = register.submit()
    with market.views() as session:
        windows, _ = search_windows(session, register.today, None)
    assert [window["periods"] for window in windows] == [plain(expression_of(register, expression_id).periods)]


def test_a_day_for_each_window_is_counted_from_its_own_close(market: Marketplace, clock: FixedClock) -> None:
    register = registered(market, clock)
    register.window(lasts=10, periods=Periods(5, 0, 30, "working-days"))
    expression_id = register.submit()
    assert shown(market, expression_id)["decision_due"] == date(2026, 3, 19)  # Thu 12 March + 5 working days
    assert shown(market, expression_id)["window_id"] == "W1"
    clock.advance(days=11)
    refused("WithinAWindow", register.submit, field="service_id")  # 13 March: the window has closed
