"""Records as they stood: every record's GET with `?version=N` or `?as_of=<RFC 3339>` answers from the event store.

The answer is the record rebuilt from its events up to that point, rendered as the current read renders it,
under the same access rules: drafts for officers, bids for their bidder and officials, sealed content
for nobody until the bids are opened, contacts for the organisation and officers.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import count
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from domain.base import Role
from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from tests.conftest import COUNCIL, bearer, registration
from tests.journeys import (
    NATIONAL,
    OFFICER,
    RURAL,
    SEVERN,
    TenderingJourney,
    ok,
    platform_journey,
    provider,
    publish_tender,
    tender_terms,
    tendering_journey,
)
from tests.test_api_refusals import assert_problem
from tests.test_api_registrations import checked_application, register_organisations
from tests.test_api_registrations import provider as care_provider

AUDITOR = bearer(Role.AUDITOR, COUNCIL, "audrey")
CHARITY = "GB-CHC-1234567"
FAR_FUTURE = "2099-01-01T00:00:00Z"
SEALED_PRICE, LATER_PRICE = "987654.31", "876543.21"


def at(moment: datetime) -> dict[str, str]:
    return {"as_of": moment.isoformat()}


def stood(client: TestClient[Any], path: str, headers: dict[str, str] | None = None, **query: Any) -> Any:
    """A historical read: it names the version it answers with, and gives no ETag to send back in If-Match."""
    response = client.get(path, params=query, headers=headers or {})
    body = ok(response)
    assert response.headers["x-as-of-version"] == str(body.get("version", response.headers["x-as-of-version"]))
    assert "etag" not in response.headers
    return body


def journey_with_moments(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> tuple[TenderingJourney, dict[str, datetime]]:
    """The tendering journey, with a quiet moment after each stage: events before it, and after it, are apart."""
    moments: dict[str, datetime] = {}

    def checkpoint(stage: str) -> None:
        moments[stage] = clock.advance(seconds=10)
        clock.advance(seconds=10)

    return tendering_journey(client, market, clock, at=checkpoint), moments


# --- tenders ----------------------------------------------------------------------------------------------------------


def test_a_tender_read_as_of_a_moment_between_its_publication_and_its_amendment_shows_the_published_terms(
    client: TestClient[Any], clock: FixedClock
) -> None:
    tender = publish_tender(client, clock)
    path = f"/tenders/{tender}"
    published = ok(client.get(path))
    clock.advance(hours=2)
    amended_at = clock.now()
    amendment = {"title": "Day opportunities for older people, county-wide", "reason": "Clearer title"}
    amended = ok(client.post(f"{path}/amend", json=amendment, headers=OFFICER))

    between = stood(client, path, **at(amended_at - timedelta(hours=1)))
    assert between == published
    assert (between["title"], between["amendment"]) == ("Community day opportunities for older people", 0)
    exactly = stood(client, path, **at(amended_at))  # an event at the very moment counts
    assert (exactly["title"], exactly["amendment"], exactly["version"]) == (amendment["title"], 1, amended["version"])
    in_another_zone = amended_at.astimezone(timezone(timedelta(hours=1))) - timedelta(seconds=1)
    assert stood(client, path, **at(in_another_zone))["amendment"] == 0
    assert stood(client, path, version=published["version"]) == published


def test_a_tender_read_through_its_journey_shows_each_stage_with_its_questions_and_awards(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    journey, moments = journey_with_moments(client, market, clock)
    path = f"/tenders/{journey.tender}"

    published = stood(client, path, **at(moments["published"]))
    assert (published["status"], published["questions"], published["awards"]) == ("tendering", [], [])
    opened = stood(client, path, **at(moments["bids-opened"]))
    assert opened["status"] == "evaluation" and opened["awards"] == []
    assert opened["questions"] == [
        {"question_id": "Q1", "text": "Is transport included?", "answer": "Yes, within the lot area."}
    ]
    assert RURAL not in str(opened)  # never who asked
    awarded = stood(client, path, **at(moments["awarded"]))
    assert {a["lot_id"]: (a["supplier"], a["contract_id"]) for a in awarded["awards"]} == {
        "north": (RURAL, None),
        "south": (NATIONAL, None),
    }
    for headers in ({}, OFFICER):
        now = client.get(path, headers=headers)
        assert stood(client, path, headers, as_of=FAR_FUTURE) == now.json()  # after the last event: as it is
        assert stood(client, path, headers, version=int(now.headers["etag"].strip('"'))) == now.json()


def test_a_tender_as_of_before_it_was_drafted_is_not_found(client: TestClient[Any], clock: FixedClock) -> None:
    before = clock.now() - timedelta(seconds=1)
    tender = publish_tender(client, clock)
    problem = assert_problem(client.get(f"/tenders/{tender}", params=at(before), headers=OFFICER), 404)
    assert "as of" in problem["detail"]


def test_a_draft_tender_as_of_its_draft_moment_is_hidden_from_the_public_but_shown_to_officers_and_auditors(
    client: TestClient[Any], clock: FixedClock
) -> None:
    drafted = ok(client.post("/tenders", json=tender_terms(clock), headers=OFFICER), 201)
    path = f"/tenders/{drafted['id']}"
    draft_moment = clock.now()
    clock.advance(hours=1)
    conflicts = {"conflicts_found": False, "reason": "Panel declared no interests in bidders"}
    ok(client.post(f"{path}/conflicts-assessment", json=conflicts, headers=OFFICER))
    published = ok(client.post(f"{path}/publish", json={"reason": "Approved by the board"}, headers=OFFICER))

    for stranger in ({}, provider(RURAL)):
        assert_problem(client.get(path, params=at(draft_moment), headers=stranger), 404)
        assert_problem(client.get(path, params={"version": 1}, headers=stranger), 404)
        assert stood(client, path, stranger, version=published["version"])["status"] == "tendering"
    for official in (OFFICER, AUDITOR):
        assert stood(client, path, official, **at(draft_moment)) == {**drafted, "version": 1}


def test_officers_see_a_question_before_it_is_answered_and_the_public_only_after(
    client: TestClient[Any], clock: FixedClock
) -> None:
    ok(client.post("/organisations", json=registration(RURAL), headers=provider(RURAL)), 201)
    tender = publish_tender(client, clock)
    path = f"/tenders/{tender}"
    clock.advance(hours=1)
    ok(client.post(f"{path}/questions", json={"text": "Is transport included?"}, headers=provider(RURAL)), 201)
    asked_at = clock.now()
    clock.advance(hours=1)
    ok(client.post(f"{path}/questions/Q1/answer", json={"answer": "Yes."}, headers=OFFICER))

    assert stood(client, path, **at(asked_at))["questions"] == []
    unanswered = stood(client, path, OFFICER, **at(asked_at))["questions"]
    assert unanswered == [{"question_id": "Q1", "text": "Is transport included?", "answer": None}]
    assert stood(client, path, **at(clock.now()))["questions"][0]["answer"] == "Yes."


# --- refusals, the same for every record ---------------------------------------------------------------------------


def test_a_version_or_moment_the_record_never_had_or_a_malformed_one_is_refused_naming_the_parameter(
    client: TestClient[Any], clock: FixedClock
) -> None:
    tender = publish_tender(client, clock)
    path = f"/tenders/{tender}"
    head = ok(client.get(path))["version"]
    for version in (0, -1, "two"):
        assert_problem(client.get(path, params={"version": version}), 400, "version")
    beyond = assert_problem(client.get(path, params={"version": head + 1}), 404)
    assert f"at version {head + 1}" in beyond["detail"]
    both = {"version": 1, "as_of": FAR_FUTURE}
    assert_problem(client.get(path, params=both), 400, "as_of")
    for naive in ("2026-03-02T09:00:00", "yesterday", "2026-03-02"):
        assert_problem(client.get(path, params={"as_of": naive}), 400, "as_of")
    assert_problem(client.get(f"/bids/{tender}", params={"version": 1}, headers=OFFICER), 404)  # not a bid
    assert_problem(client.get(f"/organisations/{tender}", params={"version": 1}), 404)


# --- bids -------------------------------------------------------------------------------------------------------------


def test_a_bid_as_it_stood_shows_its_bidder_the_receipt_and_the_content_only_once_opened(
    client: TestClient[Any], clock: FixedClock
) -> None:
    for org in (RURAL, SEVERN):
        ok(client.post("/organisations", json=registration(org), headers=provider(org)), 201)
    tender = publish_tender(client, clock)
    first = {"prices": {"north": SEALED_PRICE}, "responses": {"quality": "Staff", "social": "Jobs"}}
    submitted = ok(client.post(f"/tenders/{tender}/bids", json=first, headers=provider(RURAL)), 201)
    sent_at, path = clock.now(), f"/bids/{submitted['id']}"
    clock.advance(hours=1)
    ok(client.post(f"{path}/withdraw", headers=provider(RURAL)))
    clock.advance(hours=1)
    later = {**first, "prices": {"north": LATER_PRICE}}
    ok(client.put(path, json=later, headers=provider(RURAL)))

    mine = stood(client, path, provider(RURAL), version=1)
    assert mine == {"receipt": submitted, "opened": False, "prices": None, "responses": None, "outcome": None}
    withdrawn = stood(client, path, provider(RURAL), version=2)["receipt"]
    assert withdrawn["status"] == "withdrawn"
    assert datetime.fromisoformat(withdrawn["submitted_at"]) == sent_at  # when the offer was sent
    for official in (OFFICER, AUDITOR):  # sealed until opened, commissioners included
        for query in ({"version": 1}, at(sent_at), {"as_of": FAR_FUTURE}):
            sealed = client.get(path, params=query, headers=official)
            assert sealed.status_code == 200, sealed.text
            assert SEALED_PRICE not in sealed.text and LATER_PRICE not in sealed.text
    assert_problem(client.get(path, params={"version": 1}), 401)  # a bid is for signed-in readers only
    assert_problem(client.get(path, params={"version": 1}, headers=provider(SEVERN)), 404)

    clock.advance(days=31)
    ok(client.post(f"/tenders/{tender}/open-bids", headers=OFFICER))
    for reader in (provider(RURAL), AUDITOR):  # the offer it replaced: its bidder's and the auditors'
        assert stood(client, path, reader, version=1)["prices"] == {"north": SEALED_PRICE}
        assert stood(client, path, reader, **at(sent_at))["responses"] == first["responses"]
    superseded = stood(client, path, OFFICER, version=1)  # evaluators see only the offer that was opened
    assert superseded["opened"] and superseded["prices"] is None and superseded["responses"] is None
    assert stood(client, path, OFFICER, as_of=FAR_FUTURE)["prices"] == {"north": LATER_PRICE}
    for reader in (provider(RURAL), OFFICER, AUDITOR):
        assert stood(client, path, reader, as_of=FAR_FUTURE) == ok(client.get(path, headers=reader))
    assert_problem(client.get(path, params={"version": 1}, headers=provider(SEVERN)), 404)


# --- organisations ---------------------------------------------------------------------------------------------------


def test_an_organisation_at_each_version_shows_the_record_as_each_change_left_it(client: TestClient[Any]) -> None:
    platform_journey(client)
    path = f"/organisations/{CHARITY}"
    states = [stood(client, path, OFFICER, version=n) for n in (1, 2, 3, 4)]
    assert [(s["name"], s["verified"], s["status"], s["version"]) for s in states] == [
        ("Shropshire Rural Befrienders", False, "active", 1),
        ("Ludlow Befrienders", False, "active", 2),
        ("Ludlow Befrienders", True, "active", 3),
        ("Ludlow Befrienders", True, "deactivated", 4),
    ]
    assert states[-1] == ok(client.get(path, headers=OFFICER))
    assert "at version 5" in assert_problem(client.get(path, params={"version": 5}), 404)["detail"]


def test_an_organisation_as_of_moments_before_at_between_and_after_its_changes(
    client: TestClient[Any], clock: FixedClock
) -> None:
    charity = bearer(Role.PROVIDER, CHARITY, "trustee")
    registered_at = clock.now()
    ok(client.post("/organisations", json=registration(CHARITY), headers=charity), 201)
    renamed_at = clock.advance(days=1)
    ok(client.patch(f"/organisations/{CHARITY}", json={"name": "Ludlow Befrienders"}, headers=charity))
    clock.advance(days=1)
    ok(client.post(f"/organisations/{CHARITY}/verify", json={"reason": "Register checked"}, headers=OFFICER))
    path = f"/organisations/{CHARITY}"

    assert_problem(client.get(path, params=at(registered_at - timedelta(microseconds=1))), 404)
    assert stood(client, path, **at(registered_at))["version"] == 1
    assert stood(client, path, **at(renamed_at - timedelta(seconds=1)))["name"] == "Shropshire Rural Befrienders"
    assert stood(client, path, **at(renamed_at))["name"] == "Ludlow Befrienders"
    between = stood(client, path, **at(renamed_at + timedelta(hours=1)))
    assert (between["version"], between["verified"]) == (2, False)
    assert stood(client, path, as_of=FAR_FUTURE) == ok(client.get(path))


def test_an_organisation_as_it_stood_shows_its_contact_only_to_itself_and_officers(client: TestClient[Any]) -> None:
    platform_journey(client)
    path = f"/organisations/{CHARITY}"
    for insider in (bearer(Role.PROVIDER, CHARITY, "trustee"), OFFICER, AUDITOR):
        assert stood(client, path, insider, version=1)["contact"]["email"] == "ann@example.org"
    for outsider in ({}, provider(RURAL)):
        assert stood(client, path, outsider, version=1)["contact"] is None


_identifiers = count(2_000_000)


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    gaps=st.lists(st.integers(min_value=0, max_value=3600), min_size=1, max_size=5),
    probes=st.lists(st.integers(min_value=-10, max_value=20_000), min_size=1, max_size=6),
)
def test_an_organisation_as_of_any_moment_is_its_state_after_the_last_change_at_or_before_it(
    client: TestClient[Any], clock: FixedClock, gaps: list[int], probes: list[int]
) -> None:
    identifier = f"GB-CHC-{next(_identifiers)}"
    headers = bearer(Role.PROVIDER, identifier, "trustee")
    start = clock.advance(seconds=1)
    ok(client.post("/organisations", json=registration(identifier, name="Name 0"), headers=headers), 201)
    timeline = [(start, "Name 0")]
    for n, gap in enumerate(gaps, start=1):
        clock.advance(seconds=gap)
        ok(client.patch(f"/organisations/{identifier}", json={"name": f"Name {n}"}, headers=headers))
        timeline.append((clock.now(), f"Name {n}"))

    for offset in probes:
        moment = start + timedelta(seconds=offset)
        expected = [name for changed_at, name in timeline if changed_at <= moment]
        response = client.get(f"/organisations/{identifier}", params=at(moment))
        if not expected:
            assert_problem(response, 404)
        else:
            assert ok(response)["name"] == expected[-1]
            assert response.headers["x-as-of-version"] == str(len(expected))


# --- contracts, registrations and the evaluation ---------------------------------------------------------------------


def test_a_contract_at_a_version_shows_its_value_before_and_after_a_variation(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    journey = tendering_journey(client, market, clock)
    path = f"/contracts/{journey.contracts[0]}"
    varied = ok(client.post(f"{path}/vary", json={"reason": "Extra hours agreed", "value": "400000"}, headers=OFFICER))
    assert stood(client, path, version=1)["value"] == "380000.00"
    assert stood(client, path, version=2) == varied == ok(client.get(path))
    assert_problem(client.get(path, params={"version": 3}), 404)


def test_a_registration_as_it_stood_shows_the_applicant_everything_and_the_public_only_a_listing(
    client: TestClient[Any],
) -> None:
    register_organisations(client)
    path = checked_application(client)
    approved = ok(client.post(f"{path}/approve", json={"reason": "Checks passed"}, headers=OFFICER))

    applied = stood(client, path, care_provider(), version=1)
    assert (applied["status"], applied["evidence"], applied["version"]) == ("applied", [], 1)
    evidenced = stood(client, path, OFFICER, version=7)["evidence"]
    assert [e["check"] for e in evidenced] == ["pending"] * 6
    assert stood(client, path, care_provider(), version=approved["version"]) == approved
    assert_problem(client.get(path, params={"version": 1}), 404)  # the public sees listings only
    public = stood(client, path, version=approved["version"])
    assert public == {**approved, "evidence": None, "decision_reason": None} == ok(client.get(path))


def test_the_evaluation_matrix_as_it_stood_is_the_matrix_folded_up_to_that_point(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    journey, moments = journey_with_moments(client, market, clock)
    path = f"/tenders/{journey.tender}/evaluation"

    started = stood(client, path, OFFICER, version=1)
    assert started == stood(client, path, AUDITOR, **at(moments["bids-opened"]))
    assert started["evaluators"] == []
    assert {lot["lot_id"]: lot["moderation_complete"] for lot in started["lots"]} == {"north": False, "south": False}
    latest = stood(client, path, OFFICER, as_of=FAR_FUTURE)
    assert latest == ok(client.get(path, headers=OFFICER))
    assert_problem(client.get(path, params=at(moments["bids-submitted"]), headers=OFFICER), 404)
    assert_problem(client.get(path, params={"version": 1}, headers=provider(RURAL)), 403)
