"""Worker lag on PostgreSQL: how long after a command commits every view has folded it, with the worker's polling
set to 10 s (so only its LISTEN can wake it sooner).

The projection worker (`Projector.follow`, as `marketplace project` runs it) follows the log in a thread of this
process, on its own `Marketplace`, as its own process would; the API side, another `Marketplace` in worker mode,
registers organisations at a steady rate from one thread. A watcher reads the views' positions every millisecond;
a command's lag is from its return (committed) to the first read at which every view's position has reached the
command's event. Target: p99 under 100 ms.

Needs a PostgreSQL database it may empty: `MARKETPLACE_BENCH_POSTGRES_URL` (e.g. the test server's
`postgresql+psycopg://marketplace:marketplace@127.0.0.1:5432/marketplace_bench`).
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from bench.common import SECRET, Table, fmt, org_details, org_identifier, verdict
from domain.base import Actor, Role
from domain.organisations.organisation import OrganisationDetails
from marketplace.commands import CommandRequest
from marketplace.notifications.mail import MailSettings
from marketplace.organisations.services import Organisations
from marketplace.service import Marketplace
from marketplace.settings import Settings
from projections.engine import read_positions

TARGET_P99_MS = 100.0
POLL_SECONDS = 10.0
OFFICER = CommandRequest(Actor("cathy", "GB-LAE-SHR", Role.COMMISSIONER))


@dataclass
class Result:
    rate: float
    lags_ms: list[float]

    def quantile(self, q: float) -> float:
        ordered = sorted(self.lags_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def met(self) -> bool:
        return self.quantile(0.99) < TARGET_P99_MS

    def table(self) -> Table:
        table = Table(
            f"Worker lag on PostgreSQL: {len(self.lags_ms)} commands at {fmt(self.rate)}/s, polling every 10 s (ms)",
            ["p50", "p90", "p99", "max", "target", "verdict"],
        )
        table.add(
            f"{statistics.median(self.lags_ms):.1f}",
            f"{self.quantile(0.9):.1f}",
            f"{self.quantile(0.99):.1f}",
            f"{max(self.lags_ms):.1f}",
            f"p99 < {TARGET_P99_MS:.0f}",
            verdict(self.met),
        )
        return table

    def as_dict(self) -> dict[str, object]:
        return {"rate": self.rate, "count": len(self.lags_ms), "p50_ms": statistics.median(self.lags_ms),
                "p99_ms": self.quantile(0.99), "max_ms": max(self.lags_ms), "met": self.met}  # fmt: skip


def _emptied(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def _settings(url: str, directory: Path) -> Settings:
    return Settings(
        database_url=url,
        jwt_secret=SECRET,
        var_dir=directory,
        projection_mode="worker",
        tick_seconds=0,
        write_rate=0,
        mail=MailSettings(post_seconds=0),
    )


def _watch(worker: Marketplace, wanted: list[tuple[int, float]], lags: list[float], done: threading.Event) -> None:
    """Every millisecond: which commands every view has folded by now."""
    waiting = 0
    while not done.is_set() or waiting < len(wanted):
        with Session(worker.engine) as session:
            folded = min(read_positions(session).values())
        now = time.monotonic()
        while waiting < len(wanted) and wanted[waiting][0] <= folded:
            lags.append((now - wanted[waiting][1]) * 1000)
            waiting += 1
        time.sleep(0.001)


def run(rate: float = 50.0, count: int = 500, directory: Path = Path("var/bench-lag")) -> Result:
    url = os.environ.get("MARKETPLACE_BENCH_POSTGRES_URL", "")
    if not url:
        raise SystemExit("python -m bench lag needs MARKETPLACE_BENCH_POSTGRES_URL (a database it may empty)")
    _emptied(url)
    directory.mkdir(parents=True, exist_ok=True)
    worker, api = Marketplace(_settings(url, directory)), Marketplace(_settings(url, directory))
    stop, done = threading.Event(), threading.Event()
    following = threading.Thread(target=worker.projector.follow, args=(stop, POLL_SECONDS))
    following.start()
    wanted: list[tuple[int, float]] = []
    lags: list[float] = []
    watcher = threading.Thread(target=_watch, args=(worker, wanted, lags, done))
    watcher.start()
    try:
        began = time.monotonic()
        for n in range(count):
            time.sleep(max(0.0, began + n / rate - time.monotonic()))
            made = OrganisationDetails(identifier=org_identifier(n), **org_details(n))
            outcome = api.service(Organisations).register(OFFICER, made)
            wanted.append((outcome.position, time.monotonic()))
        done.set()
        watcher.join(timeout=POLL_SECONDS * 2)
    finally:
        stop.set()
        with api.engine.begin() as connection:  # wake the worker so it sees the stop
            connection.exec_driver_sql(f"NOTIFY {api.app.recorder.channel_name}")  # type: ignore[attr-defined]
        following.join(timeout=30)
        api.close()
        worker.close()
    return Result(rate, lags)
