"""The auditor's view of the event log: every event in order, who did it, why, and sealed bids kept sealed."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import TestClient

from domain.base import Role
from marketplace.clock import FixedClock
from tests.conftest import COUNCIL, bearer, registration
from tests.journeys import OFFICER, offer, provider, publish_tender

AUDITOR = bearer(Role.AUDITOR, COUNCIL, "audrey")
BIDDER = "GB-CHC-1102345"
MARKER = "AUDIT-SEALED-" + uuid.uuid4().hex
PRICE = "876543.21"
VERIFY = {"reason": "Checked against the Charity Commission register."}


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def journey(client: TestClient[Any], clock: FixedClock) -> tuple[str, str]:
    """A verified provider bids on a published tender: returns the tender and bid ids."""
    assert client.post("/organisations", json=registration(BIDDER), headers=provider(BIDDER)).status_code == 201
    assert client.post(f"/organisations/{BIDDER}/verify", json=VERIFY, headers=OFFICER).status_code == 200
    tender = publish_tender(client, clock)
    sent = client.post(f"/tenders/{tender}/bids", json=offer({"north": PRICE}, MARKER), headers=provider(BIDDER))
    assert sent.status_code == 201, sent.text
    return tender, str(sent.json()["id"])


def test_the_feed_lists_a_journeys_events_in_commit_order_with_actors_and_reasons(
    client: TestClient[Any], clock: FixedClock
) -> None:
    tender, bid = journey(client, clock)
    page = ok(client.get("/audit/events", headers=AUDITOR))
    events = page["events"]
    positions = [e["position"] for e in events]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    assert page["next_after"] == positions[-1]
    types = [e["event_type"] for e in events]
    for wanted in ("Organisation.Registered", "Organisation.Verified", "Tender.Published", "Bid.Submitted"):
        assert wanted in types
    assert types.index("Organisation.Verified") < types.index("Tender.Published") < types.index("Bid.Submitted")

    verified = next(e for e in events if e["event_type"] == "Organisation.Verified")
    assert verified["aggregate_kind"] == "Organisation"
    assert verified["actor"] == {"subject": "cathy", "organisation": COUNCIL, "role": "commissioner"}
    assert verified["reason"] == VERIFY["reason"]
    published = next(e for e in events if e["event_type"] == "Tender.Published")
    assert published["aggregate_id"] == tender and published["reason"] == "Approved by the commissioning board"
    submitted = next(e for e in events if e["event_type"] == "Bid.Submitted")
    assert submitted["aggregate_kind"] == "Bid" and submitted["aggregate_id"] == bid and submitted["reason"] is None
    assert submitted["actor"]["role"] == "provider" and submitted["data"]["tender_id"] == tender
    assert submitted["time"].startswith("2026-03-02") and submitted["correlation_id"]


def test_paging_with_after_and_limit_covers_every_event_exactly_once(
    client: TestClient[Any], clock: FixedClock
) -> None:
    journey(client, clock)
    everything = [e["position"] for e in ok(client.get("/audit/events?limit=1000", headers=AUDITOR))["events"]]
    assert len(everything) > 5
    seen: list[int] = []
    after = 0
    while True:
        page = ok(client.get(f"/audit/events?after={after}&limit=2", headers=AUDITOR))
        assert len(page["events"]) <= 2
        if not page["events"]:
            assert page["next_after"] == after
            break
        seen += [e["position"] for e in page["events"]]
        after = page["next_after"]
    assert seen == everything
    for bad in ("limit=0", "limit=1001", "after=-1", "limit=ten", f"after={2**64}"):
        assert client.get(f"/audit/events?{bad}", headers=AUDITOR).status_code == 400, bad


def test_an_organisations_history_shows_registration_and_verification_with_reasons(
    client: TestClient[Any], clock: FixedClock
) -> None:
    journey(client, clock)
    events = ok(client.get(f"/audit/organisation/{BIDDER}/history", headers=AUDITOR))
    assert [e["event_type"] for e in events][:2] == ["Organisation.Registered", "Organisation.Verified"]
    assert [e["version"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["data"]["identifier"] == BIDDER and events[0]["reason"] is None
    assert events[1]["reason"] == VERIFY["reason"] and events[1]["actor"]["subject"] == "cathy"


def test_unknown_kinds_and_records_are_not_found(client: TestClient[Any], clock: FixedClock) -> None:
    tender, _ = journey(client, clock)
    for url in (
        f"/audit/planet/{tender}/history",
        f"/audit/tender/{uuid.uuid4()}/history",
        "/audit/tender/not-a-uuid/history",
        f"/audit/bid/{tender}/history",  # a tender is not a bid
        "/audit/organisation/GB-CHC-0000000/history",
    ):
        answer = client.get(url, headers=AUDITOR)
        assert answer.status_code == 404, url
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert ok(client.get(f"/audit/tender/{tender}/history", headers=AUDITOR))[0]["event_type"] == "Tender.Drafted"


def test_a_bids_content_is_sealed_in_both_routes_until_the_bids_are_opened_not_merely_the_deadline(
    client: TestClient[Any], clock: FixedClock
) -> None:
    tender, bid = journey(client, clock)
    replaced = client.put(f"/bids/{bid}", json=offer({"north": PRICE}, MARKER + "-2"), headers=provider(BIDDER))
    assert replaced.status_code == 200, replaced.text

    def bid_events(reader: dict[str, str]) -> list[dict[str, Any]]:
        feed = ok(client.get("/audit/events?limit=1000", headers=reader))["events"]
        return [e for e in feed if e["aggregate_kind"] == "Bid"] + ok(
            client.get(f"/audit/bid/{bid}/history", headers=reader)
        )

    def assert_sealed(reader: dict[str, str]) -> None:
        for url in ("/audit/events?limit=1000", f"/audit/bid/{bid}/history"):
            body = client.get(url, headers=reader).text
            assert MARKER not in body and PRICE not in body, url
        sealed = bid_events(reader)
        assert [e["event_type"] for e in sealed] == ["Bid.Submitted", "Bid.Replaced"] * 2
        for event in sealed:
            assert event["data"]["prices"] == event["data"]["responses"] == "sealed until the bids are opened"
            assert event["data"]["nonce"] == "kept by the bidder"

    assert_sealed(AUDITOR)
    clock.advance(days=31)  # past the deadline, not yet opened
    assert_sealed(AUDITOR)
    assert_sealed(OFFICER)
    assert client.post(f"/tenders/{tender}/open-bids", headers=OFFICER).status_code == 200
    opened, replaced_offer = bid_events(AUDITOR)[:2]
    assert opened["data"]["prices"] == replaced_offer["data"]["prices"] == {"north": PRICE}
    assert MARKER in opened["data"]["responses"]["quality"]
    assert replaced_offer["data"]["responses"]["quality"].endswith(MARKER + "-2")
    assert opened["data"]["nonce"] == replaced_offer["data"]["nonce"] == "kept by the bidder"
    superseded, evaluated = bid_events(OFFICER)[:2]  # the commissioner reads only the offer that was opened
    assert superseded["data"]["prices"] == "an offer that was not opened: for its bidder and auditors"
    assert evaluated["data"]["prices"] == {"north": PRICE}


def test_only_auditors_commissioners_and_admins_may_read_the_log(client: TestClient[Any], clock: FixedClock) -> None:
    tender, _ = journey(client, clock)
    urls = ("/audit/events", f"/audit/tender/{tender}/history", f"/audit/organisation/{BIDDER}/history")
    for url in urls:
        assert client.get(url).status_code == 401, url
        assert client.get(url, headers=provider(BIDDER)).status_code == 403, url
        for role in (Role.AUDITOR, Role.COMMISSIONER, Role.ADMIN):
            assert client.get(url, headers=bearer(role, COUNCIL, "someone")).status_code == 200, (url, role)
