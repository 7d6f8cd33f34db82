"""Every tendering refusal is a 4xx problem+json whose detail a commissioner can act on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from marketplace.clock import FixedClock
from tests.conftest import registration
from tests.journeys import OFFICER, offer, provider, publish_tender, tender_terms

BIDDER, RIVAL = "GB-CHC-1102345", "GB-COH-09876543"


def refused(response: Any, status: int, words: str, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert words.lower() in problem["detail"].lower(), problem["detail"]
    assert {"type", "title", "status", "detail"} <= problem.keys()
    if field:
        assert field in [error["field"] for error in problem["errors"]], problem


def criteria(price: int, quality: int, social: int = 0) -> dict[str, Any]:
    listed = [
        {"key": "price", "name": "Price", "kind": "price", "weight": price},
        {"key": "q", "name": "Quality", "kind": "quality", "weight": quality},
    ]
    if social:
        listed.append({"key": "s", "name": "Social value", "kind": "social-value", "weight": social})
    return {"criteria": listed}


@pytest.mark.parametrize(
    ("change", "words", "field"),
    [
        (criteria(70, 30), "social value", "criteria"),
        (criteria(50, 30, 10), "sum to 100", "criteria"),
        ({"procedure": "light-touch", "category": "works"}, "light-touch", "procedure"),
        ({"procedure": "below-threshold-quotation"}, "threshold", "procedure"),
    ],
)  # fmt: skip
def test_a_tender_breaking_the_award_rules_is_refused_naming_the_field(
    client: TestClient[Any], clock: FixedClock, change: dict[str, Any], words: str, field: str
) -> None:
    refused(client.post("/tenders", json=tender_terms(clock) | change, headers=OFFICER), 422, words, field)


def test_publishing_without_a_conflicts_assessment_is_refused(client: TestClient[Any], clock: FixedClock) -> None:
    tender = client.post("/tenders", json=tender_terms(clock), headers=OFFICER).json()
    response = client.post(f"/tenders/{tender['id']}/publish", json={"reason": "Board approval"}, headers=OFFICER)
    refused(response, 409, "conflicts of interest assessment")


def test_an_above_threshold_tender_must_allow_25_days(client: TestClient[Any], clock: FixedClock) -> None:
    short = tender_terms(clock) | {
        "clarification_deadline": (clock.now() + timedelta(days=5)).isoformat(),
        "tender_deadline": (clock.now() + timedelta(days=10)).isoformat(),
    }
    tender = client.post("/tenders", json=short, headers=OFFICER).json()
    path = f"/tenders/{tender['id']}"
    client.post(
        f"{path}/conflicts-assessment", json={"conflicts_found": False, "reason": "None found"}, headers=OFFICER
    )
    refused(client.post(f"{path}/publish", json={"reason": "Board approval"}, headers=OFFICER), 422, "25 days")


def test_the_bidding_refusals_say_what_went_wrong(client: TestClient[Any], clock: FixedClock) -> None:
    tender = publish_tender(client, clock)
    unregistered = client.post(f"/tenders/{tender}/bids", json=offer({"north": "100"}), headers=provider(BIDDER))
    refused(unregistered, 409, "register gb-chc-1102345 in the organisation register")
    for org in (BIDDER, RIVAL):
        client.post("/organisations", json=registration(org), headers=provider(org))
    bids = f"/tenders/{tender}/bids"
    refused(client.post(bids, json=offer({"east": "100"}), headers=provider(BIDDER)), 422, "no lot east")
    refused(client.post(bids, json=offer({"north": "0"}), headers=provider(BIDDER)), 422, "more than zero")
    no_social = {"prices": {"north": "100"}, "responses": {"quality": "Good"}}
    refused(client.post(bids, json=no_social, headers=provider(BIDDER)), 422, "respond to each", "responses")
    assert client.post(bids, json=offer({"north": "100"}), headers=provider(BIDDER)).status_code == 201
    refused(client.post(bids, json=offer({"north": "90"}), headers=provider(BIDDER)), 409, "already registered")
    refused(client.post(f"/tenders/{tender}/open-bids", headers=OFFICER), 409, "not before the tender deadline")
    clock.advance(days=31)
    refused(client.post(bids, json=offer({"north": "80"}), headers=provider(RIVAL)), 409, "deadline passed")
    refused(
        client.post(f"/tenders/{tender}/award", json={"lot_id": "north", "bid_id": "x", "reason": "Best value"},
                    headers=OFFICER),
        409, "cannot award",
    )  # fmt: skip


def test_a_provider_cannot_manage_a_tender_nor_touch_another_bidders_bid(
    client: TestClient[Any], clock: FixedClock
) -> None:
    tender = publish_tender(client, clock)
    client.post("/organisations", json=registration(BIDDER), headers=provider(BIDDER))
    bid = client.post(f"/tenders/{tender}/bids", json=offer({"north": "100"}), headers=provider(BIDDER)).json()
    rival = provider(RIVAL)
    refused(client.post(f"/tenders/{tender}/cancel", json={"reason": "Mine now"}, headers=rival), 403, "role")
    refused(client.post(f"/bids/{bid['id']}/withdraw", headers=rival), 403, "only the bidder")


def test_a_tender_never_published_stays_with_the_council_even_once_cancelled(
    client: TestClient[Any], clock: FixedClock
) -> None:
    draft = client.post("/tenders", json=tender_terms(clock), headers=OFFICER).json()["id"]
    cancelled = client.post(f"/tenders/{draft}/cancel", json={"reason": "Not needed after all"}, headers=OFFICER)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    for anyone in ({}, provider("GB-CHC-1102345")):
        assert client.get(f"/tenders/{draft}", headers=anyone).status_code == 404
        assert client.get(f"/tenders/{draft}?version=2", headers=anyone).status_code == 404
        listed = client.get("/tenders?status=cancelled", headers=anyone).json()["items"]
        assert draft not in [t["id"] for t in listed]
    assert client.get(f"/tenders/{draft}", headers=OFFICER).json()["status"] == "cancelled"
    assert draft in [t["id"] for t in client.get("/tenders?status=cancelled", headers=OFFICER).json()["items"]]
