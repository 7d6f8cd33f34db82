"""Benchmark 4: does submitting a bid cost more as a tender collects bids?

One tender receives N bids (10,000 by default), each from a distinct provider organisation,
through `market.service(Bids).submit(...)` called sequentially in-process; every submission is timed
with `time.perf_counter`. Nothing in a submission should grow with the number of bids: a bid
is an aggregate of its own (keyed by tender and bidder), the tender aggregate is only read,
and the bids view is folded one row per bid (plus the tender row's bid count).

Two yardsticks, both from the same run:

- the tender's first `window` bids against its last `window` (the target: <= 1.2x);
- a fresh tender published just before the last window, whose first `window` bids alternate
  one for one with the big tender's last `window`, so machine noise hits both sides alike.
  To keep the two ends comparable, the first window alternates with a companion tender too.

Before any of it, `warmup` untimed bids on a throwaway tender warm the code paths, so a cold
start does not inflate the first window (which would flatter the ratio).
"""

from __future__ import annotations

import cProfile
import gc
import pstats
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import func, select

from bench.common import COUNCIL, OFFICER, Stopwatch, Table, fmt, market_settings, org_details, temp_dir, verdict
from domain.base import Actor, Role
from domain.organisations.organisation import OrganisationDetails, organisation_uuid
from domain.tendering.procurement import Criterion, Lot
from domain.tendering.terms import ConflictsAssessment, Offer, TenderTerms
from marketplace.clock import FixedClock
from marketplace.commands import CommandRequest
from marketplace.organisations.services import Organisations
from marketplace.service import Marketplace
from marketplace.tendering.services import Bids, Tenders
from projections.tendering.bids import bids as bids_view
from projections.tendering.queries import find_tender

TARGET_RATIO = 1.2
START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
# Bidder numbers: each tender's bidders come from their own range, so every bid has a distinct organisation.
MAIN, COMPANION, FRESH, PROFILED, WARMUP = 0, 20_000_000, 40_000_000, 60_000_000, 90_000_000
RESPONSES = {
    "quality": "Trained, DBS-checked staff; a named coordinator per group; monthly outcome reviews with each person. "
    * 2,
    "social": "Local recruitment, a volunteer programme with the parish councils, and a travel plan that cuts "
    "car journeys. " * 2,
}


def tender_terms(now: datetime) -> TenderTerms:
    """Two lots, price and two non-price criteria, deadlines a month ahead (as the journey test's tender)."""
    return TenderTerms(
        title="Community day opportunities for older people",
        description="Day opportunities that reduce isolation, in two areas of the county.",
        category="adult-social-care",
        procedure="open",
        lots=[
            Lot("north", "North Shropshire", Decimal("400000.00")),
            Lot("south", "South Shropshire", Decimal("350000.00")),
        ],
        criteria=[
            Criterion("price", "Price", "price", 50),
            Criterion("quality", "Quality of care", "quality", 35),
            Criterion("social", "Social value", "social-value", 15),
        ],
        clarification_deadline=now + timedelta(days=20),
        tender_deadline=now + timedelta(days=30),
    )


def publish_tender(market: Marketplace) -> UUID:
    request = CommandRequest(OFFICER, correlation_id="bench-bids")
    drafted = market.service(Tenders).draft(request, tender_terms(market.clock.now()))
    tender_id = UUID(drafted.aggregate_id)
    no_conflicts = ConflictsAssessment(conflicts_found=False)
    market.service(Tenders).assess_conflicts(request, tender_id, no_conflicts, "Panel declared no interests in bidders")
    market.service(Tenders).publish(request, tender_id, "Approved by the commissioning board")
    return tender_id


def bidder(n: int) -> str:
    return f"GB-COH-{n:08d}"


def offer(n: int) -> Offer:
    """Most bidders price both lots; every fifth prices only the north lot."""
    prices = {"north": Decimal(f"{380_000 - n % 20_000}.00")}
    if n % 5:
        prices["south"] = Decimal(f"{330_000 - n % 15_000}.50")
    return Offer(prices, RESPONSES)


def submitter(market: Marketplace, tender_id: UUID) -> Callable[[int], float]:
    """A function that submits bidder n's bid to this tender and returns the seconds it took."""
    submit = market.service(Bids).submit

    def one(n: int) -> float:
        org = bidder(n)
        if not market.commands.exists(organisation_uuid(org)):  # only registered organisations bid (untimed)
            market.service(Organisations).register(CommandRequest(OFFICER), OrganisationDetails(org, **org_details(n)))
        request = CommandRequest(Actor(f"bidder-at-{org}", org, Role.PROVIDER), correlation_id=f"bench-bid-{n}")
        sent = offer(n)
        started = time.perf_counter()
        outcome = submit(request, tender_id, sent)
        elapsed = time.perf_counter() - started
        assert outcome.version == 1, outcome
        return elapsed

    return one


