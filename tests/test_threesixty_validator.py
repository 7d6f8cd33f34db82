"""The 360Giving validator itself: it must pass what the standard allows and refuse what it does not.

Tests that check the project's 360Giving export lean on `tests.threesixty`; a validator that passes everything
would make them worthless, so each of its checks is shown here to fail as well as to pass.
"""

from __future__ import annotations

import copy
import socket
from datetime import date
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from tests import threesixty
from tests.threesixty import (
    codelist_errors,
    codelist_fields,
    data_quality_warnings,
    format_checker,
    remote_refs,
    validate_package,
)

TODAY = date(2026, 6, 1)


def grant(**changes: Any) -> dict[str, Any]:
    """The smallest grant the standard accepts (to an organisation), with `changes` applied."""
    minimal: dict[str, Any] = {
        "id": "360G-TEST-1",
        "title": "Village hall roof",
        "description": "A new roof for the village hall.",
        "currency": "GBP",
        "amountAwarded": 12500,
        "awardDate": "2026-03-01",
        "fundingOrganization": [{"id": "GB-LAE-SHR", "name": "Shropshire Council"}],
        "recipientOrganization": [{"id": "GB-CHC-1234567", "name": "Anytown Village Hall"}],
    }
    minimal.update(changes)
    return minimal


def package(*grants: dict[str, Any]) -> dict[str, Any]:
    return {"grants": list(grants) or [grant()]}


def without(field: str) -> dict[str, Any]:
    incomplete = grant()
    del incomplete[field]
    return incomplete


def complete(**changes: Any) -> dict[str, Any]:
    """A grant with the optional fields the quality checks look for, so only the change under test is flagged."""
    optional: dict[str, Any] = {
        "grantProgramme": [{"code": "CHF", "title": "Community Halls Fund"}],
        "beneficiaryLocation": [{"name": "Anytown", "geoCode": "E05008451", "geoCodeType": "WD"}],
        "plannedDates": [{"startDate": "2026-04-01", "endDate": "2027-03-31"}],
    }
    return grant(**(optional | changes))


def mentions(errors: list[str], path: str) -> bool:
    return any(error.startswith(path + ":") for error in errors)


# --- the schema ----------------------------------------------------------------------------------------------------


def test_a_minimal_grant_package_is_valid() -> None:
    assert validate_package(package()) == []
    assert codelist_errors(package()) == []


def test_a_package_may_carry_the_metadata_the_package_schema_describes() -> None:
    described = package() | {
        "version": "1.4",
        "title": "Shropshire Council grants",
        "issued": "2026-03-02",
        "modified": "2026-03-02T09:00:00+00:00",
        "publisher": {"name": "Shropshire Council", "identifier": "GB-LAE-SHR"},
    }
    assert validate_package(described) == []


def test_a_package_without_grants_is_refused() -> None:
    assert mentions(validate_package({}), "(package)")
    assert mentions(validate_package({"grants": []}), "grants")


@pytest.mark.parametrize("field", ["id", "title", "description", "currency", "amountAwarded", "awardDate"])
def test_a_grant_missing_a_required_field_is_refused_naming_the_field(field: str) -> None:
    errors = validate_package(package(without(field)))
    assert len(errors) == 1
    assert errors[0].startswith("grants/0:")
    assert f"'{field}' is a required property" in errors[0]


def test_a_grant_needs_a_recipient_organisation_or_an_individual_but_not_both() -> None:
    assert mentions(validate_package(package(without("recipientOrganization"))), "grants/0")
    individual = without("recipientOrganization") | {"recipientIndividual": {"id": "360G-TEST-IND-1", "name": "A"}}
    assert validate_package(package(individual)) == []
    both = grant(recipientIndividual={"id": "360G-TEST-IND-1", "name": "A"})
    assert mentions(validate_package(package(both)), "grants/0")


def test_an_organisation_without_a_name_is_refused() -> None:
    nameless = grant(recipientOrganization=[{"id": "GB-CHC-1234567"}])
    errors = validate_package(package(nameless))
    assert mentions(errors, "grants/0/recipientOrganization/0")
    assert "'name' is a required property" in errors[0]


def test_an_amount_written_as_text_is_refused() -> None:
    errors = validate_package(package(grant(amountAwarded="12500")))
    assert errors == ["grants/0/amountAwarded: '12500' is not of type 'number'"]


