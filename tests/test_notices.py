"""Procurement Act notices over HTTP, each drafted from the records as they stand and approved by a named officer:
a contract change notice before a modification beyond de minimis (with its voluntary standstill), the payments of
more than £30,000 in a quarter once it has ended, a contract's performance against its KPIs, and a termination
notice. Refused: a modification the notice did not announce, a period not yet ended, a notice published twice, an
officer in no people register, another council's contract."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from litestar.testing import TestClient

from domain.base import Role
from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from tests.conftest import COUNCIL, bearer, event_count
from tests.journeys import OFFICER, RURAL, ok, provider, tendering_journey
from tests.people_fixtures import officer_body
from tests.test_payments_journey import ED, invoice, on

ADMIN = bearer(Role.ADMIN, COUNCIL, "ada")
UNNAMED = bearer(Role.COMMISSIONER, COUNCIL, "una")  # a commissioner in no people register
NEIGHBOUR = bearer(Role.COMMISSIONER, "GB-LAE-TFW", "tom")
REASON = {"reason": "Approved at the contracts board"}


@pytest.fixture
def contracts(market: Marketplace, client: TestClient[Any], clock: FixedClock) -> list[str]:
    """The journeys' two contracts (north: Rural's, £380,000; south: National's), cathy in the people register."""
    ok(client.post("/people", json=officer_body("cathy"), headers=ADMIN), 201)
    return tendering_journey(client, market, clock).contracts


