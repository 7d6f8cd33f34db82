"""One disclosure rule per kind of record, on every read path: receipts as commitments, people's addresses."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from litestar.testing import TestClient

from domain.base import Role
from marketplace.clock import FixedClock
from tests.conftest import COUNCIL, bearer, registration
from tests.journeys import OFFICER, offer, ok, provider, publish_tender

BIDDER = "GB-CHC-1102345"
COMPANY = "GB-COH-01234567"
HOME = {"line1": "12 Orchard Lane", "town": "Clun", "postcode": "SY7 8JA"}


def canonical(tender: str, bidder: str, prices: dict[str, str], responses: dict[str, str]) -> str:
    """The offer's canonical JSON, as docs/disclosure.md tells a bidder to write it."""
    body = {"tender": tender, "bidder": bidder, "prices": prices, "responses": responses}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_the_bidder_alone_gets_the_nonce_and_with_it_proves_what_its_receipt_commits_to(
    client: TestClient[Any], clock: FixedClock
) -> None:
    ok(client.post("/organisations", json=registration(BIDDER), headers=provider(BIDDER)), 201)
    tender = publish_tender(client, clock)
    sent = offer({"north": "390000.00"}, "proof")
    receipt = ok(client.post(f"/tenders/{tender}/bids", json=sent, headers=provider(BIDDER)), 201)
    nonce = receipt["nonce"]
    committed = hashlib.sha256((nonce + canonical(tender, BIDDER, sent["prices"], sent["responses"])).encode())
    assert receipt["digest"] == committed.hexdigest()
    unsalted = hashlib.sha256(canonical(tender, BIDDER, sent["prices"], sent["responses"]).encode()).hexdigest()
    assert receipt["digest"] != unsalted  # a guessed price cannot be tried against the digest

    bid = f"/bids/{receipt['id']}"
    assert ok(client.get(bid, headers=provider(BIDDER)))["receipt"]["nonce"] == nonce
    assert ok(client.get(f"{bid}?version=1", headers=provider(BIDDER)))["receipt"]["nonce"] == nonce
    for reader in (OFFICER, bearer(Role.AUDITOR, COUNCIL, "audrey"), bearer(Role.ADMIN, COUNCIL, "root")):
        for url in (bid, f"{bid}?version=1", "/audit/events?limit=1000", f"/audit/bid/{receipt['id']}/history"):
            assert nonce not in client.get(url, headers=reader).text, url
    clock.advance(days=31)
    ok(client.post(f"/tenders/{tender}/open-bids", headers=OFFICER))
    assert nonce not in client.get(bid, headers=OFFICER).text  # opening shows the offer, not the bidder's secret


def test_signed_in_reads_of_bids_answer_401_to_the_anonymous(client: TestClient[Any], clock: FixedClock) -> None:
    tender = publish_tender(client, clock)
    for url in ("/bids", f"/tenders/{tender}/bids"):
        refused = client.get(url)
        assert refused.status_code == 401, (url, refused.text)
        assert refused.headers["www-authenticate"].startswith("Bearer")


def test_a_company_that_becomes_a_sole_trader_keeps_its_old_address_private_as_it_stood_too(
    client: TestClient[Any],
) -> None:
    company = registration(COMPANY, name="Clun Care Ltd", legal_form="company", vcse=False, address=HOME)
    ok(client.post("/organisations", json=company, headers=provider(COMPANY)), 201)
    ok(client.patch(f"/organisations/{COMPANY}", json={"legal_form": "sole-trader"}, headers=provider(COMPANY)))
    strangers = {"anonymous": {}, "another provider": provider(BIDDER)}
    for who, headers in strangers.items():
        for url in (f"/organisations/{COMPANY}", f"/organisations/{COMPANY}?version=1"):
            read = ok(client.get(url, headers=headers))
            assert read["address"] is None and HOME["line1"] not in json.dumps(read), (who, url)
    insiders = {"itself": provider(COMPANY), "a commissioner": OFFICER, "an auditor": bearer(Role.AUDITOR)}
    for who, headers in insiders.items():
        assert ok(client.get(f"/organisations/{COMPANY}?version=1", headers=headers))["address"] is not None, who


def test_a_sole_trader_that_incorporates_keeps_the_address_it_had_as_a_person_private(
    client: TestClient[Any],
) -> None:
    person = registration(COMPANY, name="Jo Bloggs Care", legal_form="sole-trader", vcse=False, address=HOME)
    ok(client.post("/organisations", json=person, headers=provider(COMPANY)), 201)
    office = {"line1": "Unit 4, Enterprise Park", "town": "Shrewsbury", "postcode": "SY1 3FE"}
    change = {"legal_form": "company", "address": office}
    ok(client.patch(f"/organisations/{COMPANY}", json=change, headers=provider(COMPANY)))
    assert ok(client.get(f"/organisations/{COMPANY}"))["address"]["line1"] == office["line1"]
    assert ok(client.get(f"/organisations/{COMPANY}?version=1"))["address"] is None
