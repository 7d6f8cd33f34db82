"""Views are folds of the event log: rebuilt at any time, they come out identical."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, DateTime, select
from sqlalchemy.dialects import sqlite

from domain.base import Actor, Role
from domain.values import Address, Contact
from marketplace.commands import CommandRequest
from marketplace.organisations.services import Organisations
from marketplace.service import Marketplace
from marketplace.settings import Settings
from projections.engine import PositionMoved, bind_processor, fold, read_positions
from projections.organisations.directory import organisations

OFFICER = CommandRequest(Actor("cathy", "GB-LAE-SHR", Role.COMMISSIONER))


def write_history(market: Marketplace, start: int, count: int) -> None:
    """Registrations, verifications and edits, interleaved."""
    from domain.organisations.organisation import DetailsChange, OrganisationDetails

    for n in range(start, start + count):
        identifier = f"GB-COH-{n:08d}"
        details = OrganisationDetails(
            identifier=identifier,
            name=f"Provider {n}",
            legal_form="company",
            size=("micro", "small", "medium", "large")[n % 4],
            vcse=n % 3 == 0,
            address=Address(f"{n} High Street", "Shrewsbury", f"SY{n % 13 + 1} 1AA"),
            contact=Contact("Office", f"office{n}@example.org"),
        )
        market.service(Organisations).register(OFFICER, details)
        if n % 2:
            market.service(Organisations).verify(OFFICER, identifier, "Checked Companies House")
        if n % 5 == 0:
            market.service(Organisations).update_details(OFFICER, identifier, DetailsChange(name=f"Provider {n} Ltd"))


def each_event_folded_once(market: Marketplace) -> bool:
    with market.views() as session:
        rows = session.execute(select(organisations.c.version, organisations.c.events_folded)).all()
    return bool(rows) and all(version == folded for version, folded in rows)


def test_rebuilding_twice_gives_the_checksums_of_the_incrementally_built_views(market: Marketplace) -> None:
    write_history(market, 1, 40)
    incremental = market.projector.checksums()
    assert market.projector.rebuild() == incremental
    assert market.projector.rebuild() == incremental
    assert each_event_folded_once(market)


def test_a_rebuild_folds_in_batches_and_reports_progress(market: Marketplace) -> None:
    write_history(market, 1, 30)
    market.projector.batch_size = 7
    seen: list[int] = []
    market.projector.rebuild(progress=lambda done, total: seen.append(done))
    assert seen == sorted(seen) and seen[-1] == market.app.recorder.max_notification_id()
    assert len(seen) > 1


def test_in_worker_mode_commands_leave_the_views_to_the_worker(settings: Settings) -> None:
    market = Marketplace(replace(settings, projection_mode="worker"))
    write_history(market, 1, 10)
    assert market.projector.lag()["organisations"] > 0
    market.projector.catch_up()
    assert market.projector.lag()["organisations"] == 0
    caught_up = market.projector.checksums()
    assert market.projector.rebuild() == caught_up
    market.close()


def test_a_batch_folded_twice_is_refused_and_changes_nothing(market: Marketplace) -> None:
    write_history(market, 1, 3)
    before = market.projector.checksums()
    projection = market.projector.projections[0]
    with market.app.recorder.transaction(commit=True) as session, pytest.raises(PositionMoved):  # type: ignore[attr-defined]
        fold(session, [projection], 0, [], 5)  # pretends to be at position 0 again
    assert market.projector.checksums() == before
    assert each_event_folded_once(market)


def _start_worker(settings: Settings) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        MARKETPLACE_DATABASE_URL=settings.database_url,
        MARKETPLACE_PROJECTION_MODE="worker",
        MARKETPLACE_VAR_DIR=str(settings.var_dir),
        MARKETPLACE_JWT_SECRET="worker-test",
    )
    command = [sys.executable, "-m", "marketplace.cli", "project", "--poll", "0.02", "--batch", "20"]
    return subprocess.Popen(command, env=env, cwd=Path(__file__).parent.parent, stderr=subprocess.DEVNULL)


def _wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def folded_position(market: Marketplace) -> int:
    """Where the organisations view stands, read in one query (head minus lag would read the head twice
    while the writer appends, and undercount)."""
    with market.views() as session:
        return read_positions(session)["organisations"]


@pytest.mark.slow
def test_a_worker_killed_mid_stream_resumes_and_its_views_equal_a_full_rebuild(settings: Settings) -> None:
    market = Marketplace(replace(settings, projection_mode="worker"))
    writer = threading.Thread(target=write_history, args=(market, 1, 600))
    worker = _start_worker(settings)
    try:
        writer.start()
        _wait_for(lambda: folded_position(market) >= 100)
        worker.send_signal(signal.SIGKILL)  # in the middle of the stream: no chance to tidy up
        worker.wait()
        killed_at = folded_position(market)
        worker = _start_worker(settings)
        writer.join()
        _wait_for(lambda: market.projector.lag()["organisations"] == 0)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    assert 100 <= killed_at < (market.app.recorder.max_notification_id() or 0)
    followed = market.projector.checksums()
    assert each_event_folded_once(market)
    assert market.projector.rebuild() == followed
    market.close()


@given(st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5))])))
def test_a_view_time_is_written_to_sqlite_exactly_as_sqlalchemy_would_write_it(moment: datetime) -> None:
    column = Column("at", DateTime(timezone=True))
    dialect = sqlite.dialect()
    standard = column.type.dialect_impl(dialect).bind_processor(dialect)
    fast = bind_processor(dialect, column)
    assert standard is not None and fast is not None
    assert fast(moment) == standard(moment)
    assert fast(moment.replace(tzinfo=None)) == standard(moment.replace(tzinfo=None))
