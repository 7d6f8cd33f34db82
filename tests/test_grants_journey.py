"""A grant programme from publication to a grant's closure, over HTTP: the budget figures are right at every
step, the 360Giving data is valid at every step that has a grant, and the decisions are on the record. The grant's
money moves through the one payments model both ways: two instalments paid, and a clawback asked back and received,
each a payment record (`/invoices/{id}`) whose steps the grant's account and its 360Giving transactions follow.

Five organisations take part: the acceptance list's four (one ineligible and refused, one withdrawing, two
offered) and a fifth whose application the council declines, since an offer accepted and an offer lapsed take
both of the four's remaining applications.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from litestar.testing import TestClient

from domain.base import Role
from marketplace.clock import FixedClock
from marketplace.scheduler import tick
from marketplace.service import Marketplace
from tests.conftest import COUNCIL, bearer, registration
from tests.grants_journey import BIG, LUDLOW, OFFICER, OSWESTRY, SEVERN, GrantsJourney, applicant
from tests.journeys import ok
from tests.threesixty import codelist_errors, data_quality_warnings, validate_package

WEM = "GB-CHC-1112223"
AUDITOR = bearer(Role.AUDITOR, COUNCIL, "audrey")


def valid_open_data(client: TestClient[Any], today: Any) -> dict[str, Any]:
    package: dict[str, Any] = ok(client.get("/open-data/360giving.json"))
    assert validate_package(package) == []
    assert codelist_errors(package) == []
    assert data_quality_warnings(package, today) == []
    for grant in package["grants"]:
        moved = sum(t["value"] for t in grant["disbursementTransaction"])
        assert grant["amountDisbursed"] == moved
    return package


def test_a_programme_from_publication_to_a_grant_closed(
    market: Marketplace, client: TestClient[Any], clock: FixedClock
) -> None:
    journey = GrantsJourney(client, clock)
    to_two_offers_and_a_decline(journey)
    grant = to_a_grant_and_a_lapse(market, journey)
    recovered_on = through_the_grants_money(journey, grant)
    package = valid_open_data(client, clock.now().date())
    (published,) = package["grants"]
    assert published["id"] == f"{market.settings.grants_prefix}-{grant.rsplit('/', 1)[1]}"
    assert (published["amountAwarded"], published["amountDisbursed"]) == (16500, 16500)
    moved = [(t["value"], t["description"], t["transactionDate"]) for t in published["disbursementTransaction"]]
    assert [(value, kind) for value, kind, _ in moved] == [(10000, "instalment"), (7000, "instalment"), (-500, CLAWED)]
    assert moved[2][2] == recovered_on  # dated the day the money came back, not the day it was asked
    assert published["recipientOrganization"][0]["charityNumber"] == "1234567"
    assert {"geoCode": "E04011234", "geoCodeType": "PAR"}.items() <= published["beneficiaryLocation"][1].items()
    flat = list(csv.DictReader(io.StringIO(client.get("/open-data/360giving.csv").text)))
    assert [row["Identifier"] for row in flat] == [published["id"]]
    assert flat[0]["Amount Disbursed"] == "16500" and flat[0]["Funding Org:Identifier"] == COUNCIL
    summaries = {item["summary"] for item in ok(client.get("/audit/decisions", headers=AUDITOR))["items"]}
    assert {"grant offered: £20,000.00, open until 2026-03-16", "application declined", "published"} <= summaries
    assert "clawback of £500.00 asked back" in summaries
    assert any(s.startswith("grant closed") for s in summaries)


def to_two_offers_and_a_decline(journey: GrantsJourney) -> None:
    """Published; one applicant refused as ineligible, one withdrawing; three assessed; two offered, one declined."""
    client = journey.client
    journey.register_applicants()
    wem = registration(WEM, name="Wem Men's Shed", legal_form="charitable-trust", size="micro")
    ok(client.post("/organisations", json=wem, headers=OFFICER), 201)
    journey.publish()
    assert _money(journey.figures()) == (50000, 0, 0, 50000)
    assert client.get("/open-data/360giving.json").status_code == 204  # no grant yet: no package
    refused = journey.apply(BIG, "10000")
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"] == "urn:marketplace:problem:vcse-eligible"
    for identifier, amount in ((LUDLOW, "20000"), (OSWESTRY, "15000"), (SEVERN, "8000"), (WEM, "5000")):
        journey.applied_and_submitted(identifier, amount)
    ok(client.post(f"{journey.path(SEVERN)}/withdraw", headers=applicant(SEVERN)))
    for identifier, scores in ((LUDLOW, (5, 8)), (OSWESTRY, (4, 7)), (WEM, (2, 3))):
        journey.assess(identifier, scores)
    queue = ok(client.get(f"/grant-programmes/{journey.programme}/applications", headers=OFFICER))["items"]
    assert [item["applicant"] for item in queue][:3] == [LUDLOW, OSWESTRY, WEM]  # ranked by moderated score
    ok(journey.offer(LUDLOW, "20000"))
    ok(journey.offer(OSWESTRY, "15000"))
    assert _money(journey.figures()) == (50000, 35000, 0, 15000)
    decline = {"reason": "Scored below the funding line.", "feedback": "Show more evidence of local need."}
    ok(client.post(f"{journey.path(WEM)}/decline", json=decline, headers=OFFICER))


def to_a_grant_and_a_lapse(market: Marketplace, journey: GrantsJourney) -> str:
    """One offer accepted (the grant), the other lapsing by the clock and freeing its money; the grant's path."""
    client, clock = journey.client, journey.clock
    ok(client.post(f"{journey.path(LUDLOW)}/accept", headers=applicant(LUDLOW)))
    grant = journey.grant_path(LUDLOW)
    assert _money(journey.figures()) == (50000, 35000, 0, 15000)
    valid_open_data(client, clock.now().date())
    clock.advance(days=15)
    tick(market)
    assert ok(client.get(journey.path(OSWESTRY), headers=applicant(OSWESTRY)))["status"] == "lapsed"
    assert _money(journey.figures()) == (50000, 20000, 0, 30000)
    return grant