@pytest.mark.parametrize("award_date", ["2026-03-01", "2026-03-01T10:00:00+00:00", "2026-03-01T10:00:00Z"])
def test_an_award_date_may_be_a_date_or_a_full_date_time(award_date: str) -> None:
    assert validate_package(package(grant(awardDate=award_date))) == []


@pytest.mark.parametrize(
    "award_date",
    [
        "2026-02-30",  # matches the standard's YYYY-MM-DD regex, but is no day of the calendar
        "2026-13-01",
        "yesterday",
        "01/03/2026",
        "2026-03-01T10:00:00",  # a date-time needs its offset from UTC
        "2026-03-01T25:00:00+00:00",
    ],
)
def test_an_award_date_that_is_not_a_date_is_refused(award_date: str) -> None:
    errors = validate_package(package(grant(awardDate=award_date)))
    assert len(errors) == 1
    assert mentions(errors, "grants/0/awardDate")


@pytest.mark.parametrize("modified", ["2026-03-01", "2026-03-01T10:00:00", "2026-02-30T10:00:00Z"])
def test_a_last_modified_that_is_not_a_full_date_time_is_refused(modified: str) -> None:
    errors = validate_package(package(grant(dateModified=modified)))
    assert errors == [f"grants/0/dateModified: {modified!r} is not a 'date-time'"]


@pytest.mark.parametrize("start", ["2026", "2026-04", "2026-04-01", "2026-04-01T09:00:00+01:00"])
def test_planned_dates_may_leave_out_the_day_or_the_month(start: str) -> None:
    assert validate_package(package(grant(plannedDates=[{"startDate": start, "duration": 12}]))) == []


@pytest.mark.parametrize("start", ["2026-02-30", "2026-4", "April 2026"])
def test_a_planned_start_that_is_not_a_date_is_refused(start: str) -> None:
    errors = validate_package(package(grant(plannedDates=[{"startDate": start}])))
    assert mentions(errors, "grants/0/plannedDates/0/startDate")


def test_the_same_grant_twice_in_a_package_is_refused() -> None:
    assert mentions(validate_package(package(grant(), grant())), "grants")


def test_the_package_schema_refers_to_the_grant_schema_by_a_remote_url_that_is_served_locally() -> None:
    assert remote_refs() == [
        "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json"
    ]


def test_validation_never_reaches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the 360Giving validator tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    threesixty._validator.cache_clear()
    try:
        assert validate_package(package()) == []
        assert mentions(validate_package(package(without("title"))), "grants/0")
    finally:
        threesixty._validator.cache_clear()


def test_the_validator_refuses_to_run_when_date_times_cannot_be_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Draft202012Validator, "FORMAT_CHECKER", FormatChecker(formats=["date"]))
    with pytest.raises(RuntimeError, match="rfc3339-validator"):
        format_checker()


# --- codelists -----------------------------------------------------------------------------------------------------


def test_the_codelist_fields_are_read_from_the_schema() -> None:
    found = {("/".join(field.path), field.codelist) for field in codelist_fields()}
    assert ("currency", "currency.csv") in found
    assert ("disbursementTransaction/[]/currency", "currency.csv") in found
    assert ("beneficiaryLocation/[]/countryCode", "countryCode.csv") in found
    assert ("recipientOrganization/[]/location/[]/countryCode", "countryCode.csv") in found
    assert ("regrantType", "regrantType.csv") in found
    assert ("locationScope", "locationScope.csv") in found
    assert ("toIndividualsDetails/grantPurpose/[]", "grantToIndividualsPurpose.csv") in found


@pytest.mark.parametrize("currency", ["XYZ", "gbp", "£"])
def test_a_currency_outside_the_codelist_is_caught(currency: str) -> None:
    assert codelist_errors(package(grant(currency=currency))) == [
        f"grants/0/currency: {currency!r} is not a code in the currency.csv codelist"
    ]


def test_a_regrant_type_outside_the_codelist_is_caught_though_the_schema_allows_any_string() -> None:
    regranted = package(grant(regrantType="FRG999"))
    assert validate_package(regranted) == []
    assert codelist_errors(regranted) == [
        "grants/0/regrantType: 'FRG999' is not a code in the regrantType.csv codelist"
    ]
    assert codelist_errors(package(grant(regrantType="FRG010", locationScope="GLS050"))) == []


