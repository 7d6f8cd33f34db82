"""The projection worker on PostgreSQL is woken by each commit's NOTIFY: it really LISTENs (PostgreSQL says so on
its connection), and a view shows a command long before the worker's polling interval would have."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from marketplace.clock import FixedClock
from marketplace.notifications.mail import MailSettings
from marketplace.organisations.services import Organisations
from marketplace.service import Marketplace
from marketplace.settings import Settings
from projections.organisations.directory import organisations
from tests.conftest import POSTGRES_URL, SECRET, reset_postgres
from tests.test_projection_stalls import OFFICER, details

pytestmark = pytest.mark.postgres
POLL_SECONDS = 10.0  # the worker's longest sleep without news: a view this late was not woken


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    if not POSTGRES_URL:
        pytest.skip("MARKETPLACE_TEST_POSTGRES_URL is not set")
    reset_postgres(POSTGRES_URL)
    return Settings(
        database_url=POSTGRES_URL,
        jwt_secret=SECRET,
        var_dir=tmp_path,
        projection_mode="worker",
        tick_seconds=0,
        write_rate=0,
        mail=MailSettings(post_seconds=0),
    )


@pytest.fixture
def worker(settings: Settings, clock: FixedClock) -> Iterator[Marketplace]:
    """`marketplace project`, in a thread: its own marketplace on the database, as its own process would be."""
    market = Marketplace(settings, clock)
    stop = threading.Event()
    following = threading.Thread(target=market.projector.follow, args=(stop, POLL_SECONDS))
    following.start()
    waited = time.monotonic() + 10
    while market.projector.listener is None and time.monotonic() < waited:
        time.sleep(0.01)
    yield market
    stop.set()
    with market.engine.begin() as connection:  # wake it so it sees the stop at once
        connection.exec_driver_sql(f"NOTIFY {market.app.recorder.channel_name}")  # type: ignore[attr-defined]
    following.join(timeout=30)
    market.close()


def shown(market: Marketplace, name: str) -> bool:
    with market.views() as session:
        return session.scalar(select(organisations.c.id).where(organisations.c.name == name)) is not None


def test_the_worker_listens_on_the_event_stores_channel(worker: Marketplace) -> None:
    listener = worker.projector.listener
    assert listener is not None
    assert listener.channels() == [worker.app.recorder.channel_name]  # type: ignore[attr-defined]


def test_a_commit_wakes_the_worker_long_before_its_polling_interval(
    worker: Marketplace, settings: Settings, clock: FixedClock
) -> None:
    api = Marketplace(settings, clock)  # the API's process: commands in worker mode fold nothing themselves
    try:
        for n in range(1, 4):
            time.sleep(0.2)  # the worker is asleep, waiting for news
            api.service(Organisations).register(OFFICER, details(n, f"Provider {n}"))
            committed = time.monotonic()
            while not shown(worker, f"Provider {n}") and time.monotonic() - committed < POLL_SECONDS:
                time.sleep(0.005)
            lag = time.monotonic() - committed
            # Woken, not polled: well under the 10 s interval (bench/ measures the lag's p99 against 100 ms).
            assert lag < 2.0, f"the view showed provider {n} {lag:.3f} s after the commit"
    finally:
        api.close()
