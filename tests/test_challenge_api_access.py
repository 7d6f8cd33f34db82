"""Who may do and read what in the Community Right to Challenge, over HTTP: the council's officers keep its
register and decide the expressions made to it alone; a body answers and withdraws its own alone; what an
expression says is its body's and the council's, now and as it stood; everyone else reads the public register."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest
from litestar.testing import TestClient

from marketplace.clock import FixedClock
from tests.challenge_fixtures import CHARITY, PARISH, STAFF
from tests.challenge_journey import (
    AUDITOR,
    EOI,
    MEMBERS,
    NEIGHBOUR,
    ChallengeJourney,
    body,
    refused,
    service_body,
)
from tests.journeys import OFFICER, ok

DECISION = {"reason": "A local body able to run the service."}


class Made(NamedTuple):
    journey: ChallengeJourney
    service: str
    parish: str  # acknowledged
    staff: str  # submitted by a staff group


@pytest.fixture
def made(client: TestClient[Any], clock: FixedClock) -> Made:
    journey = ChallengeJourney(client, clock)
    journey.register_bodies()
    service = journey.register_service()
    journey.publish_window(service)
    return Made(journey, service, journey.acknowledged(PARISH, service), journey.submitted(STAFF, service))


def test_a_provider_keeps_no_register_and_decides_nothing(client: TestClient[Any], made: Made) -> None:
    provider = body(PARISH)
    refused(client.post("/services", json=service_body(), headers=provider), 403, "allowed")
    change = {"reason": "Cheaper.", "annual_budget": "1.00"}
    refused(client.patch(f"/services/{made.service}", json=change, headers=provider), 403, "allowed")
    window = {"reason": "Ours.", "opens": "2026-06-01", "closes": "2026-06-30"}
    refused(client.post(f"/services/{made.service}/windows", json=window, headers=provider), 403, "allowed")
    refused(client.post(f"{EOI}/{made.parish}/accept", json=DECISION, headers=provider), 403, "allowed")
    refused(client.post(f"{EOI}/{made.staff}/acknowledge", headers=provider), 403, "allowed")
    refused(client.get(f"{EOI}/queue", headers=provider), 403, "allowed")
    assert ok(client.get(f"{EOI}/{made.parish}"))["status"] == "acknowledged"


def test_an_officer_of_another_council_neither_keeps_this_register_nor_decides(
    client: TestClient[Any], made: Made
) -> None:
    change = {"reason": "Ours now.", "department": "Libraries"}
    refused(client.patch(f"/services/{made.service}", json=change, headers=NEIGHBOUR), 403, "council")
    refused(client.post(f"{EOI}/{made.staff}/acknowledge", headers=NEIGHBOUR), 403, "council")
    refused(client.post(f"{EOI}/{made.parish}/accept", json=DECISION, headers=NEIGHBOUR), 403, "council")
    rejection = {"reason": "Not ours to run.", "grounds": ["service-to-stop"]}
    refused(client.post(f"{EOI}/{made.parish}/reject", json=rejection, headers=NEIGHBOUR), 403, "council")
    assert ok(client.get(f"{EOI}/queue", headers=NEIGHBOUR))["items"] == []  # its own council's only
    queue = ok(client.get(f"{EOI}/queue", headers=OFFICER))["items"]
    assert {item["id"] for item in queue} == {made.parish, made.staff}  # both due on the same day


def test_only_the_body_answers_and_withdraws_its_expression(client: TestClient[Any], made: Made) -> None:
    proposal = {"reason": "One more village.", "modification": "Add a stop at Newcastle."}
    ok(client.post(f"{EOI}/{made.parish}/propose-modification", json=proposal, headers=OFFICER))
    refused(client.post(f"{EOI}/{made.parish}/agree-modification", headers=body(CHARITY)), 403, "body")
    refused(client.post(f"{EOI}/{made.parish}/agree-modification", headers=OFFICER), 403, "allowed")
    refused(client.post(f"{EOI}/{made.parish}/accept", json=DECISION, headers=OFFICER), 409, "modification-answered")
    declined = {"reason": "We keep our plan as it is."}
    refused(client.post(f"{EOI}/{made.parish}/decline-modification", json=declined, headers=body(CHARITY)), 403, "body")
    ok(client.post(f"{EOI}/{made.parish}/decline-modification", json=declined, headers=body(PARISH)))
    refused(client.post(f"{EOI}/{made.parish}/withdraw", headers=body(CHARITY)), 403, "body")
    refused(client.post(f"{EOI}/{made.parish}/withdraw", headers=OFFICER), 403, "allowed")
    withdrawn = ok(client.post(f"{EOI}/{made.parish}/withdraw", headers=body(PARISH)))
    assert withdrawn["status"] == "withdrawn" and withdrawn["content"]["modification"] == ""
    refused(client.post(f"{EOI}/{made.parish}/accept", json=DECISION, headers=OFFICER), 409, "state-allows")


@pytest.mark.parametrize("who", ["anonymous", "another provider"])
def test_what_an_expression_says_is_its_bodys_and_the_councils_now_and_as_it_stood(
    client: TestClient[Any], clock: FixedClock, made: Made, who: str
) -> None:
    headers = {} if who == "anonymous" else body(CHARITY)
    moment = {"as_of": clock.now().isoformat()}
    for query in ({}, {"version": 1}, moment):
        for expression in (made.parish, made.staff):
            entry = client.get(f"{EOI}/{expression}", params=query, headers=headers)
            assert ok(entry)["content"] is None and entry.json()["body_name"]
            assert not [name for name in MEMBERS if name in entry.text]
    listed = client.get(EOI, headers=headers)
    assert [entry["content"] for entry in ok(listed)["items"]] == [None, None]
    assert "Reserves of" not in listed.text and not [name for name in MEMBERS if name in listed.text]
    for reader in (body(STAFF), OFFICER, AUDITOR):
        for query in ({}, {"version": 1}, moment):
            shown = ok(client.get(f"{EOI}/{made.staff}", params=query, headers=reader))
            assert [member["name"] for member in shown["content"]["members"]] == list(MEMBERS)
    mine = ok(client.get(EOI, params={"mine": "true"}, headers=body(CHARITY)))["items"]
    assert mine == []  # another provider's own: none of these


def test_the_anonymous_read_the_public_register_and_sign_in_for_the_rest(client: TestClient[Any], made: Made) -> None:
    refused(client.get(f"{EOI}/queue"), 401, "signed-in")
    refused(client.get(EOI, params={"mine": "true"}), 401, "signed-in")
    refused(client.post(f"{EOI}/{made.parish}/withdraw"), 401, "signed-in")
    refused(client.post("/services", json=service_body()), 401, "signed-in")
    assert ok(client.get(f"/services/{made.service}", params={"version": 1}))["windows"] == []
    assert len(ok(client.get(f"/services/{made.service}"))["windows"]) == 1
    refused(client.get(f"{EOI}/{made.parish}", params={"version": 9}), 404, "exists")
    refused(client.get(f"{EOI}/{made.parish}", params={"as_of": "2020-01-01T00:00:00Z"}), 404, "exists")
    refused(client.get(f"{EOI}/{made.parish}", params={"as_of": "2026-03-02T09:00:00"}), 400, "http", "as_of")


def test_an_auditor_reads_everything_and_decides_nothing(client: TestClient[Any], made: Made) -> None:
    refused(client.post(f"{EOI}/{made.parish}/accept", json=DECISION, headers=AUDITOR), 403, "allowed")
    refused(client.post("/services", json=service_body(), headers=AUDITOR), 403, "allowed")
    queue = ok(client.get(f"{EOI}/queue", headers=AUDITOR))["items"]
    assert {item["id"] for item in queue} == {made.parish, made.staff}
    assert all(item["content"]["financial_resources"].startswith("Reserves of") for item in queue)
