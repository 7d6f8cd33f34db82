"""The people registers over HTTP: the council's officers at `/people`, kept by its admins and read by its own
readers; an organisation's people at `/organisations/{id}/people`, started by whoever signs in for it, kept by its
owners and the council's admins, read by its own providers and the council; neither ever by the public. Every
record reads as it stood, at a version or a moment."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from domain.base import Actor, Role
from marketplace.clock import FixedClock
from tests.challenge_journey import refused
from tests.conftest import registration
from tests.journeys import ok
from tests.people_fixtures import (
    ADMIN,
    AUDITOR,
    BID_WRITER,
    CHARITY,
    CIC,
    COMMISSIONER,
    NEIGHBOURING_ADMIN,
    OFFICER_SUBJECT,
    OWNER,
    STRANGER,
    headers,
    officer_body,
    person_body,
)

AS_ADMIN, AS_OWNER = headers(ADMIN), headers(OWNER)
LEAVING = {"reason": "Took a post at another council."}
CHARITY_PEOPLE = f"/organisations/{CHARITY}/people"


def etag(response: Any) -> str:
    return str(response.headers["etag"])


# --- the council's officers ---------------------------------------------------------------------------------------


def test_an_admin_registers_changes_and_records_an_officer_leaving_and_rejoining(
    client: TestClient[Any], clock: FixedClock
) -> None:
    made = client.post("/people", json=officer_body(OFFICER_SUBJECT), headers=AS_ADMIN)
    path = f"/people/{OFFICER_SUBJECT}"
    assert ok(made, 201)["council"] == "GB-LAE-SHR" and made.headers["location"] == path and etag(made) == '"1"'
    assert client.get(path, headers=headers(COMMISSIONER)).json() == made.json()
    registered_at = clock.now().isoformat()
    clock.advance(days=1)
    moved = {"team": "Children's services"}
    changed = ok(client.patch(path, json=moved, headers={**AS_ADMIN, "If-Match": '"1"'}))
    assert (changed["team"], changed["version"]) == ("Children's services", 2)
    refused(client.patch(path, json={"team": "Audit"}, headers={**AS_ADMIN, "If-Match": '"1"'}), 412, "version-matches")
    clock.advance(days=1)
    left = ok(
        client.post(f"{path}/leave", json={**LEAVING, "effective": "2026-03-03T17:00:00+00:00"}, headers=AS_ADMIN)
    )
    assert (left["active"], left["left_at"], left["left_reason"]) == (False, "2026-03-03T17:00:00Z", LEAVING["reason"])
    then = client.get(path, params={"version": 1}, headers=headers(AUDITOR))
    assert ok(then)["team"] == "Adults" and then.headers["x-as-of-version"] == "1" and "etag" not in then.headers
    assert ok(client.get(path, params={"as_of": registered_at}, headers=AS_ADMIN))["active"] is True
    back = ok(client.post(f"{path}/rejoin", json={"reason": "Came back."}, headers=AS_ADMIN))
    assert (back["active"], back["joined_at"], back["version"]) == (
        True,
        clock.now().isoformat().replace("+00:00", "Z"),
        4,
    )
    history = ok(client.get(f"/audit/officer/{OFFICER_SUBJECT}/history", headers=headers(AUDITOR)))
    assert [event["event_type"] for event in history] == [
        "Officer.Registered",
        "Officer.DetailsChanged",
        "Officer.Left",
        "Officer.Rejoined",
    ]
    decisions = ok(client.get("/audit/decisions", params={"kind": "officer"}, headers=headers(AUDITOR)))["items"]
    assert [d["decision"] for d in decisions] == ["officer.left", "officer.rejoined"]


def test_the_officers_are_for_their_own_councils_readers_alone(client: TestClient[Any]) -> None:
    ok(client.post("/people", json=officer_body(), headers=AS_ADMIN), 201)
    for url in ("/people", "/people/cathy", "/people/cathy?version=1"):
        refused(client.get(url), 401, "signed-in")
        refused(client.get(url, headers=headers(OWNER)), 403, "allowed")
    for reader in (ADMIN, COMMISSIONER, AUDITOR):
        assert [p["subject"] for p in ok(client.get("/people", headers=headers(reader)))["items"]] == ["cathy"]
    neighbour = headers(NEIGHBOURING_ADMIN)
    assert ok(client.get("/people", headers=neighbour))["items"] == []
    refused(client.get("/people/cathy", headers=neighbour), 404, "exists")
    refused(client.get("/people/cathy", params={"version": 1}, headers=neighbour), 404, "exists")
    refused(client.patch("/people/cathy", json={"team": "Ours"}, headers=neighbour), 403, "council")
    refused(client.post("/people", json=officer_body("eve"), headers=headers(COMMISSIONER)), 403, "allowed")
    refused(client.post("/people/cathy/leave", json=LEAVING, headers=headers(AUDITOR)), 403, "allowed")


def test_the_register_is_filtered_by_team_and_by_whether_still_here_and_paged(client: TestClient[Any]) -> None:
    for subject, name, team in (("ann", "Ann", "Adults"), ("bob", "Bob", "Children"), ("cy", "Cy", "Adults")):
        ok(client.post("/people", json=officer_body(subject, name=name, team=team), headers=AS_ADMIN), 201)
    ok(client.post("/people/cy/leave", json=LEAVING, headers=AS_ADMIN))

    def names(**query: Any) -> list[str]:
        return [p["name"] for p in ok(client.get("/people", params=query, headers=AS_ADMIN))["items"]]

    assert names(team="Adults") == ["Ann", "Cy"]
    assert names(active="false") == ["Cy"] and names(active="true", team="Adults") == ["Ann"]
    first = ok(client.get("/people", params={"limit": 2}, headers=AS_ADMIN))
    rest = ok(client.get("/people", params={"limit": 2, "cursor": first["next_cursor"]}, headers=AS_ADMIN))
    assert [p["name"] for p in first["items"] + rest["items"]] == ["Ann", "Bob", "Cy"] and rest["next_cursor"] is None


def test_refusals_name_the_rule_and_the_field(client: TestClient[Any]) -> None:
    ok(client.post("/people", json=officer_body(), headers=AS_ADMIN), 201)
    refused(client.post("/people", json=officer_body(), headers=AS_ADMIN), 409, "unique")
    refused(
        client.post("/people", json=officer_body("two words"), headers=AS_ADMIN), 422, "subject-writable", "subject"
    )
    refused(client.post("/people", json=officer_body(colour="red"), headers=AS_ADMIN), 400, "request-valid", "colour")
    refused(client.patch("/people/cathy", json={"team": "Adults"}, headers=AS_ADMIN), 422, "changes-something")
    refused(client.post("/people/nobody/leave", json=LEAVING, headers=AS_ADMIN), 404, "exists")
    ahead = {**LEAVING, "effective": "2030-01-01T00:00:00Z"}
    refused(client.post("/people/cathy/leave", json=ahead, headers=AS_ADMIN), 422, "leaving-not-ahead", "effective")
    naive = {**LEAVING, "effective": "2026-03-01T09:00:00"}
    refused(client.post("/people/cathy/leave", json=naive, headers=AS_ADMIN), 400, "request-valid", "effective")
    refused(client.post("/people/cathy/leave", json={"reason": "x"}, headers=AS_ADMIN), 400, "request-valid", "reason")
    refused(client.post("/people/cathy/rejoin", json={"reason": "Never left."}, headers=AS_ADMIN), 409, "state-allows")


# --- an organisation's people ---------------------------------------------------------------------------------------


def test_an_organisation_starts_its_people_with_an_owner_who_keeps_them(client: TestClient[Any]) -> None:
    ok(client.post("/organisations", json=registration(CHARITY), headers=AS_OWNER), 201)
    assert ok(client.get(CHARITY_PEOPLE, headers=AS_OWNER)) == {"organisation": CHARITY, "people": [], "version": 0}
    first = person_body(OWNER, "bid-writer")
    refused(client.post(CHARITY_PEOPLE, json=first, headers=AS_OWNER), 422, "first-person-an-owner", "role")
    made = client.post(f"/organisations/{CHARITY.lower()}/people", json=person_body(OWNER), headers=AS_OWNER)
    assert ok(made, 201)["role"] == "owner" and made.headers["location"] == f"{CHARITY_PEOPLE}/pat"
    assert etag(made) == '"1"'
    writer = person_body(BID_WRITER, "bid-writer")
    refused(client.post(CHARITY_PEOPLE, json=writer, headers=headers(BID_WRITER)), 403, "kept-by-an-owner")
    ok(client.post(CHARITY_PEOPLE, json=writer, headers={**AS_OWNER, "If-Match": '"1"'}), 201)
    refused(client.post(CHARITY_PEOPLE, json=writer, headers=AS_OWNER), 409, "unique")
    bea = f"{CHARITY_PEOPLE}/bea"
    assert ok(client.patch(bea, json={"role": "finance"}, headers=AS_OWNER))["role"] == "finance"
    refused(client.post(f"{CHARITY_PEOPLE}/pat/leave", json=LEAVING, headers=AS_OWNER), 409, "owner-remains")
    left = ok(client.post(f"{bea}/leave", json=LEAVING, headers=AS_OWNER))
    assert (left["active"], left["left_reason"], left["version"]) == (False, LEAVING["reason"], 4)
    still_here = ok(client.get(CHARITY_PEOPLE, params={"active": "true"}, headers=AS_OWNER))["people"]
    assert [p["subject"] for p in still_here] == ["pat"]
    then = ok(client.get(CHARITY_PEOPLE, params={"version": 2}, headers=headers(AUDITOR)))
    assert [(p["subject"], p["role"]) for p in then["people"]] == [("bea", "bid-writer"), ("pat", "owner")]
    refused(client.get(bea, params={"version": 1}, headers=AS_OWNER), 404, "exists")
    back = ok(
        client.post(f"{bea}/rejoin", json={"reason": "Back from leave.", "role": "owner"}, headers=headers(ADMIN))
    )
    assert (back["active"], back["role"]) == (True, "owner")
    now = client.get(bea, headers=AS_OWNER)
    assert ok(now) == back and etag(now) == '"5"'
    history = ok(client.get(f"/audit/organisation_people/{CHARITY}/history", headers=headers(AUDITOR)))
    assert len(history) == 5 and history[0]["event_type"] == "OrganisationPeople.Started"


def test_an_organisations_people_are_its_own_providers_and_the_councils_to_read_never_the_publics(
    client: TestClient[Any],
) -> None:
    for identifier, founder in ((CHARITY, OWNER), (CIC, STRANGER)):
        ok(client.post("/organisations", json=registration(identifier), headers=headers(founder)), 201)
        ok(client.post(f"/organisations/{identifier}/people", json=person_body(founder), headers=headers(founder)), 201)
    urls = (CHARITY_PEOPLE, f"{CHARITY_PEOPLE}/pat", f"{CHARITY_PEOPLE}/pat?version=1")
    for url in urls:
        refused(client.get(url), 401, "signed-in")
        refused(client.get(url, headers=headers(STRANGER)), 403, "allowed")
        for reader in (OWNER, Actor("new", CHARITY, Role.PROVIDER), COMMISSIONER, AUDITOR, ADMIN):
            ok(client.get(url, headers=headers(reader)))
    writer = person_body(BID_WRITER, "bid-writer")
    refused(client.post(CHARITY_PEOPLE, json=writer, headers=headers(STRANGER)), 403, "kept-by-an-owner")
    refused(client.post(CHARITY_PEOPLE, json=writer, headers=headers(COMMISSIONER)), 403, "allowed")
    ok(client.post(CHARITY_PEOPLE, json=writer, headers=headers(ADMIN)), 201)
    refused(client.get("/organisations/GB-CHC-7777777/people", headers=headers(AUDITOR)), 404, "exists")
    refused(client.get(f"{CHARITY_PEOPLE}/nobody", headers=AS_OWNER), 404, "exists")
    refused(client.post(f"{CHARITY_PEOPLE}/nobody/leave", json=LEAVING, headers=AS_OWNER), 404, "exists")
