"""Retries and races: Idempotency-Key replays, If-Match preconditions, and many writers on one record."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError
from litestar.testing import TestClient

from domain.base import Actor, Role
from domain.organisations.organisation import DetailsChange, OrganisationDetails
from domain.rules import DomainError, Refusal
from domain.values import Address, Contact
from marketplace import idempotency
from marketplace.commands import CommandRequest
from marketplace.errors import ConcurrentChange, VersionMismatch
from marketplace.organisations.services import Organisations
from marketplace.outcome import Outcome
from marketplace.service import Marketplace
from projections.organisations.directory import find_organisation
from tests.conftest import COUNCIL, bearer, event_count, registration

CHARITY = "GB-CHC-1234567"
OTHER = "GB-CHC-7654321"
REASON = {"reason": "Checked against the Charity Commission register."}
THREADS = 8
CATHY = Actor("cathy", COUNCIL, Role.COMMISSIONER)


def keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


def answer(response: Any) -> tuple[int, Any, str | None, str | None, str | None]:
    """What a client sees of a write: status, body, ETag, Location, event position."""
    headers = response.headers
    return (
        response.status_code,
        response.json(),
        headers.get("etag"),
        headers.get("location"),
        headers.get("x-event-position"),
    )


def assert_problem(response: Any, status: int, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert {"type", "title", "status", "detail"} <= problem.keys()
    assert problem["status"] == status
    if field is not None:
        assert field in [error["field"] for error in problem.get("errors", [])]


@pytest.fixture
def charity(client: TestClient[Any], commissioner: dict[str, str]) -> str:
    assert client.post("/organisations", json=registration(CHARITY), headers=commissioner).status_code == 201
    return CHARITY


# Idempotency-Key


def test_a_retried_registration_returns_the_first_response_and_writes_nothing(
    client: TestClient[Any], market: Marketplace, commissioner: dict[str, str]
) -> None:
    first = client.post("/organisations", json=registration(CHARITY), headers=keyed(commissioner, "reg-1"))
    before = event_count(market)
    retry = client.post("/organisations", json=registration(CHARITY), headers=keyed(commissioner, "reg-1"))
    assert answer(retry) == answer(first)
    assert retry.status_code == 201
    assert event_count(market) == before


def test_a_retry_returns_the_first_response_even_after_later_changes(
    client: TestClient[Any], market: Marketplace, commissioner: dict[str, str]
) -> None:
    first = client.post("/organisations", json=registration(CHARITY), headers=keyed(commissioner, "reg-1"))
    client.patch(f"/organisations/{CHARITY}", json={"name": "Renamed Trust"}, headers=commissioner)
    before = event_count(market)
    retry = client.post("/organisations", json=registration(CHARITY), headers=keyed(commissioner, "reg-1"))
    assert answer(retry) == answer(first)
    assert event_count(market) == before


def test_a_retried_decision_replays_instead_of_conflicting(
    client: TestClient[Any], market: Marketplace, charity: str, commissioner: dict[str, str]
) -> None:
    path = f"/organisations/{charity}/verify"
    first = client.post(path, json=REASON, headers=keyed(commissioner, "verify-1"))
    retry = client.post(path, json=REASON, headers=keyed(commissioner, "verify-1"))
    assert answer(retry) == answer(first)
    assert first.status_code == 200
    assert event_count(market) == 2


@pytest.mark.parametrize(
    ("path", "body"),
    [
        pytest.param("/organisations", registration(CHARITY, name="Another Name"), id="different-body"),
        pytest.param(f"/organisations/{CHARITY}/verify", REASON, id="different-route"),
    ],
)
def test_the_same_key_for_a_different_request_is_refused_naming_the_header(
    client: TestClient[Any], market: Marketplace, commissioner: dict[str, str], path: str, body: Any
) -> None:
    client.post("/organisations", json=registration(CHARITY), headers=keyed(commissioner, "reg-1"))
    before = event_count(market)
    assert_problem(client.post(path, json=body, headers=keyed(commissioner, "reg-1")), 422, "Idempotency-Key")
    assert event_count(market) == before


def test_different_subjects_may_use_the_same_key_independently(
    client: TestClient[Any], market: Marketplace, commissioner: dict[str, str]
) -> None:
    ours = client.post("/organisations", json=registration(CHARITY), headers=keyed(commissioner, "shared"))
    them = bearer(Role.PROVIDER, OTHER, "olive")
    theirs = client.post("/organisations", json=registration(OTHER), headers=keyed(them, "shared"))
    assert (ours.status_code, theirs.status_code) == (201, 201)
    assert theirs.headers["location"] == f"/organisations/{OTHER}"
    assert event_count(market) == 2


def test_a_refused_request_does_not_use_up_its_key(
    client: TestClient[Any], market: Marketplace, commissioner: dict[str, str]
) -> None:
    contact = {"name": "Ann", "email": "not-an-email"}
    body = registration(CHARITY, contact=contact)
    refused = client.post("/organisations", json=body, headers=keyed(commissioner, "k"))
    assert refused.status_code == 422
    accepted = client.post("/organisations", json=registration(CHARITY), headers=keyed(commissioner, "k"))
    assert accepted.status_code == 201
    assert event_count(market) == 1


# If-Match


def test_two_updates_from_the_same_version_one_succeeds_the_other_is_412(
    client: TestClient[Any], market: Marketplace, charity: str, commissioner: dict[str, str]
) -> None:
    before = event_count(market)
    stale = {**commissioner, "If-Match": '"1"'}
    first = client.patch(f"/organisations/{charity}", json={"name": "First Name"}, headers=stale)
    second = client.patch(f"/organisations/{charity}", json={"name": "Second Name"}, headers=stale)
    assert first.status_code == 200
    assert_problem(second, 412, "If-Match")
    assert event_count(market) == before + 1
    assert client.get(f"/organisations/{charity}").json()["name"] == "First Name"


@pytest.mark.parametrize("decision", ["verify", "deactivate"])
def test_a_decision_on_a_stale_version_is_412_and_writes_nothing(
    client: TestClient[Any], market: Marketplace, charity: str, commissioner: dict[str, str], decision: str
) -> None:
    client.patch(f"/organisations/{charity}", json={"name": "Renamed Trust"}, headers=commissioner)
    before = event_count(market)
    response = client.post(
        f"/organisations/{charity}/{decision}", json=REASON, headers={**commissioner, "If-Match": '"1"'}
    )
    assert_problem(response, 412, "If-Match")
    assert event_count(market) == before


@pytest.mark.parametrize("value", ['"1"', 'W/"1"', "1", "*"])
def test_if_match_accepts_the_current_etag_in_its_usual_forms(
    client: TestClient[Any], charity: str, commissioner: dict[str, str], value: str
) -> None:
    response = client.patch(
        f"/organisations/{charity}", json={"name": "Renamed"}, headers={**commissioner, "If-Match": value}
    )
    assert response.status_code == 200
    assert response.headers["etag"] == '"2"'


def test_a_concurrent_change_is_a_409_problem_and_writes_nothing(
    client: TestClient[Any],
    market: Marketplace,
    charity: str,
    commissioner: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def lost_the_race(*_: Any, **__: Any) -> Any:
        raise IntegrityError("another writer appended this version first")

    monkeypatch.setattr(market.app, "save", lost_the_race)
    before = event_count(market)
    response = client.patch(f"/organisations/{charity}", json={"name": "Renamed"}, headers=commissioner)
    assert_problem(response, 409)
    assert response.json()["type"] == "urn:marketplace:problem:no-concurrent-change"
    assert event_count(market) == before


# Many writers at once, through the service layer


def recorded(market: Marketplace) -> int:
    """The events in the log, counted: on PostgreSQL an append that loses a race still uses up a notification id."""
    return len(market.app.recorder.select_notifications(start=None, limit=1_000_000))


def race(calls: list[Callable[[], Outcome]]) -> list[Outcome | DomainError]:
    """Run every call at the same moment on its own thread; each ends in an outcome or a refusal."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Outcome]) -> Outcome | DomainError:
        barrier.wait()
        try:
            return call()
        except DomainError as refusal:
            return refusal

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def rename(market: Marketplace, name: str, expected_version: int | None = None) -> Callable[[], Outcome]:
    request = CommandRequest(CATHY, correlation_id=name, expected_version=expected_version)
    return lambda: market.service(Organisations).update_details(request, CHARITY, DetailsChange(name=name))


