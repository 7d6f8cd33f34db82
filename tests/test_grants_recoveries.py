"""Money asked back from a grant's recipient is a payment record in the other direction (a recovery), over HTTP: a
clawback or an underspend's paid part raises one beside the grant's decision, the recipient sees it and why at once,
and another officer records its money received, once; only then does the award come down, the disbursed sum with it,
the programme's budget free again and 360Giving show the money back. Refused: asking back more than the recipient
holds (net of what is asked already), a provider raising one, the raiser recording it received, recording it twice,
and the payment lifecycle's steps on a recovery (and the other way round)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from domain.base import Role
from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from tests.conftest import COUNCIL, bearer, event_count
from tests.grants_journey import LUDLOW, OFFICER, OSWESTRY, GrantsJourney, applicant
from tests.journeys import ok
from tests.test_grants_journey import valid_open_data

APPROVER = bearer(Role.COMMISSIONER, COUNCIL, "ed")
AUDITOR = bearer(Role.AUDITOR, COUNCIL, "audrey")
NEIGHBOUR = bearer(Role.COMMISSIONER, "GB-LAE-TFW", "tom")  # an officer of another council
CLAWBACK = {"reason": "Volunteer expenses not evidenced.", "amount": "3000"}


@pytest.fixture
def journey(client: TestClient[Any], clock: FixedClock) -> GrantsJourney:
    """Ludlow Befrienders' £20,000 grant, its first instalment of £10,000 paid through its payment record."""
    made = GrantsJourney(client, clock)
    made.register_applicants()
    made.publish()
    made.applied_and_submitted(LUDLOW, "20000")
    made.assess(LUDLOW, (5, 8))
    ok(made.offer(LUDLOW, "20000"))
    ok(client.post(f"{made.path(LUDLOW)}/accept", headers=applicant(LUDLOW)))
    grant = made.grant_path(LUDLOW)
    evidence = {"reason": "Policy checked.", "condition": "safeguarding", "evidence": "Policy adopted 3 March."}
    ok(client.post(f"{grant}/conditions", json=evidence, headers=OFFICER))
    claim = ok(client.post(f"{grant}/claims", json={"instalment": "first"}, headers=OFFICER), 201)
    ok(client.post(f"/invoices/{claim['id']}/validate", json={"reason": "Due."}, headers=OFFICER))
    ok(client.post(f"/invoices/{claim['id']}/approve", json={"reason": "Within the award."}, headers=APPROVER))
    ok(client.post(f"/invoices/{claim['id']}/pay", json={"amount": "10000", "paid_on": today(made)}, headers=OFFICER))
    return made


def today(journey: GrantsJourney) -> str:
    return str(journey.clock.now().date())


def grant_of(journey: GrantsJourney) -> str:
    return journey.grant_path(LUDLOW)


def recoveries(client: TestClient[Any], grant: str, headers: dict[str, str] = OFFICER) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(client.get(f"{grant}/recoveries", headers=headers))["items"]
    return items


def received(journey: GrantsJourney, recovery: dict[str, Any], headers: dict[str, str] = APPROVER) -> Any:
    """The recovery's money recorded received today, in full unless told otherwise."""
    body = {"amount": recovery["gross"], "received_on": today(journey)}
    return journey.client.post(f"/invoices/{recovery['id']}/recover", json=body, headers=headers)


