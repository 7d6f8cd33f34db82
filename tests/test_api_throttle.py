"""Each caller may write at a sustained rate with a burst on top; beyond it, 429 with when to try again.

A caller is the token's organisation, subject and role together. Reads are never limited. Each API
process keeps its own buckets, so these tests build their own application with a small limit.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.throttle import TokenBucket
from domain.base import Role
from marketplace.service import Marketplace
from marketplace.settings import Settings
from tests.conftest import bearer, event_count, registration

pytestmark = pytest.mark.request_layer  # answered before any database is asked: SQLite alone

CATHY = bearer(Role.COMMISSIONER, "GB-LAE-SHR", "cathy")
ED = bearer(Role.COMMISSIONER, "GB-LAE-SHR", "ed")


@contextmanager
def limited(settings: Settings, rate: float, burst: int) -> Iterator[tuple[TestClient[Any], Marketplace]]:
    market = Marketplace(replace(settings, write_rate=rate, write_burst=burst))
    try:
        with TestClient(create_app(market)) as client:
            yield client, market
    finally:
        market.close()


def write(client: TestClient[Any], caller: dict[str, str]) -> Any:
    """A write the service refuses for what it says (400): it still counts against the caller's limit."""
    return client.post("/organisations", json={}, headers=caller)


def test_writes_beyond_the_burst_are_429_problems_with_retry_after(settings: Settings) -> None:
    with limited(settings, rate=0.5, burst=3) as (client, market):
        assert [write(client, CATHY).status_code for _ in range(3)] == [400, 400, 400]
        before = event_count(market)
        refused = client.post("/organisations", json=registration(), headers=CATHY)
        assert refused.status_code == 429, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["status"] == 429
        assert refused.json()["type"] == "urn:marketplace:problem:write-rate"
        assert refused.headers["retry-after"] == "2", "one write per two seconds: the next is due in 2 s"
        assert event_count(market) == before


def test_the_retry_after_is_whole_seconds_and_at_least_one(settings: Settings) -> None:
    with limited(settings, rate=20, burst=1) as (client, _):
        write(client, CATHY)
        refused = write(client, CATHY)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "1"


def test_each_caller_has_its_own_bucket(settings: Settings) -> None:
    with limited(settings, rate=0.5, burst=2) as (client, _):
        assert [write(client, CATHY).status_code for _ in range(3)] == [400, 400, 429]
        assert write(client, ED).status_code == 400, "another subject of the same organisation"
        admin = bearer(Role.ADMIN, "GB-LAE-SHR", "cathy")
        assert write(client, admin).status_code == 400, "the same subject in another role"


def test_reads_are_never_limited(settings: Settings) -> None:
    with limited(settings, rate=0.5, burst=1) as (client, _):
        write(client, CATHY)
        assert write(client, CATHY).status_code == 429
        assert all(client.get("/organisations", headers=CATHY).status_code == 200 for _ in range(5))


def test_the_bucket_refills_at_the_rate(settings: Settings) -> None:
    with limited(settings, rate=20, burst=2) as (client, _):
        assert [write(client, CATHY).status_code for _ in range(3)] == [400, 400, 429]
        time.sleep(0.12)
        assert write(client, CATHY).status_code == 400


@pytest.mark.parametrize(
    ("method", "path"), [("PUT", "/bids/b-1"), ("PATCH", "/organisations/GB-CHC-1234567"), ("POST", "/tenders")]
)
def test_every_writing_method_counts_against_one_bucket(settings: Settings, method: str, path: str) -> None:
    with limited(settings, rate=0.5, burst=1) as (client, _):
        write(client, CATHY)
        assert client.request(method, path, json={}, headers=CATHY).status_code == 429


def test_anonymous_and_badly_signed_writes_are_401_not_429(settings: Settings) -> None:
    with limited(settings, rate=0.5, burst=1) as (client, _):
        for _ in range(3):
            assert client.post("/organisations", json={}).status_code == 401
            assert client.post("/organisations", json={}, headers={"Authorization": "Bearer x"}).status_code == 401


def test_a_rate_of_zero_turns_the_limit_off(settings: Settings) -> None:
    with limited(settings, rate=0, burst=1) as (client, _):
        assert {write(client, CATHY).status_code for _ in range(30)} == {400}


def test_the_openapi_document_states_the_limit_on_write_routes(settings: Settings) -> None:
    with limited(settings, rate=20, burst=100) as (client, _):
        document = client.get("/schema/openapi.json").json()
        assert "429" in document["paths"]["/organisations"]["post"]["responses"]
        assert "429" not in document["paths"]["/organisations"]["get"]["responses"]
        assert "20 writes a second" in document["info"]["description"]


def test_a_bucket_admits_its_burst_then_one_per_interval() -> None:
    bucket = TokenBucket(rate=2.0, burst=2, now=100.0)
    assert bucket.take(100.0) == 0.0
    assert bucket.take(100.0) == 0.0
    assert bucket.take(100.0) == pytest.approx(0.5)
    assert bucket.take(100.5) == 0.0
    assert bucket.take(110.0) == 0.0, "a long pause refills to the burst, no further"
    assert bucket.take(110.0) == 0.0
    assert bucket.take(110.0) == pytest.approx(0.5)
