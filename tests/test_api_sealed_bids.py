"""Sealed bids: before the deadline, no GET route shows a bid's content to anyone."""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar.testing import TestClient

from domain.base import Role
from marketplace.clock import FixedClock
from tests.conftest import COUNCIL, bearer, registration
from tests.journeys import OFFICER, offer, provider, publish_tender

MARKER = "SEALED-" + uuid.uuid4().hex
PRICE = "987654.31"
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
