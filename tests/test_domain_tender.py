"""A tender's rules, without a database: terms, publication, questions, amendments, award and standstill."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.base import MarketplaceAggregate
from domain.rules import DomainError, Refusal
from domain.tendering.procurement import LIGHT_TOUCH_CATEGORIES, Category, Criterion, Lot, ProcurementPolicy
from domain.tendering.tender import Tender, Winner
from domain.tendering.terms import ConflictsAssessment, TermsChange
from domain.working_days import UK, add_working_days
from tests.tendering_fixtures import (
    AFTER_DEADLINE,
    AWARDED_AT,
    BIDDER,
    CLARIFICATION_DEADLINE,
    CRITERIA,
    DRAFTED_AT,
    DURING_TENDERING,
    LOTS,
    NO_CONFLICTS,
    POLICY,
    SUPPLIER,
    TENDER_DEADLINE,
    assessed,
    award,
    carries,
    drafted,
    in_evaluation,
    officer,
    provider,
    published,
    winner,
)

# --- terms --------------------------------------------------------------------------------------------------------

OTHER_KINDS = st.sampled_from(["quality", "social-value"])


@given(
    st.lists(st.tuples(OTHER_KINDS, st.integers(-10, 70)), max_size=5),
    st.sampled_from([0, 0, 0, -1, 1, 30]),
    st.integers(0, 30),
)
def test_weights_are_accepted_exactly_when_each_is_positive_they_sum_to_100_and_social_value_has_its_minimum(
    others: list[tuple[str, int]], off_by: int, social_value_minimum: int
) -> None:
    price_weight = 100 - sum(weight for _, weight in others) + off_by
    criteria = [Criterion("price", "Price", "price", price_weight)]
    criteria += [Criterion(f"c{i}", f"Criterion {i}", kind, weight) for i, (kind, weight) in enumerate(others)]
    weights = [c.weight for c in criteria]
    social_value = sum(c.weight for c in criteria if c.kind == "social-value")
    keeps_rules = all(w > 0 for w in weights) and sum(weights) == 100 and social_value >= social_value_minimum
    try:
        drafted(policy=ProcurementPolicy(social_value_minimum=social_value_minimum), criteria=criteria)
    except DomainError as refused:
        assert not keeps_rules
        assert (refused.field, refused.kind) == ("criteria", Refusal.INVALID)
    else:
        assert keeps_rules


def test_social_value_below_the_council_minimum_of_10_percent_is_refused() -> None:
    criteria = [Criterion("price", "Price", "price", 51), Criterion("q", "Quality", "quality", 40),
                Criterion("sv", "Social value", "social-value", 9)]  # fmt: skip
    with pytest.raises(DomainError) as refused:
        drafted(criteria=criteria)
    assert refused.value.rule == "SocialValueWeighted"


@pytest.mark.parametrize(
    "criteria",
    [
        [Criterion("q", "Quality", "quality", 90), Criterion("sv", "Social value", "social-value", 10)],
        [Criterion("p1", "Price", "price", 45), Criterion("p2", "Whole-life cost", "price", 45),
         Criterion("sv", "Social value", "social-value", 10)],
        [Criterion("price", "Price", "price", 50), Criterion("price", "Quality", "quality", 40),
         Criterion("sv", "Social value", "social-value", 10)],
    ],
    ids=["no-price", "two-prices", "duplicate-keys"],
)  # fmt: skip
def test_criteria_need_exactly_one_price_criterion_and_distinct_keys(criteria: list[Criterion]) -> None:
    with pytest.raises(DomainError) as refused:
        drafted(criteria=criteria)
    assert (refused.value.rule, refused.value.field) == ("OnePriceCriterion", "criteria")


@pytest.mark.parametrize(
    "lots",
    [[], [Lot("1", "A", Decimal(1000)), Lot("1", "B", Decimal(1000))], [Lot("1", "A", Decimal(0))]],
    ids=["none", "duplicate-ids", "zero-value"],  # a negative value is not money: tests/test_money.py names the lot
)  # fmt: skip
def test_a_tender_needs_distinct_lots_each_with_a_positive_value(lots: list[Lot]) -> None:
    with pytest.raises(DomainError) as refused:
        drafted(lots=lots)
    assert (refused.value.rule, refused.value.field) == ("LotsDistinct", "lots")


@pytest.mark.parametrize("category", list(Category))
def test_the_light_touch_procedure_is_only_for_social_care_and_health_categories(category: Category) -> None:
    try:
        tender = drafted(category=category, procedure="light-touch")
    except DomainError as refused:
        assert category not in LIGHT_TOUCH_CATEGORIES
        assert (refused.rule, refused.field) == ("ProcedureFitsCategory", "procedure")
    else:
        assert category in LIGHT_TOUCH_CATEGORIES
        assert tender.procedure == "light-touch"


@pytest.mark.parametrize(
    ("category", "threshold"),
    [("goods", "207720"), ("facilities-management", "207720"), ("works", "5193000"),
     ("adult-social-care", "663540"), ("childrens-services", "663540")],
)  # fmt: skip
def test_a_below_threshold_quotation_is_refused_from_the_threshold_itself_counting_every_lot(
    category: str, threshold: str
) -> None:
    def quotation(total: Decimal) -> Tender:
        half = (total / 2).quantize(Decimal("0.01"))
        lots = [Lot("1", "North", half), Lot("2", "South", total - half)]
        return drafted(category=category, procedure="below-threshold-quotation", lots=lots)

    assert quotation(Decimal(threshold) - Decimal("0.01")).procedure == "below-threshold-quotation"
    with pytest.raises(DomainError) as refused:
        quotation(Decimal(threshold))
    assert (refused.value.rule, refused.value.field) == ("ProcedureFitsCategory", "procedure")


@pytest.mark.parametrize("gap", [timedelta(0), timedelta(seconds=-1), timedelta(days=-3)])
def test_the_clarification_deadline_must_come_before_the_tender_deadline(gap: timedelta) -> None:
    with pytest.raises(DomainError) as refused:
        drafted(clarification_deadline=TENDER_DEADLINE - gap)
    assert refused.value.field == "clarification_deadline"
    assert drafted(clarification_deadline=TENDER_DEADLINE - timedelta(seconds=1)).status == "draft"


@pytest.mark.parametrize(("field", "value"), [("category", "catering"), ("procedure", "negotiated")])
def test_a_code_outside_its_code_list_is_refused_naming_the_field(field: str, value: str) -> None:
    with pytest.raises(DomainError) as refused:
        drafted(**{field: value})
    assert refused.value.field == field


def test_a_draft_may_be_revised_but_not_with_a_change_that_changes_nothing() -> None:
    tender = drafted()
    tender.revise(officer(), POLICY, TermsChange(title="Day opportunities in Clun"))
    assert tender.title == "Day opportunities in Clun"
    with pytest.raises(DomainError, match="changes nothing"):
        tender.revise(officer(), POLICY, TermsChange(title="Day opportunities in Clun"))


def test_a_revision_keeps_every_rule_of_the_terms() -> None:
    tender = drafted()
    with pytest.raises(DomainError) as refused:
        tender.revise(officer(), POLICY, TermsChange(criteria=[Criterion("price", "Price", "price", 100)]))
    assert refused.value.rule == "SocialValueWeighted"
    assert tender.criteria == CRITERIA and tender.version == 1


# --- publication --------------------------------------------------------------------------------------------------


def test_publishing_without_a_conflicts_assessment_is_refused() -> None:
    tender = drafted()
    with pytest.raises(DomainError) as refused:
        tender.publish(officer(), POLICY, "Approved")
    assert (refused.value.rule, refused.value.kind) == ("ConflictsAssessed", Refusal.CONFLICT)
    assert "s.83" in refused.value.message and tender.status == "draft"


def test_a_conflict_found_needs_its_mitigation_recorded() -> None:
    tender = drafted()
    with pytest.raises(DomainError) as refused:
        tender.record_conflicts_assessment(
            officer(), ConflictsAssessment(True, " "), "Officer's spouse works for a bidder"
        )
    assert refused.value.field == "mitigation"
    assessment = ConflictsAssessment(True, "Officer removed from the panel")
    tender.record_conflicts_assessment(officer(), assessment, "Spouse works for a bidder")
    assert tender.conflicts_assessed


def test_publishing_a_tender_whose_deadline_has_passed_is_refused() -> None:
    tender = assessed()
    with pytest.raises(DomainError) as refused:
        tender.publish(officer(TENDER_DEADLINE), POLICY, "Approved")
    assert (refused.value.rule, refused.value.field) == ("DeadlineAhead", "tender_deadline")


def test_publishing_after_the_clarification_deadline_is_refused() -> None:
    tender = assessed()
    with pytest.raises(DomainError, match="clarification deadline"):
        tender.publish(officer(CLARIFICATION_DEADLINE), POLICY, "Approved")


def test_an_above_threshold_tender_must_allow_25_days_before_its_deadline() -> None:
    above = {"category": "facilities-management", "clarification_deadline": TENDER_DEADLINE - timedelta(days=1)}
    too_late = assessed(**above)
    assert too_late.above_threshold
    with pytest.raises(DomainError) as refused:
        too_late.publish(officer(TENDER_DEADLINE - timedelta(days=25) + timedelta(minutes=1)), POLICY, "Approved")
    assert (refused.value.rule, refused.value.field) == ("DeadlineAhead", "tender_deadline")
    assert "25 days" in refused.value.message
    in_time = assessed(**above)
    in_time.publish(officer(TENDER_DEADLINE - timedelta(days=25, minutes=1)), POLICY, "Approved")
    assert in_time.status == "tendering"


def test_a_below_threshold_tender_may_be_published_with_a_short_deadline() -> None:
    tender = assessed(clarification_deadline=TENDER_DEADLINE - timedelta(days=1))
    assert not tender.above_threshold
    tender.publish(officer(TENDER_DEADLINE - timedelta(days=2)), POLICY, "Urgent respite cover")
    assert tender.status == "tendering"


@pytest.mark.parametrize("reason", ["", "   ", "ok"])
def test_publishing_is_a_decision_that_records_its_reason(reason: str) -> None:
    tender = assessed()
    with pytest.raises(DomainError) as refused:
        tender.publish(officer(), POLICY, reason)
    assert refused.value.field == "reason" and tender.status == "draft"
    tender.publish(officer(), POLICY, "  Approved by cabinet  ")
    event = tender.collect_events()[-1]
    assert isinstance(event, Tender.Published) and event.reason == "Approved by cabinet"
    assert tender.published_at == DRAFTED_AT


def test_a_tender_is_published_once_and_its_terms_are_no_longer_revised() -> None:
    tender = published()
    with pytest.raises(DomainError) as refused:
        tender.publish(officer(), POLICY, "Again")
    assert refused.value.kind is Refusal.CONFLICT
    with pytest.raises(DomainError) as refused:
        tender.revise(officer(), POLICY, TermsChange(title="Changed quietly"))
    assert refused.value.kind is Refusal.CONFLICT


# --- clarification questions --------------------------------------------------------------------------------------


def test_questions_are_taken_until_the_clarification_deadline_and_not_at_it() -> None:
    tender = published()
    assert tender.ask(provider(CLARIFICATION_DEADLINE - timedelta(seconds=1)), "Is transport included?") == "Q1"
    with pytest.raises(DomainError, match="clarification deadline") as refused:
        tender.ask(provider(CLARIFICATION_DEADLINE), "And meals?")
    assert refused.value.kind is Refusal.CONFLICT


def test_no_questions_before_publication() -> None:
    with pytest.raises(DomainError) as refused:
        drafted().ask(provider(DRAFTED_AT), "Is transport included?")
    assert refused.value.kind is Refusal.CONFLICT


def test_an_answer_is_given_once_to_a_question_that_was_asked() -> None:
    tender = published()
    question = tender.ask(provider(), "Is transport included?")
    tender.answer(officer(DURING_TENDERING), question, "  Yes, within the county.  ")
    assert tender.questions[question]["answer"] == "Yes, within the county."
    with pytest.raises(DomainError, match="already answered"):
        tender.answer(officer(DURING_TENDERING), question, "No.")
    with pytest.raises(DomainError) as refused:
        tender.answer(officer(DURING_TENDERING), "Q9", "Yes.")
    assert refused.value.kind is Refusal.NOT_FOUND


def test_the_asker_is_kept_on_record_but_never_named_in_the_published_answer() -> None:
    tender = published()
    tender.collect_events()
    question = tender.ask(provider(organisation=BIDDER), "Is transport included?")
    tender.answer(officer(DURING_TENDERING), question, "Yes, within the county.")
    assert tender.questions[question]["asked_by"] == BIDDER
    answered = tender.collect_events()[-1]
    assert isinstance(answered, Tender.QuestionAnswered)
    assert BIDDER not in repr(vars(answered))
    assert answered.actor.organisation != BIDDER


# --- amendments ---------------------------------------------------------------------------------------------------


def test_amending_published_terms_needs_a_reason_and_bumps_the_amendment_each_time() -> None:
    tender = published()
    with pytest.raises(DomainError) as refused:
        tender.amend(officer(DURING_TENDERING), POLICY, " ", TermsChange(title="Day opportunities in Clun"))
    assert refused.value.field == "reason" and tender.amendment == 0
    tender.amend(officer(DURING_TENDERING), POLICY, "Clarified scope", TermsChange(title="Day opportunities in Clun"))
    tender.amend(
        officer(DURING_TENDERING), POLICY, "More time", TermsChange(tender_deadline=TENDER_DEADLINE + timedelta(days=7))
    )
    assert tender.amendment == 2 and tender.tender_deadline == TENDER_DEADLINE + timedelta(days=7)
    amended = tender.collect_events()[-1]
    assert isinstance(amended, Tender.Amended)
    assert amended.terms == {"tender_deadline": TENDER_DEADLINE + timedelta(days=7)} and amended.reason == "More time"


def test_an_amendment_that_changes_nothing_or_breaks_a_rule_is_refused() -> None:
    tender = published()
    with pytest.raises(DomainError, match="changes nothing"):
        tender.amend(officer(DURING_TENDERING), POLICY, "No change", TermsChange(title=tender.title))
    with pytest.raises(DomainError) as refused:
        tender.amend(officer(DURING_TENDERING), POLICY, "Back-dated", TermsChange(tender_deadline=DURING_TENDERING))
    assert refused.value.field in ("clarification_deadline", "tender_deadline")
    assert tender.amendment == 0


@pytest.mark.parametrize(("days_after_publication", "allowed"), [(24, False), (25, False), (26, True)])
def test_an_amendment_cannot_cut_an_above_threshold_tendering_period_below_25_days_from_publication(
    days_after_publication: int, allowed: bool
) -> None:
    tender = published(lots=[Lot("1", "Day care", Decimal("700000"))])
    assert tender.above_threshold and tender.published_at is not None
    earlier = tender.published_at + timedelta(days=days_after_publication, minutes=1 if allowed else 0)
    if allowed:
        tender.amend(
            officer(DURING_TENDERING), POLICY, "Shorter, as the market allows", TermsChange(tender_deadline=earlier)
        )
        assert tender.tender_deadline == earlier
        return
    with pytest.raises(DomainError, match="at least 25 days") as refused:
        tender.amend(officer(DURING_TENDERING), POLICY, "Shorter", TermsChange(tender_deadline=earlier))
    assert refused.value.field == "tender_deadline" and tender.amendment == 0


def test_an_amendment_that_lifts_the_value_above_threshold_must_then_allow_the_minimum_period() -> None:
    tender = published(tender_deadline=DRAFTED_AT + timedelta(days=20))
    assert not tender.above_threshold
    with pytest.raises(DomainError, match="at least 25 days"):
        tender.amend(
            officer(DURING_TENDERING), POLICY, "Bigger", TermsChange(lots=[Lot("1", "Day care", Decimal("700000"))])
        )


def test_terms_cannot_be_amended_once_the_deadline_has_passed_even_before_tendering_is_closed() -> None:
    tender = published()
    with pytest.raises(DomainError, match="tender deadline") as refused:
        tender.amend(officer(TENDER_DEADLINE), POLICY, "Late change", TermsChange(title="Day opportunities in Clun"))
    assert refused.value.kind is Refusal.CONFLICT and tender.status == "tendering"


def test_a_draft_is_revised_not_amended() -> None:
    with pytest.raises(DomainError) as refused:
        drafted().amend(officer(), POLICY, "Change", TermsChange(title="Day opportunities in Clun"))
    assert refused.value.kind is Refusal.CONFLICT


# --- closing and opening ------------------------------------------------------------------------------------------


def test_tendering_closes_at_the_deadline_and_not_before() -> None:
    tender = published()
    with pytest.raises(DomainError, match="Not before"):
        tender.close_tendering(officer(TENDER_DEADLINE - timedelta(seconds=1)))
    tender.close_tendering(officer(TENDER_DEADLINE))
    assert tender.status == "closed"


def test_bids_are_not_opened_before_the_deadline() -> None:
    tender = published()
    with pytest.raises(DomainError) as refused:
        tender.open_bids(officer(TENDER_DEADLINE - timedelta(seconds=1)), ["bid-a"])
    assert refused.value.kind is Refusal.CONFLICT and tender.status == "tendering"


def test_opening_bids_after_the_deadline_closes_tendering_first_if_the_scheduler_has_not() -> None:
    tender = published()
    tender.collect_events()
    tender.open_bids(officer(AFTER_DEADLINE), ["bid-b", "bid-a"])
    closed, opened = tender.collect_events()
    assert isinstance(closed, Tender.TenderingClosed) and isinstance(opened, Tender.BidsOpened)
    assert opened.bid_ids == ["bid-a", "bid-b"] and tender.status == "evaluation"


def test_opening_bids_after_the_scheduler_closed_tendering_records_only_the_opening() -> None:
    tender = published()
    tender.close_tendering(officer(TENDER_DEADLINE))
    tender.collect_events()
    tender.open_bids(officer(AFTER_DEADLINE), [])
    assert [type(e) for e in tender.collect_events()] == [Tender.BidsOpened]


# --- award, standstill and contract -------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["draft", "tendering", "closed"])
def test_an_award_before_evaluation_is_refused(stage: str) -> None:
    tender = drafted() if stage == "draft" else published()
    if stage == "closed":
        tender.close_tendering(officer(AFTER_DEADLINE))
    with pytest.raises(DomainError) as refused:
        award(tender)
    assert refused.value.kind is Refusal.CONFLICT and not tender.awards


@given(st.dates(min_value=date(2026, 4, 2), max_value=date(2030, 12, 31)), st.booleans())
def test_above_threshold_standstill_ends_8_working_days_after_the_award_date_voluntary_or_not(
    day: date, voluntary: bool
) -> None:
    tender = in_evaluation(lots=[Lot("1", "Day care", Decimal("700000"))])
    assert tender.above_threshold
    award(tender, now=datetime.combine(day, AWARDED_AT.timetz()), voluntary_standstill=voluntary)
    assert tender.awards["1"].standstill_ends == add_working_days(day, POLICY.standstill_working_days)


def test_standstill_is_counted_without_weekends_or_bank_holidays() -> None:
    tender = in_evaluation()
    award(tender, now=AWARDED_AT)  # Thursday 2 April 2026; Good Friday and Easter Monday follow
    assert tender.awards["1"].standstill_ends == date(2026, 4, 16)


def test_an_award_just_after_midnight_in_summer_counts_standstill_from_the_uk_day_not_the_utc_one() -> None:
    tender = in_evaluation()
    award(tender, now=datetime(2026, 6, 1, 23, 30, tzinfo=UTC))  # 00:30 on Tuesday 2 June in London
    assert tender.awards["1"].standstill_ends == add_working_days(date(2026, 6, 2), POLICY.standstill_working_days)


def test_a_contract_is_concluded_only_after_the_standstill_ends() -> None:
    tender = in_evaluation()
    award(tender)
    last_day = tender.awards["1"].standstill_ends
    assert last_day is not None
    with pytest.raises(DomainError, match="standstill") as refused:
        tender.conclude_contract(officer(datetime.combine(last_day, datetime.max.time(), UK)), "1", uuid4())
    assert refused.value.kind is Refusal.CONFLICT
    contract_id = uuid4()
    next_day = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), UK)
    assert tender.conclude_contract(officer(next_day), "1", contract_id).bid_id == "bid-a"
    assert tender.awards["1"].contract_id == str(contract_id)


def test_below_threshold_without_a_voluntary_standstill_the_contract_may_be_concluded_at_once() -> None:
    tender = in_evaluation()
    award(tender, voluntary_standstill=False)
    assert tender.awards["1"].standstill_ends is None
    tender.conclude_contract(officer(AWARDED_AT), "1", uuid4())


def test_a_contract_for_a_lot_not_awarded_is_refused() -> None:
    with pytest.raises(DomainError, match="not been awarded"):
        in_evaluation().conclude_contract(officer(AWARDED_AT), "1", uuid4())


def test_a_lot_is_awarded_once() -> None:
    tender = in_evaluation()
    award(tender)
    with pytest.raises(DomainError) as refused:
        award(tender)
    assert (refused.value.rule, refused.value.kind) == ("LotOpen", Refusal.CONFLICT)


def test_an_award_of_a_lot_the_tender_does_not_have_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        award(in_evaluation(), lot_id="9")
    assert refused.value.kind is Refusal.NOT_FOUND


def test_the_tender_is_complete_once_every_lot_has_a_contract_or_is_cancelled() -> None:
    tender = in_evaluation()
    award(tender, voluntary_standstill=False)
    tender.conclude_contract(officer(AWARDED_AT), "1", uuid4())
    assert tender.status == "evaluation"
    tender.cancel_lot(officer(AWARDED_AT), "2", "No compliant bids for respite care")
    assert tender.status == "complete"


# --- cancellation -------------------------------------------------------------------------------------------------


def _in_stage(stage: str) -> Tender:
    tender = {"draft": drafted, "tendering": published, "closed": published, "evaluation": in_evaluation}[stage]()
    if stage == "closed":
        tender.close_tendering(officer(AFTER_DEADLINE))
    return tender


@pytest.mark.parametrize("stage", ["draft", "tendering", "closed", "evaluation"])
def test_a_tender_may_be_cancelled_from_any_non_final_state_with_a_reason(stage: str) -> None:
    tender = _in_stage(stage)
    with pytest.raises(DomainError) as refused:
        tender.cancel(officer(AFTER_DEADLINE), "")
    assert refused.value.field == "reason" and tender.status == stage
    tender.cancel(officer(AFTER_DEADLINE), "Budget withdrawn by cabinet")
    assert tender.status == "cancelled"


def test_a_cancelled_or_complete_tender_cannot_be_cancelled() -> None:
    cancelled = drafted()
    cancelled.cancel(officer(), "Budget withdrawn")
    complete = in_evaluation()
    for lot_id in ("1", "2"):
        award(complete, lot_id, voluntary_standstill=False)
        complete.conclude_contract(officer(AWARDED_AT), lot_id, uuid4())
    assert complete.status == "complete"
    for tender in (cancelled, complete):
        with pytest.raises(DomainError) as refused:
            tender.cancel(officer(AWARDED_AT), "Again")
        assert refused.value.kind is Refusal.CONFLICT


def test_a_tender_with_a_contract_is_not_cancelled_its_remaining_lots_are() -> None:
    tender = in_evaluation()
    award(tender, voluntary_standstill=False)
    tender.conclude_contract(officer(AWARDED_AT), "1", uuid4())
    with pytest.raises(DomainError) as refused:
        tender.cancel(officer(AWARDED_AT), "Budget withdrawn")
    assert (refused.value.rule, refused.value.kind) == ("NoContractYet", Refusal.CONFLICT)
    assert tender.status == "evaluation"


def test_an_awarded_lot_cannot_be_cancelled_on_its_own() -> None:
    tender = in_evaluation()
    award(tender)
    with pytest.raises(DomainError) as refused:
        tender.cancel_lot(officer(AWARDED_AT), "1", "Changed our mind")
    assert refused.value.rule == "LotOpen"


def test_no_contract_is_concluded_for_a_tender_cancelled_during_standstill() -> None:
    tender = in_evaluation()
    award(tender)
    tender.cancel(officer(AWARDED_AT + timedelta(days=1)), "Bidder's insurance lapsed; re-procuring")
    with pytest.raises(DomainError) as refused:
        tender.conclude_contract(officer(AWARDED_AT + timedelta(days=30)), "1", uuid4())
    assert refused.value.kind is Refusal.CONFLICT
    assert tender.status == "cancelled"


def test_a_lot_gets_one_contract() -> None:
    tender = in_evaluation()
    award(tender, voluntary_standstill=False)
    first = uuid4()
    tender.conclude_contract(officer(AWARDED_AT), "1", first)
    with pytest.raises(DomainError) as refused:
        tender.conclude_contract(officer(AWARDED_AT), "1", uuid4())
    assert refused.value.kind is Refusal.CONFLICT
    assert tender.awards["1"].contract_id == str(first)


# --- every event --------------------------------------------------------------------------------------------------


def test_every_tender_event_carries_its_commands_actor_request_and_time_and_every_decision_its_reason() -> None:
    steps = [
        (officer(DRAFTED_AT), drafted),
        (officer(DRAFTED_AT + timedelta(hours=1)),
         lambda ctx: tender.record_conflicts_assessment(ctx, NO_CONFLICTS, "None found")),
        (officer(DRAFTED_AT + timedelta(hours=2)), lambda ctx: tender.publish(ctx, POLICY, "Approved")),
        (provider(DURING_TENDERING), lambda ctx: tender.ask(ctx, "Is transport included?")),
        (officer(DURING_TENDERING + timedelta(hours=1)), lambda ctx: tender.answer(ctx, "Q1", "Yes.")),
        (officer(DURING_TENDERING + timedelta(hours=2)),
         lambda ctx: tender.amend(ctx, POLICY, "Retitled", TermsChange(title="Day opportunities in Clun"))),
        (officer(AFTER_DEADLINE), lambda ctx: tender.open_bids(ctx, ["bid-a"])),
        (officer(AWARDED_AT), lambda ctx: tender.award_lot(ctx, POLICY, "Most advantageous tender",
                                                            Winner("2", SUPPLIER, Decimal("1000.00"), [winner()]))),
        (officer(AWARDED_AT), lambda ctx: tender.cancel_lot(ctx, "1", "No affordable bids")),
    ]  # fmt: skip
    tender = steps[0][1](steps[0][0])
    expected = [steps[0][0]]
    for ctx, command in steps[1:]:
        before = len(tender.pending_events)
        command(ctx)
        expected += [ctx] * (len(tender.pending_events) - before)
    events = tender.collect_events()
    assert len(events) == len(expected) == 10
    for event, ctx in zip(events, expected, strict=True):
        assert carries(event, ctx)
    assert [e.reason for e in events if isinstance(e, MarketplaceAggregate.Decision)] == [
        "None found", "Approved", "Retitled", "Most advantageous tender", "No affordable bids",
    ]  # fmt: skip


def test_terms_unchanged_by_a_refused_command() -> None:
    tender = published()
    version = tender.version
    with pytest.raises(DomainError):
        tender.amend(officer(DURING_TENDERING), POLICY, "Bad weights", TermsChange(criteria=CRITERIA[:1]))
    assert (tender.version, tender.criteria, tender.lots) == (version, CRITERIA, LOTS)
