"""Sealed bids: until the bids are opened, no GET route shows a bid's content to anyone, now or as it stood;
after opening, an offer that was replaced is shown only to its bidder and auditors."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from litestar.testing import TestClient

from domain.base import Role
from marketplace.clock import FixedClock
from marketplace.scheduler import tick
from marketplace.service import Marketplace
from tests.conftest import COUNCIL, bearer, registration
from tests.journeys import OFFICER, offer, provider, publish_tender

MARKER = "SEALED-" + uuid.uuid4().hex
PRICE = "987654.31"
FIRST_MARKER = "SUPERSEDED-" + uuid.uuid4().hex  # the offer each bid replaced before the deadline
FIRST_PRICE = "912345.67"
BIDDER, RIVAL = "GB-CHC-1102345", "GB-COH-09876543"


def every_caller() -> dict[str, dict[str, str]]:
    return {
        "anonymous": {},
        "the bidder": provider(BIDDER),
        "a rival": provider(RIVAL),
        "commissioner": OFFICER,
        "auditor": bearer(Role.AUDITOR, COUNCIL, "audrey"),
        "admin": bearer(Role.ADMIN, COUNCIL, "root"),
    }


def every_get_url(client: TestClient[Any], ids: dict[str, str]) -> list[str]:
    """Each GET path in the OpenAPI document, with its path parameters filled from real records."""
    paths = client.get("/schema/openapi.json").json()["paths"]
    urls = []
    for path, operations in paths.items():
        if "get" not in operations or path.startswith("/schema"):
            continue
        names = re.findall(r"\{(\w+)\}", path)
        for values in _combinations([ids.get(name, str(uuid.uuid4())) for name in names], ids, names):
            url = path
            for name, value in zip(names, values, strict=True):
                url = url.replace("{" + name + "}", value)
            urls.append(url)
    return urls


def _combinations(defaults: list[str], ids: dict[str, str], names: list[str]) -> list[list[str]]:
    """The bid path is tried with every bid, the bidder's and the rival's."""
    if "bid" in names:
        return [
            [ids[f"bid:{who}"] if n == "bid" else d for n, d in zip(names, defaults, strict=True)]
            for who in (BIDDER, RIVAL)
        ]
    return [defaults]


def with_history(urls: list[str], at: str) -> list[str]:
    """Every record's GET also as it stood: at each early version and at a moment."""
    past = [f"{url}?version={n}" for url in urls if url.startswith("/tenders/") for n in (1, 2)]
    past += [f"{url}?version={n}" for url in urls if url.startswith("/bids/") for n in range(1, 7)]
    return urls + past + [f"{url}?as_of={at}" for url in urls if url.startswith("/bids/")]


def bids_sent_and_replaced(client: TestClient[Any], clock: FixedClock) -> dict[str, str]:
    """Both bidders send an offer, then replace it before the deadline: the ids for every GET path."""
    for org in (BIDDER, RIVAL):
        assert client.post("/organisations", json=registration(org), headers=provider(org)).status_code == 201
    tender = publish_tender(client, clock)
    ids = {"tender": tender, "identifier": BIDDER}
    for org in (BIDDER, RIVAL):
        first = offer({"north": FIRST_PRICE}, FIRST_MARKER) if org == BIDDER else offer({"north": "911111.11"}, "rival")
        sent = client.post(f"/tenders/{tender}/bids", json=first, headers=provider(org))
        assert sent.status_code == 201, sent.text
        ids[f"bid:{org}"] = sent.json()["id"]
        replaced = client.put(f"/bids/{ids[f'bid:{org}']}", json=offer({"north": PRICE}, MARKER), headers=provider(org))
        assert replaced.status_code == 200, replaced.text
    return ids


def shown(client: TestClient[Any], urls: list[str], secrets: tuple[str, ...]) -> set[tuple[str, str]]:
    """Which callers any of these URLs shows any of the secrets to, and where."""
    return {
        (who, url)
        for who, headers in every_caller().items()
        for url in urls
        if any(secret in client.get(url, headers=headers).text for secret in secrets)
    }


@pytest.mark.slow  # an exhaustive matrix: run by .ci/run with the slow suites
def test_after_the_deadline_and_before_opening_no_get_route_returns_a_bids_content_to_any_role(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    ids = bids_sent_and_replaced(client, clock)
    clock.advance(days=31)
    tick(market)  # the chronograph closes tendering: the deadline has passed, the bids are not opened
    urls = with_history(every_get_url(client, ids), clock.now().isoformat().replace("+00:00", "Z"))
    assert any("/audit/" in url for url in urls) and any("version=" in url for url in urls)
    assert shown(client, urls, (MARKER, PRICE, FIRST_MARKER, FIRST_PRICE, "911111.11")) == set()


@pytest.mark.slow  # an exhaustive matrix: run by .ci/run with the slow suites
def test_after_opening_a_replaced_offer_is_shown_only_to_its_bidder_and_auditors_on_every_path(
    client: TestClient[Any], clock: FixedClock
) -> None:
    ids = bids_sent_and_replaced(client, clock)
    clock.advance(days=31)
    assert client.post(f"/tenders/{ids['tender']}/open-bids", headers=OFFICER).status_code == 200
    urls = with_history(every_get_url(client, ids), clock.now().isoformat().replace("+00:00", "Z"))
    readers = {who for who, _ in shown(client, urls, (FIRST_MARKER, FIRST_PRICE))}
    assert readers == {"the bidder", "auditor"}
    assert {who for who, _ in shown(client, urls, (MARKER,))} >= {"commissioner", "admin", "auditor", "the bidder"}


def test_before_the_deadline_no_get_route_returns_a_bids_content_to_any_role(
    client: TestClient[Any], clock: FixedClock
) -> None:
    for org in (BIDDER, RIVAL):
        assert client.post("/organisations", json=registration(org), headers=provider(org)).status_code == 201
    tender = publish_tender(client, clock)
    ids = {"tender": tender, "identifier": BIDDER}
    for org in (BIDDER, RIVAL):
        sent = client.post(f"/tenders/{tender}/bids", json=offer({"north": PRICE}, MARKER), headers=provider(org))
        assert sent.status_code == 201, sent.text
        assert MARKER not in sent.text and PRICE not in sent.text  # the receipt proves, without revealing
        ids[f"bid:{org}"] = sent.json()["id"]

    urls = every_get_url(client, ids)
    assert any(url.startswith("/bids/") for url in urls) and len(urls) >= 10
    for who, headers in every_caller().items():
        for url in urls:
            body = client.get(url, headers=headers).text
            assert MARKER not in body and PRICE not in body, f"{url} shows bid content to {who}"

    # Once the deadline has passed and the bids are opened, officers can read them: the marker is real.
    clock.advance(days=31)
    assert client.post(f"/tenders/{tender}/open-bids", headers=OFFICER).status_code == 200
    assert MARKER in client.get(f"/bids/{ids['bid:' + BIDDER]}", headers=OFFICER).text
