"""Money out, over HTTP: a supplier invoices its contract in arrears; the council disputes, the supplier corrects,
an outcome claimed is verified, the invoice is validated, approved by someone else and paid on day 12; another is
flagged late by the clock and paid on day 41 with statutory interest; the payables queue puts the late first; the
payment performance for the period is what a hand count gives."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from litestar.testing import TestClient

from domain.base import Role
from marketplace.clock import FixedClock
from marketplace.scheduler import tick
from marketplace.service import Marketplace
from tests.conftest import COUNCIL, bearer
from tests.journeys import EVALUATORS, NATIONAL, OFFICER, RURAL, ok, provider, tendering_journey
from tests.people_fixtures import officer_body
from tests.test_ocds import assert_valid, compiled, open_data

ED = EVALUATORS["ed"]  # a second officer: the approver


def invoice(number: str, start: str, end: str, lines: list[dict[str, Any]], dated: str = "") -> dict[str, Any]:
    net = sum(Decimal(line["net"]) for line in lines)
    vat = sum(Decimal(line["vat"]) for line in lines)
    return {
        "number": number,
        "invoice_date": dated or end,
        "period_start": start,
        "period_end": end,
        "lines": lines,
        "net": str(net),
        "vat": str(vat),
        "gross": str(net + vat),
    }


def refused_for(response: Any, field: str) -> None:
    """A 422 problem naming the field."""
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json().get("errors", [])], response.text


def published_payments(client: TestClient[Any]) -> dict[str, list[tuple[str, Any, str]]]:
    """Each contract's implementation transactions in the compiled OCDS record, once every package is validated."""
    data = open_data(client, limit=50)
    assert_valid(data)
    return {
        contract["id"]: [
            (t["id"], t["value"]["amount"], t["payee"]["id"]) for t in contract["implementation"]["transactions"]
        ]
        for contract in compiled(data)["contracts"]
    }


def on(clock: FixedClock, day: str) -> None:
    clock.set(datetime.fromisoformat(f"{day}T09:00:00+00:00").astimezone(timezone.utc))


