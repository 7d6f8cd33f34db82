"""Open data links a tender to the service it procures and to the challenges that led to it: a tender naming a
service in the council's register is published as a release tagged `tender` and `planning`, whose
`planning.rationale` names the service and each accepted expression of interest it answers (id, body, day
accepted). A tender naming no service is published exactly as before.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from litestar.testing import TestClient
from sqlalchemy import select

from domain.challenge.terms import ServiceChange
from domain.tendering.terms import ConflictsAssessment
from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from marketplace.tendering.services import Tenders
from projections.tendering.ocds import ocds_tenders
from tests.challenge_fixtures import CHARITY, CIC, PARISH, STAFF, Register, body, registered
from tests.grants_fixtures import OFFICER, request
from tests.tendering_fixtures import terms
from tests.test_ocds import RECORD_PACKAGE, RELEASE_PACKAGE, errors

PREFIX = "ocds-shr000"


def published(register: Register, named: bool = True) -> str:
    """A tender, naming the register's service (or none), published now."""
    tenders = register.market.service(Tenders)
    service = register.service_id if named else None
    tender = UUID(tenders.draft(request(OFFICER), terms(), service).aggregate_id)
    tenders.assess_conflicts(request(OFFICER), tender, ConflictsAssessment(False), "No interests declared.")
    tenders.publish(request(OFFICER), tender, "Approved by the head of commissioning.")
    return str(tender)


def record(client: TestClient[Any], tender: str) -> dict[str, Any]:
    response = client.get(f"/ocds/records/{PREFIX}-{tender}")
    assert response.status_code == 200, response.text
    package: dict[str, Any] = response.json()
    assert errors(RECORD_PACKAGE, package) == []
    return package


def feed(client: TestClient[Any]) -> dict[str, Any]:
    response = client.get("/ocds/releases?limit=1000")
    assert response.status_code == 200, response.text
    package: dict[str, Any] = response.json()
    assert errors(RELEASE_PACKAGE, package) == []
    return package


def challenged(market: Marketplace, clock: FixedClock) -> tuple[Register, dict[str, UUID]]:
    """A service with a window and challenges at each outcome: two accepted (one with a modification the body
    agreed), one rejected, a staff group's waiting for a decision."""
    register = registered(market, clock)
    register.window()
    made = {"parish": register.accepted(PARISH)}
    modified = register.acknowledged(CIC)
    register.expressions.propose_modification(request(OFFICER), modified, "Too wide.", "Serve Clun only at first.")
    register.expressions.agree_modification(request(body(CIC)), modified)
    register.expressions.accept(request(OFFICER), modified, "The body can run it, with the modification agreed.")
    made["modified"] = modified
    made["rejected"] = register.rejected(CHARITY, "inadequate-information", "body-not-suitable")
    made["staff"] = register.submit(STAFF)
    return register, made


def test_a_tender_naming_a_service_is_a_planning_release_naming_the_service_and_each_challenge_it_answers(
    market: Marketplace, clock: FixedClock, client: TestClient[Any]
) -> None:
    register, made = challenged(market, clock)
    tender = published(register)
    package = record(client, tender)
    releases = package["records"][0]["releases"]
    assert [release["tag"] for release in releases] == [["tender", "planning"]]
    assert releases[0]["id"] == f"{PREFIX}-{tender}-0001-tender"
    planning = releases[0]["planning"]
    service = str(register.service_id)
    rationale = planning["rationale"]
    assert '"Library outreach"' in rationale and service in rationale
    assert f"{made['parish']} from Clun Town Council, accepted on 2026-03-02" in rationale
    assert f"{made['modified']} from Severn Community Interest, accepted with a modification" in rationale
    assert str(made["rejected"]) not in rationale and str(made["staff"]) not in rationale, "only what it answers"
    assert planning["budget"] == {
        "description": "Culture and leisure: the service's budget in the council's register of services",
        "project": "Library outreach",
        "projectID": service,
        "uri": f"{market.settings.public_url.rstrip('/')}/services/{service}",
    }
    documents = {document["id"]: document for document in planning["documents"]}
    assert set(documents) == {f"expression-of-interest-{made[key]}" for key in ("parish", "modified")}
    parish = documents[f"expression-of-interest-{made['parish']}"]
    assert parish["url"].endswith(f"/expressions-of-interest/{made['parish']}")
    assert (parish["title"], parish["datePublished"]) == (
        "Expression of interest from Clun Town Council",
        releases[0]["date"],
    )
    compiled = package["records"][0]["compiledRelease"]
    assert compiled["planning"] == planning and compiled["tender"]["id"] == tender


def test_the_open_data_never_carries_what_an_expression_says_or_a_staff_groups_members(
    market: Marketplace, clock: FixedClock, client: TestClient[Any]
) -> None:
    register = registered(market, clock)
    register.window()
    accepted = register.acknowledged(STAFF)
    register.expressions.accept(request(OFFICER), accepted, "The staff mutual can run it.")
    tender = published(register)
    text = json.dumps([feed(client), record(client, tender)])
    assert "Library outreach staff mutual" in text, "a staff group is named by its group's name"
    for private in ("Jo Reader", "Sam Shelf", "Reserves of", "qualified librarians", "Monthly open meetings"):
        assert private not in text, private


def test_a_tender_naming_a_service_no_challenge_awaits_says_so(
    market: Marketplace, clock: FixedClock, client: TestClient[Any]
) -> None:
    register = registered(market, clock)
    register.submit(PARISH)  # undecided: the procurement does not answer it
    tender = published(register)
    planning = record(client, tender)["records"][0]["releases"][0]["planning"]
    assert planning["rationale"].endswith(
        "No expression of interest accepted under the Community Right to Challenge "
        "(the Localism Act 2011 ss.81-86) awaited it."
    )
    assert "documents" not in planning


def test_a_tender_naming_no_service_is_published_and_stored_as_before(
    market: Marketplace, clock: FixedClock, client: TestClient[Any]
) -> None:
    register = registered(market, clock)
    tender = published(register, named=False)
    release = record(client, tender)["records"][0]["releases"][0]
    assert release["tag"] == ["tender"] and "planning" not in release
    with market.views() as session:
        stored = session.execute(select(ocds_tenders.c.terms).where(ocds_tenders.c.id == tender)).scalar_one()
    assert "service" not in stored


def test_the_release_says_the_service_as_it_stood_at_publication(
    market: Marketplace, clock: FixedClock, client: TestClient[Any]
) -> None:
    register, _ = challenged(market, clock)
    tender = published(register)
    before = record(client, tender)["records"][0]["releases"]
    register.services.update(
        request(OFFICER), register.service_id, "Renamed.", ServiceChange(name="Libraries on wheels")
    )
    assert record(client, tender)["records"][0]["releases"] == before


def test_the_view_rebuilds_to_the_same_checksum_and_the_same_open_data_whatever_the_batches(
    market: Marketplace, clock: FixedClock, client: TestClient[Any]
) -> None:
    register, _ = challenged(market, clock)
    published(register)
    published(register, named=False)
    served, incremental = feed(client), market.projector.checksums(["ocds"])
    assert market.projector.rebuild(["ocds"]) == incremental
    market.projector.batch_size = 1  # the publication's transaction split across batches
    assert market.projector.rebuild(["ocds"]) == incremental
    assert feed(client) == served
