"""Contract performance: KPIs set on a contract, measured per period with evidence and rated Good, Approaching
target, Requires improvement, Inadequate or Other (PA2023 s.71); the public dashboard shows each KPI's latest
rating and its history; a contract worth more than £5 million needs three KPIs or a recorded reason (s.52)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest
from litestar.testing import TestClient

from domain.base import Actor, Context, Role
from domain.rules import DomainError
from domain.tendering.contract import Contract
from domain.tendering.tender import Supplier
from domain.tendering.terms import ContractTerms
from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from tests.conftest import COUNCIL
from tests.journeys import OFFICER, RURAL, ok, provider, tendering_journey
from tests.test_payments_journey import on, refused_for

CTX = Context(Actor("cathy", COUNCIL, Role.COMMISSIONER), datetime(2026, 5, 1, 9, tzinfo=timezone.utc))
SUPPLIER = Supplier("GB-COH-00445566", "National Care plc", "large", False, "B1")


def concluded(value: str, kpis: list[str], exemption: str = "") -> Contract:
    tender = SimpleNamespace(id=uuid4(), buyer=COUNCIL)
    award = SimpleNamespace(lot_id="all", supplier=SUPPLIER, value=Decimal(value))
    terms = ContractTerms("all", date(2026, 6, 1), date(2029, 5, 31), kpis, exemption)
    return Contract.conclude(CTX, tender, award, terms)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "kpis", "exemption", "allowed"),
    [
        ("5000000", [], "", True),  # £5m exactly: not more than £5m
        ("5000000.01", ["a", "b"], "", False),
        ("5000000.01", ["a", "b", "c"], "", True),
        ("8000000", [], "A single deliverable: the building is handed over, or it is not.", True),
    ],
)
def test_a_contract_over_five_million_pounds_needs_three_kpis_or_the_reason_it_has_not(
    value: str, kpis: list[str], exemption: str, allowed: bool
) -> None:
    if allowed:
        assert concluded(value, kpis, exemption).value == Decimal(value)
    else:
        with pytest.raises(DomainError) as refused:
            concluded(value, kpis, exemption)
        assert (refused.value.field, refused.value.rule) == ("kpis", "EnoughKpis")


def test_kpis_are_set_measured_and_rated_and_the_dashboard_shows_the_latest(
    market: Marketplace, client: TestClient[Any], clock: FixedClock
) -> None:
    north = tendering_journey(client, market, clock).contracts[0]
    kpis = f"/contracts/{north}/kpis"
    kpi = {"key": "attendance", "title": "Sessions attended", "measure": "Share of booked sessions attended"}
    kpi |= {"target": "90%", "frequency": "monthly", "reason": "Agreed at mobilisation"}
    assert client.post(kpis, json=kpi, headers=provider(RURAL)).status_code == 403
    ok(client.post(kpis, json=kpi, headers=OFFICER))
    assert client.post(kpis, json=kpi, headers=OFFICER).status_code == 422  # one KPI per key
    on(clock, "2026-08-03")
    june = {"period_start": "2026-06-01", "period_end": "2026-06-30", "value": "84%", "evidence": "Register, June"}
    july = {**june, "period_start": "2026-07-01", "period_end": "2026-07-31", "value": "92%", "evidence": "Register"}
    ok(
        client.post(
            f"{kpis}/attendance/measurements",
            json={**june, "rating": "approaching-target", "reason": "Below 90%"},
            headers=OFFICER,
        )
    )
    ok(
        client.post(
            f"{kpis}/attendance/measurements",
            json={**july, "rating": "good", "reason": "Above target"},
            headers=OFFICER,
        )
    )
    future = {**july, "period_start": "2026-08-01", "period_end": "2026-08-31", "rating": "good", "reason": "Too soon"}
    refused_for(client.post(f"{kpis}/attendance/measurements", json=future, headers=OFFICER), "period_end")
    unknown = client.post(
        f"{kpis}/punctuality/measurements", json={**june, "rating": "good", "reason": "Not a KPI"}, headers=OFFICER
    )
    refused_for(unknown, "kpi")
    board = ok(client.get(kpis))  # public
    assert [(k["key"], k["latest_rating"]) for k in board] == [("attendance", "good")]
    assert [(m["period_end"], m["rating"], m["rated_by"]) for m in board[0]["history"]] == [
        ("2026-06-30", "approaching-target", "cathy"),
        ("2026-07-31", "good", "cathy"),
    ]
    log = ok(client.get("/audit/decisions", params={"kind": "contract"}, headers=OFFICER))["items"]
    assert [e["reason"] for e in log if e["decision"] == "contract.kpi_measured"] == ["Below 90%", "Above target"]
