"""The service starts on a real database and answers."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from api.app import create_app
from domain.base import Role
from marketplace.capability import all_projections
from marketplace.service import Marketplace
from tests.conftest import bearer, registration


def test_a_registered_organisation_is_readable_in_the_same_response_cycle(
    client: TestClient[Any], commissioner: dict[str, str]
) -> None:
    created = client.post("/organisations", json=registration(), headers=commissioner)
    assert created.status_code == 201
    read = client.get(created.headers["location"])
    assert read.status_code == 200
    assert read.json()["name"] == "Shropshire Rural Befrienders"
    assert read.headers["etag"] == '"1"'


def test_readiness_reports_the_database_and_projection_lag(client: TestClient[Any]) -> None:
    ready = client.get("/ready")
    assert ready.status_code == 200
    body = ready.json()
    assert (body["status"], body["database"]) == ("ready", True)
    assert body["projection_lag"] == dict.fromkeys([p.name for p in all_projections()], 0)


def test_an_app_shut_down_leaves_the_marketplace_it_was_given_working_for_the_next(market: Marketplace) -> None:
    """The app closes only a marketplace it made: one given to it (tests, a fuzzer's apps) is its owner's."""
    with TestClient(create_app(market)):
        pass
    with TestClient(create_app(market), timeout=10) as client:
        written = client.post("/organisations", json=registration(), headers=bearer(Role.COMMISSIONER))
    assert written.status_code == 201, written.text
