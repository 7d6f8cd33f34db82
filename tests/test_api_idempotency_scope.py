"""An Idempotency-Key belongs to its caller and its route, and is forgotten after its keeping time."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient
from sqlalchemy import func, select

from domain.base import Role
from marketplace.clock import FixedClock
from marketplace.idempotency import idempotency_records
from marketplace.scheduler import forget_idempotency_keys
from marketplace.service import Marketplace
from tests.conftest import bearer, event_count, registration
from tests.journeys import RURAL, SEVERN, offer, ok, publish_tender, register_the_market

REASON = {"reason": "Checked against the register."}


def keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


def test_two_providers_of_different_organisations_with_the_same_subject_and_key_each_get_their_own_bid(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    register_the_market(client)
    tender = publish_tender(client, clock)
    rural = keyed(bearer(Role.PROVIDER, RURAL, "sam"), "bid-1")
    severn = keyed(bearer(Role.PROVIDER, SEVERN, "sam"), "bid-1")
    body = offer({"north": "390000.00"}, "same")
    first = ok(client.post(f"/tenders/{tender}/bids", json=body, headers=rural), 201)
    second = ok(client.post(f"/tenders/{tender}/bids", json=body, headers=severn), 201)
    assert (first["bidder"], second["bidder"]) == (RURAL, SEVERN)
    assert first["id"] != second["id"]
    assert ok(client.get(f"/bids/{second['id']}", headers=severn))["receipt"]["bidder"] == SEVERN


def test_one_subject_in_two_roles_keeps_two_scopes_for_one_key(client: TestClient[Any], market: Marketplace) -> None:
    as_admin = keyed(bearer(Role.ADMIN, "GB-LAE-SHR", "pat"), "shared")
    as_commissioner = keyed(bearer(Role.COMMISSIONER, "GB-LAE-SHR", "pat"), "shared")
    first = client.post("/organisations", json=registration("GB-CHC-1234567"), headers=as_admin)
    second = client.post("/organisations", json=registration("GB-CHC-7654321"), headers=as_commissioner)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.headers["location"] == "/organisations/GB-CHC-7654321"


def test_the_same_key_and_the_same_body_on_another_route_is_refused(
    client: TestClient[Any], market: Marketplace, commissioner: dict[str, str]
) -> None:
    ok(client.post("/organisations", json=registration("GB-CHC-1234567"), headers=commissioner), 201)
    ok(client.post("/organisations", json=registration("GB-CHC-7654321"), headers=commissioner), 201)
    ok(client.post("/organisations/GB-CHC-1234567/verify", json=REASON, headers=keyed(commissioner, "k")))
    before = event_count(market)
    refused = client.post("/organisations/GB-CHC-7654321/verify", json=REASON, headers=keyed(commissioner, "k"))
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["Idempotency-Key"]
    assert event_count(market) == before


def test_a_key_past_its_keeping_time_is_forgotten_and_may_name_a_new_request(
    client: TestClient[Any], market: Marketplace, clock: FixedClock, commissioner: dict[str, str]
) -> None:
    ok(client.post("/organisations", json=registration("GB-CHC-1234567"), headers=keyed(commissioner, "k")), 201)
    clock.advance(hours=market.settings.idempotency_hours + 1)
    again = client.post("/organisations", json=registration("GB-CHC-7654321"), headers=keyed(commissioner, "k"))
    assert again.status_code == 201, again.text
    assert again.headers["location"] == "/organisations/GB-CHC-7654321"


def test_a_key_within_its_keeping_time_still_replays(
    client: TestClient[Any], market: Marketplace, clock: FixedClock, commissioner: dict[str, str]
) -> None:
    first = client.post("/organisations", json=registration("GB-CHC-1234567"), headers=keyed(commissioner, "k"))
    clock.advance(hours=market.settings.idempotency_hours - 1)
    before = event_count(market)
    retry = client.post("/organisations", json=registration("GB-CHC-1234567"), headers=keyed(commissioner, "k"))
    assert (retry.status_code, retry.json()) == (first.status_code, first.json())
    assert event_count(market) == before


def test_the_clock_purges_keys_past_their_keeping_time_so_the_table_does_not_grow(
    client: TestClient[Any], market: Marketplace, clock: FixedClock, commissioner: dict[str, str]
) -> None:
    for n, identifier in enumerate(["GB-CHC-1234567", "GB-CHC-7654321"]):
        ok(client.post("/organisations", json=registration(identifier), headers=keyed(commissioner, f"k{n}")), 201)
        clock.advance(hours=12)
    clock.advance(hours=market.settings.idempotency_hours - 12 - 1)  # the first is past keeping, the second not
    assert forget_idempotency_keys(market) == 1
    with market.views() as session:
        assert session.execute(select(func.count()).select_from(idempotency_records)).scalar_one() == 1
    clock.advance(hours=2)
    assert forget_idempotency_keys(market) == 1
