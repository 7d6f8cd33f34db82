"""No event can stall the read side: a view that cannot fold an event stops just before it, alone.

The other views go on, `/ready` answers 503 naming the view, the worker keeps running and retries
the view after a back-off, and once the cause is gone the view catches up to what a rebuild gives.
A command whose own events a view cannot fold is refused whole, as a problem naming the view.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.app import create_app
from domain.base import Actor, Context, Role
from domain.organisations.organisation import Organisation, OrganisationDetails
from domain.values import Address, Contact
from marketplace.clock import FixedClock
from marketplace.commands import CommandRequest
from marketplace.organisations.services import Organisations
from marketplace.scheduler import tick
from marketplace.service import Marketplace
from marketplace.settings import Settings
from marketplace.stalls import Backoff
from projections.batch import Touched
from projections.engine import ViewCannotFold
from projections.organisations.directory import OrganisationDirectory, organisations
from tests.conftest import event_count, registration

OFFICER = CommandRequest(Actor("cathy", "GB-LAE-SHR", Role.COMMISSIONER))
MARKER = "FOLD-FAILS"
VIEW = "organisations"


class FoldFails(OrganisationDirectory):
    """The directory, unable to fold the events of an organisation named FOLD-FAILS while `failing`.

    It writes a number too large for its column, so the failure comes from the database as in
    production: NumericValueOutOfRange on PostgreSQL, OverflowError from SQLite's driver.
    """

    failing = True

    def flush(self, session: Session, touched: Touched) -> None:
        if self.failing:
            rows = touched[organisations.name]
            for row in rows.values():
                if row["name"] == MARKER:
                    rows.put({**row, "events_folded": 2**70})
        super().flush(session, touched)


ERRORS = {
    "postgresql": "NumericValueOutOfRange: integer out of range",
    "sqlite": "OverflowError: Python int too large to convert to SQLite INTEGER",
}


class Wall:
    """A wall clock the test moves: back-off is measured in real time, not in the marketplace's."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


def breaking(market: Marketplace) -> FoldFails:
    """Put the failing directory in place of the real one."""
    broken = FoldFails()
    market.projector.projections = [broken if p.name == VIEW else p for p in market.projector.projections]
    return broken


def details(n: int, name: str) -> OrganisationDetails:
    address, contact = Address(f"{n} High Street", "Shrewsbury", "SY1 1AA"), Contact("Office", f"office{n}@example.org")
    return OrganisationDetails(f"GB-COH-{n:08d}", name, "company", "small", False, address, contact)


def register(market: Marketplace, n: int, name: str) -> int:
    """Register an organisation; its event's position in the log."""
    return market.service(Organisations).register(OFFICER, details(n, name)).position


def head(market: Marketplace) -> int:
    return market.app.recorder.max_notification_id() or 0


def others_lag(market: Marketplace) -> dict[str, int]:
    return {name: lag for name, lag in market.projector.lag().items() if name != VIEW}


