"""Every write route in the OpenAPI document refuses the anonymous (401) and the auditor (403), writing nothing."""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar.testing import TestClient

from domain.base import Role
from marketplace.service import Marketplace
from tests.conftest import COUNCIL, bearer, event_count

WRITES = ("post", "put", "patch", "delete")


def write_routes(client: TestClient[Any]) -> list[tuple[str, str]]:
    paths = client.get("/schema/openapi.json").json()["paths"]
    some_id = str(uuid.uuid4())
    return [
        (method, re.sub(r"\{(\w+)\}", filled(numbers(operation), some_id), path))
        for path, operations in paths.items()
        for method, operation in operations.items()
        if method in WRITES
    ]


def filled(numbered: set[str], some_id: str) -> Any:
    return lambda match: "0" if match[1] in numbered else some_id


def numbers(operation: dict[str, Any]) -> set[str]:
    """The path parameters that are whole numbers (an invoice's line), filled with 0 rather than an id."""
    return {
        p["name"] for p in operation.get("parameters", []) if p["in"] == "path" and p["schema"].get("type") == "integer"
    }


def test_every_write_route_needs_a_token_and_is_closed_to_auditors(
    client: TestClient[Any], market: Marketplace
) -> None:
    routes = write_routes(client)
    assert len(routes) >= 30
    before = event_count(market)
    auditor = bearer(Role.AUDITOR, COUNCIL, "audrey")
    for method, url in routes:
        anonymous = client.request(method.upper(), url, json={})
        assert anonymous.status_code == 401, (method, url, anonymous.text)
        assert anonymous.headers["content-type"].startswith("application/problem+json")
        refused = client.request(method.upper(), url, json={}, headers=auditor)
        assert refused.status_code == 403, (method, url, refused.text)
    assert event_count(market) == before
