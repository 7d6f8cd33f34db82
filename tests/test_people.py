"""The people registers through their services, on a real database: the council's officers, kept by its admins and
known by subject; an organisation's people, started by whoever signs in for it and kept by its owners; leaving and
rejoining as decisions; and the views, which a rebuild from the events gives again."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.base import Actor, Context, Role
from domain.people.officer import Officer, officer_uuid
from domain.people.organisation_people import OrganisationPeople, people_uuid
from domain.people.terms import Leaving, OfficerChange, PersonChange
from domain.rules import Refusal
from marketplace.clock import FixedClock
from marketplace.people.access import check_officer, member, officer
from marketplace.service import Marketplace
from projections.decisions import search_decisions
from tests.grants_fixtures import refused
from tests.people_fixtures import (
    ADMIN,
    BID_WRITER,
    CHARITY,
    CIC,
    COMMISSIONER,
    NEIGHBOUR,
    NEIGHBOURING_ADMIN,
    OFFICER_SUBJECT,
    OWNER,
    STRANGER,
    charity_with_people,
    officer_details,
    officers,
    people,
    person_details,
    register_officer,
    request,
)

MOVED_ON = Leaving("Took a post at another council.")
AT_NINE = Context(ADMIN, datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))


def officer_record(market: Marketplace, subject: str = "cathy") -> Officer:
    return market.commands.load(Officer, officer_uuid(subject))


def charity_people(market: Marketplace) -> OrganisationPeople:
    return market.commands.load(OrganisationPeople, people_uuid(CHARITY))


# --- the council's officers ---------------------------------------------------------------------------------------


def test_an_admin_registers_an_officer_of_their_council_once_by_subject(market: Marketplace) -> None:
    register_officer(market, OFFICER_SUBJECT)
    found = officer(market, OFFICER_SUBJECT)
    assert found is not None and (found.council, found.team, found.active) == ("GB-LAE-SHR", "Adult social care", True)
    refused(
        "Unique", officers(market).register, request(ADMIN), officer_details(OFFICER_SUBJECT), kind=Refusal.DUPLICATE
    )
    elsewhere = officers(market).register
    refused("Unique", elsewhere, request(NEIGHBOURING_ADMIN), officer_details(OFFICER_SUBJECT))  # once, any council
    assert officer(market, "nobody") is None


@pytest.mark.parametrize("subject", ["", "two words", "a/b", "what?", "100%", "back\\slash", "x" * 201, "é"])
def test_a_subject_is_a_tokens_sub_that_can_name_its_record_in_a_path(subject: str) -> None:
    refused("SubjectWritable", Officer.register, AT_NINE, officer_details(subject), field="subject")
    refused("SubjectWritable", OrganisationPeople.start, AT_NINE, CHARITY, person_details(subject=subject))


def test_a_subject_as_identity_providers_write_them_is_taken() -> None:
    for subject in (OFFICER_SUBJECT, "urn:fdc:gov.uk:2022:56P4CMsGh_02YOlWpd8PAOI-2sVlB2nsNU7mcLZYhYw=", "auth0|x1"):
        assert Officer.register(AT_NINE, officer_details(subject)).subject == subject


def test_only_the_councils_admins_keep_its_officers(market: Marketplace) -> None:
    register_officer(market)
    refused("RoleAllows", officers(market).register, request(COMMISSIONER), officer_details("eve"))
    change = OfficerChange(team="Children's services")
    refused("RoleAllows", officers(market).change_details, request(COMMISSIONER), "cathy", change)
    refused("Council", officers(market).change_details, request(NEIGHBOURING_ADMIN), "cathy", change)
    refused("Council", officers(market).leave, request(NEIGHBOURING_ADMIN), "cathy", MOVED_ON)
    refused("Exists", officers(market).leave, request(ADMIN), "nobody", MOVED_ON, kind=Refusal.NOT_FOUND)


def test_a_change_records_only_what_changed(market: Marketplace) -> None:
    register_officer(market)
    officers(market).change_details(
        request(ADMIN), "cathy", OfficerChange(name="Cathy Commissioner", team=" Children ")
    )
    record = officer_record(market)
    assert record.team == "Children" and record.version == 2
    events = list(market.app.events.get(officer_uuid("cathy")))
    assert events[-1].changes == {"team": "Children"}
    refused(
        "ChangesSomething", officers(market).change_details, request(ADMIN), "cathy", OfficerChange(team="Children")
    )
    refused(
        "TextWithin", officers(market).change_details, request(ADMIN), "cathy", OfficerChange(name=" "), field="name"
    )


def test_leaving_is_a_decision_with_its_reason_dated_no_later_than_now_nor_before_joining(
    market: Marketplace, clock: FixedClock
) -> None:
    register_officer(market)
    clock.advance(days=10)
    now = clock.now()
    leave = officers(market).leave
    refused("ReasonGiven", leave, request(ADMIN), "cathy", Leaving(" "), field="reason")
    refused("LeavingNotAhead", leave, request(ADMIN), "cathy", Leaving("Retiring", now + timedelta(days=1)))
    before = Leaving("Retiring", now - timedelta(days=11))
    refused("LeavingAfterJoining", leave, request(ADMIN), "cathy", before, field="effective")
    leave(request(ADMIN), "cathy", Leaving("Retired on Friday.", now - timedelta(days=3)))
    gone = officer(market, "cathy")
    assert gone is not None and not gone.active and gone.left_at == now - timedelta(days=3)
    refused("StateAllows", leave, request(ADMIN), "cathy", MOVED_ON, kind=Refusal.CONFLICT)
    refused("StateAllows", officers(market).change_details, request(ADMIN), "cathy", OfficerChange(team="Audit"))
    with market.views() as session:
        decisions, _ = search_decisions(session, record_kind="officer")
    assert [(d["decision"], d["reason"], d["actor_subject"]) for d in decisions] == [
        ("officer.left", "Retired on Friday.", "ada")
    ]


def test_an_officer_who_left_may_rejoin_and_leave_again(market: Marketplace, clock: FixedClock) -> None:
    register_officer(market)
    officers(market).leave(request(ADMIN), "cathy", MOVED_ON)
    refused("ReasonGiven", officers(market).rejoin, request(ADMIN), "cathy", "")
    clock.advance(days=30)
    officers(market).rejoin(request(ADMIN), "cathy", "Came back from the other council.")
    back = officer(market, "cathy")
    assert back is not None and back.active and back.left_at is None
    refused("StateAllows", officers(market).rejoin, request(ADMIN), "cathy", "Twice?")
    before_rejoining = Leaving("Left again.", clock.now() - timedelta(days=1))
    refused("LeavingAfterJoining", officers(market).leave, request(ADMIN), "cathy", before_rejoining)
    officers(market).leave(request(ADMIN), "cathy", Leaving("Left again."))
    assert officer_record(market).version == 4


def test_an_assessor_must_be_a_registered_active_officer_of_the_council(market: Marketplace) -> None:
    register_officer(market, "eve")
    register_officer(market, "ed")
    officers(market).leave(request(ADMIN), "ed", MOVED_ON)
    assert check_officer(market, "eve", "GB-LAE-SHR", "assessors").name == "Cathy Commissioner"
    refused("RegisteredOfficer", check_officer, market, "nobody", "GB-LAE-SHR", "assessors", field="assessors")
    refused("RegisteredOfficer", check_officer, market, "eve", NEIGHBOUR, "assessors")
    refused("ActiveOfficer", check_officer, market, "ed", "GB-LAE-SHR", "assessors", field="assessors")


# --- an organisation's people ---------------------------------------------------------------------------------------


def test_an_organisations_first_person_is_an_owner_added_by_any_provider_signed_in_for_it(market: Marketplace) -> None:
    charity_with_people(market)
    refused("Exists", people(market).add, request(OWNER), "GB-CHC-7777777", person_details(), kind=Refusal.NOT_FOUND)
    add = people(market).add
    refused("FirstPersonAnOwner", add, request(STRANGER), CIC, person_details(STRANGER, "finance"), field="role")
    refused("KeptByAnOwner", add, request(OWNER), CIC, person_details(OWNER), kind=Refusal.FORBIDDEN)
    add(request(STRANGER), CIC, person_details(STRANGER))
    found = member(market, CIC, STRANGER.subject)
    assert found is not None and (found.role, found.active) == ("owner", True)
    assert [p.role for p in charity_people(market).people.values()] == ["owner", "bid-writer"]


def test_once_it_has_people_only_its_owners_and_the_councils_admins_keep_them(market: Marketplace) -> None:
    charity_with_people(market)
    finance = Actor("fin", CHARITY, Role.PROVIDER)
    add = people(market).add
    refused("KeptByAnOwner", add, request(BID_WRITER), CHARITY, person_details(finance, "finance"))
    refused("KeptByAnOwner", add, request(Actor("newcomer", CHARITY, Role.PROVIDER)), CHARITY, person_details(finance))
    refused("KeptByAnOwner", add, request(STRANGER), CHARITY, person_details(finance))
    refused("RoleAllows", add, request(COMMISSIONER), CHARITY, person_details(finance))
    add(request(ADMIN), CHARITY, person_details(finance, "finance"))
    people(market).change(request(OWNER), CHARITY, "bea", PersonChange(role="owner"))
    people(market).leave(request(BID_WRITER), CHARITY, "fin", Leaving("Left the charity."))  # bea owns now
    assert [(p.subject, p.role, p.active) for p in charity_people(market).people.values()] == [
        ("pat", "owner", True),
        ("bea", "owner", True),
        ("fin", "finance", False),
    ]


def test_a_subject_is_among_an_organisations_people_once(market: Marketplace) -> None:
    charity_with_people(market)
    add = people(market).add
    refused("Unique", add, request(OWNER), CHARITY, person_details(BID_WRITER, "finance"), kind=Refusal.DUPLICATE)
    people(market).leave(request(OWNER), CHARITY, "bea", Leaving("Moved to another charity."))
    refused("Unique", add, request(OWNER), CHARITY, person_details(BID_WRITER))
    people(market).rejoin(request(OWNER), CHARITY, "bea", "Came back.", "finance")
    assert charity_people(market).version == 4
    back = member(market, CHARITY, "bea")
    assert back is not None and (back.role, back.active) == ("finance", True)
    add(request(STRANGER), CIC, person_details(BID_WRITER))  # the same person may be another organisation's too


def test_the_last_owner_neither_leaves_nor_stops_owning(market: Marketplace) -> None:
    charity_with_people(market)
    leave, change = people(market).leave, people(market).change
    refused("OwnerRemains", leave, request(OWNER), CHARITY, "pat", MOVED_ON, kind=Refusal.CONFLICT)
    refused("OwnerRemains", change, request(ADMIN), CHARITY, "pat", PersonChange(role="finance"))
    change(request(OWNER), CHARITY, "bea", PersonChange(role="owner"))
    leave(request(OWNER), CHARITY, "pat", Leaving("Stepped down as director."))
    refused("PersonStanding", people(market).add, request(OWNER), CHARITY, person_details(STRANGER))  # pat left
    refused("Exists", leave, request(ADMIN), CHARITY, "nobody", MOVED_ON, kind=Refusal.NOT_FOUND)
    refused("Exists", leave, request(STRANGER), "GB-COH-87654321", "x", MOVED_ON, kind=Refusal.NOT_FOUND)


def test_nobody_joins_a_deactivated_organisation_but_its_people_may_leave(market: Marketplace) -> None:
    from marketplace.organisations.services import Organisations

    charity_with_people(market)
    people(market).leave(request(OWNER), CHARITY, "bea", MOVED_ON)
    market.service(Organisations).deactivate(request(OWNER), CHARITY, "Wound up.")
    refused("OrganisationActive", people(market).add, request(OWNER), CHARITY, person_details(STRANGER))
    refused("OrganisationActive", people(market).rejoin, request(OWNER), CHARITY, "bea", "Back.")
    people(market).change(request(ADMIN), CHARITY, "pat", PersonChange(name="Pat Winding-Up"))


def test_if_match_names_the_version_of_the_organisations_people_seen(market: Marketplace) -> None:
    charity_with_people(market)
    finance = person_details(Actor("fin", CHARITY, Role.PROVIDER), "finance")
    refused("VersionMatches", people(market).add, request(OWNER, expected_version=1), CHARITY, finance)
    people(market).add(request(OWNER, expected_version=2), CHARITY, finance)
    refused("VersionMatches", people(market).leave, request(OWNER, 2), CHARITY, "fin", MOVED_ON)


def test_the_people_views_rebuild_from_the_events_to_the_same_rows(market: Marketplace, clock: FixedClock) -> None:
    register_officer(market)
    register_officer(market, "eve", team="Children")
    officers(market).leave(request(ADMIN), "eve", MOVED_ON)
    clock.advance(hours=1)
    officers(market).rejoin(request(ADMIN), "eve", "Back from leave.")
    charity_with_people(market)
    people(market).change(request(OWNER), CHARITY, "bea", PersonChange(name="Bea Writer"))
    people(market).leave(request(OWNER), CHARITY, "bea", MOVED_ON)
    names = ["officers", "organisation_people"]
    before = market.projector.checksums(names)
    assert market.projector.rebuild(names) == before