APPROVER = bearer(Role.COMMISSIONER, COUNCIL, "ed")


def paid(client: TestClient[Any], claim: dict[str, Any], clock: FixedClock) -> None:
    """A grant's payment request validated, approved by another officer (four eyes) and paid today."""
    path = f"/invoices/{claim['id']}"
    ok(client.post(f"{path}/validate", json={"reason": "Instalment due; conditions met."}, headers=OFFICER))
    own = client.post(f"{path}/approve", json={"reason": "Approved."}, headers=OFFICER)
    assert own.status_code == 403, own.text  # whoever validated it does not approve it
    ok(client.post(f"{path}/approve", json={"reason": "Within the award."}, headers=APPROVER))
    payment = {"amount": claim["gross"], "paid_on": str(clock.now().date())}
    assert ok(client.post(f"{path}/pay", json=payment, headers=OFFICER))["interest"] == "0.00"  # no commercial debt


def through_the_grants_money(journey: GrantsJourney, grant: str) -> str:
    """A condition discharged, two instalments, a return accepted, a variation, a clawback, underspend returned,
    closure; the day the clawback's money came back."""
    client, clock = journey.client, journey.clock
    early = client.post(f"{grant}/claims", json={"instalment": "first"}, headers=OFFICER)
    assert early.status_code == 409, early.text  # its condition first
    evidence = {"reason": "Policy checked.", "condition": "safeguarding", "evidence": "Policy adopted 3 March."}
    ok(client.post(f"{grant}/conditions", json=evidence, headers=OFFICER))
    paid(client, ok(client.post(f"{grant}/claims", json={"instalment": "first"}, headers=OFFICER), 201), clock)
    assert _money(journey.figures()) == (50000, 20000, 10000, 30000)
    valid_open_data(client, clock.now().date())
    report = {"period": "2026-Q2", "spend": "9500", "progress": "120 visits made; volunteers trained."}
    ok(client.post(f"{grant}/returns", json=report, headers=applicant(LUDLOW)))
    review = {"reason": "Progress on track.", "period": "2026-Q2", "accepted": True}
    ok(client.post(f"{grant}/returns/review", json=review, headers=OFFICER))
    variation = {"reason": "Fewer visits needed: a partner covers the north.", "amount": "18000", "end": "2027-03-31"}
    ok(client.post(f"{grant}/variations", json=variation, headers=OFFICER))
    assert _money(journey.figures()) == (50000, 18000, 10000, 32000)
    clock.advance(days=30)
    second = {"instalment": "second", "amount": "7000"}  # claimed by the recipient this time
    paid(client, ok(client.post(f"{grant}/claims", json=second, headers=applicant(LUDLOW)), 201), clock)
    claims = ok(client.get(f"{grant}/claims", headers=applicant(LUDLOW)))["items"]
    assert [(c["number"], c["status"], c["record_kind"]) for c in claims] == [
        ("first", "paid", "grant"),
        ("second", "paid", "grant"),
    ]
    assert client.get(f"{grant}/claims", headers=applicant(OSWESTRY)).status_code == 404  # another applicant
    assert _money(journey.figures()) == (50000, 18000, 17000, 32000)
    valid_open_data(client, clock.now().date())
    recovered_on = clawed_back(journey, grant)
    underspend = {"amount": "1000", "explanation": "Volunteer expenses lower than planned."}
    ok(client.post(f"{grant}/underspend", json=underspend, headers=applicant(LUDLOW)))
    ok(
        client.post(
            f"{grant}/underspend/return", json={"reason": "Underspend confirmed.", "repaid": "0"}, headers=OFFICER
        )
    )
    assert _money(journey.figures()) == (50000, 16500, 16500, 33500)
    closure = {"reason": "Project complete.", "actual_start": "2026-03-10", "actual_end": str(clock.now().date())}
    closed = ok(client.post(f"{grant}/close", json=closure, headers=OFFICER))
    assert (closed["status"], float(closed["amount_disbursed"])) == ("closed", 16500)
    assert _money(journey.figures()) == (50000, 16500, 16500, 33500)
    return recovered_on


