"""Grants' rules as specifications: a programme's terms and window, who may apply and with what, the assessment
panel, the offer and its answer, and a grant's money (conditions, instalments, returns, variations, underspend,
clawback, closure). Most go through the services, as the API and the command line do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.base import Actor, Role
from domain.grants.grant import Grant, grant_uuid
from domain.grants.programme import GrantProgramme, checked_terms, programme_uuid
from domain.grants.terms import (
    AgreedScore,
    AssessmentCriterion,
    BudgetLine,
    Closure,
    CriterionScore,
    Eligibility,
    GrantVariation,
    Instalment,
    Location,
    MonitoringReturn,
    Payment,
    ProposalChange,
)
from domain.rules import DomainError, Refusal
from domain.working_days import uk_date
from marketplace.clock import FixedClock
from marketplace.grants.services import Grants, Programmes
from marketplace.organisations.services import Organisations
from marketplace.service import Marketplace
from projections.grants.applications import find_application
from projections.grants.programmes import find_programme
from projections.grants.register import find_grant
from tests.conftest import COUNCIL
from tests.grants_fixtures import (
    ASSESSORS,
    CRITERIA,
    Funded,
    funded,
    offer_terms,
    programme_terms,
    proposal,
    provider,
    request,
)

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # the clock fixture's time: a programme's window opens then
LUDLOW, OSWESTRY, SEVERN, BIG = "GB-CHC-1234567", "GB-CHC-7654321", "GB-COH-12345678", "GB-COH-87654321"
CARL = Actor("carl", COUNCIL, Role.COMMISSIONER)  # a third assessor
ELSEWHERE = Actor("olly", "GB-LAE-TFW", Role.COMMISSIONER)  # an officer of another council


def refusal(call: Callable[..., object], *args: Any) -> DomainError:
    with pytest.raises(DomainError) as refused:
        call(*args)
    return refused.value


def today(clock: FixedClock) -> date:
    return uk_date(clock.now())


def committed(fund: Funded) -> Decimal:
    return fund.market.commands.load(GrantProgramme, fund.programme_id).committed


def assess(fund: Funded, application: UUID, criteria: tuple[AssessmentCriterion, ...] = CRITERIA) -> None:
    """Asha and Ben, cleared of conflict, score and moderate the criteria given."""
    apps = fund.applications
    for assessor in ASSESSORS:
        apps.assign(request(), application, assessor.subject)
        apps.declare(request(assessor), application, False, "No interest to declare.")
    for criterion in criteria:
        for assessor in ASSESSORS:
            apps.score(request(assessor), application, CriterionScore(criterion.key, 3, "Clear evidence."))
        apps.moderate(request(), application, AgreedScore(criterion.key, 3, "Agreed."))


def offered(fund: Funded, identifier: str = LUDLOW, amount: str = "10000") -> UUID:
    application = fund.assessed(identifier)
    fund.applications.offer(request(), application, "Strong case.", offer_terms(amount, today(fund.clock)))
    return application


def granted(market: Marketplace, clock: FixedClock, **programme: Any) -> tuple[Funded, UUID, Grants]:
    """A £10,000 grant to Ludlow Befrienders: £5,000 on a safeguarding condition, then £5,000 on nothing."""
    fund = funded(market, clock, **programme)
    application = offered(fund)
    fund.applications.accept(request(provider(LUDLOW)), application)
    return fund, grant_uuid(application), market.service(Grants)


def grant(market: Marketplace, grant_id: UUID) -> Grant:
    return market.commands.load(Grant, grant_id)


# --- a programme's terms --------------------------------------------------------------------------------------

NAIVE = START.replace(tzinfo=None)


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        (
            {"criteria": [AssessmentCriterion("need", "Need", 60, 5), AssessmentCriterion("delivery", "D", 30, 10)]},
            "criteria",
            "CriteriaWeighed",
        ),  # fmt: skip
        ({"criteria": [AssessmentCriterion("need", "Need", 100, 0)]}, "criteria", "CriteriaWeighed"),
        ({"assessors_needed": 1}, "assessors_needed", "EnoughAssessorsRequired"),
        ({"closes": START}, "closes", "WindowCloseAfterOpening"),
        ({"opens": NAIVE}, "opens", "TimeHasOffset"),
        ({"closes": NAIVE + timedelta(days=28)}, "closes", "TimeHasOffset"),
        ({"maximum_award": Decimal("50000.01")}, "maximum_award", "AwardLimitsInOrder"),
        ({"minimum_award": Decimal("20000.01")}, "maximum_award", "AwardLimitsInOrder"),
        ({"budget": Decimal("NaN")}, "budget", "AmountFinite"),
        ({"maximum_award": Decimal("Infinity")}, "maximum_award", "AmountFinite"),
        ({"minimum_award": Decimal("1000.005")}, "minimum_award", "AmountInPence"),
        ({"priority": "world-peace"}, "priority", "CodeListed"),
        ({"payment_basis": "on-a-whim"}, "payment_basis", "CodeListed"),
        ({"eligibility": Eligibility(postcode_areas=["Shropshire"])}, "eligibility.postcode_areas", "AreasRecognised"),
        ({"code": "CRF 2026"}, "code", "KeyShaped"),
    ],
)
def test_a_programmes_terms_are_refused_naming_the_field_and_the_rule(
    clock: FixedClock, changes: dict[str, Any], field: str, rule: str
) -> None:
    refused = refusal(checked_terms, programme_terms(clock, **changes))
    assert (refused.field, refused.rule) == (field, rule)


def test_terms_refused_by_the_service_record_nothing(market: Marketplace, clock: FixedClock) -> None:
    terms = programme_terms(clock, opens=NAIVE)
    assert refusal(market.service(Programmes).draft, request(), terms).field == "opens"
    assert not market.commands.exists(programme_uuid(terms.code))


def test_a_programme_is_published_with_a_reason_and_its_code_is_unique(market: Marketplace, clock: FixedClock) -> None:
    programmes = market.service(Programmes)
    draft = UUID(programmes.draft(request(), programme_terms(clock)).aggregate_id)
    refused = refusal(programmes.publish, request(), draft, "  ")
    assert (refused.rule, refused.field) == ("ReasonGiven", "reason")
    programmes.publish(request(), draft, "Approved by cabinet.")
    again = refusal(programmes.draft, request(), programme_terms(clock, title="Another fund"))
    assert (again.kind, again.rule) == (Refusal.DUPLICATE, "Unique")


# --- the window and the budget --------------------------------------------------------------------------------


def test_no_one_applies_before_the_window_opens(market: Marketplace, clock: FixedClock) -> None:
    fund = funded(market, clock, opens=START + timedelta(days=2), closes=START + timedelta(days=30))
    assert refusal(fund.apply, LUDLOW).rule == "WindowOpen"
    clock.advance(days=2)
    fund.apply(LUDLOW)


def test_no_one_applies_once_the_window_closes_until_it_is_extended(market: Marketplace, clock: FixedClock) -> None:
    fund, programmes = funded(market, clock), market.service(Programmes)
    clock.advance(days=28)  # the window closes 28 days after it opens
    assert refusal(fund.apply, LUDLOW).rule == "WindowStillOpen"
    for closes in (START + timedelta(days=27), clock.now()):  # earlier than before; already passed
        assert refusal(programmes.extend_window, request(), fund.programme_id, "More time.", closes).field == "closes"
    programmes.extend_window(request(), fund.programme_id, "Flooding delayed groups.", clock.now() + timedelta(days=7))
    fund.apply(LUDLOW)


def test_the_budget_cannot_be_cut_below_what_is_committed(market: Marketplace, clock: FixedClock) -> None:
    fund, programmes = funded(market, clock), market.service(Programmes)
    offered(fund)
    refused = refusal(programmes.adjust_budget, request(), fund.programme_id, "Savings.", Decimal("9999.99"))
    assert (refused.rule, refused.field) == ("BudgetCoversCommitments", "budget")
    programmes.adjust_budget(request(), fund.programme_id, "Savings.", Decimal("10000"))
    assert market.commands.load(GrantProgramme, fund.programme_id).remaining == 0


# --- who may apply, with what ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("eligibility", "refused", "admitted", "rule"),
    [
        (Eligibility(legal_forms=["charitable-trust"]), OSWESTRY, LUDLOW, "LegalFormEligible"),
        (Eligibility(size_classes=["micro"]), LUDLOW, OSWESTRY, "SizeEligible"),
        (Eligibility(vcse_only=True), BIG, SEVERN, "VcseEligible"),
        (Eligibility(), "GB-CHC-1111111", BIG, "ApplicantActive"),  # not in the register
    ],
)
def test_an_ineligible_applicant_is_refused_naming_the_rule_it_breaks(
    market: Marketplace, clock: FixedClock, eligibility: Eligibility, refused: str, admitted: str, rule: str
) -> None:
    fund = funded(market, clock, eligibility=eligibility)
    error = refusal(fund.apply, refused)
    assert (error.rule, error.field) == (rule, "applicant")
    fund.apply(admitted)


def test_an_organisation_deactivated_after_drafting_cannot_submit(market: Marketplace, clock: FixedClock) -> None:
    fund = funded(market, clock)
    application = fund.apply(LUDLOW)
    market.service(Organisations).deactivate(request(), LUDLOW, "Charity wound up.")
    assert refusal(fund.applications.submit, request(provider(LUDLOW)), application).rule == "ApplicantActive"


def test_a_proposal_keeps_the_award_limits_the_areas_served_and_its_own_budget(
    market: Marketplace, clock: FixedClock
) -> None:
    fund = funded(market, clock)

    def apply(given: Any) -> object:
        return fund.applications.apply(request(provider(LUDLOW)), fund.programme_id, given)

    for given, field, rule in [
        (proposal("999.99"), "amount_requested", "RequestWithinLimits"),
        (proposal("20000.01"), "amount_requested", "RequestWithinLimits"),
        (proposal("10000.001"), "amount_requested", "AmountInPence"),
        (proposal(locations=[Location("postcode-district", "WR1", "Worcester")]), "locations", "LocationsServed"),
        (proposal(locations=[Location("parish", "W04000123", "A Welsh community")]), "locations", "LocationsServed"),
        (proposal(locations=[]), "locations", "LocationsServed"),
        (
            proposal(budget=[BudgetLine("Visits", Decimal("6000")), BudgetLine("Venue", Decimal("3999.99"))]),
            "budget",
            "BudgetAddsUp",
        ),  # fmt: skip
        (proposal(planned_end=date(2026, 6, 1)), "planned_end", "EndsAfterStart"),
    ]:
        refused = refusal(apply, given)
        assert (refused.field, refused.rule) == (field, rule), given
    apply(
        proposal(locations=[Location("parish", "E04012345", "Clun"), Location("postcode-district", "tf1", "Telford")])
    )


def test_a_draft_is_saved_with_its_changes_until_it_is_submitted(market: Marketplace, clock: FixedClock) -> None:
    fund, lead = funded(market, clock), request(provider(LUDLOW))
    application, apps = fund.apply(LUDLOW), fund.applications
    more = [BudgetLine("Volunteer expenses", Decimal("9000")), BudgetLine("Heaters", Decimal("3000"))]
    apps.save_draft(lead, application, ProposalChange(project_title="Warm visits", amount_requested=Decimal("12000"),
                                                      budget=more))  # fmt: skip
    with market.views() as session:
        row = find_application(session, str(application))
        assert row is not None and (row["project_title"], row["amount_requested"]) == ("Warm visits", Decimal("12000"))
    assert refusal(apps.save_draft, lead, application, ProposalChange(project_title="Warm visits")).rule == (
        "ChangesSomething"
    )
    assert refusal(apps.save_draft, lead, application, ProposalChange(amount_requested=Decimal("13000"))).rule == (
        "BudgetAddsUp"
    )
    apps.submit(lead, application)
    assert refusal(apps.save_draft, lead, application, ProposalChange(summary="Later.")).rule == "StateAllows"


def test_an_application_may_be_withdrawn_until_it_is_decided(market: Marketplace, clock: FixedClock) -> None:
    fund = funded(market, clock)
    drafted, submitted, decided = fund.apply(LUDLOW), fund.submitted(OSWESTRY), offered(fund, SEVERN)
    fund.applications.withdraw(request(provider(LUDLOW)), drafted)
    fund.applications.withdraw(request(provider(OSWESTRY)), submitted)
    refused = refusal(fund.applications.withdraw, request(provider(SEVERN)), decided)
    assert (refused.rule, refused.kind) == ("StateAllows", Refusal.CONFLICT)


def test_changes_requested_may_be_answered_after_the_window_closes_but_a_first_submission_may_not(
    market: Marketplace, clock: FixedClock
) -> None:
    fund = funded(market, clock)
    answered, late = fund.submitted(LUDLOW), fund.apply(OSWESTRY)
    fund.applications.request_changes(request(), answered, "Say how volunteers are vetted.")
    clock.advance(days=29)
    fund.applications.save_draft(request(provider(LUDLOW)), answered, ProposalChange(summary="DBS-checked visits."))
    fund.applications.submit(request(provider(LUDLOW)), answered)
    assert refusal(fund.applications.submit, request(provider(OSWESTRY)), late).rule == "WindowStillOpen"


# --- assessment -----------------------------------------------------------------------------------------------


def test_an_assessor_not_assigned_may_neither_declare_nor_score(market: Marketplace, clock: FixedClock) -> None:
    fund = funded(market, clock)
    application, apps, (asha, ben) = fund.submitted(LUDLOW), fund.applications, ASSESSORS
    apps.assign(request(), application, asha.subject)
    assert refusal(apps.declare, request(ben), application, False, "None.").rule == "AssessorAssigned"
    assert refusal(apps.score, request(ben), application, CriterionScore("need", 3, "Good.")).rule == "AssessorAssigned"


def test_a_conflicted_assessor_neither_scores_nor_decides(market: Marketplace, clock: FixedClock) -> None:
    fund = funded(market, clock)
    application, apps = fund.submitted(LUDLOW), fund.applications
    apps.assign(request(), application, CARL.subject)
    apps.declare(request(CARL), application, True, "My sister chairs the trustees.")
    mark = CriterionScore("need", 3, "Good.")
    assert refusal(apps.score, request(CARL), application, mark).rule == "DeclaredWithoutConflict"
    assess(fund, application)  # moderation does not wait for Carl
    terms = offer_terms("10000", today(clock))
    for refused in (
        refusal(apps.offer, request(CARL), application, "Strong.", terms),
        refusal(apps.decline, request(CARL), application, "Weak.", "Not enough evidence."),
    ):
        assert (refused.rule, refused.kind) == ("NotConflicted", Refusal.FORBIDDEN)
    apps.offer(request(), application, "Strong.", terms)


def test_scores_are_whole_numbers_on_the_criterions_own_scale(market: Marketplace, clock: FixedClock) -> None:
    fund = funded(market, clock)
    application, apps, asha = fund.submitted(LUDLOW), fund.applications, ASSESSORS[0]
    apps.assign(request(), application, asha.subject)
    apps.declare(request(asha), application, False, "None.")
    for mark, field, kind in [
        (CriterionScore("need", 6, "Beyond the scale of 5."), "score", Refusal.INVALID),
        (CriterionScore("need", -1, "Below it."), "score", Refusal.INVALID),
        (CriterionScore("wellbeing", 1, "No such criterion."), "criterion", Refusal.NOT_FOUND),
    ]:
        refused = refusal(apps.score, request(asha), application, mark)
        assert (refused.field, refused.kind) == (field, kind), mark
    apps.score(request(asha), application, CriterionScore("need", 5, "Top of its scale."))
    apps.score(request(asha), application, CriterionScore("delivery", 10, "Top of its scale."))


def test_moderation_waits_for_every_assessor_without_a_conflict_and_needs_enough_of_them(
    market: Marketplace, clock: FixedClock
) -> None:
    fund = funded(market, clock)
    application, apps, (asha, ben) = fund.submitted(LUDLOW), fund.applications, ASSESSORS
    for assessor in (asha, ben):
        apps.assign(request(), application, assessor.subject)
    apps.declare(request(asha), application, False, "None.")
    apps.score(request(asha), application, CriterionScore("need", 4, "Clear."))
    agreed = AgreedScore("need", 4, "Agreed.")
    assert refusal(apps.moderate, request(), application, agreed).rule == "EveryoneScored"  # Ben has not declared
    apps.declare(request(ben), application, True, "I volunteer there.")
    refused = refusal(apps.moderate, request(), application, agreed)
    assert (refused.rule, refused.kind) == ("EnoughAssessors", Refusal.CONFLICT)  # one cleared, two needed
    apps.assign(request(), application, CARL.subject)
    apps.declare(request(CARL), application, False, "None.")
    assert refusal(apps.moderate, request(), application, agreed).rule == "EveryoneScored"  # Carl has not scored
    apps.score(request(CARL), application, CriterionScore("need", 4, "Clear."))
    apps.moderate(request(), application, agreed)


# --- the offer and its answer ---------------------------------------------------------------------------------


def test_an_offer_waits_for_moderation_of_every_criterion(market: Marketplace, clock: FixedClock) -> None:
    fund = funded(market, clock)
    application = fund.submitted(LUDLOW)
    assess(fund, application, CRITERIA[:1])
    refused = refusal(fund.applications.offer, request(), application, "Strong.", offer_terms("10000", today(clock)))
    assert (refused.rule, refused.kind) == ("ModerationComplete", Refusal.CONFLICT)


def test_an_offer_keeps_its_rules(market: Marketplace, clock: FixedClock) -> None:
    fund, day = funded(market, clock), today(clock)
    application = fund.assessed(LUDLOW)  # £10,000 requested
    whole = Decimal("10000")
    for terms, field, rule in [
        (offer_terms("10000.01", day), "uplift_reason", "UpliftJustified"),
        (offer_terms("20000.01", day, uplift_reason="Wider reach."), "amount", "WithinMaximumAward"),
        (offer_terms("NaN", day), "amount", "AmountFinite"),
        (offer_terms("10000", day, decided_on=day + timedelta(days=1)), "decided_on", "AwardDateNotInFuture"),
        (offer_terms("10000", day, expires=day), "expires", "OfferOpenUntil"),
        (
            offer_terms("10000", day, schedule=[Instalment("all", Decimal("9999.99"), "date", day)]),
            "schedule",
            "ScheduleAddsUp",
        ),  # fmt: skip
        (
            offer_terms("10000", day, schedule=[Instalment("all", whole, "milestone", milestone="Launch")]),
            "schedule",
            "ScheduleAddsUp",
        ),  # fmt: skip  # the programme pays in arrears, by date
        (
            offer_terms("10000", day, schedule=[Instalment("all", whole, "date", day, conditions=["insurance"])]),
            "schedule",
            "ScheduleAddsUp",
        ),  # fmt: skip  # a condition the offer does not set
    ]:
        refused = refusal(fund.applications.offer, request(), application, "Strong.", terms)
        assert (refused.field, refused.rule) == (field, rule), terms
    terms = offer_terms("12000", day, uplift_reason="Wider reach.", decided_on=day - timedelta(days=3))
    fund.applications.offer(request(), application, "Strong.", terms)
    assert committed(fund) == Decimal("12000")


def test_a_milestone_programme_pays_by_milestones(market: Marketplace, clock: FixedClock) -> None:
    fund, day = funded(market, clock, payment_basis="milestones"), today(clock)
    application = fund.assessed(LUDLOW)
    refused = refusal(fund.applications.offer, request(), application, "Strong.", offer_terms("10000", day))
    assert refused.rule == "ScheduleAddsUp"
    steps = [Instalment("start", Decimal("4000"), "milestone", milestone="Volunteers recruited"),
             Instalment("end", Decimal("6000"), "milestone", milestone="200 visits made")]  # fmt: skip
    fund.applications.offer(request(), application, "Strong.", offer_terms("10000", day, schedule=steps))


def test_an_offer_may_be_accepted_on_its_last_day_but_not_after(market: Marketplace, clock: FixedClock) -> None:
    fund = funded(market, clock)
    in_time, too_late = offered(fund, LUDLOW), offered(fund, OSWESTRY)  # each open for 14 days
    clock.advance(days=14)
    fund.applications.accept(request(provider(LUDLOW)), in_time)
    clock.advance(days=1)
    refused = refusal(fund.applications.accept, request(provider(OSWESTRY)), too_late)
    assert (refused.rule, refused.kind) == ("OfferOpen", Refusal.CONFLICT)


def test_an_officer_of_another_organisation_cannot_run_the_programme(market: Marketplace, clock: FixedClock) -> None:
    fund, programmes, other = funded(market, clock), market.service(Programmes), request(ELSEWHERE)
    application, pid = fund.assessed(LUDLOW), fund.programme_id
    for refused in (
        refusal(programmes.extend_window, other, pid, "More time.", START + timedelta(days=40)),
        refusal(programmes.adjust_budget, other, pid, "More money.", Decimal("60000")),
        refusal(programmes.close, other, pid, "Done."),
        refusal(fund.applications.assign, other, application, ELSEWHERE.subject),
        refusal(fund.applications.offer, other, application, "Strong.", offer_terms("10000", today(clock))),
    ):
        assert (refused.kind, refused.rule) == (Refusal.FORBIDDEN, "Funder")


def test_a_provider_cannot_act_on_another_organisations_application(market: Marketplace, clock: FixedClock) -> None:
    fund, intruder = funded(market, clock), request(provider(SEVERN))
    drafted, decided, apps = fund.apply(LUDLOW), offered(fund, OSWESTRY), fund.applications
    for refused in (
        refusal(apps.save_draft, intruder, drafted, ProposalChange(summary="Ours now.")),
        refusal(apps.submit, intruder, drafted),
        refusal(apps.withdraw, intruder, drafted),
        refusal(apps.accept, intruder, decided),
        refusal(apps.decline_offer, intruder, decided, "Not for us."),
    ):
        assert (refused.kind, refused.rule) == (Refusal.FORBIDDEN, "Applicant")


# --- a grant's money ------------------------------------------------------------------------------------------


def test_an_instalment_waits_for_its_conditions_and_is_paid_once(market: Marketplace, clock: FixedClock) -> None:
    fund, grant_id, grants = granted(market, clock)
    day = today(clock)
    refused = refusal(grants.pay, request(), grant_id, Payment("first", None, day))
    assert (refused.rule, refused.kind) == ("ConditionsDischarged", Refusal.CONFLICT)
    grants.pay(request(), grant_id, Payment("second", None, day))  # waits for no condition
    assert refusal(grants.pay, request(), grant_id, Payment("second", None, day)).rule == "Once"
    assert refusal(grants.pay, request(ELSEWHERE), grant_id, Payment("first", None, day)).kind is Refusal.FORBIDDEN
    grants.discharge(request(), grant_id, "Policy seen.", "safeguarding", "Policy dated 2026.")
    tomorrow = Payment("first", None, day + timedelta(days=1))
    assert refusal(grants.pay, request(), grant_id, tomorrow).field == "paid_on"
    grants.pay(request(), grant_id, Payment("first", None, day))
    assert grant(market, grant_id).paid == Decimal("10000")


def test_a_monitoring_return_is_accepted_or_returned_with_reasons(market: Marketplace, clock: FixedClock) -> None:
    _, grant_id, grants = granted(market, clock)
    lead, q2 = request(provider(LUDLOW)), "2026-Q2"
    grants.submit_return(lead, grant_id, MonitoringReturn(q2, Decimal("2500"), "40 visits made."))
    assert refusal(grants.review_return, request(), grant_id, "", q2, False).rule == "ReasonGiven"
    grants.review_return(request(), grant_id, "Spend not evidenced.", q2, False)
    grants.submit_return(lead, grant_id, MonitoringReturn(q2, Decimal("2500"), "40 visits; receipts attached."))
    grants.review_return(request(), grant_id, "Evidenced.", q2, True)
    for period in (q2, f" {q2} "):  # accepted: not submitted again, however it is spaced
        assert refusal(grants.submit_return, lead, grant_id, MonitoringReturn(period, Decimal(1), "Again.")).rule == (
            "Once"
        )
    other = request(provider(OSWESTRY))
    assert refusal(grants.submit_return, other, grant_id, MonitoringReturn("2026-Q3", Decimal(0), "Ours.")).rule == (
        "Recipient"
    )
    with market.views() as session:
        row = find_grant(session, str(grant_id))
        assert row is not None and row["returns"] == {q2: "accepted"}


def test_a_variation_up_commits_money_the_budget_has_and_down_releases_it(
    market: Marketplace, clock: FixedClock
) -> None:
    fund, grant_id, grants = granted(market, clock, budget=Decimal("15000"), maximum_award=Decimal("15000"))
    grants.vary(request(), grant_id, "Extra sessions.", GrantVariation(amount=Decimal("12000")))
    assert committed(fund) == Decimal("12000")
    refused = refusal(grants.vary, request(), grant_id, "More.", GrantVariation(amount=Decimal("15000.01")))
    assert (refused.rule, refused.kind) == ("BudgetNotOverCommitted", Refusal.CONFLICT)
    assert (grant(market, grant_id).amount, committed(fund)) == (Decimal("12000"), Decimal("12000"))
    grants.vary(request(), grant_id, "Fewer sessions.", GrantVariation(amount=Decimal("8000")))
    assert (grant(market, grant_id).amount, committed(fund)) == (Decimal("8000"), Decimal("8000"))


def test_a_variation_cannot_take_the_award_below_what_is_paid_net(market: Marketplace, clock: FixedClock) -> None:
    fund, grant_id, grants = granted(market, clock)
    grants.pay(request(), grant_id, Payment("second", None, today(clock)))  # £5,000
    refused = refusal(grants.vary, request(), grant_id, "Less.", GrantVariation(amount=Decimal("4999.99")))
    assert (refused.rule, refused.kind) == ("PaidWithinAward", Refusal.CONFLICT)
    grants.claw_back(request(), grant_id, "Ineligible spend.", Decimal("1000"))  # £4,000 net, of £9,000
    grants.vary(request(), grant_id, "Less.", GrantVariation(amount=Decimal("4000")))
    assert committed(fund) == Decimal("4000")


def test_underspend_declared_then_returned_reduces_the_award_and_frees_its_money(
    market: Marketplace, clock: FixedClock
) -> None:
    fund, grant_id, grants = granted(market, clock)
    lead = request(provider(LUDLOW))
    assert refusal(grants.return_underspend, request(), grant_id, "None.", Decimal(0)).rule == "UnderspendDeclared"
    assert refusal(grants.declare_underspend, lead, grant_id, Decimal("10000.01"), "Too much.").field == "amount"
    grants.declare_underspend(lead, grant_id, Decimal("2000"), "A venue lent free.")
    grants.return_underspend(request(), grant_id, "Underspend agreed.", Decimal(0))
    after = grant(market, grant_id)
    assert (after.amount, after.underspend_declared, committed(fund)) == (Decimal("8000"), 0, Decimal("8000"))


def test_underspend_repaid_is_never_more_than_was_paid(market: Marketplace, clock: FixedClock) -> None:
    fund, grant_id, grants = granted(market, clock)
    grants.declare_underspend(request(provider(LUDLOW)), grant_id, Decimal("6000"), "Fewer visits needed.")
    refused = refusal(grants.return_underspend, request(), grant_id, "Repaid.", Decimal("0.01"))  # nothing paid yet
    assert (refused.field, refused.rule) == ("repaid", "ReclaimWithinPaid")
    grants.pay(request(), grant_id, Payment("second", None, today(clock)))  # £5,000
    assert refusal(grants.return_underspend, request(), grant_id, "Repaid.", Decimal("5000.01")).field == "repaid"
    grants.return_underspend(request(), grant_id, "Repaid.", Decimal("5000"))
    after = grant(market, grant_id)
    assert (after.amount, after.paid, after.reclaimed, committed(fund)) == (4000, 5000, 5000, 4000)


def test_a_clawback_takes_back_no_more_than_was_paid_and_not_yet_reclaimed(
    market: Marketplace, clock: FixedClock
) -> None:
    fund, grant_id, grants = granted(market, clock)
    grants.pay(request(), grant_id, Payment("second", None, today(clock)))  # £5,000
    for too_much in (Decimal("5000.01"), Decimal(0)):
        refused = refusal(grants.claw_back, request(), grant_id, "Misspent.", too_much)
        assert (refused.rule, refused.field) == ("ReclaimWithinPaid", "amount")
    grants.claw_back(request(), grant_id, "Misspent.", Decimal("3000"))
    assert (grant(market, grant_id).amount, committed(fund)) == (Decimal("7000"), Decimal("7000"))
    assert refusal(grants.claw_back, request(), grant_id, "Misspent.", Decimal("2000.01")).rule == "ReclaimWithinPaid"
    grants.claw_back(request(), grant_id, "Misspent.", Decimal("2000"))
    after = grant(market, grant_id)
    assert (after.paid, after.reclaimed, after.amount, committed(fund)) == (5000, 5000, 5000, 5000)


def test_closing_waits_for_pending_returns_then_releases_the_unpaid_balance(
    market: Marketplace, clock: FixedClock
) -> None:
    fund, grant_id, grants = granted(market, clock)
    day = today(clock)
    grants.pay(request(), grant_id, Payment("second", None, day))  # £5,000 of £10,000
    grants.submit_return(request(provider(LUDLOW)), grant_id, MonitoringReturn("2026-Q2", Decimal("5000"), "Done."))
    closure = Closure(day - timedelta(days=60), day)
    assert refusal(grants.close, request(), grant_id, "Project done.", closure).kind is Refusal.CONFLICT
    grants.review_return(request(), grant_id, "Evidenced.", "2026-Q2", True)
    early = Closure(day - timedelta(days=60), day + timedelta(days=1))
    assert refusal(grants.close, request(), grant_id, "Project done.", early).field == "actual_end"
    grants.close(request(), grant_id, "Project done.", closure)
    assert committed(fund) == Decimal("5000")
    with market.views() as session:
        row, programme = find_grant(session, str(grant_id)), find_programme(session, str(fund.programme_id))
        assert row is not None and programme is not None
        assert (row["status"], row["amount_awarded"], row["amount_disbursed"]) == ("closed", 5000, 5000)
        assert (programme["committed"], programme["disbursed"], programme["remaining"]) == (5000, 5000, 45000)
    assert refusal(grants.pay, request(), grant_id, Payment("first", None, day)).rule == "StateAllows"
