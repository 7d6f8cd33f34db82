"""A care micro-enterprise registration's rules, without a database: application, evidence, checks, decisions,
renewal by the clock, suspension, withdrawal and availability."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.base import MarketplaceAggregate
from domain.care.micro_enterprise import (
    APPLIED,
    LAPSED,
    LISTED,
    RENEWAL_DUE,
    SUSPENDED,
    WITHDRAWN,
    Corrections,
    EvidenceItem,
    MicroEnterprisePolicy,
    registration_uuid,
)
from domain.care.registration import Registration
from domain.rules import DomainError, Refusal
from tests.registration_fixtures import (
    APPLIED_AT,
    INSURANCE_EXPIRES,
    LAPSED_AT,
    MICRO,
    POLICY,
    RENEWAL_DUE_AT,
    all_checked,
    application,
    applied,
    checked,
    listed,
    micro_organisation,
    officer,
    provider,
    renew_insurance,
    with_evidence,
)


def refused(attempt: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        attempt()
    return caught.value


def add(registration: Registration, kind: str, name: str = "Someone", **dates: Any) -> str:
    item = EvidenceItem(kind, name, dates.pop("issued", date(2026, 1, 5)), **dates)
    return registration.add_evidence(provider(), POLICY, item).evidence_id


# --- applying -------------------------------------------------------------------------------------------------------


def test_an_application_is_one_aggregate_per_organisation_and_starts_awaiting_checks() -> None:
    registration = applied()
    assert registration.id == registration_uuid(MICRO)
    assert (registration.status, registration.standing(APPLIED_AT, POLICY)) == (APPLIED, APPLIED)
    assert registration.available_hours == registration.weekly_capacity_hours == 60
    assert registration.name == "Clun Valley Carers"


@pytest.mark.parametrize("size", ["small", "medium", "large"])
def test_only_an_organisation_of_size_class_micro_may_apply(size: str) -> None:
    error = refused(lambda: applied(micro_organisation(size)))
    assert (error.rule, error.field, error.kind) == ("MicroEnterprise", "organisation", Refusal.INVALID)


def test_a_deactivated_organisation_may_not_apply() -> None:
    organisation = micro_organisation()
    organisation.deactivate(officer(), "Dissolved")
    assert refused(lambda: applied(organisation)).kind is Refusal.CONFLICT


@given(st.integers(-3, 20))
def test_a_micro_enterprise_has_1_to_8_workers(workers: int) -> None:
    try:
        registration = applied(workers=workers)
    except DomainError as error:
        assert not 1 <= workers <= 8
        assert (error.rule, error.field) == ("WorkersWithinLimit", "workers")
        assert "1 to 8 workers" in error.message
    else:
        assert registration.workers == workers


def test_the_worker_limit_is_the_councils_policy() -> None:
    policy = MicroEnterprisePolicy(max_workers=5)
    with pytest.raises(DomainError, match="1 to 5 workers"):
        Registration.submit_application(provider(), policy, micro_organisation(), application(workers=6))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"services": []}, "services"),
        ({"services": ["personal-care", "dog-walking"]}, "services"),
        ({"districts": [], "parishes": []}, "districts"),
        ({"districts": ["Clun"]}, "districts"),
        ({"parishes": [""]}, "parishes"),
        ({"weekly_capacity_hours": 0}, "weekly_capacity_hours"),
        ({"weekly_capacity_hours": 2 * 168 + 1}, "weekly_capacity_hours"),
        ({"hourly_rate": Decimal("0")}, "hourly_rate"),
        ({"hourly_rate": Decimal("12.345")}, "hourly_rate"),
    ],
)
def test_an_application_names_its_services_area_capacity_and_rate(overrides: dict[str, Any], field: str) -> None:
    assert refused(lambda: applied(**overrides)).field == field


def test_services_and_areas_are_normalised() -> None:
    registration = applied(
        services=["respite", "companionship", "respite"],
        districts=["sy7", "SY9"],
        parishes=["  Clun ", "clun", "Bishop's  Castle"],
    )
    assert registration.services == ["companionship", "respite"]
    assert registration.districts == ["SY7", "SY9"]
    assert registration.parishes == ["Bishop's Castle", "Clun"]


# --- evidence -------------------------------------------------------------------------------------------------------


@given(st.decimals(min_value=0, max_value=20_000_000, places=2))
def test_public_liability_insurance_must_cover_at_least_the_policy_minimum_of_5m(amount: Decimal) -> None:
    registration = applied()
    try:
        add(registration, "public-liability-insurance", "Mutual", expires=date(2027, 1, 1), amount=amount)
    except DomainError as error:
        assert amount < Decimal("5000000")
        assert (error.rule, error.field) == ("InsuranceCoverMeetsPolicy", "amount")
        assert "at least GBP 5,000,000" in error.message
    else:
        assert amount >= Decimal("5000000")


def test_a_dbs_check_is_due_for_renewal_three_years_after_its_issue_date() -> None:
    registration = applied()
    evidence_id = add(registration, "dbs-check", "Mo Evans", issued=date(2024, 2, 29))
    assert registration.evidence[evidence_id].expires == date(2027, 2, 28)
    error = refused(lambda: add(registration, "dbs-check", "Sam", issued=date(2025, 1, 1), expires=date(2030, 1, 1)))
    assert error.field == "expires"
    error = refused(lambda: add(registration, "dbs-check", "Sam", issued=date(2023, 3, 1)))
    assert (error.field, error.rule) == ("expires", "StillInDate")


@pytest.mark.parametrize(
    ("kind", "dates", "field"),
    [
        ("training-certificate", {"issued": date(2026, 3, 3)}, "issued"),
        ("training-certificate", {"issued": date(2024, 1, 1), "expires": date(2026, 3, 2)}, "expires"),
        ("training-certificate", {"issued": date(2026, 1, 1), "amount": Decimal("10")}, "amount"),
        ("public-liability-insurance", {"amount": Decimal("5000000")}, "expires"),
        ("public-liability-insurance", {"expires": date(2027, 1, 1)}, "amount"),
        ("cqc-registration", {"reference": "1-101234567"}, "kind"),
        ("astrology", {}, "kind"),
    ],
)
def test_evidence_is_in_date_and_says_what_its_kind_needs(kind: str, dates: dict[str, Any], field: str) -> None:
    assert refused(lambda: add(applied(), kind, **dates)).field == field


def test_a_cqc_registration_is_needed_where_the_activity_is_regulated_and_gives_its_number() -> None:
    registration = all_checked(with_evidence(applied(cqc_regulated=True)))
    error = refused(lambda: registration.approve(officer(), POLICY, "Checks passed"))
    assert "CQC registration" in error.message
    assert refused(lambda: add(registration, "cqc-registration", reference="12345")).field == "reference"
    evidence_id = add(registration, "cqc-registration", "", reference="1-101234567")
    registration.record_check(officer(), POLICY, checked(evidence_id, True, "Found on the CQC register"))
    registration.approve(officer(), POLICY, "Checks passed")
    assert registration.status == LISTED


# --- checks and approval --------------------------------------------------------------------------------------------


def test_approval_with_a_missing_check_is_refused_naming_the_evidence() -> None:
    registration = with_evidence(applied())
    registration.record_check(officer(), POLICY, checked("E1", True, "Seen the certificate"))
    error = refused(lambda: registration.approve(officer(), POLICY, "Looks fine"))
    assert (error.rule, error.kind, error.field) == ("EveryItemChecked", Refusal.CONFLICT, "evidence")
    assert "not yet checked: E2 (dbs-check)" in error.message
    assert registration.status == APPLIED


def test_approval_with_a_failed_check_is_refused_until_the_evidence_is_replaced_and_passes() -> None:
    registration = with_evidence(applied())
    registration.record_check(officer(), POLICY, checked("E3", False, "Cover is for another business"))
    all_checked(registration)
    error = refused(lambda: registration.approve(officer(), POLICY, "Looks fine"))
    assert error.rule == "NoFailedCheck"
    assert "E3 (public-liability-insurance)" in error.message
    replacement = renew_insurance(registration, APPLIED_AT)
    assert refused(lambda: registration.approve(officer(), POLICY, "Looks fine")).rule == "EveryItemChecked"
    registration.record_check(officer(), POLICY, checked(replacement, True, "Policy schedule seen"))
    registration.approve(officer(), POLICY, "All checks passed")
    assert registration.status == LISTED


def test_approval_needs_a_dbs_check_for_every_worker_insurance_training_and_two_references() -> None:
    registration = applied(workers=3)
    add(registration, "dbs-check", "Mo Evans")
    add(registration, "reference", "Dr A Jones")
    all_checked(registration)
    error = refused(lambda: registration.approve(officer(), POLICY, "Looks fine"))
    assert error.rule == "EvidenceComplete"
    missing = [
        "DBS check for every worker (1 of 3)",
        "public liability insurance",
        "training",
        "2 references (1 given)",
    ]
    assert all(what in error.message for what in missing), error.message


def test_approval_with_expired_evidence_is_refused_by_the_clock() -> None:
    registration = all_checked(with_evidence(applied()))
    error = refused(lambda: registration.approve(officer(LAPSED_AT), POLICY, "Looks fine"))
    assert error.rule == "EvidenceInDate"


def test_a_check_has_a_note_and_is_recorded_once_on_the_newest_evidence_of_its_kind() -> None:
    registration = with_evidence(applied())
    assert refused(lambda: registration.record_check(officer(), POLICY, checked("E1", True, ""))).field == "note"
    assert (
        refused(lambda: registration.record_check(officer(), POLICY, checked("E99", True, "Seen"))).kind
        is Refusal.NOT_FOUND
    )
    registration.record_check(officer(), POLICY, checked("E1", True, "Seen"))
    assert (
        refused(lambda: registration.record_check(officer(), POLICY, checked("E1", False, "Again"))).rule
        == "CheckedOnce"
    )
    renewed = renew_insurance(registration, APPLIED_AT)
    error = refused(lambda: registration.record_check(officer(), POLICY, checked("E3", True, "Seen")))
    assert (error.rule, error.kind) == ("EvidenceCurrent", Refusal.CONFLICT)
    assert renewed in error.message


def test_a_rejection_is_corrected_and_resubmitted_for_checks_again() -> None:
    registration = with_evidence(applied(workers=3))
    registration.reject(officer(), "Only two of three workers have a DBS check")
    add(registration, "dbs-check", "Kim Lee")
    registration.resubmit(provider(), POLICY, Corrections(weekly_capacity_hours=40, parishes=["Clun", "Newcastle"]))
    assert (registration.status, registration.weekly_capacity_hours, registration.available_hours) == (APPLIED, 40, 40)
    assert registration.parishes == ["Clun", "Newcastle"]
    all_checked(registration)
    registration.approve(officer(), POLICY, "All checks passed")
    assert registration.status == LISTED
    assert refused(lambda: registration.resubmit(provider(), POLICY, Corrections())).kind is Refusal.CONFLICT


# --- renewal by the clock -------------------------------------------------------------------------------------------


def test_the_standing_follows_the_clock_without_any_event() -> None:
    registration = listed()
    version = registration.version
    moments = {
        RENEWAL_DUE_AT - timedelta(days=1): LISTED,
        RENEWAL_DUE_AT: RENEWAL_DUE,
        LAPSED_AT - timedelta(seconds=1): RENEWAL_DUE,
        LAPSED_AT: LAPSED,
        LAPSED_AT + timedelta(days=400): LAPSED,
    }
    assert {moment: registration.standing(moment, POLICY) for moment in moments} == moments
    assert registration.version == version


def test_renewed_evidence_replaces_the_old_only_once_its_check_passes() -> None:
    registration = listed()
    renewed = renew_insurance(registration, RENEWAL_DUE_AT)
    assert registration.standing(RENEWAL_DUE_AT, POLICY) == RENEWAL_DUE  # still stands on the old policy
    registration.record_check(officer(RENEWAL_DUE_AT), POLICY, checked(renewed, True, "New schedule seen"))
    assert registration.standing(RENEWAL_DUE_AT, POLICY) == LISTED
    assert registration.earliest_expiry() == date(2027, 6, 30)


def test_a_lapsed_listing_is_restored_when_renewed_evidence_passes_its_check() -> None:
    registration = listed()
    registration.collect_events()
    renewed = renew_insurance(registration, LAPSED_AT)
    assert registration.standing(LAPSED_AT, POLICY) == LAPSED
    registration.record_check(officer(LAPSED_AT), POLICY, checked(renewed, True, "New schedule seen"))
    assert registration.standing(LAPSED_AT, POLICY) == LISTED
    kinds = [type(event).__name__ for event in registration.collect_events()]
    assert kinds == ["EvidenceAdded", "CheckRecorded", "Restored"]


def test_a_failed_renewal_check_leaves_the_listing_to_lapse() -> None:
    registration = listed()
    renewed = renew_insurance(registration, RENEWAL_DUE_AT)
    registration.record_check(
        officer(RENEWAL_DUE_AT), POLICY, checked(renewed, False, "Cover under GBP 5m in the schedule")
    )
    assert registration.standing(LAPSED_AT, POLICY) == LAPSED


def test_the_chronograph_records_renewal_due_then_lapsed_once_each() -> None:
    registration = listed()
    system = officer  # the scheduler's context is just another context here
    assert refused(lambda: registration.record_standing(system(APPLIED_AT), POLICY)).rule == "ClockHasNews"
    assert registration.record_standing(system(RENEWAL_DUE_AT), POLICY) == RENEWAL_DUE
    event = registration.collect_events()[-1]
    assert isinstance(event, Registration.RenewalDue)
    assert (event.evidence_ids, event.expires_on) == (["E3"], INSURANCE_EXPIRES)
    assert refused(lambda: registration.record_standing(system(RENEWAL_DUE_AT), POLICY)).rule == "ClockHasNews"
    assert registration.record_standing(system(LAPSED_AT), POLICY) == LAPSED
    assert refused(lambda: registration.record_standing(system(LAPSED_AT), POLICY)).rule == "ClockHasNews"
    renewed = renew_insurance(registration, LAPSED_AT)
    registration.record_check(officer(LAPSED_AT), POLICY, checked(renewed, True, "New schedule seen"))
    next_year = datetime(2027, 6, 1, tzinfo=LAPSED_AT.tzinfo)
    assert registration.record_standing(system(next_year), POLICY) == RENEWAL_DUE


# --- suspension, withdrawal, availability ---------------------------------------------------------------------------


def test_a_suspended_registration_cannot_be_listed_until_reinstated() -> None:
    registration = all_checked(with_evidence(applied()))
    registration.suspend(officer(), "Safeguarding concern raised by a family")
    error = refused(lambda: registration.approve(officer(), POLICY, "All checks passed"))
    assert (error.rule, error.kind) == ("NotSuspended", Refusal.CONFLICT)
    assert "reinstate it first" in error.message
    registration.reinstate(officer(), "Concern investigated and closed")
    assert registration.status == APPLIED
    registration.approve(officer(), POLICY, "All checks passed")
    assert registration.status == LISTED


def test_suspending_a_listing_takes_it_out_whatever_its_evidence_and_reinstating_puts_it_back() -> None:
    registration = listed()
    registration.suspend(officer(), "Safeguarding concern")
    assert registration.standing(APPLIED_AT, POLICY) == SUSPENDED
    assert refused(lambda: registration.suspend(officer(), "Again")).kind is Refusal.CONFLICT
    registration.reinstate(officer(), "Investigated: no case to answer")
    assert registration.standing(APPLIED_AT, POLICY) == LISTED


def test_withdrawal_is_final() -> None:
    registration = listed()
    registration.withdraw(provider(), "Retiring")
    assert registration.status == WITHDRAWN
    for attempt in (
        lambda: registration.reinstate(officer(), "Reason"),
        lambda: registration.withdraw(provider(), "Again"),
        lambda: add(registration, "reference", "Dr B"),
        lambda: registration.update_availability(provider(), 10),
    ):
        assert refused(attempt).kind is Refusal.CONFLICT


@given(st.integers(-5, 80))
def test_available_hours_are_between_none_and_the_weekly_capacity(hours: int) -> None:
    registration = listed()
    try:
        registration.update_availability(provider(), hours)
    except DomainError as error:
        assert error.field == "available_hours"
        assert not 0 <= hours <= 60 or hours == 60  # out of range, or no change
    else:
        assert registration.available_hours == hours


# --- the record -----------------------------------------------------------------------------------------------------


def test_every_event_records_who_acted_when_and_in_which_request() -> None:
    registration = listed()
    registration.suspend(officer(), "Safeguarding concern")
    for event in registration.collect_events():
        assert event.actor.role.value in ("provider", "commissioner")  # type: ignore[attr-defined]
        assert event.correlation_id.startswith("req-")  # type: ignore[attr-defined]
        assert event.timestamp == APPLIED_AT


@pytest.mark.parametrize("decision", ["approve", "reject", "suspend", "reinstate", "withdraw"])
def test_every_decision_records_its_reason_and_refuses_without_one(decision: str) -> None:
    registration = all_checked(with_evidence(applied()))
    if decision == "reinstate":
        registration.suspend(officer(), "Safeguarding concern")
    act = {
        "approve": lambda reason: registration.approve(officer(), POLICY, reason),
        "reject": lambda reason: registration.reject(officer(), reason),
        "suspend": lambda reason: registration.suspend(officer(), reason),
        "reinstate": lambda reason: registration.reinstate(officer(), reason),
        "withdraw": lambda reason: registration.withdraw(provider(), reason),
    }[decision]
    version = registration.version
    assert refused(lambda: act("  ")).field == "reason"
    assert registration.version == version
    act("  The reason, recorded  ")
    event = registration.collect_events()[-1]
    assert isinstance(event, MarketplaceAggregate.Decision)
    assert event.reason == "The reason, recorded"
    assert registration.decision_reason == "The reason, recorded"