def wait_for(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def stalled_body(market: Marketplace, event: int) -> dict[str, Any]:
    return {"view": VIEW, "position": event - 1, "cannot_fold": event, "error": ERRORS[market.engine.dialect.name]}


def test_a_view_stops_just_before_the_first_event_it_cannot_fold_and_the_others_fold_everything(
    settings: Settings, clock: FixedClock
) -> None:
    market = Marketplace(replace(settings, projection_mode="worker"), clock)
    breaking(market)
    for n in range(1, 13):
        register(market, n, f"Provider {n}")
    unfoldable = register(market, 13, MARKER)
    for n in range(14, 21):
        register(market, n, f"Provider {n}")
    market.projector.catch_up()
    assert market.projector.lag()[VIEW] == head(market) - (unfoldable - 1)
    assert set(others_lag(market).values()) == {0}
    with market.views() as session:
        folded = session.execute(select(organisations.c.name)).scalars().all()
    assert sorted(folded) == sorted(f"Provider {n}" for n in range(1, 13))
    [stall] = market.projector.stalls()
    assert (stall.view, stall.position, stall.event_position, stall.attempts) == (VIEW, unfoldable - 1, unfoldable, 1)
    assert stall.error == ERRORS[market.engine.dialect.name]
    market.close()


def test_a_stalled_view_is_not_tried_again_before_its_back_off_has_run_out(
    settings: Settings, clock: FixedClock
) -> None:
    market = Marketplace(replace(settings, projection_mode="worker"), clock)
    breaking(market)
    wall = Wall()
    market.projector.backoff = Backoff(max_seconds=60, now=wall)
    unfoldable = register(market, 1, MARKER)
    market.projector.catch_up()
    register(market, 2, "Provider 2")
    market.projector.catch_up()
    assert [s.attempts for s in market.projector.stalls()] == [1], "not due yet: left alone"
    assert set(others_lag(market).values()) == {0}
    wall.advance(1)
    market.projector.catch_up()
    [stall] = market.projector.stalls()
    assert (stall.position, stall.attempts, stall.since) == (unfoldable - 1, 2, wall() - timedelta(seconds=1))
    assert stall.next_retry == wall() + timedelta(seconds=2)
    market.close()


def test_the_back_off_doubles_after_each_failed_retry_up_to_the_setting() -> None:
    assert [Backoff(max_seconds=60).delay(n) for n in range(1, 10)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert Backoff(max_seconds=0.05).delay(1) == 0.05
    assert Backoff(max_seconds=60).delay(5000) == 60


def test_the_marketplace_caps_the_back_off_at_the_stall_retry_setting(settings: Settings) -> None:
    configured = Settings.from_env({"MARKETPLACE_STALL_RETRY_MAX_SECONDS": "7", "MARKETPLACE_DATABASE_URL": "x"})
    assert configured.stall_retry_max_seconds == 7
    market = Marketplace(replace(settings, stall_retry_max_seconds=7))
    assert market.projector.backoff.max_seconds == 7
    market.close()


def test_a_worker_stalls_only_the_view_that_cannot_fold_reports_it_on_ready_and_catches_it_up_once_fixed(
    settings: Settings, clock: FixedClock
) -> None:
    """The worker and the API are two marketplaces on one database, as two processes would be."""
    in_worker_mode = replace(settings, projection_mode="worker", stall_retry_max_seconds=0.02)
    api, worker = Marketplace(in_worker_mode, clock), Marketplace(in_worker_mode, clock)
    broken = breaking(worker)
    stop = threading.Event()
    following = threading.Thread(target=worker.projector.follow, args=(stop, 0.02), daemon=True)
    following.start()
    try:
        with TestClient(create_app(api)) as client:
            register(api, 1, "Provider 1")
            unfoldable = register(api, 2, MARKER)
            for n in range(3, 8):
                register(api, n, f"Provider {n}")
            wait_for(
                lambda: set(others_lag(api).values()) == {0} and any(s.attempts >= 3 for s in api.projector.stalls())
            )
            register(api, 8, "Provider 8")  # later events: the other views keep up
            wait_for(lambda: set(others_lag(api).values()) == {0})
            ready = client.get("/ready")
            assert ready.status_code == 503
            body = ready.json()
            assert ready.headers["content-type"] == "application/problem+json"
            assert body["type"] == "urn:marketplace:problem:views-fold" and VIEW in body["detail"]
            assert body["projection_lag"][VIEW] == head(api) - (unfoldable - 1)
            assert [{k: s[k] for k in ("view", "position", "cannot_fold", "error")} for s in body["stalled"]] == [
                stalled_body(api, unfoldable)
            ]
            assert following.is_alive(), "the worker retries; it does not exit"
            broken.failing = False  # the cause is removed (a fix deployed)
            wait_for(lambda: not api.projector.stalls() and api.projector.lag()[VIEW] == 0)
            assert client.get("/ready").status_code == 200
            stop.set()
            following.join(timeout=30)
            followed = api.projector.checksums()
            assert api.projector.rebuild() == followed
    finally:
        stop.set()
        following.join(timeout=30)
        worker.close()


def test_a_command_whose_events_a_view_cannot_fold_is_refused_as_a_problem_naming_the_view_and_writes_nothing(
    client: TestClient[Any], market: Marketplace, commissioner: dict[str, str]
) -> None:
    breaking(market)
    before = event_count(market)
    refused = client.post("/organisations", json=registration(name=MARKER), headers=commissioner)
    assert refused.status_code == 500
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["type"] == "urn:marketplace:problem:view-folds"
    assert problem["detail"] == "The organisations view could not fold this request's events, so nothing was written."
    assert "Traceback" not in refused.text and "INSERT" not in refused.text
    assert event_count(market) == before
    assert market.projector.stalls() == [], "a command's own events never stall a view: they are not written"
    assert client.post("/organisations", json=registration(), headers=commissioner).status_code == 201
    assert client.get("/ready").status_code == 200


def test_commands_committed_together_are_answered_beside_one_whose_events_a_view_cannot_fold(
    market: Marketplace,
) -> None:
    breaking(market)
    holding, gate = threading.Event(), threading.Event()
    names = [f"Provider {n}" for n in range(2, 8)] + [MARKER]
    answers: dict[str, int | BaseException] = {}

    def held(ctx: Context) -> Organisation:
        holding.set()
        gate.wait(10)  # holds the writer, so the commands below queue up and commit as one group
        return Organisation.register(ctx, details(1, "Provider 1"))

    def run(name: str, work: Callable[[], int]) -> None:
        try:
            answers[name] = work()
        except BaseException as error:
            answers[name] = error

    first = threading.Thread(target=run, args=("held", lambda: market.commands.create(OFFICER, held).position))
    first.start()
    holding.wait(10)
    threads = [
        threading.Thread(target=run, args=(name, lambda n=n, name=name: register(market, n, name)))
        for n, name in enumerate(names, start=2)
    ]
    for thread in threads:
        thread.start()
    wait_for(lambda: queued(market) == len(names))
    gate.set()
    for thread in [first, *threads]:
        thread.join(timeout=30)
    refusal = answers.pop(MARKER)
    assert isinstance(refusal, ViewCannotFold) and refusal.view == VIEW
    assert all(isinstance(answer, int) for answer in answers.values()), answers
    assert event_count(market) == 7, "the held command and the six beside the refused one"
    assert market.projector.lag() == dict.fromkeys(market.projector.lag(), 0)


def queued(market: Marketplace) -> int:
    """Commands waiting for the group-commit writer."""
    group = market.commands._group
    assert group is not None
    return group._queue.qsize()


def test_an_event_already_stored_that_a_view_cannot_fold_stalls_only_that_view_and_commands_go_on(
    settings: Settings, clock: FixedClock
) -> None:
    """Inline mode folds what the views lack before a command's own events: there the view stalls, alone."""
    writer = Marketplace(replace(settings, projection_mode="worker"), clock)  # appends, folds nothing
    register(writer, 1, "Provider 1")
    unfoldable = register(writer, 2, MARKER)
    writer.close()
    market = Marketplace(settings, clock)
    broken = breaking(market)
    wall = Wall()
    market.projector.backoff = Backoff(max_seconds=60, now=wall)
    with TestClient(create_app(market)) as client:
        register(market, 3, "Provider 3")
        assert set(others_lag(market).values()) == {0}
        assert client.get("/organisations/GB-COH-00000001").status_code == 200
        assert client.get("/organisations/GB-COH-00000003").status_code == 404, "the stalled view lags"
        ready = client.get("/ready")
        assert ready.status_code == 503
        [stalled] = ready.json()["stalled"]
        assert {k: stalled[k] for k in ("view", "position", "cannot_fold", "error")} == stalled_body(market, unfoldable)
        assert stalled["attempts"] == 1
        register(market, 4, "Provider 4")  # before the back-off has run out: not tried
        wall.advance(1)
        register(market, 5, "Provider 5")  # tried, and still failing
        assert [s.attempts for s in market.projector.stalls()] == [2]
        broken.failing = False  # the cause is removed
        tick(market)
        assert market.projector.stalls(), "the next retry is 2 s away"
        wall.advance(2)
        tick(market)  # no command comes: the scheduler's tick retries
        assert market.projector.stalls() == [] and market.projector.lag()[VIEW] == 0
        assert client.get("/ready").status_code == 200
        assert client.get("/organisations/GB-COH-00000003").status_code == 200
        caught_up = market.projector.checksums()
        assert market.projector.rebuild() == caught_up


def test_readiness_documents_its_503_whose_body_names_the_stalled_views(client: TestClient[Any]) -> None:
    schema = client.get("/schema/openapi.json").json()
    responses = schema["paths"]["/ready"]["get"]["responses"]
    problem = responses["503"]["content"]["application/problem+json"]["schema"]["$ref"]
    not_ready = schema["components"]["schemas"][problem.rsplit("/", 1)[-1]]
    assert {"type", "title", "status", "detail", "projection_lag", "stalled"} <= set(not_ready["properties"])
    assert "application/json" in responses["200"]["content"]