def verify(market: Marketplace, correlation_id: str) -> Callable[[], Outcome]:
    request = CommandRequest(CATHY, correlation_id=correlation_id)
    return lambda: market.service(Organisations).verify(request, CHARITY, "Checked.")


def test_concurrent_updates_each_succeed_or_are_409_and_every_success_is_exactly_one_event(
    market: Marketplace, charity: str
) -> None:
    before = recorded(market)
    results = race([rename(market, f"Name {n}") for n in range(THREADS)])
    successes = [r for r in results if isinstance(r, Outcome)]
    assert all(isinstance(r, Outcome | ConcurrentChange) for r in results), results
    assert successes
    assert recorded(market) == before + len(successes)
    assert sorted(s.version for s in successes) == list(range(2, 2 + len(successes)))
    assert market.service(Organisations).as_it_stood(charity).version == 1 + len(successes)
    with market.views() as session:
        row = find_organisation(session, charity)
    assert row is not None
    assert row["version"] == 1 + len(successes)
    assert row["name"] == market.service(Organisations).as_it_stood(charity).name


def test_concurrent_updates_from_the_same_version_let_exactly_one_through(market: Marketplace, charity: str) -> None:
    before = recorded(market)
    results = race([rename(market, f"Name {n}", expected_version=1) for n in range(THREADS)])
    assert len([r for r in results if isinstance(r, Outcome)]) == 1
    assert all(isinstance(r, Outcome | VersionMismatch | ConcurrentChange) for r in results), results
    assert recorded(market) == before + 1


