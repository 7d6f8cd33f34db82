"""Benchmark 3: projection rebuild rate, `market.projector.rebuild()` over a loaded event log.

The organisation part of the log is written straight through the application (real domain
events from the Organisation aggregate, many aggregates per transaction) so that loading
50,000 events takes seconds. First every organisation registers; then updates (address,
or name, which unverifies), verifications and a few deactivations follow in a shuffled
order, so a rebuild batch touches rows folded in earlier batches.

Then (unless `--grant-events 0`) the grants part: rounds of grant programmes run through
the services by the VCSE organisations of the first part (bench/grant_mix.py), to about
`--grant-events` more events. The load is not timed: it runs with its commands one per
transaction on this thread and SQLite's `synchronous=OFF`; the rebuild runs with the
production settings again (`synchronous=FULL`).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine

from bench import grant_mix
from bench.common import (
    OFFICER,
    Stopwatch,
    Table,
    fmt,
    market_settings,
    median,
    org_details,
    org_identifier,
    temp_dir,
    verdict,
)
from domain.base import Context
from domain.organisations.organisation import DetailsChange, Organisation, OrganisationDetails
from domain.values import Address
from marketplace.audit import verify
from marketplace.persistence import read_log
from marketplace.service import Marketplace
from projections.chain import AuditChain
from projections.grants.applications import grant_applications
from projections.grants.programmes import grant_programmes
from projections.grants.register import grants
from projections.organisations.directory import organisations

TARGET_EVENTS_PER_S = 20_000
VERIFY_TARGET = 100_000  # events/s (issue #15)
SAVE_BATCH = 500
GRANT_EVENTS = 20_000  # the grants part's default: about two-sevenths of the log beside 50,000 organisation events


def _plan(index: int) -> list[str]:
    """What happens to organisation `index` after it registers (about 2 events per organisation)."""
    steps = []
    if index % 5 in (0, 3):
        steps.append("move")  # address change: stays verified
    if index % 5 in (0, 1, 2):
        steps.append("verify")
    if index % 25 == 0:
        steps.append("rename")  # identity change: needs verifying again
    if index % 50 == 1:
        steps.append("deactivate")
    return steps


def load_log(market: Marketplace, events: int, seed: int = 7) -> tuple[int, int]:
    """Append about `events` organisation events; return (organisations, events appended)."""
    started = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    ctx = Context(OFFICER, started, "bench-load")
    orgs: list[Organisation] = []
    plans: list[list[str]] = []
    total = 0
    while total < events:
        index = len(orgs)
        orgs.append(Organisation.register(ctx, OrganisationDetails(org_identifier(index + 1), **org_details(index))))
        plans.append(_plan(index))
        total += 1 + len(plans[-1])
    for start in range(0, len(orgs), SAVE_BATCH):
        market.app.save(*orgs[start : start + SAVE_BATCH])
    chooser = random.Random(seed)
    depth = max(len(p) for p in plans)
    for step in range(depth):
        later = Context(OFFICER, started + timedelta(days=step + 1), "bench-load")
        order = [i for i, plan in enumerate(plans) if len(plan) > step]
        chooser.shuffle(order)
        for start in range(0, len(order), SAVE_BATCH):
            batch = order[start : start + SAVE_BATCH]
            for i in batch:
                _act(orgs[i], plans[i][step], later, i)
            market.app.save(*(orgs[i] for i in batch))
    return len(orgs), market.app.recorder.max_notification_id() or 0


def _act(org: Organisation, step: str, ctx: Context, index: int) -> None:
    if step == "move":
        org.update_details(
            ctx, DetailsChange(address=Address(f"{index % 90 + 1} Castle Street", "Shrewsbury", "SY1 2AS"))
        )
    elif step == "rename":
        org.update_details(ctx, DetailsChange(name=f"Renamed Organisation {index}"))
    elif step == "verify":
        org.verify(ctx, "Checked against the register.")
    elif step == "deactivate":
        org.deactivate(ctx, "Ceased trading.")


@dataclass
class RebuildResult:
    organisations: int = 0
    events: int = 0
    organisation_events: int = 0
    grant_events: int = 0
    grants: grant_mix.GrantMix | None = None
    mix: dict[str, int] = field(default_factory=dict)  # event class (Aggregate.Event) -> how many in the log
    grant_rows: dict[str, int] = field(default_factory=dict)  # grant view table -> rows after rebuild
    views: list[str] = field(default_factory=list)  # the projections rebuild() dropped and folded again
    load_seconds: float = 0.0
    seconds: list[float] = field(default_factory=list)
    checksum_seconds: list[float] = field(default_factory=list)
    checksums_equal: bool = True
    checksum: str = ""
    read_seconds: list[float] = field(default_factory=list)
    verify_seconds: list[float] = field(default_factory=list)  # `marketplace verify`'s work over the same log
    rows: int = 0

    @property
    def rates(self) -> list[float]:
        return [self.events / s for s in self.seconds]

    @property
    def rate_median(self) -> float:
        return median(self.rates)

    @property
    def read_rate_median(self) -> float:
        """The same-run yardstick: only reading and decoding the log, nothing folded or written."""
        return median([self.events / s for s in self.read_seconds])

    @property
    def fold_rate_median(self) -> float:
        """Excluding the checksum pass that rebuild() ends with."""
        return median([self.events / (s - c) for s, c in zip(self.seconds, self.checksum_seconds, strict=True)])

    def table(self) -> Table:
        table = Table(
            "3. Projection rebuild rate (market.projector.rebuild(), SQLite file)",
            [
                "round",
                "events",
                "rebuild() seconds",
                "events/s",
                "of which checksums (s)",
                "events/s without checksums",
                "read+decode only (events/s)",
                "rebuild rate / read+decode rate",
                "target",
                "verdict",
            ],
        )
        rounds = zip(self.seconds, self.checksum_seconds, self.read_seconds, strict=True)
        for index, (secs, check, read) in enumerate(rounds, 1):
            rate = self.events / secs
            table.add(
                index,
                fmt(self.events),
                f"{secs:.2f}",
                fmt(rate),
                f"{check:.2f}",
                fmt(self.events / (secs - check)),
                fmt(self.events / read),
                f"{read / secs:.2f}x",
                fmt(TARGET_EVENTS_PER_S),
                verdict(rate >= TARGET_EVENTS_PER_S),
            )
        table.add(
            "**median**",
            fmt(self.events),
            "",
            f"**{fmt(self.rate_median)}**",
            "",
            fmt(self.fold_rate_median),
            fmt(self.read_rate_median),
            f"{self.rate_median / self.read_rate_median:.2f}x" if self.read_rate_median else "-",
            fmt(TARGET_EVENTS_PER_S),
            verdict(self.rate_median >= TARGET_EVENTS_PER_S),
        )
        table.notes.append(
            f"{fmt(self.organisation_events)} organisation events: {fmt(self.organisations)} organisations (register, "
            f"then address/name updates, verifications, deactivations, shuffled); "
            f"{fmt(self.rows)} directory rows after rebuild"
        )
        if self.grants is not None:
            g = self.grants
            rows = ", ".join(f"{fmt(n)} {name}" for name, n in self.grant_rows.items())
            table.notes.append(
                f"{fmt(self.grant_events)} grant events ({100 * self.grant_events / self.events:.0f}% of the log): "
                f"{g.rounds} rounds of {grant_mix.PROGRAMMES_PER_ROUND} programmes, {fmt(g.applications)} "
                f"applications, {fmt(g.offers)} offers, {fmt(g.grants)} grants, by {fmt(g.commands)} service "
                f"commands (bench/grant_mix.py); rows after rebuild: {rows}"
            )
        else:
            table.notes.append("no grant events (--grant-events 0): the organisation mix alone")
        table.notes.append(f"log loaded in {self.load_seconds:.1f}s (not timed against anything)")
        table.notes.append(f"views rebuilt ({len(self.views)}): {', '.join(self.views)}")
        table.notes.append(
            "read+decode only: the same log read as the rebuild reads it (persistence.read_log, plain rows, in the "
            "projector's batches) and decoded with app.mapper.to_domain_event, nothing folded - the floor, same run"
        )
        table.notes.append(
            "checksums equal across rounds: "
            + ("yes" if self.checksums_equal else "**NO**")
            + f" (organisations view: {self.checksum[:16]}...; equal between runs with equal --events)"
        )
        return table

    def verify_table(self) -> Table:
        """`marketplace verify` over the same log: every event read and its link recomputed, against the chain."""
        columns = ["round", "seconds", "events/s", "target"]
        table = Table("3b. Verify rate (marketplace.audit.verify, same log)", columns)
        for index, secs in enumerate(self.verify_seconds, 1):
            rate = self.events / secs
            table.add(index, f"{secs:.2f}", fmt(rate), f"{fmt(VERIFY_TARGET)} {verdict(rate >= VERIFY_TARGET)}")
        return table

    def mix_table(self) -> Table:
        """The log's events by aggregate and class: what the rebuild folds."""
        table = Table("3a. The rebuild's event mix", ["aggregate", "events", "share", "event classes (count)"])
        kinds: dict[str, Counter[str]] = {}
        for name, count in self.mix.items():
            kind, _, event_class = name.partition(".")
            kinds.setdefault(kind, Counter())[event_class] += count
        for kind, classes in sorted(kinds.items(), key=lambda item: -sum(item[1].values())):
            total = sum(classes.values())
            detail = ", ".join(f"{name} {fmt(n)}" for name, n in classes.most_common())
            table.add(kind, fmt(total), f"{100 * total / (self.events or 1):.1f}%", detail)
        table.add("**all**", fmt(self.events), "100%", "")
        return table

    def as_dict(self) -> dict[str, Any]:
        return {
            "organisations": self.organisations,
            "events": self.events,
            "organisation_events": self.organisation_events,
            "grant_events": self.grant_events,
            "mix": self.mix,
            "seconds": self.seconds,
            "checksum_seconds": self.checksum_seconds,
            "rate_median": self.rate_median,
            "verify_seconds": self.verify_seconds,
        }


