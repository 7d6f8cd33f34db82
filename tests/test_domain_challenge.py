"""The Community Right to Challenge as specifications: who may express an interest (s.81(6)), in which services and
when (s.82, Schedule 2 of SI 2012/1313), what the council may decide and on what grounds (s.83, SI 2012/1647), the
periods it states, and who may act on whose record. Most run on the aggregates directly; who may act goes through
the services, as the API and the command line do."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from domain.base import Actor, Context, Role
from domain.challenge.council_service import CouncilService, checked_periods
from domain.challenge.expression import ExpressionOfInterest, Outcome, accepted_for
from domain.challenge.terms import Body, Member, Periods, Rejection, ServiceChange, Window
from domain.rules import DomainError, Refusal
from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from tests.challenge_fixtures import (
    BODIES,
    CHARITY,
    CIC,
    COMPANY,
    PARISH,
    STAFF,
    interest,
    registered,
    service_terms,
    staff_interest,
)
from tests.conftest import COUNCIL
from tests.grants_fixtures import OFFICER, provider, refused, request

START = date(2026, 3, 2)  # a Monday: the clock fixture's day
ELSEWHERE = Actor("olly", "GB-LAE-TFW", Role.COMMISSIONER)  # an officer of another council
REASON = "The body can run the service well."


def on(day: date, actor: Actor = OFFICER) -> Context:
    """A command at noon that UK day (noon UTC is the same UK day, summer or winter)."""
    return Context(actor, datetime.combine(day, time(12), UTC), "test")


def service(day: date = START, **changes: Any) -> CouncilService:
    return CouncilService.register(on(day), COUNCIL, service_terms(**changes))


def body(identifier: str, legal_form: str = "", active: bool = True) -> Body | None:
    if identifier == STAFF or identifier not in BODIES:
        return None
    name, form, *_ = BODIES[identifier]
    return Body(identifier, name, legal_form or form, active)


def submit(
    of: CouncilService, identifier: str = PARISH, day: date = START, found: Body | None = None, **changes: Any
) -> ExpressionOfInterest:
    said = staff_interest(of.id, **changes) if identifier == STAFF else interest(of.id, **changes)
    return ExpressionOfInterest.submit(on(day, provider(identifier)), of, found or body(identifier), said)


def acknowledged(of: CouncilService, identifier: str = PARISH, day: date = START) -> ExpressionOfInterest:
    expression = submit(of, identifier, day)
    expression.acknowledge(on(day))
    return expression


# --- who may express an interest (s.81(6)) ----------------------------------------------------------------------


def test_an_expression_of_interest_from_a_company_is_refused_not_a_relevant_body() -> None:
    refused("RelevantBody", submit, service(), COMPANY, field="body_kind", kind=Refusal.FORBIDDEN)


@pytest.mark.parametrize("identifier", [PARISH, CHARITY, CIC])
def test_a_parish_council_a_charitable_trust_and_a_community_interest_company_may_each_express_one(
    identifier: str,
) -> None:
    expression = submit(service(), identifier)
    assert (expression.status, expression.body, expression.body_name) == (
        "submitted",
        identifier,
        BODIES[identifier][0],
    )
    assert expression.legal_form == BODIES[identifier][1]


def test_an_unregistered_or_deactivated_organisation_is_refused() -> None:
    of = service()
    said = interest(of.id)
    refused("RegisteredBody", ExpressionOfInterest.submit, on(START, provider(CHARITY)), of, None, said)
    gone = body(CHARITY, active=False)
    refused("RegisteredBody", ExpressionOfInterest.submit, on(START, provider(CHARITY)), of, gone, said)


def test_a_staff_group_names_two_or_more_members_and_how_it_will_engage_other_staff() -> None:
    of = service()
    staff = provider(STAFF)
    said = staff_interest(of.id)
    alone = replace(said, members=[Member("Jo Reader", "Outreach librarian")])
    refused("StaffGroupOfTwoOrMore", ExpressionOfInterest.submit, on(START, staff), of, None, alone, field="members")
    silent = replace(said, staff_engagement=" ")
    refused(
        "StaffEngagementSaid", ExpressionOfInterest.submit, on(START, staff), of, None, silent, field="staff_engagement"
    )
    expression = ExpressionOfInterest.submit(on(START, staff), of, None, said)
    assert (expression.body_kind, expression.legal_form) == ("staff-group", "")
    assert expression.body_name == "Library outreach staff mutual" and len(expression.members) == 2


def test_only_a_staff_group_names_members() -> None:
    members = [Member("Jo Reader", "Librarian"), Member("Sam Shelf", "Driver")]
    of = service()
    refused("OnlyAStaffGroupNamesMembers", lambda: submit(of, CHARITY, members=members), field="members")
    refused("OnlyAStaffGroupNamesMembers", lambda: submit(of, CHARITY, group_name="Friends"), field="members")


def test_a_registered_company_cannot_pass_itself_off_as_a_staff_group() -> None:
    of = service()
    with pytest.raises(DomainError) as caught:  # whichever rule: a body in the register expresses one as itself
        ExpressionOfInterest.submit(on(START, provider(COMPANY)), of, body(COMPANY), staff_interest(of.id))
    assert (caught.value.field, caught.value.kind) == ("body_kind", Refusal.FORBIDDEN)


def test_a_staff_group_of_one_employee_named_twice_is_refused() -> None:
    twice = [Member("Jo Reader", "Librarian"), Member("Jo Reader", "Librarian")]
    of = service()
    said = replace(staff_interest(of.id), members=twice)
    refused("StaffGroupOfTwoOrMore", ExpressionOfInterest.submit, on(START, provider(STAFF)), of, None, said)


# --- which services, and when (s.82; Schedule 2 of SI 2012/1313) ------------------------------------------------


def test_an_excluded_service_takes_no_expression_of_interest_and_no_window() -> None:
    excluded = service(excluded=True, exclusion_ground="Provided in integration with the NHS (Schedule 2).")
    refused("ServiceNotExcluded", submit, excluded, PARISH, field="service_id")
    window = Window(START, START + timedelta(days=30))
    refused("ServiceNotExcluded", excluded.publish_window, on(START), "Cabinet agreed.", window)


def test_an_excluded_service_says_why() -> None:
    refused("TextWithin", lambda: service(excluded=True), field="exclusion_ground")


def test_outside_every_window_an_expression_is_refused_naming_the_next_window() -> None:
    of = service()
    of.publish_window(on(START), "Cabinet agreed.", Window(date(2026, 4, 1), date(2026, 4, 30)))
    of.publish_window(on(START), "Cabinet agreed.", Window(date(2026, 9, 1), date(2026, 9, 30)))
    for day, next_one in ((START, "2026-04-01"), (date(2026, 5, 1), "2026-09-01")):
        with pytest.raises(DomainError) as caught:
            submit(of, day=day)
        assert (caught.value.rule, caught.value.field) == ("WithinAWindow", "service_id")
        assert f"The next opens on {next_one}." in caught.value.message
    with pytest.raises(DomainError, match="None is to come"):
        submit(of, day=date(2026, 10, 1))
    assert submit(of, day=date(2026, 4, 1)).window_id == "W1"  # both ends included
    assert submit(of, day=date(2026, 9, 30)).window_id == "W2"


def test_without_a_window_an_expression_may_come_at_any_time() -> None:
    assert submit(service(), day=date(2029, 12, 25)).window_id == ""


def test_windows_of_one_service_do_not_overlap_but_may_follow_each_other() -> None:
    of = service()
    publish = of.publish_window
    publish(on(START), "Cabinet agreed.", Window(date(2026, 4, 1), date(2026, 4, 30)))
    for opens, closes in ((date(2026, 4, 30), date(2026, 5, 31)), (date(2026, 3, 1), date(2026, 4, 1))):
        refused("WindowsApart", publish, on(START), "Again.", Window(opens, closes), field="opens")
    refused("WindowsApart", publish, on(START), "Inside.", Window(date(2026, 4, 10), date(2026, 4, 11)))
    assert publish(on(START), "Next.", Window(date(2026, 5, 1), date(2026, 5, 31))) == "W2"


def test_a_window_closes_on_or_after_it_opens_and_not_before_today() -> None:
    publish = service().publish_window
    refused("WindowCloseNotBeforeOpening", publish, on(START), "Agreed.", Window(START, START - timedelta(days=1)))
    past = Window(START - timedelta(days=10), START - timedelta(days=1))
    refused("WindowNotPast", publish, on(START), "Agreed.", past, field="closes")
    assert publish(on(START), "Agreed.", Window(START, START)) == "W1"  # a one-day window


def test_a_decommissioned_service_takes_no_expression_of_interest() -> None:
    of = service()
    of.decommission(on(START), "The contract ended.", "contract-1", START)
    refused("StateAllows", submit, of, PARISH, kind=Refusal.CONFLICT)


# --- the periods the council states, and the days they give ----------------------------------------------------


@pytest.mark.parametrize(
    ("periods", "field"),
    [
        (Periods(0, 0, 90), "periods"),  # a decision takes at least a day
        (Periods(30, 91, 90), "periods"),  # the fewest days more than the most
        (Periods(30, 0, 0), "periods"),
        (Periods(30, -1, 90), "periods"),
        (Periods(3661, 0, 90), "periods"),  # beyond ten years
        (Periods(30, 0, 90, "lunar-months"), "periods.counted_in"),
    ],
)
def test_the_periods_are_days_in_order(periods: Periods, field: str) -> None:
    refused("PeriodsInOrder" if field == "periods" else "CodeListed", checked_periods, periods, field=field)


def test_the_decision_is_due_the_stated_days_after_submission_when_no_window() -> None:
    assert submit(service()).decision_due == date(2026, 4, 1)  # 30 calendar days after Monday 2 March
    working = service(periods=Periods(20, 0, 90, "working-days"))
    assert submit(working, day=date(2026, 3, 24)).decision_due == date(2026, 4, 23)  # Easter skipped


def test_the_decision_is_due_the_stated_days_after_the_window_closes() -> None:
    of = service()
    of.publish_window(on(START), "Cabinet agreed.", Window(START, date(2026, 3, 31)))
    own = Periods(10, 5, 60, "working-days")
    of.publish_window(on(START), "Cabinet agreed.", Window(date(2026, 12, 1), date(2026, 12, 18), own))
    assert submit(of, day=START).decision_due == date(2026, 4, 30)  # the service's 30 days after 31 March
    late = submit(of, day=date(2026, 12, 1))
    assert (late.periods, late.decision_due) == (own, date(2027, 1, 6))  # Christmas and New Year skipped


def test_acknowledgement_tells_the_body_the_decision_day_once() -> None:
    expression = acknowledged(service())
    assert expression.acknowledged_on == START and expression.decision_due == date(2026, 4, 1)
    refused("StateAllows", expression.acknowledge, on(START))


def test_acceptance_fixes_the_earliest_and_latest_start_of_the_procurement() -> None:
    of = service(periods=Periods(30, 10, 60))
    expression = acknowledged(of)
    accepted_on = date(2026, 3, 20)
    expression.accept(on(accepted_on), REASON)
    assert (expression.procurement_earliest, expression.procurement_due_by) == (date(2026, 3, 30), date(2026, 5, 19))
    accepted_for(of, expression, on(accepted_on))
    waiting = of.awaiting[str(expression.id)]
    assert (waiting.earliest, waiting.due_by) == (date(2026, 3, 30), date(2026, 5, 19))
    refused("ProcurementNotTooSoon", of.procurement_started, on(date(2026, 3, 29)), "tender-1")
    assert of.procurement_started(on(date(2026, 3, 30)), "tender-1") == [str(expression.id)]
    assert of.awaiting == {} and of.tenders == ["tender-1"]


# --- the decision (s.83; SI 2012/1647) ------------------------------------------------------------------------


def test_an_expression_is_acknowledged_before_it_is_decided() -> None:
    expression = submit(service())
    refused("StateAllows", expression.accept, on(START), REASON)
    refused("StateAllows", expression.reject, on(START), Rejection(["non-compliant"], "Not compliant."))


def test_a_rejection_with_no_statutory_ground_is_refused() -> None:
    expression = acknowledged(service())
    for grounds in ([], ["non-compliant", "non-compliant"]):
        refused("OnStatutoryGrounds", expression.reject, on(START), Rejection(grounds, "Reasons."), field="grounds")
    refused("CodeListed", expression.reject, on(START), Rejection(["too-expensive"], "Reasons."), field="grounds")
    refused("ReasonGiven", expression.reject, on(START), Rejection(["non-compliant"], " "), field="reason")
    expression.reject(on(START), Rejection(["inadequate-information", "body-not-suitable"], "Finances unevidenced."))
    assert (expression.status, expression.outcome) == ("rejected", Outcome.REJECTED)
    assert expression.grounds == ("inadequate-information", "body-not-suitable") and expression.decided_on == START


def test_a_modification_happens_only_if_the_body_agrees() -> None:
    of = service()
    agreeing, declining = acknowledged(of), acknowledged(of, CHARITY)
    for expression in (agreeing, declining):
        expression.propose_modification(on(START), "Otherwise we would reject it.", "Serve the Clun valley only.")
    agreeing.agree_modification(on(START, provider(PARISH)))
    declining.decline_modification(on(START, provider(CHARITY)), "We would serve the whole area or none.")
    assert declining.modification == "" and not declining.modification_agreed
    agreeing.accept(on(START), REASON)
    declining.accept(on(START), REASON)
    assert agreeing.outcome == Outcome.ACCEPTED_WITH_MODIFICATION and agreeing.modification_agreed
    assert declining.outcome == Outcome.ACCEPTED


def test_accepting_while_a_proposed_modification_is_unanswered_is_refused() -> None:
    expression = acknowledged(service())
    refused("StateAllows", expression.agree_modification, on(START))  # nothing proposed yet
    refused("ReasonGiven", expression.propose_modification, on(START), " ", "Serve the Clun valley only.")
    expression.propose_modification(on(START), "Otherwise we would reject it.", "Serve the Clun valley only.")
    refused("ModificationAnswered", expression.accept, on(START), REASON, kind=Refusal.CONFLICT)


def test_the_body_may_withdraw_until_the_decision_not_after() -> None:
    of = service()
    submitted, proposed, accepted, rejected = submit(of), acknowledged(of), acknowledged(of), acknowledged(of)
    proposed.propose_modification(on(START), "Otherwise we would reject it.", "Serve the Clun valley only.")
    for undecided in (submitted, proposed):
        undecided.withdraw(on(START, provider(PARISH)))
        assert undecided.status == "withdrawn"
    accepted.accept(on(START), REASON)
    rejected.reject(on(START), Rejection(["frivolous-or-vexatious"], "A repeat of last month's."))
    for decided in (accepted, rejected):
        refused("StateAllows", decided.withdraw, on(START, provider(PARISH)), kind=Refusal.CONFLICT)


def test_an_expression_of_interest_in_a_service_since_decommissioned_cannot_be_accepted() -> None:
    of = service()
    expression = acknowledged(of)
    of.decommission(on(START), "The contract ended.", "contract-1", START)
    expression.accept(on(START), REASON)
    refused("StateAllows", accepted_for, of, expression, on(START))


# --- the clock ----------------------------------------------------------------------------------------------


def test_the_clock_flags_a_decision_not_made_by_its_day_once() -> None:
    expression = acknowledged(service())
    assert not expression.record_overdue(on(date(2026, 4, 1)))  # its day: not yet overdue
    assert expression.record_overdue(on(date(2026, 4, 2)))
    assert expression.decision_overdue and not expression.record_overdue(on(date(2026, 4, 3)))
    expression.accept(on(date(2026, 4, 3)), REASON)  # a late decision is still made
    assert expression.status == "accepted"


# --- who may act on whose record (through the services) -----------------------------------------------------


def test_the_council_of_another_authority_cannot_decide(market: Marketplace, clock: FixedClock) -> None:
    register = registered(market, clock)
    expression_id = register.submit()
    decide = register.expressions
    refused("Council", decide.acknowledge, request(ELSEWHERE), expression_id, kind=Refusal.FORBIDDEN)
    decide.acknowledge(request(OFFICER), expression_id)
    refused("Council", decide.accept, request(ELSEWHERE), expression_id, REASON, kind=Refusal.FORBIDDEN)
    rejection = Rejection(["non-compliant"], "Not compliant.")
    refused("Council", decide.reject, request(ELSEWHERE), expression_id, rejection, kind=Refusal.FORBIDDEN)
    change = ServiceChange(name="Mobile libraries")
    update = register.services.update
    refused("Council", update, request(ELSEWHERE), register.service_id, "Renamed.", change, kind=Refusal.FORBIDDEN)


def test_an_officer_of_the_council_cannot_withdraw_the_bodys_expression(market: Marketplace, clock: FixedClock) -> None:
    register = registered(market, clock)
    expression_id = register.submit()
    withdraw = register.expressions.withdraw
    refused("RoleAllows", withdraw, request(OFFICER), expression_id, kind=Refusal.FORBIDDEN)
    refused("Body", withdraw, request(provider(CHARITY)), expression_id, kind=Refusal.FORBIDDEN)  # nor another body
    refused("RoleAllows", register.expressions.accept, request(provider(PARISH)), expression_id, REASON)
    refused("RoleAllows", register.expressions.record_overdue, request(OFFICER), expression_id)  # the clock's alone
    withdraw(request(provider(PARISH)), expression_id)
