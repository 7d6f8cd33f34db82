"""A NUL character is not text: refused wherever a request carries one (PostgreSQL could not store it)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from marketplace.service import Marketplace
from tests.conftest import event_count, registration


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("name", "Bad\x00name", "name"),
        ("address", {"line1": "4 Mill\x00 Street", "town": "Ludlow", "postcode": "SY8 1BB"}, "address.line1"),
    ],
)
def test_a_nul_in_a_body_is_a_400_naming_the_field_and_writes_nothing(
    client: TestClient[Any], market: Marketplace, commissioner: dict[str, str], field: str, value: Any, named: str
) -> None:
    before = event_count(market)
    refused = client.post("/organisations", json={**registration(), field: value}, headers=commissioner)
    assert refused.status_code == 400, refused.text
    assert refused.json()["errors"][0]["field"] == named
    assert event_count(market) == before


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("/organisations/GB-CHC-%00", "path"),
        ("/organisations?district=SY%00", "query"),
        ("/tenders?cursor=%00", "query"),
    ],
)
def test_a_nul_in_a_path_or_query_is_a_400_naming_where(client: TestClient[Any], url: str, named: str) -> None:
    refused = client.get(url)
    assert refused.status_code == 400, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["field"] == named