def _verified_in(market: Marketplace) -> float:
    clock = Stopwatch()
    verdict_ = verify(market)
    assert verdict_.ok, verdict_
    return clock.elapsed


def read_and_decode(market: Marketplace) -> float:
    """Seconds to read and decode the whole log the way a rebuild reads it (`Projector._read_stretch`: plain rows by
    `persistence.read_log`, in the projector's batches, then `mapper.to_domain_event`), folding nothing: its floor."""
    recorder, mapper, batch = market.app.recorder, market.app.mapper, market.projector.batch_size
    clock = Stopwatch()
    start = 1
    while True:
        with recorder.transaction(commit=False) as session:  # type: ignore[attr-defined]
            notifications = read_log(session, recorder, start, batch)
        if not notifications:
            return clock.elapsed
        for notification in notifications:
            mapper.to_domain_event(notification)
        start = notifications[-1].id + 1


@contextmanager
def unsynced(engine: Engine) -> Iterator[None]:
    """SQLite without fsync while the log is loaded (the load is not what is measured); production settings after.

    The product's connect listener sets `synchronous=FULL`; this one, registered after it, turns it off on every
    connection made meanwhile. The pool is emptied on the way in and out, so the rebuild's connections are new ones
    with the product's pragmas alone.
    """

    def no_fsync(connection: Any, _: Any) -> None:
        connection.execute("PRAGMA synchronous=OFF")

    event.listen(engine, "connect", no_fsync)
    engine.dispose()
    try:
        yield
    finally:
        event.remove(engine, "connect", no_fsync)
        engine.dispose()


