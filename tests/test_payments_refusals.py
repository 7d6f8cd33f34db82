"""What invoices refuse, each with a problem naming the field or the rule, and nothing written: another supplier's
invoice, totals that do not add up, amounts no column can hold, the same number twice, a payment that would pass
the contract's value, a disputed invoice paid; and who may read an invoice."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from tests.journeys import EVALUATORS, NATIONAL, OFFICER, RURAL, SEVERN, ok, provider, tendering_journey
from tests.test_payments_journey import invoice, on, refused_for

ED = EVALUATORS["ed"]
JUNE = ("2026-06-01", "2026-06-30")


def care(net: str, vat: str = "0") -> list[dict[str, Any]]:
    return [{"description": "Home care, June", "net": net, "vat": vat}]


@pytest.fixture
def south(market: Marketplace, client: TestClient[Any], clock: FixedClock) -> str:
    """National Care's contract (£300,000), on 1 July 2026."""
    contract = tendering_journey(client, market, clock).contracts[1]
    on(clock, "2026-07-01")
    return f"/contracts/{contract}/invoices"


def test_an_invoice_is_the_contracts_supplier_to_send_and_must_add_up(client: TestClient[Any], south: str) -> None:
    mine = invoice("S-1", *JUNE, care("1000", "200"))
    assert client.post(south, json=mine, headers=provider(SEVERN)).status_code == 403
    refused_for(client.post(south, json={**mine, "gross": "1100"}, headers=provider(NATIONAL)), "gross")
    refused_for(client.post(south, json={**mine, "net": "900", "gross": "1100"}, headers=provider(NATIONAL)), "net")
    for amount in ("NaN", "1e400", "0.001", "-5"):
        bad = client.post(south, json={**mine, "lines": care(amount)}, headers=provider(NATIONAL))
        assert bad.status_code == 422 and "lines" in bad.text, bad.text
    refused_for(
        client.post(south, json=invoice("S-0", "2026-05-01", "2026-05-31", care("10")), headers=provider(NATIONAL)),
        "period_start",
    )
    assert ok(client.get("/invoices", headers=OFFICER))["items"] == []  # nothing of any of them was written
    ok(client.post(south, json=mine, headers=provider(NATIONAL)), 201)
    again = client.post(south, json=mine, headers=provider(NATIONAL))
    assert again.status_code == 409, again.text


def test_payments_never_pass_the_contracts_value_and_a_disputed_invoice_is_never_paid(
    client: TestClient[Any], south: str
) -> None:
    big = ok(client.post(south, json=invoice("S-1", *JUNE, care("250000", "50000")), headers=provider(NATIONAL)), 201)
    small = ok(client.post(south, json=invoice("S-2", *JUNE, care("1000")), headers=provider(NATIONAL)), 201)
    for made in (big, small):
        ok(client.post(f"/invoices/{made['id']}/validate", json={"reason": "Checked"}, headers=OFFICER))
        ok(client.post(f"/invoices/{made['id']}/approve", json={"reason": "Approved"}, headers=ED))
    ok(client.post(f"/invoices/{big['id']}/pay", json={"amount": "300000", "paid_on": "2026-07-01"}, headers=OFFICER))
    beyond = client.post(
        f"/invoices/{small['id']}/pay", json={"amount": "1000", "paid_on": "2026-07-01"}, headers=OFFICER
    )
    assert beyond.status_code == 409 and beyond.json()["type"].endswith("within-contract-value"), beyond.text
    assert ok(client.get(f"/invoices/{small['id']}", headers=OFFICER))["status"] == "approved"

    disputed = ok(client.post(south, json=invoice("S-3", *JUNE, care("10")), headers=provider(NATIONAL)), 201)
    ok(client.post(f"/invoices/{disputed['id']}/dispute", json={"reason": "Not ours"}, headers=OFFICER))
    for step in ("validate", "approve"):
        assert (
            client.post(f"/invoices/{disputed['id']}/{step}", json={"reason": "Go ahead"}, headers=ED).status_code
            == 409
        )
    paid = client.post(
        f"/invoices/{disputed['id']}/pay", json={"amount": "10", "paid_on": "2026-07-01"}, headers=OFFICER
    )
    assert paid.status_code == 409, paid.text


def test_an_invoice_is_read_by_its_supplier_and_the_council_alone(client: TestClient[Any], south: str) -> None:
    made = ok(client.post(south, json=invoice("S-1", *JUNE, care("10")), headers=provider(NATIONAL)), 201)
    path = f"/invoices/{made['id']}"
    assert ok(client.get(path, headers=provider(NATIONAL)))["number"] == "S-1"
    assert ok(client.get(f"{path}?version=1", headers=provider(NATIONAL)))["status"] == "received"
    for stranger in (provider(RURAL), provider(SEVERN)):
        assert client.get(path, headers=stranger).status_code == 404
        assert client.get(f"{path}?version=1", headers=stranger).status_code == 404
        assert client.get(south, headers=stranger).status_code == 404
        assert ok(client.get("/invoices", headers=stranger))["items"] == []
    assert client.get(path).status_code == 401
    assert [i["number"] for i in ok(client.get(south, headers=OFFICER))["items"]] == ["S-1"]