def test_invoices_from_receipt_to_payment_on_time_and_late_with_the_figures_a_hand_count_gives(
    market: Marketplace, client: TestClient[Any], clock: FixedClock
) -> None:
    north, south = tendering_journey(client, market, clock).contracts  # Rural Befrienders (micro, VCSE); National plc
    outcome = {"reason": "Payment by results agreed", "code": "tenancy", "description": "Tenancy sustained 6 months"}
    ok(
        client.post(
            f"/contracts/{north}/outcomes",
            json={**outcome, "price": "500", "evidence": "Landlord letter"},
            headers=OFFICER,
        )
    )
    on(clock, "2026-07-01")
    june = [{"description": "Befriending, June", "net": "10000", "vat": "0"}]
    july = invoice("N-2", "2026-07-01", "2026-07-31", june, dated="2026-07-01")
    claimed = {"description": "Tenancies sustained", "net": "1000", "vat": "0", "outcome": "tenancy", "quantity": 2}

    # Not in arrears: July has not ended.
    early = client.post(
        f"/contracts/{north}/invoices",
        json=july,
        headers=provider(RURAL),
    )
    refused_for(early, "period_end")

    # Disputed at once (the supplier sees why), corrected two days later: received anew, its clock restarted.
    body = invoice("N-1", "2026-06-01", "2026-06-30", [*june, {**claimed, "evidence": ""}])
    missing = client.post(f"/contracts/{north}/invoices", json=body, headers=provider(RURAL))
    refused_for(missing, "lines[1].evidence")
    a = ok(
        client.post(
            f"/contracts/{north}/invoices",
            json=invoice("N-1", "2026-06-01", "2026-06-30", [*june, {**claimed, "evidence": "L-17"}]),
            headers=provider(RURAL),
        ),
        201,
    )
    assert (a["received_on"], a["due_on"], a["statutory_due_on"]) == ("2026-07-01", "2026-07-11", "2026-07-31")
    ok(client.post(f"/invoices/{a['id']}/dispute", json={"reason": "Purchase order number missing"}, headers=OFFICER))
    seen = ok(client.get(f"/invoices/{a['id']}", headers=provider(RURAL)))
    assert (seen["status"], seen["dispute"]) == ("disputed", "Purchase order number missing")
    on(clock, "2026-07-03")
    corrected = ok(
        client.post(
            f"/invoices/{a['id']}/correct",
            json=invoice(
                "N-1",
                "2026-06-01",
                "2026-06-30",
                [{**june[0], "description": "Befriending, June (PO 4471)"}, {**claimed, "evidence": "L-17"}],
            ),
            headers=provider(RURAL),
        )
    )
    assert (corrected["status"], corrected["received_on"], corrected["due_on"]) == (
        "received",
        "2026-07-03",
        "2026-07-13",
    )

    # The outcome is verified before validation; the validator may not approve (four eyes).
    premature = client.post(f"/invoices/{a['id']}/validate", json={"reason": "Checked against PO"}, headers=OFFICER)
    assert premature.status_code == 409 and premature.json()["type"].endswith("outcomes-verified"), premature.text
    ok(client.post(f"/invoices/{a['id']}/outcomes/1/verify", json={"reason": "Landlord letters seen"}, headers=OFFICER))
    ok(client.post(f"/invoices/{a['id']}/validate", json={"reason": "Checked against PO"}, headers=OFFICER))
    own = client.post(f"/invoices/{a['id']}/approve", json={"reason": "Approve"}, headers=OFFICER)
    assert own.status_code == 403 and own.json()["type"].endswith("four-eyes"), own.text
    ok(client.post(f"/invoices/{a['id']}/approve", json={"reason": "Budget line 4471"}, headers=ED))

    # The other supplier's invoice, received the same day, validated and approved the same way.
    b = ok(
        client.post(
            f"/contracts/{south}/invoices",
            json=invoice(
                "S-1", "2026-06-01", "2026-06-30", [{"description": "Home care, June", "net": "25000", "vat": "5000"}]
            ),
            headers=provider(NATIONAL),
        ),
        201,
    )
    assert client.get(f"/invoices/{b['id']}", headers=provider(RURAL)).status_code == 404  # not Rural's to read
    ok(client.post(f"/invoices/{b['id']}/validate", json={"reason": "Hours match rota"}, headers=OFFICER))
    ok(client.post(f"/invoices/{b['id']}/approve", json={"reason": "Within budget"}, headers=ED))

    # Day 12 (its sooner target was day 10): two days late against the aim, on time in law, so no interest.
    on(clock, "2026-07-15")
    paid = ok(
        client.post(f"/invoices/{a['id']}/pay", json={"amount": "11000", "paid_on": "2026-07-15"}, headers=OFFICER)
    )
    assert (paid["days_to_pay"], paid["days_late"], paid["interest"], paid["compensation"]) == (12, 2, "0.00", "0.00")

    # Unpaid past day 30: the clock flags it late; the payables queue puts it first.
    on(clock, "2026-08-03")
    assert tick(market)["late invoices flagged"] == 1
    e = ok(
        client.post(
            f"/contracts/{south}/invoices",
            json=invoice(
                "S-2", "2026-07-01", "2026-07-31", [{"description": "Home care, July", "net": "1000", "vat": "200"}]
            ),
            headers=provider(NATIONAL),
        ),
        201,
    )
    queue = ok(client.get("/invoices", headers=OFFICER))["items"]
    assert [(item["number"], item["late"]) for item in queue] == [("S-1", True), ("S-2", False)]

    # Day 41: 11 days beyond the statutory 30; interest at 8% over the 3.75% reference rate, and £100 compensation.
    on(clock, "2026-08-13")
    late = ok(
        client.post(f"/invoices/{b['id']}/pay", json={"amount": "30000", "paid_on": "2026-08-13"}, headers=OFFICER)
    )
    interest = (Decimal(30000) * Decimal("11.75") / 100 * 11 / 365).quantize(Decimal("0.01"))
    assert (late["days_to_pay"], late["interest"], late["compensation"], interest) == (
        41,
        str(interest),
        "100.00",
        Decimal("106.23"),
    )

    # The period 1 April to 30 September, counted by hand: paid on days 12 and 41; three received, one unpaid.
    figures = ok(client.get("/payment-performance", params={"day": "2026-08-15"}))
    assert figures == {
        "buyer": "GB-LAE-SHR",
        "period_start": "2026-04-01",
        "period_end": "2026-09-30",
        "invoices_paid": 2,
        "average_days_to_pay": "26.5",
        "paid_within_30_days": "50.0",
        "paid_in_31_to_60_days": "50.0",
        "paid_in_61_days_or_more": "0.0",
        "invoices_received": 3,
        "not_paid_in_period": "33.3",
        "sme_and_vcse_paid": 1,
        "sme_and_vcse_within_target": "0.0",
        "sooner_target_days": 10,
    }
    # Published: each payment is a transaction of its contract's implementation, and the open data is valid OCDS.
    assert published_payments(client) == {north: [(a["id"], 11000, RURAL)], south: [(b["id"], 30000, NATIONAL)]}

    mine = [(i["number"], i["status"]) for i in ok(client.get("/invoices", headers=provider(NATIONAL)))["items"]]
    assert mine == [("S-1", "paid"), ("S-2", "received")]
    assert e["due_on"] == "2026-09-02"

    assert_compliance_notice(client, clock, figures)  # the period ended: its notice gives the same figures


def assert_compliance_notice(client: TestClient[Any], clock: FixedClock, figures: dict[str, Any]) -> None:
    """The period's payments compliance notice, on 1 October: its figures as counted, approved by a named officer,
    due in 30 days."""
    on(clock, "2026-10-01")
    ok(client.post("/people", json=officer_body("cathy"), headers=bearer(Role.ADMIN, COUNCIL, "ada")), 201)
    period = {"reason": "Half-year figures checked", "day": "2026-08-15"}
    notice = ok(client.post("/notices/payments-compliance", json=period, headers=OFFICER), 201)
    said = {k: v for k, v in figures.items() if k not in ("buyer", "sooner_target_days")}
    assert notice["content"] == said  # under the names GET /payment-performance gives them
    assert notice["covers"] == "2026-04-01/2026-09-30"
    assert (notice["approved_by"]["subject"], notice["due_by"], notice["late"]) == ("cathy", "2026-10-30", False)


def test_payment_performance_refuses_a_day_no_reporting_period_holds(client: TestClient[Any]) -> None:
    for day in ("0001-01-01", "9999-12-31"):
        refused = client.get("/payment-performance", params={"day": day})
        assert refused.status_code == 400 and "day" in refused.text, refused.text
    assert ok(client.get("/payment-performance", params={"day": "2026-10-01"}))["period_end"] == "2027-03-31"