def problem(response: Any, status: int, kind: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["type"] == f"urn:marketplace:problem:{kind}", response.text


def figures(journey: GrantsJourney) -> tuple[float, ...]:
    return tuple(float(value) for value in journey.figures())


def test_a_clawback_asks_back_no_more_than_the_recipient_holds_net_of_what_is_asked_already(
    journey: GrantsJourney,
) -> None:
    client, grant = journey.client, grant_of(journey)
    problem(
        client.post(f"{grant}/clawback", json={**CLAWBACK, "amount": "10000.01"}, headers=OFFICER),
        422,
        "reclaim-within-paid",
    )
    ok(client.post(f"{grant}/clawback", json=CLAWBACK, headers=OFFICER))
    beyond = client.post(f"{grant}/clawback", json={**CLAWBACK, "amount": "7000.01"}, headers=OFFICER)
    problem(beyond, 422, "reclaim-within-paid")  # £3,000 of the £10,000 is asked back already
    ok(client.post(f"{grant}/clawback", json={**CLAWBACK, "amount": "7000"}, headers=OFFICER))
    assert sorted((r["number"], r["gross"]) for r in recoveries(client, grant)) == [
        ("clawback-1", "3000.00"),
        ("clawback-2", "7000.00"),
    ]
    assert figures(journey) == (50000, 20000, 10000, 30000)  # nothing moves until the money comes back


def test_the_recipient_sees_a_recovery_and_why_at_once_and_nobody_else_outside_the_council(
    journey: GrantsJourney,
) -> None:
    client, grant = journey.client, grant_of(journey)
    ok(client.post(f"{grant}/clawback", json=CLAWBACK, headers=OFFICER))
    (asked,) = recoveries(client, grant, applicant(LUDLOW))
    assert (asked["direction"], asked["status"], asked["reason"]) == ("recovery", "requested", CLAWBACK["reason"])
    mine = ok(client.get("/invoices", headers=applicant(LUDLOW)))["items"]
    assert sorted((i["direction"], i["number"]) for i in mine) == [("payment", "first"), ("recovery", "clawback-1")]
    assert ok(client.get(f"/invoices/{asked['id']}", headers=applicant(LUDLOW)))["gross"] == "3000.00"
    assert client.get(f"/invoices/{asked['id']}", headers=applicant(OSWESTRY)).status_code == 404
    assert client.get(f"{grant}/recoveries", headers=applicant(OSWESTRY)).status_code == 404
    assert ok(client.get("/invoices", headers=OFFICER))["items"] == []  # the payables are money the council owes


def test_a_provider_raises_no_recovery(market: Marketplace, journey: GrantsJourney) -> None:
    client, grant = journey.client, grant_of(journey)
    before = event_count(market)
    assert client.post(f"{grant}/clawback", json=CLAWBACK, headers=applicant(LUDLOW)).status_code == 403
    back = {"reason": "We will repay it.", "repaid": "1000"}
    assert client.post(f"{grant}/underspend/return", json=back, headers=applicant(LUDLOW)).status_code == 403
    problem(client.post(f"{grant}/clawback", json=CLAWBACK, headers=NEIGHBOUR), 403, "funder")
    assert event_count(market) == before and recoveries(client, grant) == []


def test_a_recovery_is_received_once_in_full_and_never_by_whoever_raised_it(journey: GrantsJourney) -> None:
    client, grant = journey.client, grant_of(journey)
    ok(client.post(f"{grant}/clawback", json=CLAWBACK, headers=OFFICER))
    (asked,) = recoveries(client, grant)
    problem(received(journey, asked, OFFICER), 403, "four-eyes")
    assert received(journey, asked, applicant(LUDLOW)).status_code == 403  # the payee does not settle its own debt
    problem(received(journey, asked, NEIGHBOUR), 403, "payer")
    problem(received(journey, {**asked, "gross": "2999.99"}), 422, "recovered-in-full")
    tomorrow = {"amount": "3000", "received_on": str(journey.clock.now().date().replace(year=2027))}
    problem(client.post(f"/invoices/{asked['id']}/recover", json=tomorrow, headers=APPROVER), 422, "not-after-today")
    assert ok(received(journey, asked))["status"] == "recovered"
    problem(received(journey, asked), 409, "state-allows")
    assert figures(journey) == (50000, 17000, 7000, 33000)
    shown = ok(client.get(grant, headers=OFFICER))
    assert [float(shown[name]) for name in ("amount_awarded", "amount_reclaimed", "amount_asked_back")] == [
        17000,
        3000,
        0,
    ]


def test_a_recovery_takes_no_step_of_a_payment_nor_a_payment_a_recovery(journey: GrantsJourney) -> None:
    client, grant = journey.client, grant_of(journey)
    ok(client.post(f"{grant}/clawback", json=CLAWBACK, headers=OFFICER))
    (asked,) = recoveries(client, grant)
    for step, body in (("validate", {"reason": "Due."}), ("dispute", {"reason": "No."})):
        problem(client.post(f"/invoices/{asked['id']}/{step}", json=body, headers=APPROVER), 409, "state-allows")
    pay = {"amount": "3000", "paid_on": today(journey)}
    problem(client.post(f"/invoices/{asked['id']}/pay", json=pay, headers=APPROVER), 409, "state-allows")
    (claim,) = ok(client.get(f"{grant}/claims", headers=OFFICER))["items"]
    problem(received(journey, claim), 409, "state-allows")


def test_the_paid_part_of_a_returned_underspend_is_asked_back_and_freed_when_it_comes_back(
    journey: GrantsJourney,
) -> None:
    client, grant, clock = journey.client, grant_of(journey), journey.clock
    ok(client.post(f"{grant}/underspend", json={"amount": "12000", "explanation": "Fewer visits."}, headers=OFFICER))
    ok(client.post(f"{grant}/underspend/return", json={"reason": "Agreed.", "repaid": "2000"}, headers=OFFICER))
    assert figures(journey) == (50000, 10000, 10000, 40000)  # the £10,000 never paid is freed at once
    (asked,) = recoveries(client, grant, applicant(LUDLOW))
    assert (asked["number"], asked["gross"], asked["reason"]) == ("underspend-1", "2000.00", "Agreed.")
    clock.advance(days=3)
    ok(received(journey, asked))
    assert figures(journey) == (50000, 8000, 8000, 42000)
    (published,) = valid_open_data(client, clock.now().date())["grants"]
    assert (published["amountAwarded"], published["amountDisbursed"]) == (8000, 8000)
    moved = [(t["value"], t["description"], t["transactionDate"]) for t in published["disbursementTransaction"]]
    assert moved[1] == (-2000, "underspend repaid", today(journey))


def test_a_recovery_reads_as_it_stood_and_its_history_is_on_the_record(journey: GrantsJourney) -> None:
    client, grant = journey.client, grant_of(journey)
    ok(client.post(f"{grant}/clawback", json=CLAWBACK, headers=OFFICER))
    (asked,) = recoveries(client, grant)
    ok(received(journey, asked))
    then = ok(client.get(f"/invoices/{asked['id']}", params={"version": 1}, headers=applicant(LUDLOW)))
    assert (then["status"], then["paid_on"]) == ("requested", None)
    history = ok(client.get(f"/audit/invoice/{asked['id']}/history", headers=AUDITOR))
    assert [event["event_type"] for event in history] == ["Invoice.RecoveryRaised", "Invoice.Recovered"]
    assert history[0]["reason"] == CLAWBACK["reason"]
    stood = ok(
        client.get(grant, params={"version": ok(client.get(grant, headers=OFFICER))["version"] - 1}, headers=OFFICER)
    )
    assert (float(stood["amount_asked_back"]), stood["recoveries"][0]["recovered_on"]) == (3000, None)
    decisions = ok(client.get("/audit/decisions", params={"kind": "grant"}, headers=AUDITOR))["items"]
    assert "clawback of £3,000.00 asked back" in {item["summary"] for item in decisions}
