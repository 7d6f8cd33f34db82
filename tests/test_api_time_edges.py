"""Times at the ends of the calendar are the caller's mistake: a 400 naming the field, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from domain.base import Role
from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from tests.conftest import COUNCIL, bearer, event_count
from tests.journeys import CHARITY, OFFICER, ok, platform_journey, tender_terms

pytestmark = pytest.mark.request_layer  # answered before any database is asked: SQLite alone

AUDITOR = bearer(Role.AUDITOR, COUNCIL, "audrey")
EDGES = ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+01:00", "1066-10-14T09:00:00Z"]


@pytest.mark.parametrize("moment", EDGES)
@pytest.mark.parametrize(
    ("path", "field"),
    [
        (f"/organisations/{CHARITY}?as_of=", "as_of"),
        ("/audit/decisions?decided_from=", "decided_from"),
        ("/audit/decisions/export.csv?decided_before=", "decided_before"),
        ("/tenders?deadline_after=", "deadline_after"),
        ("/tenders?deadline_before=", "deadline_before"),
    ],
)
def test_a_query_time_at_the_calendars_edge_is_a_400_naming_it(
    client: TestClient[Any], moment: str, path: str, field: str
) -> None:
    platform_journey(client)
    refused = client.get(path + moment.replace("+", "%2B"), headers=AUDITOR)
    assert refused.status_code == 400, refused.text
    assert refused.json()["errors"][0]["field"] == field


@pytest.mark.parametrize("field", ["clarification_deadline", "tender_deadline"])
def test_a_tender_deadline_at_the_calendars_edge_is_a_400_and_writes_nothing(
    client: TestClient[Any], market: Marketplace, clock: FixedClock, field: str
) -> None:
    before = event_count(market)
    refused = client.post("/tenders", json={**tender_terms(clock), field: EDGES[0]}, headers=OFFICER)
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == field
    assert event_count(market) == before


def test_a_time_within_the_calendar_is_answered(client: TestClient[Any]) -> None:
    platform_journey(client)
    assert ok(client.get(f"/organisations/{CHARITY}?as_of=2999-01-01T00:00:00Z"))["status"] == "deactivated"
