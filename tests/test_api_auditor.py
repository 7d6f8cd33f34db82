"""The auditor reads every audit surface after the journeys, and reading writes nothing.

That the auditor writes nothing (403 on every write route) is shown for every route in the OpenAPI
document by tests/test_api_write_guards.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from domain.base import Role
from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from tests.conftest import COUNCIL, bearer, event_count
from tests.journeys import CHARITY, RURAL, TenderingJourney, ok, platform_journey, tendering_journey

AUDITOR = bearer(Role.AUDITOR, COUNCIL, "audrey")


@pytest.fixture
def journey(client: TestClient[Any], market: Marketplace, clock: FixedClock) -> TenderingJourney:
    platform_journey(client)
    return tendering_journey(client, market, clock)


def audit_reads(journey: TenderingJourney, ocid_prefix: str) -> list[str]:
    tender, bid, contract = journey.tender, journey.bids[RURAL], journey.contracts[0]
    return [
        "/audit/events?after=0&limit=1000",
        "/audit/chain/head",
        f"/audit/organisation/{CHARITY}/history",
        f"/audit/tender/{tender}/history",
        f"/audit/bid/{bid}/history",
        f"/audit/contract/{contract}/history",
        "/audit/decisions",
        "/audit/decisions/export.csv",
        "/audit/decisions/export.json",
        f"/organisations/{CHARITY}?version=2",
        f"/organisations/{CHARITY}?as_of=2026-03-02T09:00:00Z",
        f"/tenders/{tender}?version=1",
        f"/bids/{bid}?version=1",
        f"/contracts/{contract}?version=1",
        f"/tenders/{tender}/evaluation?version=1",
        "/ocds/releases",
        f"/ocds/records/{ocid_prefix}-{tender}",
    ]


def test_the_auditor_reads_every_audit_surface_and_reading_writes_nothing(
    client: TestClient[Any], market: Marketplace, journey: TenderingJourney
) -> None:
    before = event_count(market)
    for path in audit_reads(journey, market.settings.ocid_prefix):
        response = client.get(path, headers=AUDITOR)
        assert response.status_code == 200, (path, response.text)
    assert event_count(market) == before


def test_after_opening_the_auditor_reads_a_bid_as_it_was_first_submitted(
    client: TestClient[Any], journey: TenderingJourney
) -> None:
    first = ok(client.get(f"/bids/{journey.bids[RURAL]}?version=1", headers=AUDITOR))
    assert first["opened"] is True
    assert first["prices"] == {"north": "380000", "south": "330000"}
