"""A record's cost does not grow with its history: a command, its latest version and a moment after its last event
read only the events stored since the record was last loaded; an early moment reads no more than it needs; what a
record is loaded as equals the replay of its whole history, across processes, and after a rolled-back write."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import TestClient

from domain.base import Context
from domain.organisations.organisation import DetailsChange, Organisation, organisation_uuid
from marketplace.as_it_stood import PAGE, Point, as_it_stood
from marketplace.clock import FixedClock
from marketplace.organisations.services import Organisations
from marketplace.service import Marketplace
from marketplace.settings import Settings
from tests.conftest import COUNCIL, bearer
from tests.test_projection_stalls import OFFICER, details

EDITS = 150  # a long history: the record's events well beyond one page of a moment's search


@contextmanager
def decoded(market: Marketplace) -> Iterator[list[int]]:
    """How many stored events are decoded while the block runs."""
    count = [0]
    mapper: Any = market.app.mapper
    original = mapper.to_domain_event

    def counting(stored: Any) -> Any:
        count[0] += 1
        return original(stored)

    mapper.to_domain_event = counting
    try:
        yield count
    finally:
        mapper.to_domain_event = original


def edited(market: Marketplace, clock: FixedClock, edits: int = EDITS) -> UUID:
    """An organisation renamed `edits` times, a minute apart."""
    made = details(1, "Provider 0")
    market.service(Organisations).register(OFFICER, made)
    for n in range(1, edits + 1):
        clock.advance(minutes=1)
        market.service(Organisations).update_details(OFFICER, made.identifier, DetailsChange(name=f"Provider {n}"))
    return organisation_uuid(made.identifier)


def replayed(market: Marketplace, record: UUID) -> dict[str, Any]:
    return {k: v for k, v in vars(market.app.repository.get(record)).items() if k != "_pending_events"}


def current(market: Marketplace, record: UUID) -> Any:
    """The record as a command loads it."""
    return market.commands.latest.get(record)


def loaded(market: Marketplace, record: UUID) -> dict[str, Any]:
    return {k: v for k, v in vars(current(market, record)).items() if k != "_pending_events"}


def test_a_command_on_a_long_history_reads_only_the_events_since_the_record_was_last_loaded(
    settings: Settings, clock: FixedClock
) -> None:
    market = Marketplace(settings, clock)
    record = edited(market, clock)
    fresh = Marketplace(settings, clock)  # another process: it has loaded nothing yet
    with decoded(fresh) as first:
        fresh.service(Organisations).update_details(OFFICER, details(1, "").identifier, DetailsChange(name="A"))
    with decoded(fresh) as second:
        fresh.service(Organisations).update_details(OFFICER, details(1, "").identifier, DetailsChange(name="B"))
    assert first[0] >= EDITS + 1  # the whole history, once
    assert second[0] <= 1  # the one event it saved since
    assert loaded(fresh, record) == replayed(fresh, record)
    fresh.close()
    market.close()


def test_the_latest_version_and_a_moment_after_the_last_event_replay_nothing(
    market: Marketplace, client: TestClient[Any], clock: FixedClock
) -> None:
    record = edited(market, clock)
    identifier = details(1, "").identifier
    officer = bearer(OFFICER.actor.role, COUNCIL, "cathy")
    path = f"/organisations/{identifier}"
    client.get(path, params={"version": EDITS + 1}, headers=officer)  # loaded once
    with decoded(market) as reads:
        latest = client.get(path, params={"version": EDITS + 1}, headers=officer)
        after = client.get(path, params={"as_of": (clock.now() + timedelta(days=1)).isoformat()}, headers=officer)
    assert latest.status_code == after.status_code == 200, (latest.text, after.text)
    assert latest.json()["name"] == after.json()["name"] == f"Provider {EDITS}"
    assert reads[0] == 0
    assert current(market, record).version == EDITS + 1


def test_an_early_moment_reads_no_more_than_a_page_past_it(market: Marketplace, clock: FixedClock) -> None:
    start = clock.now()
    record = edited(market, clock)
    with decoded(market) as reads:
        moment = Point(as_of=start + timedelta(minutes=2, seconds=1))
        stood = as_it_stood(market.commands.latest, Organisation, record, moment)
    assert stood is not None and stood.aggregate.version == 3
    assert reads[0] <= PAGE + 1  # the page that held the moment (and none of the rest)


def test_another_process_writes_are_folded_into_what_this_one_kept(settings: Settings, clock: FixedClock) -> None:
    here, there = Marketplace(settings, clock), Marketplace(settings, clock)
    record = edited(here, clock, edits=3)
    assert current(here, record).version == 4
    there.service(Organisations).update_details(OFFICER, details(1, "").identifier, DetailsChange(name="Elsewhere"))
    assert loaded(here, record) == replayed(here, record)
    assert current(here, record).name == "Elsewhere"
    here.close()
    there.close()


def test_a_load_inside_a_transaction_that_rolls_back_keeps_nothing_of_its_writes(
    market: Marketplace, clock: FixedClock
) -> None:
    record = edited(market, clock, edits=2)
    latest = market.commands.latest
    ctx = Context(OFFICER.actor, clock.now(), "rolled-back")
    transaction = market.app.recorder.transaction(commit=True)  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError), latest.holding(), transaction:
        organisation = current(market, record)
        organisation.update_details(ctx, DetailsChange(name="Never"))
        market.app.save(organisation)
        assert current(market, record).name == "Never"  # its own write, inside the transaction
        raise RuntimeError("rolled back")
    assert current(market, record).name == "Provider 2"
    assert loaded(market, record) == replayed(market, record)


def test_a_record_loaded_and_changed_is_a_copy_the_kept_one_does_not_share(
    market: Marketplace, clock: FixedClock
) -> None:
    record = edited(market, clock, edits=1)
    changed = current(market, record)
    changed.update_details(Context(OFFICER.actor, clock.now(), "refused later"), DetailsChange(name="Unsaved"))
    assert current(market, record).name == "Provider 1"
