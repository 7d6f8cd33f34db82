"""`python -m bench profile {inprocess,http,rebuild}`: cProfile over one path, summarised by layer.

inprocess  profiles N `market.service(Organisations).register` calls in this process.
rebuild    profiles `market.projector.rebuild()` over a loaded log.
http       starts the server under bench.profserver (cProfile in the event-loop thread
           and in every worker thread), drives POST /organisations with wrk, stops it,
           and reports the two kinds of thread separately.

cProfile roughly doubles the cost of Python calls, so read the shares, not the seconds.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import sys
import tempfile
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench import experiments
from bench.common import OFFICER, Table, market_settings, org_details, org_identifier, temp_dir
from domain.organisations.organisation import OrganisationDetails
from marketplace.organisations.services import Organisations

_SITE = re.compile(r"site-packages/([A-Za-z0-9_]+)/")
_PROJECT = re.compile(r"/(marketplace|projections|domain|api|bench)/[^/]+\.py$")

# C functions worth naming on their own: where a profile's time is not Python's.
_C_LAYERS = (
    ("'sqlite3.Connection' objects", "sqlite3 C: commit (fsync)", "'commit'"),
    ("'sqlite3.Cursor' objects", "sqlite3 C: execute/fetch", ""),
    ("'sqlite3.Connection' objects", "sqlite3 C: other", ""),
    ("'_thread.lock' objects", "waiting on a lock (idle or contended)", ""),
    ("'_thread.RLock' objects", "waiting on a lock (idle or contended)", ""),
    ("'select.epoll' objects", "idle in epoll (event loop)", ""),
    ("'_queue.SimpleQueue' objects", "idle: pool thread waiting for work", ""),
)


def layer(key: tuple[str, int, str]) -> str:
    filename, _, name = key
    if filename == "~":
        for marker, label, must in _C_LAYERS:
            if marker in name and (not must or must in name):
                return label
        return "other C builtins"
    site = _SITE.search(filename)
    if site:
        return site.group(1)
    project = _PROJECT.search(filename)
    if project:
        return f"project: {project.group(1)}"
    return "python stdlib"


def layer_table(stats: pstats.Stats, title: str) -> Table:
    """Own time (tottime) summed by package or C call: which layer the time is spent in."""
    totals: dict[str, float] = defaultdict(float)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for key, (_, _, tottime, _, _) in raw.items():
        totals[layer(key)] += tottime
    whole = sum(totals.values()) or 1.0
    table = Table(title, ["layer (own time)", "seconds", "share"])
    for name, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        if seconds / whole >= 0.005:
            table.add(name, f"{seconds:.2f}", f"{100 * seconds / whole:.1f}%")
    return table


def listing(stats: pstats.Stats, order: str, top: int) -> str:
    buffer = io.StringIO()
    stats.stream = buffer  # type: ignore[attr-defined]
    stats.sort_stats(order).print_stats(top)
    text = buffer.getvalue()
    start = text.find("   ncalls")
    body = text[start:] if start >= 0 else text
    return re.sub(r"\S*site-packages/", "", body.replace(str(Path.cwd()) + "/", ""))


def report(stats: pstats.Stats, title: str, top: int) -> None:
    layer_table(stats, f"{title}: time by layer").show()
    print(f"#### {title}: top {top} by cumulative time\n\n```\n{listing(stats, 'cumulative', top)}```\n")
    print(f"#### {title}: top {top} by own time\n\n```\n{listing(stats, 'tottime', top)}```\n", flush=True)


def profile_inprocess(args: argparse.Namespace) -> pstats.Stats:
    from marketplace.commands import CommandRequest
    from marketplace.service import Marketplace

    with temp_dir("profile-inprocess") as directory:
        # One command per transaction on this thread: cProfile sees only the thread it runs in.
        market = Marketplace(replace(market_settings(directory), group_commit=False))
        request = CommandRequest(OFFICER, correlation_id="bench")
        for n in range(50):
            market.service(Organisations).register(
                request, OrganisationDetails(org_identifier(90_000_000 + n), **org_details(n))
            )
        profiler = cProfile.Profile()
        profiler.enable()
        for n in range(args.count):
            market.service(Organisations).register(request, OrganisationDetails(org_identifier(n), **org_details(n)))
        profiler.disable()
        market.close()
    return pstats.Stats(profiler)


def profile_rebuild(args: argparse.Namespace) -> pstats.Stats:
    from bench import rebuild

    with temp_dir("profile-rebuild") as directory:
        market, result = rebuild.prepare(directory, args.events, args.grant_events)
        print(
            f"log: {result.events} events ({result.grant_events} of them grants'), "
            f"{result.organisations} organisations\n"
        )
        profiler = cProfile.Profile()
        profiler.enable()
        market.projector.rebuild()
        profiler.disable()
        market.close()
    return pstats.Stats(profiler)


def profile_http(args: argparse.Namespace) -> None:
    from bench import http_load

    if args.experiment:
        print(f"server runs with EXPERIMENT {', '.join(args.experiment)} (monkeypatched, not production code)\n")
    with tempfile.TemporaryDirectory(prefix="bench-profile-http-") as name:
        out = Path(name) / "server"
        command = [sys.executable, "-m", "bench.profserver", "--port", "{port}", "--out", str(out)]
        for experiment in args.experiment:
            command += ["--experiment", experiment]
        result = http_load.run(
            http_load.HttpOptions(
                seconds=args.seconds,
                connections=args.connections,
                preload_count=100,
                bare_count=200,
                server_command=command,
                modes=("post",),
            )
        )
        post = result.load("post")
        if post:
            print(f"POST /organisations under the profiler: {post.rate:.0f}/s, {post.not_ok} non-201\n")
        for part, title in (("loop", "HTTP server, event-loop thread"), ("workers", "HTTP server, worker threads")):
            path = Path(f"{out}-{part}.prof")
            if not path.exists():
                print(f"(no profile written for {part})")
                continue
            stats = pstats.Stats(str(path))
            report(stats, title, args.top)
            if args.out:
                stats.dump_stats(args.out.with_name(f"{args.out.stem}-{part}{args.out.suffix or '.prof'}"))


def main(args: argparse.Namespace) -> None:
    if args.target == "http":
        profile_http(args)
        return
    with experiments.applied(args.experiment):
        stats = profile_inprocess(args) if args.target == "inprocess" else profile_rebuild(args)
    title = "Marketplace.register in-process" if args.target == "inprocess" else "projector.rebuild()"
    if args.experiment:
        title += f" [EXPERIMENT {', '.join(args.experiment)}]"
    report(stats, title, args.top)
    if args.out:
        stats.dump_stats(args.out)
