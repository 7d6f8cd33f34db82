"""History-flat: a command and the history reads on a record with 5,000 events against the same on one with 10.

One SQLite database holds two organisations registered through the real service: one renamed 9 times (10 events),
one renamed 4,999 times (5,000 events), a minute apart on a fixed clock. Then, interleaved in one run, `reps` times
each: a rename (`Organisations.update_details`, the command PATCH /organisations/{id} runs), the record at its
latest version (`?version=<latest>`), as of a moment after its last event (`?as_of=`), and as of its second minute
(an early `?as_of=`), each read the way the API reads it (`marketplace.as_it_stood.as_it_stood` over the command
runner's `LatestRecords`). Target: each within 1.5x on the long record of the same on the short one (medians).

Reported beside them, with no target: the first load of each record in a fresh process, which replays the whole
history once (`LatestRecords` then keeps it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

from bench.common import SideBySide, Table, fmt, market_settings, org_details, org_identifier, temp_dir
from domain.base import Actor, Role
from domain.organisations.organisation import DetailsChange, Organisation, OrganisationDetails, organisation_uuid
from marketplace.as_it_stood import Point, as_it_stood
from marketplace.clock import FixedClock
from marketplace.commands import CommandRequest
from marketplace.organisations.services import Organisations
from marketplace.service import Marketplace

TARGET_RATIO = 1.5
OFFICER = CommandRequest(Actor("cathy", "GB-LAE-SHR", Role.COMMISSIONER))
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _made(market: Marketplace, clock: FixedClock, n: int, events: int) -> tuple[str, UUID]:
    details = OrganisationDetails(identifier=org_identifier(n), **org_details(n))
    market.service(Organisations).register(OFFICER, details)
    for edit in range(1, events):
        clock.advance(minutes=1)
        change = DetailsChange(name=f"{details.name} ({edit})")
        market.service(Organisations).update_details(OFFICER, details.identifier, change)
    return details.identifier, organisation_uuid(details.identifier)


@dataclass
class Result(SideBySide):
    short: int = 0
    long: int = 0
    first_load: dict[str, float] = field(default_factory=dict)

    def table(self) -> Table:
        table = Table(
            f"Long histories: a record of {fmt(self.long)} events against one of {fmt(self.short)} (medians, ms)",
            ["operation", f"{fmt(self.short)} events", f"{fmt(self.long)} events", "ratio", "verdict"],
        )
        self.rows(table, digits=3)
        short, long = self.first_load["small"] * 1000, self.first_load["large"] * 1000
        table.add(
            "(no target) first load in a fresh process", f"{short:.1f}", f"{long:.1f}", f"{long / short:.0f}x", "-"
        )
        return table

    def as_dict(self) -> dict[str, object]:
        first = {side: seconds * 1000 for side, seconds in self.first_load.items()}
        return {
            "short": self.short,
            "long": self.long,
            "ratios": self.ratios(),
            "first_load_ms": first,
            "met": self.met,
        }


def _operations(market: Marketplace, identifier: str, record: UUID) -> dict[str, Callable[[], object]]:
    latest = market.commands.latest
    renames = iter(range(1_000_000))

    def rename() -> object:
        change = DetailsChange(name=f"Renamed {next(renames)}")
        return market.service(Organisations).update_details(OFFICER, identifier, change)

    def at_latest() -> object:
        return as_it_stood(latest, Organisation, record, Point(version=latest.get(record).version))

    def after_last() -> object:
        return as_it_stood(latest, Organisation, record, Point(as_of=market.clock.now() + timedelta(days=1)))

    def early() -> object:
        return as_it_stood(latest, Organisation, record, Point(as_of=START + timedelta(minutes=1, seconds=1)))

    return {
        "command (rename)": rename,
        "?version=<latest>": at_latest,
        "?as_of= after the last event": after_last,
        "?as_of= early (its second minute)": early,
    }


def run(short: int = 10, long: int = 5000, reps: int = 200, keep: bool = False) -> Result:
    with temp_dir("histories", keep) as directory:
        settings = market_settings(directory)
        clock = FixedClock(START)
        builder = Marketplace(settings, clock)
        made = {"small": _made(builder, clock, 1, short), "large": _made(builder, FixedClock(START), 2, long)}
        builder.close()
        market = Marketplace(settings, clock)  # a fresh process: nothing loaded yet
        first_load = {}
        for side, (_, record) in made.items():
            began = time.perf_counter()
            market.commands.latest.get(record)
            first_load[side] = time.perf_counter() - began
        operations = {side: _operations(market, *made[side]) for side in made}
        timings: dict[str, dict[str, list[float]]] = {what: {"small": [], "large": []} for what in operations["small"]}
        try:
            for _ in range(reps):
                for what in timings:
                    for side in ("small", "large"):
                        began = time.perf_counter()
                        operations[side][what]()
                        timings[what][side].append(time.perf_counter() - began)
        finally:
            market.close()
    return Result(timings, TARGET_RATIO, short, long, first_load)
