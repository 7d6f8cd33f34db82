"""The Community Right to Challenge over HTTP, from a published window to the tender an accepted challenge leads
to: who may challenge, what the right does not reach, the grounds a rejection names, the clock on the council's
decisions, and what the public register shows (every decision with its grounds and reasons; nothing personal
about a staff group's members)."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from marketplace.clock import FixedClock
from marketplace.scheduler import tick
from marketplace.service import Marketplace
from tests.challenge_fixtures import CHARITY, CIC, COMPANY, PARISH, STAFF
from tests.challenge_journey import (
    AUDITOR,
    EOI,
    MEMBERS,
    ChallengeJourney,
    body,
    interest_body,
    refused,
    service_body,
)
from tests.journeys import OFFICER, ok

EXCLUSION = "Schedule 2, SI 2012/1313: a service provided in integration with an NHS body's."


def test_a_challenge_from_the_window_to_the_tender_it_leads_to(
    market: Marketplace, client: TestClient[Any], clock: FixedClock
) -> None:
    journey = ChallengeJourney(client, clock)
    journey.register_bodies()
    service = journey.register_service()
    excluded = journey.register_service(name="Hospital discharge", excluded=True, exclusion_ground=EXCLUSION)
    assert journey.publish_window(service)["open_window"]["closes"] == "2026-04-01"
    windows = ok(client.get("/challenge-windows"))["items"]
    assert [(w["service_id"], w["open_today"]) for w in windows] == [(service, True)]

    refused(journey.submit(COMPANY, service), 403, "relevant-body", "body_kind")  # a company is no relevant body
    refused(journey.submit(PARISH, excluded), 422, "service-not-excluded", "service_id")

    parish = journey.accepted_with_modification(service)
    staff = journey.acknowledged(STAFF, service)
    charity = journey.acknowledged(CHARITY, service)
    rejection = ok(journey.reject(charity, "inadequate-information", "body-not-suitable"))
    assert [(g["code"], g["paragraph"]) for g in rejection["grounds"]] == [
        ("inadequate-information", 2),
        ("body-not-suitable", 3),
    ]
    awaiting = ok(client.get(f"/services/{service}"))["awaiting_procurement"]
    assert [(a["expression_id"], a["earliest"], a["due_by"]) for a in awaiting] == [
        (parish, "2026-03-16", "2026-05-31")  # 14 to 90 days after the acceptance
    ]
    early = journey.draft_tender(service)
    refused(journey.publish_tender(early), 409, "procurement-not-too-soon")  # the body has 14 days to prepare
    queue = ok(client.get(f"{EOI}/queue", headers=OFFICER))["items"]
    assert [item["id"] for item in queue] == [staff, parish]  # the decision due 1 May, then the procurement

    clock.advance(days=61)  # 2 May: the decision was due 30 days after the window closed
    assert tick(market)["challenge deadlines flagged"] == 1
    first = ok(client.get(f"{EOI}/queue", headers=OFFICER))["items"][0]
    assert (first["id"], first["decision_overdue"], first["past_deadline"]) == (staff, True, True)

    tender = ok(journey.publish_tender(journey.draft_tender(service)))["id"]
    entry = ok(client.get(f"{EOI}/{parish}"))
    assert (entry["tender_id"], entry["tender_link"], entry["next_deadline"]) == (tender, f"/tenders/{tender}", None)
    shown = ok(client.get(f"/services/{service}"))
    assert shown["awaiting_procurement"] == [] and [t["id"] for t in shown["tenders"]] == [tender]
    assert [(t["id"], t["status"]) for t in shown["delivered_through"]["tenders"]] == [(tender, "tendering")]
    assert [item["id"] for item in ok(client.get(f"{EOI}/queue", headers=OFFICER))["items"]] == [staff]

    the_public_register_shows_every_decision_and_nothing_personal(client, clock, parish, staff, charity)
    the_decisions_are_on_the_record(client, service, parish)


def the_public_register_shows_every_decision_and_nothing_personal(
    client: TestClient[Any], clock: FixedClock, parish: str, staff: str, charity: str
) -> None:
    listed = client.get(EOI)
    register = {item["id"]: item for item in ok(listed)["items"]}
    assert {key: (e["status"], e["outcome"], e["body_kind"]) for key, e in register.items()} == {
        parish: ("accepted", "accepted-with-modification", "organisation"),
        staff: ("acknowledged", "", "staff-group"),
        charity: ("rejected", "rejected", "organisation"),
    }
    assert register[parish]["body_name"] == "Clun Town Council"
    assert register[staff]["body_name"] == "Library outreach staff mutual"
    assert register[charity]["reasons"] == "The finances are not evidenced."
    assert register[charity]["grounds"][0]["text"].startswith("The relevant body provides information")
    assert register[charity]["decided_on"] == "2026-03-02" and register[staff]["decision_overdue"]
    assert all(entry["content"] is None for entry in register.values())  # finances, evidence and plans: private
    then = {"as_of": clock.now().isoformat()}
    for public in (
        listed,
        client.get(f"{EOI}/{staff}"),
        client.get(f"{EOI}/{staff}", params=then),
        client.get(f"{EOI}/{staff}", params={"version": 1}),
    ):
        assert public.status_code == 200 and public.json().get("content") is None, public.text
        assert not [name for name in MEMBERS if name in public.text], public.url
        assert "Outreach librarian" not in public.text
    own = ok(client.get(f"{EOI}/{staff}", params=then, headers=body(STAFF)))
    assert [member["name"] for member in own["content"]["members"]] == list(MEMBERS)
    mine = ok(client.get(EOI, params={"mine": "true"}, headers=body(PARISH)))["items"]
    assert [(e["id"], e["content"]["modification"]) for e in mine] == [(parish, "Add a stop at Newcastle.")]
    assert ok(client.get(EOI, params={"outcome": "rejected"}))["items"][0]["id"] == charity
    assert len(ok(client.get(EOI, params={"status": "accepted", "limit": 5}))["items"]) == 1


def the_decisions_are_on_the_record(client: TestClient[Any], service: str, parish: str) -> None:
    log = ok(client.get("/audit/decisions", params={"kind": "expression_of_interest"}, headers=AUDITOR))["items"]
    assert {
        "expression of interest accepted-with-modification; procurement due by 2026-05-31",
        "expression of interest rejected on grounds: inadequate-information, body-not-suitable",
    } <= {entry["summary"] for entry in log}
    history = ok(client.get(f"/audit/expression_of_interest/{parish}/history", headers=AUDITOR))
    assert [event["event_type"].partition(".")[2] for event in history] == [
        "Submitted",
        "Acknowledged",
        "ModificationProposed",
        "ModificationAgreed",
        "Accepted",
        "ProcurementStarted",
    ]
    services = ok(client.get(f"/audit/council_service/{service}/history", headers=AUDITOR))
    assert [event["event_type"] for event in services] == [
        "CouncilService.Registered",
        "CouncilService.WindowPublished",
        "CouncilService.ChallengeAccepted",
        "CouncilService.ProcurementStarted",
    ]


def test_the_register_of_services_is_public_and_kept_with_reasons(client: TestClient[Any], clock: FixedClock) -> None:
    journey = ChallengeJourney(client, clock)
    library = journey.register_service()
    journey.register_service(
        name="Adult day care",
        department="Adult social care",
        delivery="contract",
        delivered_by="C-2024-17",
        priority="care-for-those-in-need-at-any-age",
    )
    journey.register_service(name="Hospital discharge", excluded=True, exclusion_ground=EXCLUSION)

    def names(**query: Any) -> list[str]:
        return [item["name"] for item in ok(client.get("/services", params=query))["items"]]

    assert names() == ["Adult day care", "Hospital discharge", "Library outreach"]
    assert names(excluded="true") == ["Hospital discharge"]
    assert names(delivery="contract", priority="care-for-those-in-need-at-any-age") == ["Adult day care"]
    assert names(department="Culture and leisure", status="active") == ["Hospital discharge", "Library outreach"]
    page = ok(client.get("/services", params={"limit": 2}))
    assert len(page["items"]) == 2 and names(cursor=page["next"]) == ["Library outreach"]

    change = {"reason": "Budget set by council on 26 February.", "annual_budget": "250000.00"}
    changed = client.patch(f"/services/{library}", json=change, headers={**OFFICER, "If-Match": '"1"'})
    assert ok(changed)["annual_budget"] == "250000.00" and changed.headers["etag"] == '"2"'
    assert ok(changed) == ok(client.get(f"/services/{library}"))  # the answer is the GET that follows
    stale = client.patch(f"/services/{library}", json=change, headers={**OFFICER, "If-Match": '"1"'})
    assert stale.status_code == 412
    refused(
        client.patch(f"/services/{library}", json={"reason": "No change."}, headers=OFFICER), 422, "changes-something"
    )
    assert ok(client.get(f"/services/{library}", params={"version": 1}))["annual_budget"] == "240000.00"


def test_windows_are_listed_by_the_day_they_are_open_on_or_close_from(
    client: TestClient[Any], clock: FixedClock
) -> None:
    journey = ChallengeJourney(client, clock)
    service = journey.register_service()
    journey.publish_window(service, lasts=10)
    later = journey.publish_window(
        service,
        opens_in=60,
        lasts=30,
        periods={"decide_within": 20, "procure_after": 0, "procure_within": 60, "counted_in": "working-days"},
    )
    assert [w["window_id"] for w in later["windows"]] == ["W1", "W2"]
    assert later["windows"][1]["periods"]["counted_in"] == "working-days"

    def windows(**query: Any) -> list[str]:
        return [w["window_id"] for w in ok(client.get("/challenge-windows", params=query))["items"]]

    assert windows() == ["W1", "W2"]
    assert windows(open_on="2026-05-10") == ["W2"]
    assert windows(closing_from="2026-03-13") == ["W2"]
    assert windows(open_on="2026-03-05", closing_from="2026-03-13") == []
    refused(journey.submit(PARISH, service), 403, "registered-body")  # the body is not in the register yet
    clock.advance(days=20)  # between the windows: an expression waits for the next
    journey.register_bodies()
    refused(journey.submit(CIC, service), 409, "within-a-window", "service_id")
    overlapping = {"reason": "Again.", "opens": "2026-05-10", "closes": "2026-05-20"}
    refused(client.post(f"/services/{service}/windows", json=overlapping, headers=OFFICER), 422, "windows-apart")


def test_what_no_rule_can_take_is_refused_naming_the_field(client: TestClient[Any], clock: FixedClock) -> None:
    journey = ChallengeJourney(client, clock)
    journey.register_bodies()
    service = journey.register_service()
    expression = journey.acknowledged(PARISH, service)
    refused(
        journey.reject(expression, "frivolous-or-vexatious", "frivolous-or-vexatious"),
        422,
        "on-statutory-grounds",
        "grounds",
    )
    refused(journey.reject(expression, "the-council-prefers-its-own"), 400, "request-valid", "grounds[0]")
    refused(journey.reject(expression), 400, "request-valid", "grounds")
    accepted = {"reason": "Fine."}
    for unknown in (
        client.get(f"{EOI}/not-a-uuid"),
        client.get("/services/not-a-uuid", params={"version": 1}),
        client.post(f"{EOI}/not-a-uuid/accept", json=accepted, headers=OFFICER),
    ):
        refused(unknown, 404, "exists")  # what is not a UUID names no record
    far = {"reason": "Far off.", "opens": "2026-04-01", "closes": "9999-12-31"}
    refused(client.post(f"/services/{service}/windows", json=far, headers=OFFICER), 400, "http", "closes")
    huge = {"decide_within": 10**12, "procure_after": 0, "procure_within": 1}
    refused(
        client.post("/services", json=service_body(periods=huge), headers=OFFICER),
        400,
        "request-valid",
        "periods.decide_within",
    )
    rich = {"name": "Too rich", "annual_budget": "1e13"}
    refused(
        client.post("/services", json=service_body(**rich), headers=OFFICER),
        422,
        "amount-within-maximum",
        "annual_budget",
    )
    refused(
        client.post(EOI, json=interest_body("not-a-uuid"), headers=body(PARISH)), 400, "request-valid", "service_id"
    )
    refused(journey.submit(PARISH, "5b7f3c2e-1d2a-4f7e-9a51-0c2d1e4b8a90"), 422, "exists", "service_id")
