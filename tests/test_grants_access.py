"""Who may do and read what in grants, on every path: now, as it stood, and in the audit history."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from domain.base import Role
from marketplace.audit import verify
from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from tests.conftest import bearer
from tests.grants_journey import LUDLOW, OFFICER, OSWESTRY, GrantsJourney, applicant, offer_body, programme_body
from tests.journeys import ok

AUDITOR = bearer(Role.AUDITOR, "GB-LAE-SHR", "audrey")
NEIGHBOUR = bearer(Role.COMMISSIONER, "GB-LAE-TFW", "tom")  # an officer of another council


def journey(client: TestClient[Any], clock: FixedClock) -> GrantsJourney:
    made = GrantsJourney(client, clock)
    made.register_applicants()
    made.publish()
    return made


def test_a_provider_cannot_run_a_programme(client: TestClient[Any], clock: FixedClock) -> None:
    refused = client.post("/grant-programmes", json=programme_body(clock), headers=applicant(LUDLOW))
    assert refused.status_code == 403


def test_only_the_funder_publishes_its_programme(client: TestClient[Any], clock: FixedClock) -> None:
    made = ok(client.post("/grant-programmes", json=programme_body(clock), headers=OFFICER), 201)
    reason = {"reason": "Approved by cabinet."}
    assert client.post(f"/grant-programmes/{made['id']}/publish", json=reason, headers=NEIGHBOUR).status_code == 403


def test_a_draft_programme_is_the_councils_now_and_as_it_stood(client: TestClient[Any], clock: FixedClock) -> None:
    made = ok(client.post("/grant-programmes", json=programme_body(clock), headers=OFFICER), 201)
    path = f"/grant-programmes/{made['id']}"
    assert client.get(path).status_code == 404
    assert ok(client.get(path, headers=OFFICER))["status"] == "draft"
    assert client.get("/grant-programmes", params={"status": "draft"}).json()["items"] == []
    assert len(ok(client.get("/grant-programmes", params={"status": "draft"}, headers=OFFICER))["items"]) == 1
    ok(client.post(f"{path}/publish", json={"reason": "Approved by cabinet."}, headers=OFFICER))
    assert ok(client.get(path))["status"] == "published"
    assert client.get(path, params={"version": 1}).status_code == 404  # a draft then, so not the public's
    assert ok(client.get(path, params={"version": 1}, headers=AUDITOR))["status"] == "draft"


def test_only_the_council_decides_and_only_the_applicant_answers(client: TestClient[Any], clock: FixedClock) -> None:
    made = journey(client, clock)
    made.applied_and_submitted(LUDLOW, "5000")
    made.assess(LUDLOW, (4, 8))
    offer = offer_body("5000", clock.now().date())
    assert client.post(f"{made.path(LUDLOW)}/offer", json=offer, headers=applicant(LUDLOW)).status_code == 403
    ok(made.offer(LUDLOW, "5000"))
    assert client.post(f"{made.path(LUDLOW)}/accept", headers=applicant(OSWESTRY)).status_code == 403
    ok(client.post(f"{made.path(LUDLOW)}/accept", headers=applicant(LUDLOW)))


def test_a_grants_record_is_its_recipients_and_the_councils_but_the_register_is_public(
    client: TestClient[Any], clock: FixedClock
) -> None:
    made = journey(client, clock)
    made.applied_and_submitted(LUDLOW, "5000")
    made.assess(LUDLOW, (4, 8))
    ok(made.offer(LUDLOW, "5000"))
    ok(client.post(f"{made.path(LUDLOW)}/accept", headers=applicant(LUDLOW)))
    grant = made.grant_path(LUDLOW)
    assert client.get(grant).status_code == 401
    assert client.get(grant, headers=applicant(OSWESTRY)).status_code == 404
    assert client.get(grant, params={"version": 1}, headers=applicant(OSWESTRY)).status_code == 404
    assert ok(client.get(grant, headers=applicant(LUDLOW)))["recipient"] == LUDLOW
    assert ok(client.get(grant, params={"version": 1}, headers=AUDITOR))["version"] == 1
    register = ok(client.get("/grants"))["items"]
    assert [entry["recipient"] for entry in register] == [LUDLOW]
    report = {"period": "2026-Q1", "spend": "100", "progress": "Started."}
    assert client.post(f"{grant}/returns", json=report, headers=applicant(OSWESTRY)).status_code == 403


def test_the_audit_history_and_the_hash_chain_cover_the_grant_records(
    market: Marketplace, client: TestClient[Any], clock: FixedClock
) -> None:
    made = journey(client, clock)
    made.applied_and_submitted(LUDLOW, "5000")
    verdict = verify(market)
    assert verdict.ok and verdict.position == market.app.recorder.max_notification_id()  # every event chained
    history = ok(client.get(f"/audit/grant_application/{made.applications[LUDLOW]}/history", headers=AUDITOR))
    assert [event["event_type"] for event in history] == ["GrantApplication.Drafted", "GrantApplication.Submitted"]
    assert {event["aggregate_kind"] for event in history} == {"GrantApplication"}
    programme = ok(client.get(f"/audit/grant_programme/{made.programme}/history", headers=AUDITOR))
    assert programme[1]["reason"] == "Approved by cabinet on 1 March."


def test_the_work_queue_pages_by_rank_with_its_cursor(client: TestClient[Any], clock: FixedClock) -> None:
    made = journey(client, clock)
    for identifier, scores in ((LUDLOW, (2, 3)), (OSWESTRY, (5, 9))):
        made.applied_and_submitted(identifier, "5000")
        made.assess(identifier, scores)
    path, seen, cursor = f"/grant-programmes/{made.programme}/applications", [], None
    while True:
        page = ok(client.get(path, params={"limit": 1, **({"cursor": cursor} if cursor else {})}, headers=OFFICER))
        seen += [item["applicant"] for item in page["items"]]
        if not (cursor := page["next"]):
            break
    assert seen == [OSWESTRY, LUDLOW]
    assert client.get(path, params={"cursor": "WyIxZTk5OTk5IiwgIngiXQ"}, headers=OFFICER).status_code == 400


def test_the_public_list_finds_the_programmes_that_fund_an_organisation_like_mine(
    client: TestClient[Any], clock: FixedClock
) -> None:
    charities = programme_body(clock, code="CHARITIES", eligibility={"legal_forms": ["charitable-trust"]})
    small_firms = programme_body(clock, code="SMALL", eligibility={"size_classes": ["micro", "small"]})
    vcse = programme_body(clock, code="VCSE", eligibility={"vcse_only": True})
    for body in (charities, small_firms, vcse):
        made = ok(client.post("/grant-programmes", json=body, headers=OFFICER), 201)
        ok(client.post(f"/grant-programmes/{made['id']}/publish", json={"reason": "Approved."}, headers=OFFICER))

    def codes(**query: Any) -> set[str]:
        return {item["code"] for item in ok(client.get("/grant-programmes", params=query))["items"]}

    assert codes() == {"CHARITIES", "SMALL", "VCSE"}
    assert codes(legal_form="company", size="large", vcse="false") == set()
    assert codes(legal_form="company", size="small", vcse="false") == {"SMALL"}
    assert codes(legal_form="charitable-trust", size="medium", vcse="true") == {"CHARITIES", "VCSE"}
    assert codes(open_now="true", priority="sustainable-places-and-communities") == {"CHARITIES", "SMALL", "VCSE"}
    assert codes(open_now="false") == set()
    assert len(ok(client.get("/grant-programmes", params={"limit": 1, "size": "small"}))["items"]) == 1