def test_codes_inside_arrays_are_checked_one_by_one() -> None:
    located = grant(beneficiaryLocation=[{"name": "Anytown", "countryCode": "GB"}, {"name": "UK", "countryCode": "UK"}])
    assert codelist_errors(package(located)) == [
        "grants/0/beneficiaryLocation/1/countryCode: 'UK' is not a code in the countryCode.csv codelist"
    ]
    purposes = grant(toIndividualsDetails={"grantPurpose": ["GTIP010", "gtip020"]})
    assert codelist_errors(package(purposes)) == [
        "grants/0/toIndividualsDetails/grantPurpose/1: 'gtip020' is not a code in the "
        "grantToIndividualsPurpose.csv codelist"
    ]


# --- data quality --------------------------------------------------------------------------------------------------


def test_a_complete_grant_raises_no_quality_warnings() -> None:
    assert data_quality_warnings(package(complete()), TODAY) == []


def test_a_grant_without_a_programme_or_a_beneficiary_location_is_flagged() -> None:
    warnings = data_quality_warnings(package(grant()), TODAY)
    assert any("no grantProgramme" in warning for warning in warnings)
    assert any("no beneficiaryLocation" in warning for warning in warnings)


@pytest.mark.parametrize("award_date", ["2026-06-02", "2026-06-02T00:30:00+01:00"])
def test_a_post_dated_award_is_flagged(award_date: str) -> None:
    assert data_quality_warnings(package(complete(awardDate=award_date)), TODAY) == [
        f"grants/0/awardDate: {award_date!r} is after today (2026-06-01)"
    ]
    assert data_quality_warnings(package(complete(awardDate="2026-06-01")), TODAY) == []


@pytest.mark.parametrize(("start", "end"), [("2027-04-01", "2027-03-31"), ("2027-04", "2027-03-31"), ("2028", "2027")])
def test_a_planned_start_after_the_planned_end_is_flagged(start: str, end: str) -> None:
    later = complete(plannedDates=[{"startDate": start, "endDate": end}])
    assert data_quality_warnings(package(later), TODAY) == [
        f"grants/0/plannedDates/0: startDate {start!r} is after endDate {end!r}"
    ]


def test_partial_planned_dates_within_the_same_period_are_not_flagged() -> None:
    same_month = complete(plannedDates=[{"startDate": "2027-03-15", "endDate": "2027-03"}])
    assert data_quality_warnings(package(same_month), TODAY) == []


@pytest.mark.parametrize("identifier", ["360G-TEST 1", "360G-TEST/1", "360G-TÉST-1"])
def test_an_identifier_with_odd_characters_is_flagged(identifier: str) -> None:
    warnings = data_quality_warnings(package(complete(id=identifier)), TODAY)
    assert len(warnings) == 1
    assert warnings[0].startswith("grants/0/id:")


def test_a_grant_identifier_without_the_360g_prefix_is_flagged() -> None:
    assert data_quality_warnings(package(complete(id="TEST-1")), TODAY) == [
        "grants/0/id: 'TEST-1' does not start with a 360Giving prefix (360G-...)"
    ]


def test_an_organisation_identifier_with_a_space_is_flagged() -> None:
    spaced = complete(recipientOrganization=[{"id": "GB-CHC 1234567", "name": "Anytown Village Hall"}])
    assert data_quality_warnings(package(spaced), TODAY) == [
        "grants/0/recipientOrganization/0/id: 'GB-CHC 1234567' has unexpected characters ' '"
    ]


def test_an_amount_disbursed_that_is_not_the_sum_of_its_payments_is_flagged() -> None:
    # 4000.10 + 8500.20 is 12500.300000000001 in binary floating point; the check must still find them equal.
    payments = [
        {"value": 4000.10, "transactionDate": "2026-04-01"},
        {"value": 8500.20, "transactionDate": "2026-05-01"},
    ]
    paid = complete(amountDisbursed=12500.30, disbursementTransaction=payments)
    assert data_quality_warnings(package(paid), TODAY) == []
    underpaid = copy.deepcopy(paid)
    underpaid["disbursementTransaction"][1]["value"] = 8000
    assert data_quality_warnings(package(underpaid), TODAY) == [
        "grants/0/amountDisbursed: 12500.3 is not the sum of disbursementTransaction values (12000.1)"
    ]


def test_a_geographic_code_type_outside_its_codelist_is_flagged() -> None:
    placed = complete(beneficiaryLocation=[{"name": "Anytown", "geoCode": "E05008451", "geoCodeType": "WARD"}])
    assert data_quality_warnings(package(placed), TODAY) == [
        "grants/0/beneficiaryLocation/0/geoCodeType: 'WARD' is not in geoCodeType.csv"
    ]