def event_mix(market: Marketplace) -> dict[str, int]:
    """How many events of each class the log holds, as `Aggregate.Event`."""
    query = text("SELECT topic, count(*) FROM marketplace_events GROUP BY topic")
    with market.engine.connect() as connection:
        return {topic.partition(":")[2]: int(n) for topic, n in connection.execute(query)}


def prepare(directory: Path, events: int, grant_events: int = GRANT_EVENTS) -> tuple[Marketplace, RebuildResult]:
    """The loaded log. Its commands are run on this thread, one per transaction (no group commit), and fold
    nothing (worker mode): the rebuild folds it all."""
    clock = grant_mix.started_clock()
    settings = replace(market_settings(directory, mode="worker"), group_commit=False)
    market = Marketplace(settings, clock)
    result = RebuildResult()
    timer = Stopwatch()
    with unsynced(market.engine):
        result.organisations, result.organisation_events = load_log(market, events)
        if grant_events > 0:
            applicants = grant_mix.applicant_identifiers(result.organisations)
            result.grants = grant_mix.GrantLog(market, clock, applicants).run(grant_events)
    result.events = market.app.recorder.max_notification_id() or 0
    result.grant_events = result.events - result.organisation_events
    result.load_seconds = timer.elapsed
    result.mix = event_mix(market)
    assert sum(result.mix.values()) == result.events, "the log has gaps: events/s would be miscounted"
    return market, result


@contextmanager
def checksum_timed(market: Marketplace) -> Iterator[list[float]]:
    """The seconds the rebuild itself spends on its checksums, timed inside it (not by a second call after)."""
    spent: list[float] = []
    original = market.projector.checksums

    def timed(names: Sequence[str] | None = None) -> dict[str, str]:
        clock = Stopwatch()
        try:
            return original(names)
        finally:
            spent.append(clock.elapsed)

    market.projector.checksums = timed  # type: ignore[method-assign]
    try:
        yield spent
    finally:
        del market.projector.checksums  # the class's own again


def run(events: int = 50_000, rounds: int = 2, keep: bool = False, grant_events: int = GRANT_EVENTS) -> RebuildResult:
    with temp_dir("rebuild", keep) as directory:
        market, result = prepare(directory, events, grant_events)
        try:
            result.views = [p.name for p in market.projector.views()]
            seen: set[tuple[tuple[str, str], ...]] = set()
            for _ in range(rounds):
                with checksum_timed(market) as checksum_seconds:
                    clock = Stopwatch()
                    checksums = market.projector.rebuild()
                    result.seconds.append(clock.elapsed)
                result.checksum_seconds.append(sum(checksum_seconds))
                result.read_seconds.append(read_and_decode(market))
                seen.add(tuple(sorted(checksums.items())))
            market.projector.rebuild([AuditChain.name])  # rebuild() leaves the chain: verify reads it
            for _ in range(rounds):
                result.verify_seconds.append(_verified_in(market))
            result.checksums_equal = len(seen) == 1
            result.checksum = dict(next(iter(seen))).get("organisations", "")
            with market.views() as session:
                result.rows = session.execute(select(func.count()).select_from(organisations)).scalar_one()
                for table in (grant_programmes, grant_applications, grants):
                    result.grant_rows[table.name] = session.execute(
                        select(func.count()).select_from(table)
                    ).scalar_one()
        finally:
            market.close()
    return result
