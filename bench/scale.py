"""Scale: every list route of every view the data fills, at 300,000 organisations against 1,000.

Two SQLite databases, each built from nothing through the real commands in a process of its own
(`bench/scale_data.py`: organisations, verifications, deactivations, a tender and its bids, care registrations;
commands from many threads so that group commit batches them). The small side holds `small` organisations,
`bids // 100` bids (10 at least) and `registrations // 4` care registrations (40 at least); the large side `large`,
`bids` and `registrations` (400 by default). `run(small=1000, large=300_000, bids=10_000, reps=200)`.

Then, interleaved small/large in one run, `reps` times each, every list the routes answer from those views, read as
its route reads it (the route's query function on a fresh view session, and its presenter where it has one): the
first page (limit 20), a page from a cursor at the middle of the rows (made with `encode_cursor` from the row at 50%),
and each filter alone. Target: each at the large side within 1.5x of the same at the small side (medians, one
connection). Beside them, the SQLite plan of each query on the large side (`plan_table()`), and the rows each list
answered on each side (a page the small side cannot fill is cheaper there: its ratio says little). No list route has a
free-text search (none of their queries matches text), so there is none to time.

Then `marketplace serve` on the large database, and wrk at 16 connections on the organisations list (first page, a
filter with a deep cursor) and the care directory: target p99 under 20 ms. Last, this process's resident memory
after the timing (no target).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, event, func, select
from sqlalchemy.orm import Session

from api.care.presenters import directory_entry, expiring_item, queue_item
from api.organisations.presenters import from_row
from api.tendering.presenters import receipt_from_row, summary_from_row
from api.tendering.tenders import PUBLIC
from bench.common import OFFICER, SideBySide, Table, fmt, market_settings, temp_dir, verdict
from bench.load_generators import wrk_available
from bench.reads import memory_of
from bench.scale_data import Built, HttpLoad, build, http_loads
from domain.care.micro_enterprise import LISTED
from domain.working_days import uk_date
from marketplace.audit_feed import events_after
from marketplace.care.services import Registrations
from marketplace.service import Marketplace
from projections.care.registrations import (
    awaiting_checks,
    expiring_evidence,
    in_date,
    registrations,
    search_directory,
    suspended,
)
from projections.decisions import decision_log, search_decisions
from projections.organisations.directory import organisations, search_organisations
from projections.pagination import Row, encode_cursor
from projections.tendering.queries import bids_of_bidder, find_tender, search_tenders, submitted_bids

TARGET_RATIO = 1.5
TARGET_P99_MS = 20.0
PAGE = 20
DISTRICT, SIZE = "SY3", "medium"
Read = Callable[[Session], list[Row]]
Op = Callable[[], list[Any]]


def middle_cursor(session: Session, columns: list[Any], *where: ColumnElement[bool]) -> str:
    """The cursor a page ending at the middle row of the list (in its order, under its filters) hands out."""
    total = session.execute(select(func.count()).select_from(columns[0].table).where(*where)).scalar_one()
    query = select(*columns).where(*where).order_by(*columns).offset(total // 2).limit(1)
    return encode_cursor(list(session.execute(query).one()))


def _route(market: Marketplace, read: Read, present: Callable[[Row], object] = dict) -> Op:
    """What a list route does: a view session of its own, the query, each row presented."""

    def call() -> list[Any]:
        with market.views() as session:
            rows = read(session)
        return [present(row) for row in rows]

    return call


def _organisations(**asked: Any) -> Read:
    return lambda session: search_organisations(session, limit=PAGE, **asked)[0]


def _sealed_bids(tender: str) -> Read:
    """GET /tenders/{id}/bids while sealed: the tender's row, whose tally the route answers; and the first page of
    the bids that stand, which it lists once they are opened."""

    def read(session: Session) -> list[Row]:
        found = find_tender(session, tender)
        assert found is not None
        return submitted_bids(session, tender, None, PAGE)[0]

    return read


def operations(market: Marketplace, built: Built) -> tuple[dict[str, Op], dict[str, str]]:
    """Every list, as its route reads it, named by its route; and the deep cursors the HTTP loads use."""
    o, r, now = organisations.c, registrations.c, market.clock.now
    policy = market.service(Registrations).policy
    with market.views() as session:
        cursors = {
            "organisations": middle_cursor(session, [o.name, o.identifier]),
            "district": middle_cursor(session, [o.name, o.identifier], o.district == DISTRICT),
            "size": middle_cursor(session, [o.name, o.identifier], o.size == SIZE),
            "directory": middle_cursor(session, [r.name, r.id], r.status == LISTED, in_date(uk_date(now()))),
            "decisions": middle_cursor(session, [decision_log.c.position]),
        }

    def org(**asked: Any) -> Op:
        return _route(market, _organisations(**asked), lambda row: from_row(row, OFFICER))

    def directory(**asked: Any) -> Op:
        def read(session: Session) -> list[Row]:
            return search_directory(session, now(), limit=PAGE, **asked)[0]

        return _route(market, read, lambda row: directory_entry(row, now(), policy))

    def decisions(**asked: Any) -> Op:
        return _route(market, lambda session: search_decisions(session, limit=PAGE, **asked)[0])

    def events(after: int) -> Op:
        return lambda: events_after(market, OFFICER, after, PAGE).events

    window = policy.renewal_window_days
    ops: dict[str, Op] = {
        "/organisations": org(),
        "/organisations?cursor=<50%>": org(cursor=cursors["organisations"]),
        f"/organisations?size={SIZE}": org(size=SIZE),
        f"/organisations?size={SIZE}&cursor=<50%>": org(size=SIZE, cursor=cursors["size"]),
        "/organisations?vcse=true": org(vcse=True),
        f"/organisations?district={DISTRICT}": org(district=DISTRICT),
        f"/organisations?district={DISTRICT}&cursor=<50%>": org(district=DISTRICT, cursor=cursors["district"]),
        "/organisations?verified=true": org(verified=True),
        "/organisations?verified=false": org(verified=False),
        "/organisations?status=active": org(status="active"),
        "/organisations?status=deactivated": org(status="deactivated"),
        "/tenders": _route(
            market,
            lambda s: search_tenders(s, statuses=[str(x) for x in PUBLIC], published_only=True, limit=PAGE)[0],
            summary_from_row,
        ),
        "/tenders/{id}/bids (sealed: a count)": _route(market, _sealed_bids(built.tender_id)),
        "/bids (a bidder's own)": _route(
            market, lambda s: bids_of_bidder(s, built.bidder, limit=PAGE)[0], receipt_from_row
        ),
        "/directory": directory(),
        "/directory?cursor=<50%>": directory(cursor=cursors["directory"]),
        f"/directory?service={built.service}": directory(service=built.service),
        f"/directory?district={built.district}": directory(district=built.district),
        f"/directory?parish={built.parish}": directory(parish=built.parish),
        "/directory?min_hours=40": directory(min_hours=40),
        "/registrations/work-queue?section=awaiting-checks": _route(
            market, lambda s: awaiting_checks(s, None, PAGE)[0], queue_item
        ),
        "/registrations/work-queue?section=expiring": _route(
            market, lambda s: expiring_evidence(s, now(), window, None, PAGE)[0], expiring_item
        ),
        "/registrations/work-queue?section=suspended": _route(
            market, lambda s: suspended(s, None, PAGE)[0], queue_item
        ),
        "/audit/decisions": decisions(),
        "/audit/decisions?cursor=<50%>": decisions(cursor=cursors["decisions"]),
        "/audit/decisions?kind=registration": decisions(record_kind="registration"),
        "/audit/decisions?decision=organisation.deactivated": decisions(decision="organisation.deactivated"),
        "/audit/events": events(0),
        "/audit/events?after=<50% of the organisations' registrations>": events(1 + built.organisations // 2),
        "/audit/events?after=<50% of the bids> (sealed: redacted)": events(built.bids_after + built.bids // 2),
    }
    return ops, cursors


@contextmanager
def statements(market: Marketplace) -> Iterator[list[tuple[str, Any]]]:
    """The SELECTs the block sends to the views' engine, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def note(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:  # noqa: PLR0913, PLR0917
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(market.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(market.engine, "before_cursor_execute", note)


def plan_of(market: Marketplace, operation: Op) -> str:
    """SQLite's plan of each SELECT the operation sends, as its steps, one statement after another (` | `)."""
    with statements(market) as seen:
        operation()
    plans = []
    with market.engine.connect() as connection:
        for statement, parameters in seen:
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            plans.append("; ".join(str(row[-1]) for row in rows))
    return " | ".join(plans)


def grows(plan: str) -> bool:
    """A plan whose work can grow with the table: a scan with no index, or a sort in a temporary b-tree."""
    steps = [step.strip() for part in plan.split("|") for step in part.split(";")]
    return any("TEMP B-TREE" in step or (step.startswith("SCAN") and " USING " not in step) for step in steps)


@dataclass
class Result(SideBySide):
    builds: dict[str, Built] = field(default_factory=dict)  # small, large
    plans: dict[str, str] = field(default_factory=dict)  # each operation's plan on the large side
    rows_read: dict[str, dict[str, int]] = field(default_factory=dict)  # the rows each answered, on each side
    memory_mib: dict[str, float] = field(default_factory=dict)  # this process's, after the timing
    loads: list[HttpLoad] = field(default_factory=list)
    http_note: str = ""
    wall_seconds: float = 0.0

    @property
    def p99_met(self) -> bool:
        return all(load.p99_ms < TARGET_P99_MS and not load.not_2xx for load in self.loads)

    def table(self) -> Table:
        small, large = self.builds["small"], self.builds["large"]
        table = Table(
            f"Scale: list routes at {fmt(large.organisations)} organisations against {fmt(small.organisations)} "
            f"(p50 ms, one connection; target {TARGET_RATIO}x)",
            ["list (route, limit 20)", f"{fmt(small.organisations)} orgs", f"{fmt(large.organisations)} orgs",
             "ratio", "verdict", "rows (small / large)"],
        )  # fmt: skip
        for what in self.timings:
            ratio, read = self.ratio(what), self.rows_read.get(what, {})
            table.add(
                what,
                f"{self.median(what, 'small') * 1000:.2f}",
                f"{self.median(what, 'large') * 1000:.2f}",
                f"{ratio:.2f}x",
                verdict(ratio <= self.target),
                f"{fmt(read.get('small', 0))} / {fmt(read.get('large', 0))}",
            )
        for load in self.loads:
            table.add(
                f"HTTP, wrk {load.connections} connections: GET {load.path.split('&cursor=')[0]}"
                + (" (deep cursor)" if "cursor=" in load.path else ""),
                "-",
                f"p99 {load.p99_ms:.1f} (p50 {load.p50_ms:.1f}; {fmt(load.rate)}/s)",
                "-",
                verdict(load.p99_ms < TARGET_P99_MS and not load.not_2xx) + f" (p99 < {TARGET_P99_MS:.0f} ms)",
                f"{fmt(load.requests)} requests, {load.not_2xx} not 2xx, {load.socket_errors} socket errors",
            )
        for side in (small, large):
            parts = ", ".join(f"{part} {fmt(side.rate(part))}/s" for part in side.seconds)
            table.notes.append(
                f"{fmt(side.organisations)} side: built in {side.total_seconds:.0f}s, {fmt(side.total_commands)} "
                f"commands ({parts}); {fmt(side.verified)} verified, {fmt(side.deactivated)} deactivated, "
                f"{fmt(side.bids)} bids on one tender, care registrations "
                + ", ".join(f"{n} {fate}" for fate, n in side.registrations.items())
            )
        unpaged = [what for what, read in self.rows_read.items() if read.get("large", 0) > PAGE]
        if unpaged:
            table.notes.append(
                "lists that answer every row, not a page (their cost grows with it): " + "; ".join(unpaged)
            )
        growing = [what for what, plan in self.plans.items() if grows(plan)]
        if growing:
            table.notes.append("plans that scan a table or sort in a temporary b-tree: " + "; ".join(growing))
        if self.memory_mib:
            table.notes.append(
                f"(no target) this process after the timing, both databases open: {self.memory_mib['rss']:.0f} MiB "
                f"resident, {self.memory_mib['peak']:.0f} MiB at its peak (the builds ran in processes of their own)"
            )
        if self.http_note:
            table.notes.append(self.http_note)
        table.notes.append(f"whole run {self.wall_seconds:.0f}s")
        return table

    def plan_table(self) -> Table:
        table = Table("Scale: SQLite's plan of each list's statements on the large side", ["list", "plan"])
        for what, plan in self.plans.items():
            table.add(what, plan.replace("|", "/"))
        return table

    def as_dict(self) -> dict[str, object]:
        medians = {w: {s: self.median(w, s) * 1000 for s in ("small", "large")} for w in self.timings}
        return {
            "builds": {side: asdict(b) | {"path": str(b.path)} for side, b in self.builds.items()},
            "medians_ms": medians,
            "ratios": self.ratios(),
            "met": self.met,
            "plans": self.plans,
            "rows_read": self.rows_read,
            "http": [asdict(load) for load in self.loads],
            "p99_met": self.p99_met,
            "memory_mib": self.memory_mib,
            "wall_seconds": self.wall_seconds,
        }


def _built(directory: Path, organisations: int, bids: int, registrations: int, threads: int) -> Built:
    """One side's database, built in a process of its own (so that what it kept in memory goes with it)."""
    directory.mkdir(parents=True, exist_ok=True)
    print(f"_building {fmt(organisations)} organisations, {fmt(bids)} bids, {registrations} registrations_", flush=True)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        built = pool.submit(build, directory / "marketplace.db", organisations, bids, registrations, threads).result()
    print(f"_built in {built.total_seconds:.0f}s_", flush=True)
    return built


def _timed(ops: dict[str, dict[str, Op]], reps: int) -> dict[str, dict[str, list[float]]]:
    """Each operation, small and large in turn (which goes first alternates), `reps` times; seconds each."""
    timings: dict[str, dict[str, list[float]]] = {what: {"small": [], "large": []} for what in ops["small"]}
    for rep in range(reps):
        for what, sides in timings.items():
            for side in ("small", "large") if rep % 2 == 0 else ("large", "small"):
                began = time.perf_counter()
                ops[side][what]()
                sides[side].append(time.perf_counter() - began)
    return timings


def run(  # noqa: PLR0913 - the sizes, and how long each part runs
    small: int = 1000,
    large: int = 300_000,
    bids: int = 10_000,
    reps: int = 200,
    *,
    registrations: int = 400,
    threads: int = 64,
    http_seconds: float = 5.0,
    keep: bool = False,
) -> Result:
    started = time.perf_counter()
    sizes = {
        "small": (small, max(min(10, bids), bids // 100), max(min(40, registrations), registrations // 4)),
        "large": (large, bids, registrations),
    }
    with temp_dir("scale", keep) as root:
        builds = {side: _built(root / side, *size, threads) for side, size in sizes.items()}
        markets = {side: Marketplace(market_settings(root / side)) for side in builds}
        try:
            made = {side: operations(markets[side], builds[side]) for side in builds}
            ops = {side: made[side][0] for side in made}
            # warm-up (imports, statement caches, the page cache), counting the rows each list answers
            read = {what: {side: len(ops[side][what]()) for side in ops} for what in ops["small"]}
            plans = {what: plan_of(markets["large"], operation) for what, operation in ops["large"].items()}
            result = Result(_timed(ops, reps), TARGET_RATIO, builds, plans, read)
            result.memory_mib = memory_of(os.getpid())
        finally:
            for market in markets.values():
                market.close()
        cursors = made["large"][1]
        paths = [
            f"/organisations?{urlencode({'limit': PAGE})}",
            f"/organisations?{urlencode({'district': DISTRICT, 'limit': PAGE, 'cursor': cursors['district']})}",
            f"/organisations?{urlencode({'size': SIZE, 'limit': PAGE, 'cursor': cursors['size']})}",
            f"/directory?{urlencode({'service': builds['large'].service, 'limit': PAGE})}",
        ]
        if http_seconds <= 0:
            result.http_note = "HTTP loads skipped (http_seconds=0)"
        elif not wrk_available():
            result.http_note = "HTTP loads skipped: wrk is not installed (apt-get install -y wrk)"
        else:
            result.loads = http_loads(root / "large", paths, http_seconds, 16)
    result.wall_seconds = time.perf_counter() - started
    return result