def refused(response: Any, status: int, rule: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    problem: dict[str, Any] = response.json()
    assert problem["type"] == f"urn:marketplace:problem:{rule}", response.text
    return problem


def test_a_change_beyond_de_minimis_is_made_only_as_its_change_notice_announced_and_after_its_standstill(
    client: TestClient[Any], clock: FixedClock, contracts: list[str]
) -> None:
    north = contracts[0]
    more = {"reason": "Twenty more hours a week", "value": "450000"}
    refused(client.post(f"/contracts/{north}/vary", json=more, headers=OFFICER), 409, "change-noticed")
    announced = {**REASON, "contract_id": north, "description": "Twenty more hours a week", "value": "450000"}
    notice = ok(
        client.post("/notices/contract-change", json={**announced, "voluntary_standstill": True}, headers=OFFICER), 201
    )
    content = notice["content"]
    assert (content["value_before"], content["value_after"], content["value_change"]) == ("380000", "450000", "18.4")
    assert notice["approved_by"]["name"] == "Cathy Commissioner" and notice["section"]
    named = {**more, "change_notice": notice["id"]}
    refused(
        client.post(f"/contracts/{north}/vary", json={**named, "value": "460000"}, headers=OFFICER),
        409,
        "change-noticed",
    )
    refused(client.post(f"/contracts/{north}/vary", json=named, headers=OFFICER), 409, "standstill-over")
    clock.advance(days=14)
    varied = ok(client.post(f"/contracts/{north}/vary", json=named, headers=OFFICER))
    assert Decimal(varied["value"]) == 450000
    more_again = {"reason": "Room hire", "value": "460000"}  # small alone, but changes add up from the concluded value
    refused(client.post(f"/contracts/{north}/vary", json=more_again, headers=OFFICER), 409, "change-noticed")


def test_the_payments_over_30000_notice_lists_each_one_once_its_quarter_has_ended(
    market: Marketplace, client: TestClient[Any], clock: FixedClock, contracts: list[str]
) -> None:
    on(clock, "2026-07-01")
    lines = [{"description": "Befriending, June", "net": "40000", "vat": "0"}]
    sent = ok(
        client.post(
            f"/contracts/{contracts[0]}/invoices",
            json=invoice("N-1", "2026-06-01", "2026-06-30", lines),
            headers=provider(RURAL),
        ),
        201,
    )
    ok(client.post(f"/invoices/{sent['id']}/validate", json=REASON, headers=OFFICER))
    ok(client.post(f"/invoices/{sent['id']}/approve", json=REASON, headers=ED))
    ok(client.post(f"/invoices/{sent['id']}/pay", json={"amount": "40000", "paid_on": "2026-07-01"}, headers=OFFICER))
    quarter = {**REASON, "day": "2026-08-15"}
    refused(client.post("/notices/payments-over-30000", json=quarter, headers=OFFICER), 409, "period-ended")
    on(clock, "2026-10-01")
    before = event_count(market)
    refused(client.post("/notices/payments-over-30000", json=quarter, headers=UNNAMED), 403, "named-officer")
    assert event_count(market) == before
    notice = ok(client.post("/notices/payments-over-30000", json=quarter, headers=OFFICER), 201)
    paid = notice["content"]["payments"]
    assert [(p["supplier"], Decimal(p["amount"]), p["paid_on"]) for p in paid] == [(RURAL, 40000, "2026-07-01")]
    assert (notice["due_by"], notice["late"]) == ("2026-10-30", False)
    refused(client.post("/notices/payments-over-30000", json=quarter, headers=OFFICER), 409, "published-once")
    listed = ok(client.get("/notices", params={"kind": "payments-over-30000"}))["items"]
    assert [item["id"] for item in listed] == [notice["id"]]


def test_a_contracts_performance_notice_rates_each_kpi_and_is_its_buyers_alone(
    client: TestClient[Any], clock: FixedClock, contracts: list[str]
) -> None:
    north = contracts[0]
    on(clock, "2026-07-01")
    body = {"reason": "Performance notice", "contract_id": north}
    refused(client.post("/notices/contract-performance", json=body, headers=OFFICER), 409, "kpis-set")
    kpi = {"key": "punctuality", "title": "Visits on time", "measure": "Visits begun on time", "target": "95%"}
    ok(client.post(f"/contracts/{north}/kpis", json={**kpi, "frequency": "monthly", **REASON}, headers=OFFICER))
    refused(client.post("/notices/contract-performance", json=body, headers=OFFICER), 409, "kpis-measured")
    measured = {"period_start": "2026-06-01", "period_end": "2026-06-30", "value": "84%", "evidence": "Register"}
    path = f"/contracts/{north}/kpis/punctuality/measurements"
    ok(client.post(path, json={**measured, "rating": "requires-improvement", **REASON}, headers=OFFICER))
    refused(client.post("/notices/contract-performance", json=body, headers=NEIGHBOUR), 403, "buyer")
    notice = ok(client.post("/notices/contract-performance", json=body, headers=OFFICER), 201)
    assert [(k["key"], k["rating"]) for k in notice["content"]["kpis"]] == [("punctuality", "requires-improvement")]
    assert ok(client.get(f"/notices/{notice['id']}"))["content"] == notice["content"]


def test_a_termination_notice_follows_the_ending_and_says_what_was_breached(
    client: TestClient[Any], contracts: list[str]
) -> None:
    south = contracts[1]
    breach = {**REASON, "contract_id": south, "terminated_for": "breach"}
    refused(client.post("/notices/contract-termination", json=breach, headers=OFFICER), 409, "state-allows")
    ending = {**REASON, "effective": "2026-12-31", "consultation": "Users consulted in September"}
    ok(client.post(f"/contracts/{south}/terminate", json=ending, headers=OFFICER))
    missing = client.post("/notices/contract-termination", json=breach, headers=OFFICER)
    assert missing.status_code == 422 and "breach" in missing.text, missing.text
    notice = ok(
        client.post(
            "/notices/contract-termination", json={**breach, "breach": "Visits missed, clause 7"}, headers=OFFICER
        ),
        201,
    )
    assert (notice["content"]["terminated_for"], notice["content"]["breach"]) == ("breach", "Visits missed, clause 7")
    assert notice["due_by"] == "2027-01-30"