def test_concurrent_registrations_of_one_identifier_create_it_once(market: Marketplace) -> None:
    def register() -> Outcome:
        address, contact = Address("4 Mill Street", "Ludlow", "SY8 1BB"), Contact("Ann Example", "ann@example.org")
        details = OrganisationDetails(
            CHARITY, "Shropshire Rural Befrienders", "charitable-trust", "small", True, address, contact
        )
        return market.service(Organisations).register(CommandRequest(CATHY), details)

    results = race([register] * THREADS)
    assert len([r for r in results if isinstance(r, Outcome)]) == 1
    refusals = [r for r in results if not isinstance(r, Outcome)]
    assert all(r.kind in (Refusal.DUPLICATE, Refusal.CONFLICT) for r in refusals), refusals
    assert recorded(market) == 1


def test_concurrent_retries_with_one_idempotency_key_write_once_and_all_see_the_same_outcome(
    market: Marketplace, charity: str
) -> None:
    before = recorded(market)
    command = CommandRequest(CATHY, idempotency_key="retry-storm", fingerprint="verify-once")
    results = race([lambda: market.service(Organisations).verify(command, charity, "Checked.")] * THREADS)
    assert all(isinstance(r, Outcome) for r in results), results
    assert len({(r.aggregate_id, r.version, r.position) for r in results if isinstance(r, Outcome)}) == 1
    assert market.service(Organisations).as_it_stood(charity).verified
    assert recorded(market) == before + 1


def test_a_retry_that_arrives_while_the_first_request_runs_waits_for_it_and_replays_it(
    market: Marketplace, charity: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    command = CommandRequest(CATHY, idempotency_key="overtaken", fingerprint="verify-once")
    recall = idempotency.recall
    pool = ThreadPoolExecutor(max_workers=1)
    retries: list[Future[Outcome]] = []

    def recall_then_let_a_retry_arrive(*args: Any) -> Outcome | None:
        earlier = recall(*args)
        if not retries:
            retries.append(pool.submit(market.service(Organisations).verify, command, charity, "Checked."))
            time.sleep(0.3)
            assert not retries[0].done(), "the retry must wait for the first request"
        return earlier

    monkeypatch.setattr(idempotency, "recall", recall_then_let_a_retry_arrive)
    before = recorded(market)
    first = market.service(Organisations).verify(command, charity, "Checked.")
    retry = retries[0].result(timeout=30)
    pool.shutdown()
    assert (first.replayed, retry.replayed) == (False, True)
    assert (retry.aggregate_id, retry.version, retry.position) == (first.aggregate_id, first.version, first.position)
    assert recorded(market) == before + 1


def test_concurrent_decisions_on_one_record_apply_once(market: Marketplace, charity: str) -> None:
    before = recorded(market)
    results = race([verify(market, f"officer-{n}") for n in range(THREADS)])
    assert len([r for r in results if isinstance(r, Outcome)]) == 1
    refusals = [r for r in results if not isinstance(r, Outcome)]
    assert all(r.kind is Refusal.CONFLICT for r in refusals), refusals
    assert recorded(market) == before + 1
