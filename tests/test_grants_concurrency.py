"""A programme's budget under concurrent offers, over HTTP, on SQLite and PostgreSQL.

Fifty assessed applications each ask for £5,000 from a £100,000 programme (room for twenty). Their offers are
fired at once, from fifty threads held at a barrier, through two API processes' worth of the marketplace (two
`Marketplace` instances on one database, as `marketplace serve --workers 2` runs): inside each worker the offers
queue for its group commit; between the workers only the programme's optimistic version check stands between
two offers and the last of the money. Whatever interleaving the databases choose, the committed sum never
exceeds the budget, every refusal is a 409 problem (the budget rule, or a concurrent change), and the store
holds exactly one commitment per success. An offer refused as a concurrent change may be retried against the
programme as it now stands, and succeeds while money remains.

The applications are made through the services (tests/grants_fixtures.py): only the offers, the figures and the
audit history are read over HTTP.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx
import pytest
from litestar.testing import TestClient

from api.app import create_app
from domain.base import Role
from domain.grants.application import GrantApplication
from domain.grants.programme import GrantProgramme
from marketplace.clock import FixedClock
from marketplace.grants.services import Applications
from marketplace.service import Marketplace
from marketplace.settings import Settings
from tests.conftest import COUNCIL, bearer
from tests.grants_fixtures import APPLICANTS, Funded, funded
from tests.grants_journey import OFFICER, offer_body
from tests.journeys import ok

AMOUNT = Decimal("5000")
BUDGET = Decimal("100000")  # room for twenty offers of £5,000
OFFERS = 50
ELIGIBLE = [identifier for identifier, (*_, vcse, _postcode) in APPLICANTS.items() if vcse]
AUDITOR = bearer(Role.AUDITOR, COUNCIL, "audrey")
BUDGET_RULE = "urn:marketplace:problem:budget-not-over-committed"
CONCURRENT_CHANGE = "urn:marketplace:problem:no-concurrent-change"


@pytest.fixture
def second_worker(settings: Settings, clock: FixedClock, market: Marketplace) -> Iterator[TestClient[Any]]:
    """Another API worker on the same database: its own marketplace (writer thread, views folded inline)."""
    other = Marketplace(settings, clock)
    try:
        with TestClient(create_app(other)) as client:
            yield client
    finally:
        other.close()


def assessed_applications(fund: Funded, count: int) -> list[UUID]:
    """`count` applications of £5,000, each submitted, scored by both assessors and moderated (the eligible
    applicants take turns: an organisation may hold several applications to one programme)."""
    return [fund.assessed(ELIGIBLE[n % len(ELIGIBLE)], str(AMOUNT)) for n in range(count)]


def offer(client: TestClient[Any], application_id: UUID, clock: FixedClock) -> httpx.Response:
    body = offer_body(str(AMOUNT), clock.now().date())
    return client.post(f"/grant-applications/{application_id}/offer", json=body, headers=OFFICER)


class InFlight:
    """How many offers the services were running at once, at most: proof that the requests overlapped."""

    def __init__(self) -> None:
        self.now = self.peak = 0
        self._lock = threading.Lock()

    def watch(self, monkeypatch: pytest.MonkeyPatch) -> None:
        offer = Applications.offer

        def counted(service: Applications, *args: Any) -> Any:
            with self._lock:
                self.now += 1
                self.peak = max(self.peak, self.now)
            try:
                return offer(service, *args)
            finally:
                with self._lock:
                    self.now -= 1

        monkeypatch.setattr(Applications, "offer", counted)


def all_at_once(calls: list[tuple[TestClient[Any], UUID]], clock: FixedClock) -> list[httpx.Response]:
    """Every offer on its own thread, released together from a barrier."""
    barrier = threading.Barrier(len(calls))

    def send(call: tuple[TestClient[Any], UUID]) -> httpx.Response:
        client, application_id = call
        barrier.wait(timeout=30)
        return offer(client, application_id, clock)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(send, calls))


def refusal_type(response: httpx.Response) -> str:
    """A refusal's problem type, once it is shown to be a 409 problem+json."""
    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 409
    assert problem["type"] in (BUDGET_RULE, CONCURRENT_CHANGE), problem
    return str(problem["type"])


def stored_events(market: Marketplace, aggregate_id: UUID, name: str) -> int:
    """How many events of this class one aggregate has in the store (the log itself, not a view)."""
    notifications = market.app.recorder.select_notifications(start=None, limit=1_000_000)
    return sum(1 for n in notifications if n.originator_id == aggregate_id and n.topic.endswith(f".{name}"))