def clawed_back(journey: GrantsJourney, grant: str) -> str:
    """£500 clawed back: the decision raises a recovery the recipient sees at once, which moves nothing until another
    officer records the money received; then the award, what was disbursed and the budget all follow from it."""
    client, clock = journey.client, journey.clock
    decided = ok(client.post(f"{grant}/clawback", json=CLAWBACK, headers=OFFICER))
    assert _money((decided["amount_asked_back"], decided["amount_disbursed"])) == (500, 17000)
    (asked,) = ok(client.get(f"{grant}/recoveries", headers=applicant(LUDLOW)))["items"]
    assert (asked["direction"], asked["status"], asked["gross"]) == ("recovery", "requested", "500.00")
    assert (asked["number"], asked["reason"]) == ("clawback-1", CLAWBACK["reason"])
    assert [c["number"] for c in ok(client.get(f"{grant}/claims", headers=OFFICER))["items"]] == ["first", "second"]
    assert _money(journey.figures()) == (50000, 18000, 17000, 32000)  # asked back: not yet received
    asked_on = asked["received_on"]
    recovered_on = str(clock.advance(days=5).date())
    back = {"amount": "500", "received_on": recovered_on, "reference": "BACS 2026-114"}
    own = client.post(f"/invoices/{asked['id']}/recover", json=back, headers=OFFICER)
    assert own.status_code == 403 and own.json()["type"].endswith("four-eyes"), own.text
    received = ok(client.post(f"/invoices/{asked['id']}/recover", json=back, headers=APPROVER))
    assert (received["status"], received["paid_on"], received["amount_paid"]) == ("recovered", recovered_on, "500.00")
    assert _money(journey.figures()) == (50000, 17500, 16500, 32500)
    valid_open_data(client, clock.now().date())
    assert asked_on < recovered_on
    return recovered_on


CLAWED = "clawback"  # the 360Giving transaction's description
CLAWBACK = {"reason": "Receipts missing for £500 of volunteer expenses.", "amount": "500"}


def _money(figures: tuple[str, ...]) -> tuple[float, ...]:
    return tuple(float(value) for value in figures)


@pytest.mark.parametrize("who", ["anonymous", "another provider"])
def test_an_application_is_its_applicants_and_the_councils_only(
    client: TestClient[Any], clock: FixedClock, who: str
) -> None:
    journey = GrantsJourney(client, clock)
    journey.register_applicants()
    journey.publish()
    journey.applied_and_submitted(LUDLOW, "5000")
    headers = {} if who == "anonymous" else applicant(OSWESTRY)
    refused = client.get(journey.path(LUDLOW), headers=headers)
    assert refused.status_code in (401, 404)
    as_of = client.get(journey.path(LUDLOW), params={"version": 1}, headers=headers)
    assert as_of.status_code in (401, 404)
    mine = ok(client.get(journey.path(LUDLOW), headers=applicant(LUDLOW)))
    assert mine["assessment"] is None  # the assessors' work is the council's
    assert ok(client.get(journey.path(LUDLOW), headers=OFFICER))["assessment"] is not None


def test_the_360giving_csv_keeps_a_spreadsheet_from_running_text_as_a_formula(
    client: TestClient[Any], clock: FixedClock
) -> None:
    journey = GrantsJourney(client, clock)
    journey.register_applicants()
    journey.publish(title='=HYPERLINK("http://example.com")')
    journey.applied_and_submitted(LUDLOW, "5000")
    journey.assess(LUDLOW, (4, 8))
    ok(journey.offer(LUDLOW, "5000"))
    ok(client.post(f"{journey.path(LUDLOW)}/accept", headers=applicant(LUDLOW)))
    (row,) = csv.DictReader(io.StringIO(client.get("/open-data/360giving.csv").text))
    assert row["Grant Programme:Title"] == '\'=HYPERLINK("http://example.com")'
    assert row["Amount Awarded"] == "5000"  # numbers stay numbers
    package = valid_open_data(client, clock.now().date())
    assert package["grants"][0]["grantProgramme"][0]["title"].startswith("=")  # JSON carries the text as given
