"""Grants' rules as specifications: a programme's terms and window, who may apply and with what, the assessment
panel, the offer and its answer, and a grant's money (conditions, instalments, returns, variations, underspend,
clawback, closure). Most go through the services, as the API and the command line do."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.base import Actor, Role
from domain.grants import terms as gt
from domain.grants.grant import Grant, grant_uuid
from domain.grants.programme import GrantProgramme, checked_terms, programme_uuid
from domain.payments.terms import InstalmentClaim, PaymentMade
from domain.rules import Refusal
from marketplace.clock import FixedClock
from marketplace.grants.services import Grants, Programmes
from marketplace.organisations.services import Organisations
from marketplace.payments.services import Invoices
from marketplace.service import Marketplace
from projections.grants.applications import find_application
from projections.grants.register import find_grant
from tests.conftest import COUNCIL
from tests.grants_fixtures import (
    APPROVER,
    ASSESSORS,
    CRITERIA,
    Funded,
    committed,
    funded,
    lead,
    offer_terms,
    pay_instalment,
    programme_terms,
    proposal,
    refused,
    request,
    today,
)

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # the clock fixture's time: the window opens then
NAIVE = START.replace(tzinfo=None)
LUDLOW, OSWESTRY, SEVERN, BIG = "GB-CHC-1234567", "GB-CHC-7654321", "GB-COH-12345678", "GB-COH-87654321"
ASHA, BEN = (request(assessor) for assessor in ASSESSORS)
CARL = request(Actor("carl", COUNCIL, Role.COMMISSIONER))  # a third assessor
ELSEWHERE = request(Actor("olly", "GB-LAE-TFW", Role.COMMISSIONER))  # an officer of another council
OFFICER = request()


def assess(fund: Funded, application: UUID, criteria: tuple[gt.AssessmentCriterion, ...] = CRITERIA) -> None:
    """Asha and Ben, cleared of conflict, score and moderate the criteria given."""
    apps = fund.applications
    for assessor in ASSESSORS:
        apps.assign(OFFICER, application, assessor.subject)
        apps.declare(request(assessor), application, False, "No interest to declare.")
    for criterion in criteria:
        for scorer in (ASHA, BEN):
            apps.score(scorer, application, gt.CriterionScore(criterion.key, 3, "Clear evidence."))
        apps.moderate(OFFICER, application, gt.AgreedScore(criterion.key, 3, "Agreed."))


def offered(fund: Funded, identifier: str = LUDLOW, amount: str = "10000") -> UUID:
    application = fund.assessed(identifier)
    fund.applications.offer(OFFICER, application, "Strong case.", offer_terms(amount, today(fund)))
    return application


def granted(fund: Funded) -> tuple[UUID, Grants]:
    """A £10,000 grant to Ludlow Befrienders: £5,000 ("first") on a safeguarding condition, £5,000 ("second")."""
    application = offered(fund)
    fund.applications.accept(lead(), application)
    return grant_uuid(application), fund.market.service(Grants)


def grant(fund: Funded, grant_id: UUID) -> Grant:
    return fund.market.commands.load(Grant, grant_id)


def pay(fund: Funded, grant_id: UUID, instalment: str = "second") -> None:
    pay_instalment(fund.market, grant_id, instalment, today(fund))


# --- a programme's terms, window and budget -------------------------------------------------------------------

UNWEIGHED = [gt.AssessmentCriterion("need", "Need", 60, 5), gt.AssessmentCriterion("delivery", "Delivery", 30, 10)]


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"criteria": UNWEIGHED}, "criteria", "CriteriaWeighed"),  # weights sum to 90
        ({"criteria": [gt.AssessmentCriterion("need", "Need", 100, 0)]}, "criteria", "CriteriaWeighed"),
        ({"assessors_needed": 1}, "assessors_needed", "EnoughAssessorsRequired"),
        ({"closes": START}, "closes", "WindowCloseAfterOpening"),
        ({"opens": NAIVE}, "opens", "TimeHasOffset"),
        ({"closes": NAIVE + timedelta(days=28)}, "closes", "TimeHasOffset"),
        ({"maximum_award": Decimal("50000.01")}, "maximum_award", "AwardLimitsInOrder"),  # more than the budget
        ({"minimum_award": Decimal("20000.01")}, "maximum_award", "AwardLimitsInOrder"),
        ({"budget": Decimal("NaN")}, "budget", "AmountFinite"),
        ({"maximum_award": Decimal("Infinity")}, "maximum_award", "AmountFinite"),
        ({"minimum_award": Decimal("1000.005")}, "minimum_award", "AmountInPence"),
        ({"priority": "world-peace"}, "priority", "CodeListed"),
        ({"payment_basis": "on-a-whim"}, "payment_basis", "CodeListed"),
        ({"eligibility": gt.Eligibility(postcode_areas=["Salop"])}, "eligibility.postcode_areas", "AreasRecognised"),
        ({"code": "CRF 2026"}, "code", "KeyShaped"),
    ],
)
def test_a_programmes_terms_are_refused_naming_the_field_and_the_rule(
    clock: FixedClock, changes: dict[str, Any], field: str, rule: str
) -> None:
    refused(rule, checked_terms, programme_terms(clock, **changes), field=field)


def test_a_programme_is_published_with_a_reason_and_its_code_is_unique(market: Marketplace, clock: FixedClock) -> None:
    programmes = market.service(Programmes)
    refused("TimeHasOffset", programmes.draft, OFFICER, programme_terms(clock, opens=NAIVE), field="opens")
    assert not market.commands.exists(programme_uuid("CRF-2026"))  # a refusal records nothing
    draft = UUID(programmes.draft(OFFICER, programme_terms(clock)).aggregate_id)
    refused("ReasonGiven", programmes.publish, OFFICER, draft, "  ", field="reason")
    programmes.publish(OFFICER, draft, "Approved by cabinet.")
    refused("Unique", programmes.draft, OFFICER, programme_terms(clock, title="Another"), kind=Refusal.DUPLICATE)


def test_applications_are_made_only_while_the_window_is_open_and_an_extension_reopens_it(
    market: Marketplace, clock: FixedClock
) -> None:
    fund = funded(market, clock, opens=START + timedelta(days=2), closes=START + timedelta(days=30))
    programmes = market.service(Programmes)
    refused("WindowOpen", fund.apply, LUDLOW)
    clock.advance(days=2)
    fund.apply(LUDLOW)
    now = clock.advance(days=29)  # a day after the window closed
    refused("WindowStillOpen", fund.apply, OSWESTRY)
    extend = programmes.extend_window
    refused(
        "WindowCloseAfterOpening", extend, OFFICER, fund.programme_id, "More.", now - timedelta(days=2), field="closes"
    )
    refused("WindowStillOpen", extend, OFFICER, fund.programme_id, "More time.", now - timedelta(hours=12))  # passed
    programmes.extend_window(OFFICER, fund.programme_id, "Flooding delayed groups.", now + timedelta(days=7))
    fund.apply(OSWESTRY)


def test_the_budget_cannot_be_cut_below_what_is_committed(fund: Funded) -> None:
    programmes = fund.market.service(Programmes)
    offered(fund)
    cut = Decimal("9999.99")
    refused(
        "BudgetCoversCommitments", programmes.adjust_budget, OFFICER, fund.programme_id, "Cut.", cut, field="budget"
    )
    programmes.adjust_budget(OFFICER, fund.programme_id, "Savings.", Decimal("10000"))
    assert fund.market.commands.load(GrantProgramme, fund.programme_id).remaining == 0


# --- who may apply, with what ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("eligibility", "ineligible", "eligible", "rule"),
    [
        (gt.Eligibility(legal_forms=["charitable-trust"]), OSWESTRY, LUDLOW, "LegalFormEligible"),
        (gt.Eligibility(size_classes=["micro"]), LUDLOW, OSWESTRY, "SizeEligible"),
        (gt.Eligibility(vcse_only=True), BIG, SEVERN, "VcseEligible"),
        (gt.Eligibility(), "GB-CHC-1111111", BIG, "ApplicantActive"),  # not in the register
    ],
)
def test_an_ineligible_applicant_is_refused_naming_the_rule_it_breaks(
    market: Marketplace, clock: FixedClock, eligibility: gt.Eligibility, ineligible: str, eligible: str, rule: str
) -> None:
    fund = funded(market, clock, eligibility=eligibility)
    refused(rule, fund.apply, ineligible, field="applicant")
    fund.apply(eligible)


def test_an_organisation_deactivated_after_drafting_cannot_submit(fund: Funded) -> None:
    application = fund.apply(LUDLOW)
    fund.market.service(Organisations).deactivate(OFFICER, LUDLOW, "Charity wound up.")
    refused("ApplicantActive", fund.applications.submit, lead(), application)


def test_a_proposal_keeps_the_award_limits_the_areas_served_and_its_own_budget(fund: Funded) -> None:
    apply = fund.applications.apply
    short = [gt.BudgetLine("Visits", Decimal("6000")), gt.BudgetLine("Venue", Decimal("3999.99"))]
    for given, field, rule in [
        (proposal("999.99"), "amount_requested", "RequestWithinLimits"),
        (proposal("20000.01"), "amount_requested", "RequestWithinLimits"),
        (proposal("10000.001"), "amount_requested", "AmountInPence"),
        (proposal(locations=[gt.Location("postcode-district", "WR1", "Worcester")]), "locations", "LocationsServed"),
        (proposal(locations=[gt.Location("parish", "W04000123", "In Wales")]), "locations", "LocationsServed"),
        (proposal(locations=[]), "locations", "LocationsServed"),
        (proposal(budget=short), "budget", "BudgetAddsUp"),
        (proposal(planned_end=date(2026, 6, 1)), "planned_end", "EndsAfterStart"),
    ]:
        refused(rule, apply, lead(), fund.programme_id, given, field=field)
    served = [gt.Location("parish", "E04012345", "Clun"), gt.Location("postcode-district", "tf1", "Wem")]
    apply(lead(), fund.programme_id, proposal(locations=served))


def test_a_draft_is_saved_with_its_changes_until_it_is_submitted(fund: Funded) -> None:
    application, save = fund.apply(LUDLOW), fund.applications.save_draft
    lines = [gt.BudgetLine("Volunteer expenses", Decimal("9000")), gt.BudgetLine("Heaters", Decimal("3000"))]
    save(lead(), application, gt.ProposalChange(project_title="Warm", amount_requested=Decimal(12000), budget=lines))
    with fund.market.views() as session:
        row = find_application(session, str(application))
        assert row is not None and (row["project_title"], row["amount_requested"]) == ("Warm", Decimal("12000"))
    refused("ChangesSomething", save, lead(), application, gt.ProposalChange(project_title="Warm"))
    refused("BudgetAddsUp", save, lead(), application, gt.ProposalChange(amount_requested=Decimal("13000")))
    fund.applications.submit(lead(), application)
    refused("StateAllows", save, lead(), application, gt.ProposalChange(summary="Later."))


def test_an_application_may_be_withdrawn_until_it_is_decided(fund: Funded) -> None:
    drafted, submitted, decided = fund.apply(LUDLOW), fund.submitted(OSWESTRY), offered(fund, SEVERN)
    fund.applications.withdraw(lead(LUDLOW), drafted)
    fund.applications.withdraw(lead(OSWESTRY), submitted)
    refused("StateAllows", fund.applications.withdraw, lead(SEVERN), decided, kind=Refusal.CONFLICT)


def test_changes_requested_may_be_answered_after_the_window_closes_but_a_first_submission_may_not(fund: Funded) -> None:
    answered, late = fund.submitted(LUDLOW), fund.apply(OSWESTRY)
    fund.applications.request_changes(OFFICER, answered, "Say how volunteers are vetted.")
    fund.clock.advance(days=29)
    fund.applications.save_draft(lead(), answered, gt.ProposalChange(summary="DBS-checked volunteers visit."))
    fund.applications.submit(lead(), answered)
    refused("WindowStillOpen", fund.applications.submit, lead(OSWESTRY), late)


# --- assessment -----------------------------------------------------------------------------------------------


def test_only_an_assigned_assessor_declares_and_scores_each_criterion_on_its_own_scale(fund: Funded) -> None:
    application, apps = fund.submitted(LUDLOW), fund.applications
    apps.assign(OFFICER, application, "asha")
    refused("AssessorAssigned", apps.declare, BEN, application, False, "None.")
    refused("AssessorAssigned", apps.score, BEN, application, gt.CriterionScore("need", 3, "Good."))
    apps.declare(ASHA, application, False, "None.")
    refused("ScoreOnScale", apps.score, ASHA, application, gt.CriterionScore("need", 6, "Beyond 5."), field="score")
    refused("ScoreOnScale", apps.score, ASHA, application, gt.CriterionScore("need", -1, "Below 0."), field="score")
    unknown = gt.CriterionScore("wellbeing", 1, "No such criterion.")
    refused("Exists", apps.score, ASHA, application, unknown, field="criterion", kind=Refusal.NOT_FOUND)
    apps.score(ASHA, application, gt.CriterionScore("need", 5, "Top of its scale."))
    apps.score(ASHA, application, gt.CriterionScore("delivery", 10, "Top of its scale."))


def test_a_conflicted_assessor_neither_scores_moderates_nor_decides(fund: Funded) -> None:
    application, apps = fund.submitted(LUDLOW), fund.applications
    apps.assign(OFFICER, application, "carl")
    apps.declare(CARL, application, True, "My sister chairs the trustees.")
    refused("DeclaredWithoutConflict", apps.score, CARL, application, gt.CriterionScore("need", 3, "Good."))
    refused("NotConflicted", apps.moderate, CARL, application, gt.AgreedScore("need", 3, "Agreed."))
    assess(fund, application)  # moderation does not wait for Carl
    terms = offer_terms("10000", today(fund))
    refused("NotConflicted", apps.offer, CARL, application, "Strong.", terms, kind=Refusal.FORBIDDEN)
    refused("NotConflicted", apps.decline, CARL, application, "Weak.", "Little evidence.", kind=Refusal.FORBIDDEN)
    apps.offer(OFFICER, application, "Strong.", terms)


def test_moderation_waits_for_every_assessor_without_a_conflict_and_needs_enough_of_them(fund: Funded) -> None:
    application, apps = fund.submitted(LUDLOW), fund.applications
    for assessor in ("asha", "ben"):
        apps.assign(OFFICER, application, assessor)
    apps.declare(ASHA, application, False, "None.")
    apps.score(ASHA, application, gt.CriterionScore("need", 4, "Clear."))
    agreed = gt.AgreedScore("need", 4, "Agreed.")
    refused("EveryoneScored", apps.moderate, OFFICER, application, agreed)  # Ben has not declared
    apps.declare(BEN, application, True, "I volunteer there.")
    refused("EnoughAssessors", apps.moderate, OFFICER, application, agreed, kind=Refusal.CONFLICT)  # 1 of 2 cleared
    apps.assign(OFFICER, application, "carl")
    apps.declare(CARL, application, False, "None.")
    refused("EveryoneScored", apps.moderate, OFFICER, application, agreed)  # Carl has not scored
    apps.score(CARL, application, gt.CriterionScore("need", 4, "Clear."))
    apps.moderate(OFFICER, application, agreed)
    terms = offer_terms("10000", today(fund))  # "delivery" is not moderated yet
    refused("ModerationComplete", apps.offer, OFFICER, application, "Strong.", terms, kind=Refusal.CONFLICT)


# --- the offer and its answer ---------------------------------------------------------------------------------


def test_an_offer_keeps_its_rules(fund: Funded) -> None:
    application, day, whole = fund.assessed(LUDLOW), today(fund), Decimal(10000)  # £10,000 requested
    short = [gt.Instalment("all", whole - 1, "date", day)]
    by_milestone = [gt.Instalment("all", whole, "milestone", milestone="Launch")]  # the programme pays by date
    unset = [gt.Instalment("all", whole, "date", day, conditions=["insurance"])]  # a condition the offer does not set
    for terms, field, rule in [
        (offer_terms("10000.01", day), "uplift_reason", "UpliftJustified"),
        (offer_terms("20000.01", day, uplift_reason="Wider reach."), "amount", "WithinMaximumAward"),
        (offer_terms("NaN", day), "amount", "AmountFinite"),
        (offer_terms("10000", day, decided_on=day + timedelta(days=1)), "decided_on", "AwardDateNotInFuture"),
        (offer_terms("10000", day, expires=day), "expires", "OfferOpenUntil"),
        *(
            (offer_terms("10000", day, schedule=bad), "schedule", "ScheduleAddsUp")
            for bad in (short, by_milestone, unset)
        ),
    ]:
        refused(rule, fund.applications.offer, OFFICER, application, "Strong.", terms, field=field)
    fund.clock.advance(days=5)  # decided at the panel three days ago, recorded today
    later = today(fund)
    terms = offer_terms("12000", later, uplift_reason="Wider reach.", decided_on=later - timedelta(days=3))
    fund.applications.offer(OFFICER, application, "Strong.", terms)
    assert committed(fund) == Decimal("12000")


def test_a_milestone_programme_pays_by_milestones(market: Marketplace, clock: FixedClock) -> None:
    fund = funded(market, clock, payment_basis="milestones")
    application, day = fund.assessed(LUDLOW), today(fund)
    refused("ScheduleAddsUp", fund.applications.offer, OFFICER, application, "Strong.", offer_terms("10000", day))
    steps = [gt.Instalment("start", Decimal(4000), "milestone", milestone="Volunteers recruited"),
             gt.Instalment("end", Decimal(6000), "milestone", milestone="200 visits made")]  # fmt: skip
    fund.applications.offer(OFFICER, application, "Strong.", offer_terms("10000", day, schedule=steps))


def test_an_offer_may_be_accepted_on_its_last_day_but_not_after(fund: Funded) -> None:
    in_time, too_late = offered(fund, LUDLOW), offered(fund, OSWESTRY)  # each open for 14 days
    fund.clock.advance(days=14)
    fund.applications.accept(lead(LUDLOW), in_time)
    fund.clock.advance(days=1)
    refused("OfferOpen", fund.applications.accept, lead(OSWESTRY), too_late, kind=Refusal.CONFLICT)


def test_an_officer_of_another_organisation_cannot_run_the_programme(fund: Funded) -> None:
    programmes, pid, application = fund.market.service(Programmes), fund.programme_id, fund.assessed(LUDLOW)
    for call, *args in (
        (programmes.extend_window, pid, "More time.", START + timedelta(days=40)),
        (programmes.adjust_budget, pid, "More money.", Decimal("60000")),
        (programmes.close, pid, "Done."),
        (fund.applications.assign, application, "olly"),
        (fund.applications.offer, application, "Strong.", offer_terms("10000", today(fund))),
    ):
        refused("Funder", call, ELSEWHERE, *args, kind=Refusal.FORBIDDEN)


def test_a_provider_cannot_act_on_another_organisations_application(fund: Funded) -> None:
    drafted, decided, apps = fund.apply(LUDLOW), offered(fund, OSWESTRY), fund.applications
    for call, *args in (
        (apps.save_draft, drafted, gt.ProposalChange(summary="Ours now.")),
        (apps.submit, drafted),
        (apps.withdraw, drafted),
        (apps.accept, decided),
        (apps.decline_offer, decided, "Not for us."),
    ):
        refused("Applicant", call, lead(SEVERN), *args, kind=Refusal.FORBIDDEN)


# --- a grant's money ------------------------------------------------------------------------------------------


def test_an_instalment_waits_for_its_conditions_and_is_paid_once(fund: Funded) -> None:
    (grant_id, grants), day = granted(fund), today(fund)
    refused("ConditionsDischarged", pay, fund, grant_id, "first", kind=Refusal.CONFLICT)
    pay(fund, grant_id, "second")  # waits for no condition
    refused("Once", pay, fund, grant_id, "second", kind=Refusal.CONFLICT)
    invoices = fund.market.service(Invoices)
    refused("Funder", invoices.claim, ELSEWHERE, grant_id, InstalmentClaim("first"), kind=Refusal.FORBIDDEN)
    grants.discharge(OFFICER, grant_id, "Policy seen.", "safeguarding", "Policy dated 2026.")
    claim = UUID(invoices.claim(OFFICER, grant_id, InstalmentClaim("first")).aggregate_id)
    invoices.validate(OFFICER, claim, "Policy seen; instalment due.")
    refused("FourEyes", invoices.approve, OFFICER, claim, "Approved.", kind=Refusal.FORBIDDEN)
    invoices.approve(request(APPROVER), claim, "Approved.")
    tomorrow = PaymentMade(Decimal("5000"), day + timedelta(days=1))
    refused("NotAfterToday", invoices.pay, OFFICER, claim, tomorrow, field="paid_on")
    invoices.pay(OFFICER, claim, PaymentMade(Decimal("5000"), day))
    assert grant(fund, grant_id).paid == Decimal("10000")


def test_a_monitoring_return_is_accepted_or_returned_with_reasons(fund: Funded) -> None:
    (grant_id, grants), q2 = granted(fund), "2026-Q2"
    grants.submit_return(lead(), grant_id, gt.MonitoringReturn(q2, Decimal("2500"), "40 visits made."))
    refused("ReasonGiven", grants.review_return, OFFICER, grant_id, "", q2, False)
    grants.review_return(OFFICER, grant_id, "Spend not evidenced.", q2, False)
    grants.submit_return(lead(), grant_id, gt.MonitoringReturn(q2, Decimal("2500"), "40 visits; receipts attached."))
    grants.review_return(OFFICER, grant_id, "Evidenced.", q2, True)
    for period in (q2, f" {q2} "):  # accepted: not submitted again, however it is spaced
        refused("Once", grants.submit_return, lead(), grant_id, gt.MonitoringReturn(period, Decimal(1), "Again."))
    ours = gt.MonitoringReturn("2026-Q3", Decimal(0), "Ours.")
    refused("Recipient", grants.submit_return, lead(OSWESTRY), grant_id, ours, kind=Refusal.FORBIDDEN)
    with fund.market.views() as session:
        row = find_grant(session, str(grant_id))
        assert row is not None and row["returns"] == {q2: "accepted"}


def test_an_offers_conditions_have_keys_of_their_own_and_its_award_date_falls_after_the_window_opened(
    fund: Funded,
) -> None:
    application = fund.assessed(LUDLOW)
    twice = [gt.Condition("safeguarding", "A safeguarding policy"), gt.Condition("safeguarding", "Its review")]
    terms = offer_terms("10000", today(fund), conditions=twice)
    refused("KeysUnique", fund.applications.offer, OFFICER, application, "Strong.", terms, field="conditions.key")
    early = offer_terms("10000", today(fund), decided_on=today(fund) - timedelta(days=1))
    refused("AwardDateInWindow", fund.applications.offer, OFFICER, application, "Strong.", early, field="decided_on")