def figures(client: TestClient[Any], programme_id: UUID) -> tuple[Decimal, Decimal, Decimal]:
    shown = ok(client.get(f"/grant-programmes/{programme_id}"))
    return Decimal(str(shown["budget"])), Decimal(str(shown["committed"])), Decimal(str(shown["remaining"]))


def history_commitments(client: TestClient[Any], programme_id: UUID) -> int:
    history = ok(client.get(f"/audit/grant_programme/{programme_id}/history", headers=AUDITOR))
    return sum(1 for event in history if event["event_type"].endswith("FundsCommitted"))


def test_fifty_concurrent_offers_never_over_commit_the_budget(
    market: Marketplace,
    client: TestClient[Any],
    second_worker: TestClient[Any],
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fund = funded(market, clock, budget=BUDGET, maximum_award=AMOUNT)
    applications = assessed_applications(fund, OFFERS)
    workers = (client, second_worker)
    in_flight = InFlight()
    in_flight.watch(monkeypatch)
    responses = all_at_once([(workers[n % 2], a) for n, a in enumerate(applications)], clock)
    assert in_flight.peak > 2, f"the offers did not overlap (at most {in_flight.peak} at once)"

    succeeded = [a for a, r in zip(applications, responses, strict=True) if r.is_success]
    assert all(r.status_code == 200 for r in responses if r.is_success)
    refused = {a: refusal_type(r) for a, r in zip(applications, responses, strict=True) if not r.is_success}
    assert len(succeeded) + len(refused) == OFFERS
    assert 0 < len(succeeded) <= BUDGET / AMOUNT

    committed = AMOUNT * len(succeeded)
    assert market.commands.load(GrantProgramme, fund.programme_id).committed == committed <= BUDGET
    for worker in workers:  # each worker's view: the same figures
        assert figures(worker, fund.programme_id) == (BUDGET, committed, BUDGET - committed)
    assert stored_events(market, fund.programme_id, "FundsCommitted") == len(succeeded)
    assert history_commitments(client, fund.programme_id) == len(succeeded)
    offered = sum(stored_events(market, a, "Offered") for a in applications)
    assert offered == len(succeeded)
    for application_id in applications:
        status = market.commands.load(GrantApplication, application_id).status
        assert status == ("offered" if application_id in succeeded else "submitted")

    # The offers that lost a race (if any) are retried one by one: each succeeds while money remains.
    for application_id in [a for a, kind in refused.items() if kind == CONCURRENT_CHANGE]:
        money_remains = figures(client, fund.programme_id)[2] >= AMOUNT
        retried = offer(client, application_id, clock)
        if money_remains:
            assert ok(retried)["status"] == "offered"
            succeeded.append(application_id)
        else:
            assert refusal_type(retried) == BUDGET_RULE
    committed = AMOUNT * len(succeeded)
    assert figures(client, fund.programme_id) == (BUDGET, committed, BUDGET - committed)
    assert stored_events(market, fund.programme_id, "FundsCommitted") == len(succeeded)


def test_an_offer_that_lost_a_race_can_be_retried_while_money_remains(
    market: Marketplace, client: TestClient[Any], clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two offers read the programme before a third is saved: both saves fail the programme's version check
    (409, a concurrent change, nothing written). Retried against the programme as it now stands, the first is
    offered the last £5,000; the second is refused by the budget rule."""
    fund = funded(market, clock, budget=AMOUNT * 2, maximum_award=AMOUNT)
    first, second, third = assessed_applications(fund, 3)
    stood = market.commands.load(GrantProgramme, fund.programme_id).version  # what the two racing offers read
    ok(offer(client, first, clock))

    service = market.service(Applications)
    as_read_before = market.commands.load(GrantProgramme, fund.programme_id, version=stood)
    assert as_read_before.committed == 0
    with monkeypatch.context() as race:
        race.setattr(
            service, "_programme", lambda _id: market.commands.load(GrantProgramme, fund.programme_id, version=stood)
        )
        for application_id in (second, third):
            lost = offer(client, application_id, clock)
            assert refusal_type(lost) == CONCURRENT_CHANGE
            assert market.commands.load(GrantApplication, application_id).status == "submitted"
    assert stored_events(market, fund.programme_id, "FundsCommitted") == 1
    assert figures(client, fund.programme_id) == (AMOUNT * 2, AMOUNT, AMOUNT)

    assert ok(offer(client, second, clock))["status"] == "offered"  # retried: £5,000 remained
    assert refusal_type(offer(client, third, clock)) == BUDGET_RULE  # retried: nothing remains
    assert figures(client, fund.programme_id) == (AMOUNT * 2, AMOUNT * 2, Decimal(0))
    assert stored_events(market, fund.programme_id, "FundsCommitted") == 2
    assert history_commitments(client, fund.programme_id) == 2
