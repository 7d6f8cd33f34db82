"""The decision log: every decision the journeys make, with who, when, why and what; filtered; exported."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from litestar.testing import TestClient

from domain.base import MarketplaceAggregate, Role
from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from tests.conftest import COUNCIL, bearer
from tests.journeys import CHARITY, OFFICER, ok, platform_journey, publish_tender, tendering_journey

AUDITOR = bearer(Role.AUDITOR, COUNCIL, "audrey")


def decisions_in_the_store(market: Marketplace) -> dict[int, Any]:
    """Every decision event the store holds, by position: the truth the log must match."""
    recorder, mapper = market.app.recorder, market.app.mapper
    notifications = recorder.select_notifications(start=1, limit=1_000_000)
    events = {n.id: mapper.to_domain_event(n) for n in notifications}
    return {position: e for position, e in events.items() if isinstance(e, MarketplaceAggregate.Decision)}


def read_log(client: TestClient[Any], query: str = "", headers: dict[str, str] = AUDITOR) -> list[dict[str, Any]]:
    """Every entry the filters select, following next_cursor page by page."""
    entries: list[dict[str, Any]] = []
    cursor = ""
    while True:
        separator = "&" if query else ""
        page = ok(client.get(f"/audit/decisions?{query}{separator}limit=3{cursor}", headers=headers))
        entries += page["items"]
        if page["next_cursor"] is None:
            return entries
        cursor = f"&cursor={page['next_cursor']}"


@pytest.fixture
def journeys(client: TestClient[Any], market: Marketplace, clock: FixedClock) -> dict[int, Any]:
    platform_journey(client)
    tendering_journey(client, market, clock)
    return decisions_in_the_store(market)


def test_every_decision_of_the_platform_and_tendering_journeys_is_in_the_log_with_actor_and_reason(
    client: TestClient[Any], journeys: dict[int, Any]
) -> None:
    entries = read_log(client)
    assert [e["position"] for e in entries] == sorted(journeys)
    for entry in entries:
        event = journeys[entry["position"]]
        assert entry["actor"] == {
            "subject": event.actor.subject,
            "organisation": event.actor.organisation,
            "role": str(event.actor.role),
        }
        assert entry["reason"] == event.reason and entry["reason"]
        assert entry["version"] == event.originator_version
    assert {e["decision"] for e in entries} == {
        "organisation.verified",
        "organisation.deactivated",
        "tender.conflicts_assessment_recorded",
        "tender.published",
        "tender.awarded",
    }


def test_an_award_says_what_was_decided_to_whom_and_names_the_record(
    client: TestClient[Any], journeys: dict[int, Any]
) -> None:
    awards = read_log(client, "decision=tender.awarded")
    assert [a["details"]["award"]["lot_id"] for a in awards] == ["north", "south"]
    north = awards[0]
    assert north["summary"].startswith("lot north awarded to Rural Befrienders (GB-CHC-1102345)")
    assert north["reason"] == "Most advantageous: highest quality at a competitive price"
    assert ok(client.get(f"/tenders/{north['record_id']}"))["status"] == "complete"


def test_an_organisation_decision_names_the_organisation_by_its_identifier(
    client: TestClient[Any], journeys: dict[int, Any]
) -> None:
    verified = read_log(client, "decision=organisation.verified")
    assert [(v["record_kind"], v["record_id"]) for v in verified] == [("organisation", CHARITY)]
    history = ok(client.get(f"/audit/organisation/{CHARITY}/history", headers=AUDITOR))
    assert verified[0]["position"] in [e["position"] for e in history]


def test_the_csv_export_opens_with_the_csv_module_one_row_per_decision(
    client: TestClient[Any], journeys: dict[int, Any]
) -> None:
    response = client.get("/audit/decisions/export.csv", headers=AUDITOR)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="decisions.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [int(r["position"]) for r in rows] == sorted(journeys)
    for row in rows:
        event = journeys[int(row["position"])]
        assert (row["actor_subject"], row["actor_organisation"], row["reason"]) == (
            event.actor.subject,
            event.actor.organisation,
            event.reason,
        )


def test_the_json_export_holds_the_same_decisions_as_the_pages(
    client: TestClient[Any], journeys: dict[int, Any]
) -> None:
    response = client.get("/audit/decisions/export.json", headers=AUDITOR)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    assert response.json() == read_log(client)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=organisation", {"organisation.verified", "organisation.deactivated"}),
        ("kind=tender&decision=tender.published", {"tender.published"}),
        ("actor=trustee", {"organisation.deactivated"}),
        (f"organisation={CHARITY}", {"organisation.deactivated"}),
        ("kind=registration", set()),  # a kind the log holds, none of it in these journeys
    ],
)
def test_the_log_filters_by_kind_decision_and_actor(
    client: TestClient[Any], journeys: dict[int, Any], query: str, expected: set[str]
) -> None:
    assert {e["decision"] for e in read_log(client, query)} == expected
    exported = client.get(f"/audit/decisions/export.csv?{query}", headers=AUDITOR).text
    assert {r["decision"] for r in csv.DictReader(io.StringIO(exported))} == expected


def test_the_log_filters_by_date(client: TestClient[Any], journeys: dict[int, Any]) -> None:
    entries = read_log(client)
    awarded_at = next(e["decided_at"] for e in entries if e["decision"] == "tender.awarded")
    moment = awarded_at.replace("+", "%2B")
    later = read_log(client, f"decided_from={moment}")
    earlier = read_log(client, f"decided_before={moment}")
    assert {e["decision"] for e in later} == {"tender.awarded"}
    assert len(earlier) + len(later) == len(entries)


def test_cancellations_terminations_and_variations_are_decisions_too(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    journey = tendering_journey(client, market, clock)
    north, south = (f"/contracts/{c}" for c in journey.contracts)
    ok(client.post(f"{north}/vary", json={"reason": "Inflation uplift", "value": "390000"}, headers=OFFICER))
    ending = {"reason": "Provider ceased trading", "effective": "2026-09-30"}
    ok(client.post(f"{south}/terminate", json=ending, headers=OFFICER))
    other = publish_tender(client, clock)
    ok(client.post(f"/tenders/{other}/cancel", json={"reason": "Budget withdrawn"}, headers=OFFICER))
    decided = {e["decision"]: e for e in read_log(client, "kind=contract") + read_log(client, "kind=tender")}
    assert decided["contract.varied"]["summary"] == "varied: value to 390000"
    assert decided["contract.ended"]["summary"] == "contract terminated, effective 2026-09-30"
    assert decided["tender.cancelled"]["reason"] == "Budget withdrawn"
    assert decided["tender.cancelled"]["record_id"] == other


def test_free_text_that_a_spreadsheet_would_run_is_neutralised_in_the_csv(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    tender = publish_tender(client, clock)
    ok(client.post(f"/tenders/{tender}/cancel", json={"reason": '=HYPERLINK("x")'}, headers=OFFICER))
    rows = list(csv.DictReader(io.StringIO(client.get("/audit/decisions/export.csv", headers=AUDITOR).text)))
    assert rows[-1]["reason"] == '\'=HYPERLINK("x")'
    assert read_log(client, "decision=tender.cancelled")[0]["reason"] == '=HYPERLINK("x")', "JSON is unchanged"


@pytest.mark.parametrize("path", ["/audit/decisions", "/audit/decisions/export.csv", "/audit/decisions/export.json"])
def test_providers_may_not_read_the_log_and_the_anonymous_must_sign_in(client: TestClient[Any], path: str) -> None:
    assert client.get(path).status_code == 401
    refused = client.get(path, headers=bearer(Role.PROVIDER, CHARITY, "trustee"))
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")


def test_a_bad_cursor_limit_or_date_is_a_400_problem(client: TestClient[Any]) -> None:
    for query in ("cursor=nonsense", "limit=0"):
        assert client.get(f"/audit/decisions?{query}", headers=AUDITOR).status_code == 400
    assert client.get("/audit/decisions/export.csv?decided_from=yesterday", headers=AUDITOR).status_code == 400