def percentile(values: Sequence[float], q: int) -> float:
    """The q-th percentile (statistics.quantiles, exclusive method)."""
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100)[q - 1]


@dataclass(frozen=True)
class Window:
    """The cost of a run of consecutive bids, in milliseconds."""

    label: str
    first: int  # 1-based numbers of the first and last bid on its tender
    last: int
    seconds: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p90_ms(self) -> float:
        return percentile(self.seconds, 90) * 1000

    @property
    def max_ms(self) -> float:
        return max(self.seconds) * 1000

    @property
    def rate(self) -> float:
        return len(self.seconds) / sum(self.seconds)

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "bids": [self.first, self.last],
            "median_ms": self.median_ms,
            "p90_ms": self.p90_ms,
            "max_ms": self.max_ms,
            "bids_per_s": self.rate,
        }


@dataclass
class Profiles:
    """cProfile of the first and the last window of the big tender (only when asked for)."""

    first: cProfile.Profile = field(default_factory=cProfile.Profile)
    last: cProfile.Profile = field(default_factory=cProfile.Profile)


@dataclass
class BidsResult:
    bids: int
    window: int
    warmup: int
    main: list[float] = field(default_factory=list)  # seconds per bid, bid 1..N of the big tender
    companion: list[float] = field(default_factory=list)  # first `window` bids of the companion tender
    fresh: list[float] = field(default_factory=list)  # first `window` bids of the fresh tender
    counted: dict[str, int] = field(default_factory=dict)  # bid counts read back from the views
    total_seconds: float = 0.0
    profiles: Profiles | None = None

    def main_window(self, end: int, label: str = "") -> Window:
        start = max(0, end - self.window)
        return Window(label or f"bids {start + 1:,}-{end:,}", start + 1, end, self.main[start:end])

    @property
    def first(self) -> Window:
        return self.main_window(self.window, f"bids 1-{self.window:,} (first)")

    @property
    def last(self) -> Window:
        n = len(self.main)
        return self.main_window(n, f"bids {n - self.window + 1:,}-{n:,} (last)")

    @property
    def fresh_window(self) -> Window:
        return Window(f"fresh tender, bids 1-{len(self.fresh)}", 1, len(self.fresh), self.fresh)

    @property
    def companion_window(self) -> Window:
        return Window(f"companion tender, bids 1-{len(self.companion)}", 1, len(self.companion), self.companion)

    @property
    def ratio(self) -> float:
        """The target's ratio: median cost of the last window over the first."""
        return self.last.median_ms / self.first.median_ms

    @property
    def ratio_p90(self) -> float:
        return self.last.p90_ms / self.first.p90_ms

    @property
    def fresh_ratio(self) -> float:
        """The big tender's last window over a fresh tender's first, interleaved bid for bid."""
        return self.last.median_ms / self.fresh_window.median_ms

    @property
    def companion_ratio(self) -> float:
        """The same comparison at the start: ~1 if alternating tenders is itself neutral."""
        return self.first.median_ms / self.companion_window.median_ms

    @property
    def fresh_vs_first(self) -> float:
        """A fresh tender's first bids now, over the first tender's first bids: growth with the whole log."""
        return self.fresh_window.median_ms / self.companion_window.median_ms

    def every_window(self) -> list[Window]:
        """Consecutive, non-overlapping windows over the whole run."""
        return [self.main_window(end) for end in range(self.window, len(self.main) + 1, self.window)]

    @property
    def trend(self) -> tuple[float, float]:
        """Least-squares line through every window's median: (ms per 1,000 bids, ms at bid 0)."""
        windows = self.every_window()
        if len(windows) < 2:
            return 0.0, self.first.median_ms
        line = statistics.linear_regression([w.last for w in windows], [w.median_ms for w in windows])
        return line.slope * 1000, line.intercept

    @property
    def floors(self) -> tuple[float, float, int]:
        """Noise only adds time, so compare the quiet windows: the lower quartile of the window medians
        in the first tenth of the run against the last tenth. Returns (first ms, last ms, windows each)."""
        medians = [w.median_ms for w in self.every_window()]
        k = max(1, len(medians) // 10)
        return sorted(medians[:k])[k // 4], sorted(medians[-k:])[k // 4], k

    @property
    def met(self) -> bool:
        return self.ratio <= TARGET_RATIO

    def deciles(self) -> list[Window]:
        n = len(self.main)
        ends = sorted({self.window} | {round(n * k / 10) for k in range(1, 11)} | {n})
        windows = []
        for end in ends:
            if end < self.window:
                continue
            label = {self.window: self.first.label, n: self.last.label}.get(end, "")
            windows.append(self.main_window(end, label))
        return windows

    def table(self) -> Table:
        title = f"4. Bid submission cost as one tender reaches {len(self.main):,} bids (SQLite file, in-process)"
        table = Table(title, ["bids (window)", "median ms", "p90 ms", "max ms", "bids/s", "median vs first"])
        first = self.first.median_ms
        slope, start = self.trend
        medians = [w.median_ms for w in self.every_window()]
        floor_first, floor_last, k = self.floors
        for window in [*self.deciles(), self.companion_window, self.fresh_window]:
            table.add(
                window.label,
                f"{window.median_ms:.2f}",
                f"{window.p90_ms:.2f}",
                f"{window.max_ms:.1f}",
                fmt(window.rate),
                f"{window.median_ms / first:.2f}x",
            )
        table.notes += [
            f"target: last {self.window} bids cost <= {TARGET_RATIO}x the first {self.window} (median): "
            f"**{self.ratio:.2f}x** (p90 {self.ratio_p90:.2f}x): {verdict(self.met)}",
            f"interleaved yardstick: last {self.window} bids vs a fresh tender's first {self.window}, alternating "
            f"bid for bid: **{self.fresh_ratio:.2f}x** (at the start, first {self.window} vs a companion tender's: "
            f"{self.companion_ratio:.2f}x)",
            f"growth with the whole log (fresh tender's first bids now vs the companion's at the start): "
            f"{self.fresh_vs_first:.2f}x",
            f"quiet floor (lower quartile of the {k} window medians in the first and in the last tenth of the run): "
            f"{floor_first:.2f} vs {floor_last:.2f} ms = **{floor_last / floor_first:.2f}x**",
            f"trend through all {len(medians)} window medians (least squares): {slope:+.3f} ms per 1,000 bids "
            f"({slope * len(self.main) / 1000 / start:+.1%} over the run); window medians ranged "
            f"{min(medians):.2f}-{max(medians):.2f} ms (machine noise)",
            f"{len(self.main):,} bids from {len(self.main):,} distinct organisations, one command per transaction, "
            f"{self.warmup} untimed warm-up bids on another tender first; whole run {self.total_seconds:.0f}s",
            "views read back: " + ", ".join(f"{name} {count:,}" for name, count in self.counted.items()),
        ]
        return table

    def as_dict(self) -> dict[str, Any]:
        slope, start = self.trend
        return {
            "bids": len(self.main),
            "window": self.window,
            "warmup": self.warmup,
            "ratio_median": self.ratio,
            "ratio_p90": self.ratio_p90,
            "fresh_ratio": self.fresh_ratio,
            "companion_ratio": self.companion_ratio,
            "fresh_vs_first": self.fresh_vs_first,
            "floor_ms": self.floors[:2],
            "trend_ms_per_1000_bids": slope,
            "trend_ms_at_start": start,
            "target": TARGET_RATIO,
            "met": self.met,
            "windows": [w.as_dict() for w in [*self.deciles(), self.companion_window, self.fresh_window]],
            "median_ms_per_window": [round(w.median_ms, 4) for w in self.every_window()],
            "counted": self.counted,
            "total_seconds": self.total_seconds,
        }


def _alternate(
    timed: Callable[[int], float], other: Callable[[int], float], numbers: range, offset: int
) -> tuple[list[float], list[float]]:
    """Bid n on `timed`'s tender, then bid offset+n on the other tender, for each n; both timed."""
    ours, theirs = [], []
    for index, n in enumerate(numbers, 1):
        ours.append(timed(n))
        theirs.append(other(offset + index))
    return ours, theirs


def _profiled(market: Marketplace, profile: cProfile.Profile, submit: Callable[[int], float], numbers: range) -> None:
    """Extra bids under cProfile (so the timed bids never are).

    cProfile sees only its own thread, and commands run on the group-commit writer thread; so
    for these bids the runner's group commit is set aside and each command runs in this thread
    (the same `_run_alone` the writer calls for a group of one).
    """
    group, market.commands._group = market.commands._group, None
    try:
        for n in numbers:
            profile.enable()
            submit(n)
            profile.disable()
    finally:
        market.commands._group = group


def run(
    bids: int = 10_000, window: int = 100, warmup: int = 50, keep: bool = False, profile: bool = False
) -> BidsResult:
    if bids < 2 * window:
        raise ValueError(f"--bids must be at least twice the window ({2 * window})")
    result = BidsResult(bids, window, warmup, profiles=Profiles() if profile else None)
    clock = Stopwatch()
    with temp_dir("bids", keep) as directory:
        market = Marketplace(market_settings(directory), FixedClock(START))
        try:
            council = org_details(0) | {"name": "Shropshire Council", "legal_form": "local-authority", "size": "large"}
            details = OrganisationDetails(COUNCIL, **(council | {"vcse": False}))
            market.service(Organisations).register(CommandRequest(OFFICER), details)
            throwaway = submitter(market, publish_tender(market))
            for n in range(1, warmup + 1):
                throwaway(WARMUP + n)

            main_id, companion_id = publish_tender(market), publish_tender(market)
            main = submitter(market, main_id)
            gc.collect()
            ours, theirs = _alternate(
                main, submitter(market, companion_id), range(MAIN + 1, MAIN + window + 1), COMPANION
            )
            result.main += ours
            result.companion += theirs
            if result.profiles is not None:  # a tender's first bids, on another new tender
                numbers = range(PROFILED + 1, PROFILED + window + 1)
                _profiled(market, result.profiles.first, submitter(market, publish_tender(market)), numbers)
            for n in range(window + 1, bids - window + 1):
                result.main.append(main(MAIN + n))

            fresh_id = publish_tender(market)
            ours, theirs = _alternate(
                main, submitter(market, fresh_id), range(MAIN + bids - window + 1, MAIN + bids + 1), FRESH
            )
            result.main += ours
            result.fresh += theirs
            result.counted = _read_back(market, {"big tender": main_id, "companion": companion_id, "fresh": fresh_id})
            if result.profiles is not None:  # the big tender's next bids
                _profiled(market, result.profiles.last, main, range(MAIN + bids + 1, MAIN + bids + window + 1))
        finally:
            market.close()
    result.total_seconds = clock.elapsed
    return result


def _read_back(market: Marketplace, tenders: dict[str, UUID]) -> dict[str, int]:
    """Each tender's bid count as its views hold it: the tender row's count and the bids register's rows."""
    counted = {}
    with market.views() as session:
        for name, tender_id in tenders.items():
            row = find_tender(session, str(tender_id))
            query = select(func.count()).select_from(bids_view).where(bids_view.c.tender_id == str(tender_id))
            rows = session.execute(query).scalar_one()
            counted[f"{name} (bid_count)"] = int(row["bid_count"]) if row else -1
            counted[f"{name} (bids rows)"] = int(rows)
    return counted


def show_profiles(profiles: Profiles, window: int, top: int = 25, out: Path | None = None) -> None:
    """Own time and calls per bid of the first and last windows, largest growth first."""
    first = pstats.Stats(profiles.first).stats  # type: ignore[attr-defined]
    last = pstats.Stats(profiles.last).stats  # type: ignore[attr-defined]
    if out is not None:
        profiles.first.dump_stats(out.with_suffix(".first.prof"))
        profiles.last.dump_stats(out.with_suffix(".last.prof"))
    keys = set(first) | set(last)

    def own(stats: dict[Any, Any], key: Any) -> tuple[int, float, float]:
        calls, _, tottime, cumtime, _ = stats.get(key, (0, 0, 0.0, 0.0, None))
        return calls, tottime, cumtime

    def name(key: Any) -> str:
        filename, line, function = key
        short = filename.split("site-packages/")[-1].split("/work/main/")[-1]
        return f"`{short}:{line}({function})`"

    total_first = sum(own(first, k)[1] for k in keys) / window * 1e3
    total_last = sum(own(last, k)[1] for k in keys) / window * 1e3
    table = Table(
        f"Bids profile: own time per bid, first {window} vs last {window} "
        f"({total_first:.2f} vs {total_last:.2f} ms/bid under cProfile)",
        ["function", "calls/bid first", "calls/bid last", "own ms/bid first", "own ms/bid last", "growth ms/bid"],
    )
    growth = sorted(keys, key=lambda k: own(last, k)[1] - own(first, k)[1], reverse=True)
    for key in growth[:top]:
        (c1, t1, _), (c2, t2, _) = own(first, key), own(last, key)
        table.add(
            name(key),
            f"{c1 / window:.1f}",
            f"{c2 / window:.1f}",
            f"{t1 / window * 1e3:.3f}",
            f"{t2 / window * 1e3:.3f}",
            f"{(t2 - t1) / window * 1e3:+.3f}",
        )
    calls = [sum(own(stats, k)[0] for k in keys) / window for stats in (first, last)]
    statements = [
        sum(own(stats, k)[0] for k in keys if "execute' of 'sqlite3" in k[2]) / window for stats in (first, last)
    ]
    table.notes += [
        f"Python function calls per bid: {calls[0]:,.0f} first vs {calls[1]:,.0f} last; "
        f"SQL statements per bid (sqlite3 execute): {statements[0]:.1f} vs {statements[1]:.1f}",
        "cProfile runs on extra bids (a second window at each end), never on the timed ones",
    ]
    table.show()
