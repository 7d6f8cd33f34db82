"""Open data names the service by its configured public URL, never by the Host header a caller sent.

A reflected Host would let anyone mint release packages whose `uri` and `links.next` point elsewhere,
and caches would keep them for everyone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from litestar.testing import TestClient

from api.app import create_app
from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from marketplace.settings import Settings
from tests.journeys import publish_tender

pytestmark = pytest.mark.request_layer  # answered before any database is asked: SQLite alone

PUBLIC = "https://open.shropshire.example/marketplace"
EVIL = "evil.example"


@pytest.fixture
def public_client(settings: Settings, clock: FixedClock) -> Iterator[TestClient[Any]]:
    market = Marketplace(replace(settings, public_url=PUBLIC + "/"), clock)
    try:
        with TestClient(create_app(market)) as client:
            yield client
    finally:
        market.close()


def uris(document: Any) -> list[str]:
    """Every URL-bearing value the document carries: `uri` members and `links`."""
    found: list[str] = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key in ("uri", "next", "prev") and isinstance(value, str):
                found.append(value)
            found += uris(value)
    elif isinstance(document, list):
        for item in document:
            found += uris(item)
    return found


def test_release_packages_name_the_public_url_whatever_the_host_header_says(
    public_client: TestClient[Any], clock: FixedClock
) -> None:
    publish_tender(public_client, clock)
    publish_tender(public_client, clock)
    response = public_client.get("/ocds/releases?limit=1", headers={"Host": EVIL})
    assert response.status_code == 200, response.text
    assert EVIL not in response.text
    document = response.json()
    assert document["uri"] == f"{PUBLIC}/ocds/releases?after=0&limit=1"
    assert document["links"]["next"].startswith(f"{PUBLIC}/ocds/releases?after=")


def test_record_packages_name_the_public_url_whatever_the_host_header_says(
    public_client: TestClient[Any], clock: FixedClock
) -> None:
    publish_tender(public_client, clock)
    ocid = public_client.get("/ocds/releases").json()["releases"][0]["ocid"]
    for headers in ({"Host": EVIL}, {"X-Forwarded-Host": EVIL, "Forwarded": f"host={EVIL}"}):
        response = public_client.get(f"/ocds/records/{ocid}", headers=headers)
        assert response.status_code == 200, response.text
        assert EVIL not in json.dumps(response.json())
        assert response.json()["uri"] == f"{PUBLIC}/ocds/records/{ocid}"
        assert all(uri.startswith(PUBLIC) for uri in uris(response.json()) if uri.startswith("http"))


def test_the_default_public_url_is_the_local_development_server(client: TestClient[Any], clock: FixedClock) -> None:
    publish_tender(client, clock)
    document = client.get("/ocds/releases", headers={"Host": EVIL}).json()
    assert document["uri"].startswith("http://localhost:8000/ocds/releases")
