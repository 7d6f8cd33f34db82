"""The organisation register's rules, without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.base import Actor, Context, Role
from domain.organisations.organisation import DetailsChange, Organisation, OrganisationDetails, organisation_uuid
from domain.rules import DomainError, Refusal
from domain.values import Address, Contact, org_id, postcode

OFFICER = Context(Actor("cathy", "GB-LAE-SHR", Role.COMMISSIONER), datetime(2026, 3, 2, tzinfo=UTC), "req-1")


SHOP = OrganisationDetails(
    identifier="GB-MPR-31234R",
    name="Clun Valley Community Shop",
    legal_form="community-benefit-society",
    size="micro",
    vcse=True,
    address=Address("The Square", "Clun", "sy7 8ja"),
    contact=Contact("Jo", "jo@example.org"),
)


def registered(**overrides: Any) -> Organisation:
    return Organisation.register(OFFICER, replace(SHOP, **overrides))


def test_every_event_records_who_acted_for_which_organisation_in_what_role_and_when() -> None:
    org = registered()
    org.verify(OFFICER, "Checked the FCA mutuals register")
    for event in org.collect_events():
        assert event.actor == OFFICER.actor  # type: ignore[attr-defined]
        assert event.correlation_id == "req-1"  # type: ignore[attr-defined]
        assert event.timestamp == OFFICER.now


def test_a_decision_records_its_reason() -> None:
    org = registered()
    org.deactivate(OFFICER, "  Dissolved on 1 March  ")
    assert org.collect_events()[-1].reason == "Dissolved on 1 March"  # type: ignore[attr-defined]


@pytest.mark.parametrize("reason", ["", "  ", "ok"])
def test_a_decision_without_a_reason_is_refused_and_changes_nothing(reason: str) -> None:
    org = registered()
    with pytest.raises(DomainError) as refused:
        org.verify(OFFICER, reason)
    assert refused.value.field == "reason"
    assert not org.verified and org.version == 1


def test_one_identifier_is_one_aggregate_so_a_second_registration_collides() -> None:
    assert registered().id == organisation_uuid("GB-MPR-31234R")


def test_changing_who_the_organisation_is_needs_verifying_again_but_moving_does_not() -> None:
    org = registered()
    org.verify(OFFICER, "Checked the register")
    org.update_details(OFFICER, DetailsChange(address=Address("1 Bridge St", "Clun", "SY7 8JB")))
    assert org.verified
    org.update_details(OFFICER, DetailsChange(size="small"))
    assert not org.verified


def test_an_update_that_changes_nothing_is_refused() -> None:
    org = registered()
    with pytest.raises(DomainError, match="changes nothing"):
        org.update_details(OFFICER, DetailsChange(name="Clun Valley Community Shop"))


def test_a_deactivated_organisation_cannot_be_verified_or_updated() -> None:
    org = registered()
    org.deactivate(OFFICER, "Ceased trading")
    for attempt in (
        lambda: org.verify(OFFICER, "Checked"),
        lambda: org.update_details(OFFICER, DetailsChange(name="New")),
    ):
        with pytest.raises(DomainError) as refused:
            attempt()
        assert refused.value.kind is Refusal.CONFLICT


def test_an_organisation_is_verified_only_once() -> None:
    org = registered()
    org.verify(OFFICER, "Checked")
    with pytest.raises(DomainError, match="already verified"):
        org.verify(OFFICER, "Checked again")


@pytest.mark.parametrize(
    "identifier",
    ["GB-COH-01234567", "GB-COH-SC123456", "GB-CHC-1234567", "GB-CHC-123456", "GB-SC-SC012345", "GB-LAE-SHR",
     "GB-MPR-31234R", "360G-SHR-parish-0042", "gb-coh-01234567"],
)  # fmt: skip
def test_org_id_guide_identifiers_are_recognised(identifier: str) -> None:
    assert org_id(identifier).upper() == identifier.upper()


@given(st.text(max_size=30))
def test_anything_else_is_refused_as_an_identifier_naming_the_field(text: str) -> None:
    try:
        recognised = org_id(text)
    except DomainError as refused:
        assert refused.field == "identifier"
    else:
        assert recognised.split("-")[0] in ("GB", "360G")


@given(
    st.from_regex(r"[A-Z]{1,2}[0-9][A-Z0-9]?", fullmatch=True),
    st.from_regex(r"[0-9][A-Z]{2}", fullmatch=True),
    st.sampled_from(["", " ", "  "]),
    st.booleans(),
)
def test_postcodes_are_normalised_whatever_the_spacing_and_case(
    outward: str, inward: str, gap: str, lower: bool
) -> None:
    written = f"{outward}{gap}{inward}"
    assert postcode(written.lower() if lower else written) == f"{outward} {inward}"


@pytest.mark.parametrize("bad", ["", "SY3", "12345", "SY3 8H", "SY3 8HQQ", "S Y3 8HQ!"])
def test_a_malformed_postcode_is_refused_naming_the_field(bad: str) -> None:
    with pytest.raises(DomainError) as refused:
        registered(address=Address("1 High St", "Shrewsbury", bad))
    assert refused.value.field == "address.postcode"


def test_a_code_outside_the_code_list_is_refused_naming_the_field() -> None:
    with pytest.raises(DomainError) as refused:
        registered(size="enormous")
    assert refused.value.field == "size"
