"""python -m bench COMMAND: the marketplace's benchmarks (`python -m bench --help` lists them; docs/benchmarks.md).

Each prints a markdown table. `all` runs the four benchmarks and a targets summary
(a few minutes on 2 cores). `profile` runs cProfile over one path and prints where
the time goes. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import Stopwatch, Table, fmt, machine_table, verdict

HTTP_TARGET = 0.5  # HTTP POST commands/s at least half the bare library's in-process rate


def _show(
    result: Any, args: argparse.Namespace, results: dict[str, Any], key: str, patched: str = "monkeypatched"
) -> None:
    """Print a benchmark's table (marked when an experiment patched the code) and keep its figures."""
    table = result.table()
    if args.experiment:
        table.title += f" - EXPERIMENT {', '.join(args.experiment)} ({patched}, not production code)"
    table.show()
    results[key] = result.as_dict()


def _inprocess(args: argparse.Namespace, results: dict[str, Any]) -> None:
    from bench import experiments, inprocess

    with experiments.applied(args.experiment):
        result = inprocess.run(count=args.count, rounds=args.rounds, keep=args.keep)
    _show(result, args, results, "inprocess")


def _http(args: argparse.Namespace, results: dict[str, Any]) -> None:
    from bench import experiments, http_load

    server = None
    if args.experiment:
        server = [sys.executable, "-m", "bench.profserver", "--port", "{port}"]
        for name in args.experiment:
            server += ["--experiment", name]
    with experiments.applied(args.experiment):
        options = http_load.HttpOptions(
            seconds=args.seconds,
            connections=args.connections,
            threads=args.threads,
            preload_count=args.preload,
            bare_count=args.bare_count,
            tool=args.tool,
            keep=args.keep,
            server_command=server,
        )
        result = http_load.run(options)
    _show(result, args, results, "http", patched="monkeypatched server")


def _rebuild(args: argparse.Namespace, results: dict[str, Any]) -> None:
    from bench import experiments, rebuild

    with experiments.applied(args.experiment):
        result = rebuild.run(events=args.events, rounds=args.rounds, keep=args.keep, grant_events=args.grant_events)
    _show(result, args, results, "rebuild")
    result.verify_table().show()
    result.mix_table().show()


def _bids(args: argparse.Namespace, results: dict[str, Any]) -> None:
    from bench import bids

    result = bids.run(bids=args.bids, window=args.window, keep=args.keep, profile=args.profile)
    result.table().show()
    if result.profiles is not None:
        bids.show_profiles(result.profiles, args.window, top=args.top, out=args.out)
    results["bids"] = result.as_dict()


def _payables(args: argparse.Namespace, results: dict[str, Any]) -> None:
    from bench import payables

    result = payables.run(small=args.small, large=args.large, reps=args.reps, keep=args.keep)
    result.table().show()
    results["payables"] = result.as_dict()


def _histories(args: argparse.Namespace, results: dict[str, Any]) -> None:
    from bench import histories

    result = histories.run(short=args.short, long=args.long, reps=args.reps, keep=args.keep)
    result.table().show()
    results["histories"] = result.as_dict()


def _reads(args: argparse.Namespace, results: dict[str, Any]) -> None:
    from bench import reads

    result = reads.run(preloaded=args.preload, seconds=args.seconds, rounds=args.rounds, keep=args.keep)
    result.table().show()
    results["reads"] = result.as_dict()


def _scale(args: argparse.Namespace, results: dict[str, Any]) -> None:
    from bench import scale

    result = scale.run(small=args.small, large=args.large, bids=args.bids, reps=args.reps, keep=args.keep)
    result.table().show()
    result.plan_table().show()
    results["scale"] = result.as_dict()


def _lag(args: argparse.Namespace, results: dict[str, Any]) -> None:
    from bench import worker_lag

    result = worker_lag.run(rate=args.rate, count=args.count)
    result.table().show()
    results["lag"] = result.as_dict()


def _all(args: argparse.Namespace, results: dict[str, Any]) -> None:
    from bench import bids, http_load, inprocess, rebuild

    one = inprocess.run(count=args.count, rounds=args.rounds, keep=args.keep)
    one.table().show()
    results["inprocess"] = one.as_dict()
    two = http_load.run(
        http_load.HttpOptions(seconds=args.seconds, connections=args.connections, threads=args.threads, keep=args.keep)
    )
    two.table().show()
    results["http"] = two.as_dict()
    three = rebuild.run(events=args.events, keep=args.keep, grant_events=args.grant_events)
    three.table().show()
    three.mix_table().show()
    results["rebuild"] = three.as_dict()
    four = bids.run(bids=args.bids, keep=args.keep)
    four.table().show()
    results["bids"] = four.as_dict()

    post = two.load("post")
    summary = Table("Targets", ["target", "measured", "verdict"])
    summary.add(
        f"HTTP POST /organisations >= {HTTP_TARGET}x bare library in-process",
        f"{fmt(post.rate if post else 0)}/s vs {fmt(two.bare_median)}/s = {two.post_ratio:.2f}x",
        verdict(two.post_ratio >= HTTP_TARGET),
    )
    summary.add(
        f"rebuild >= {fmt(rebuild.TARGET_EVENTS_PER_S)} events/s",
        f"{fmt(three.rate_median)} events/s",
        verdict(three.rate_median >= rebuild.TARGET_EVENTS_PER_S),
    )
    summary.add(
        f"bid {fmt(args.bids - 99)}-{fmt(args.bids)} on one tender <= {bids.TARGET_RATIO}x bids 1-100 (median)",
        f"{four.ratio:.2f}x (interleaved with a fresh tender's first 100: {four.fresh_ratio:.2f}x)",
        verdict(four.met),
    )
    summary.add("(no target) Marketplace.register vs bare, in-process", f"{one.ratio_median:.2f}x", "-")
    summary.show()


def _profile(args: argparse.Namespace, _: dict[str, Any]) -> None:
    from bench import profiling

    profiling.main(args)


def grant_events_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--grant-events",
        type=int,
        default=20_000,
        help="rebuild: grant events after the organisation events, run through the services (default 20000; "
        "0: organisations only)",
    )


def _bids_command(commands: Any) -> None:
    p = commands.add_parser("bids", help="4. bid submission cost as one tender collects bids")
    p.add_argument("--bids", type=int, default=10_000, help="bids on the one tender (default 10000)")
    p.add_argument("--window", type=int, default=100, help="bids per measured window (default 100)")
    p.add_argument("--profile", action="store_true", help="also cProfile extra bids at each end and compare")
    p.add_argument("--top", type=int, default=25, help="--profile: rows of the comparison")
    p.add_argument("--out", type=Path, help="--profile: also write OUT.first.prof and OUT.last.prof")
    p.set_defaults(run=_bids)


def _payables_command(commands: Any) -> None:
    p = commands.add_parser("payables", help="5. the payables queue's pages at 100,000 invoices against 1,000")
    p.add_argument("--small", type=int, default=1000, help="invoices on the small side (default 1000)")
    p.add_argument("--large", type=int, default=100_000, help="invoices on the large side (default 100000)")
    p.add_argument("--reps", type=int, default=200, help="alternating reads of each page (default 200)")
    p.set_defaults(run=_payables)


def _histories_command(commands: Any) -> None:
    p = commands.add_parser("histories", help="6. a command and history reads on 5,000 events against 10")
    p.add_argument("--short", type=int, default=10, help="events of the short record (default 10)")
    p.add_argument("--long", type=int, default=5000, help="events of the long record (default 5000)")
    p.add_argument("--reps", type=int, default=200, help="alternating runs of each operation (default 200)")
    p.set_defaults(run=_histories)


def _reads_command(commands: Any) -> None:
    p = commands.add_parser("reads", help="8. GET routes against a bare Litestar app, wrk at 1 and 16 connections")
    p.add_argument("--preload", type=int, default=1000, help="organisations registered first (default 1000)")
    p.add_argument("--seconds", type=float, default=5.0, help="length of each load run (default 5)")
    p.add_argument("--rounds", type=int, default=2, help="alternating rounds (default 2)")
    p.set_defaults(run=_reads)


def _scale_command(commands: Any) -> None:
    p = commands.add_parser("scale", help="9. every list route at 300,000 organisations against 1,000 (6-8 minutes)")
    p.add_argument("--small", type=int, default=1000, help="organisations on the small side (default 1000)")
    p.add_argument("--large", type=int, default=300_000, help="organisations on the large side (default 300000)")
    p.add_argument("--bids", type=int, default=10_000, help="bids on the large side's tender (default 10000)")
    p.add_argument("--reps", type=int, default=200, help="alternating reads of each list (default 200)")
    p.set_defaults(run=_scale)


def _lag_command(commands: Any) -> None:
    p = commands.add_parser("lag", help="7. worker lag on PostgreSQL (MARKETPLACE_BENCH_POSTGRES_URL)")
    p.add_argument("--rate", type=float, default=50.0, help="commands per second (default 50)")
    p.add_argument("--count", type=int, default=500, help="commands (default 500)")
    p.set_defaults(run=_lag)


def _scale_commands(commands: Any) -> None:
    """The benchmarks of cost against size: bids on one tender, invoices in the payables queue, long histories."""
    _bids_command(commands)
    _payables_command(commands)
    _histories_command(commands)
    _lag_command(commands)
    _reads_command(commands)
    _scale_command(commands)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    root.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    root.add_argument("--keep", action="store_true", help="keep the temporary databases (their paths are printed)")
    commands = root.add_subparsers(dest="command", required=True)

    def inprocess_options(p: argparse.ArgumentParser, rounds: int = 3) -> None:
        p.add_argument("--count", type=int, default=1000, help="commands per side per round (default 1000)")
        p.add_argument("--rounds", type=int, default=rounds, help=f"alternating rounds (default {rounds})")

    def http_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--seconds", type=float, default=10.0, help="length of each load run (default 10)")
        p.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
        p.add_argument("--threads", type=int, default=1, help="wrk threads (default 1: leave the CPU to the server)")

    def experiment_option(p: argparse.ArgumentParser) -> None:
        from bench.experiments import EXPERIMENTS

        p.add_argument(
            "--experiment",
            action="append",
            default=[],
            choices=sorted(EXPERIMENTS),
            help="monkeypatch a proposed production change into this process first (repeatable)",
        )

    p = commands.add_parser("inprocess", help="1. Marketplace.register vs the bare library, in-process")
    inprocess_options(p)
    experiment_option(p)
    p.set_defaults(run=_inprocess)

    p = commands.add_parser("http", help="2. HTTP throughput with wrk against marketplace serve")
    http_options(p)
    p.add_argument("--preload", type=int, default=500, help="organisations registered before the read loads")
    p.add_argument("--bare-count", type=int, default=1000, help="commands in each bare-library yardstick run")
    p.add_argument(
        "--tool",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load generator (auto: wrk if installed, else the python httpx fallback)",
    )
    experiment_option(p)
    p.set_defaults(run=_http)

    p = commands.add_parser("rebuild", help="3. projection rebuild rate")
    p.add_argument("--events", type=int, default=50_000, help="organisation events in the log (default 50000)")
    grant_events_option(p)
    p.add_argument("--rounds", type=int, default=2, help="rebuilds of the same log (default 2)")
    experiment_option(p)
    p.set_defaults(run=_rebuild)

    _scale_commands(commands)

    p = commands.add_parser("all", help="1, 2, 3 and 4, then the targets")
    inprocess_options(p)
    http_options(p)
    p.add_argument("--events", type=int, default=50_000, help="organisation events in the rebuild log (default 50000)")
    grant_events_option(p)
    p.add_argument("--bids", type=int, default=10_000, help="bids on one tender in benchmark 4 (default 10000)")
    p.set_defaults(run=_all)

    p = commands.add_parser("profile", help="cProfile one path: inprocess, http or rebuild")
    p.add_argument("target", choices=["inprocess", "http", "rebuild"])
    p.add_argument("--count", type=int, default=1000, help="inprocess: commands profiled")
    p.add_argument("--events", type=int, default=50_000, help="rebuild: organisation events in the log")
    grant_events_option(p)
    p.add_argument("--seconds", type=float, default=10.0, help="http: length of the POST load")
    p.add_argument("--connections", type=int, default=16, help="http: concurrent connections")
    p.add_argument("--top", type=int, default=30, help="rows of each listing")
    p.add_argument("--out", type=Path, help="also write the raw .prof file here (for snakeviz, pstats)")
    experiment_option(p)
    p.set_defaults(run=_profile)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    clock = Stopwatch()
    results: dict[str, Any] = {}
    if args.command in ("all", "inprocess", "http", "rebuild", "bids"):
        machine_table().show()
    args.run(args, results)
    if args.command != "profile":
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"_{args.command} finished in {clock.elapsed:.0f}s; load average at the end: {load}_", flush=True)
    if args.json:
        results["run"] = {"command": " ".join(sys.argv[1:] if argv is None else argv), **_commit()}
        args.json.write_text(json.dumps(results, indent=2))
    return 0


def _commit() -> dict[str, Any]:
    """Which code the figures come from: the commit, and whether the working tree had changes beside it (in code:
    the docs, these figures among them, measure nothing)."""
    import subprocess

    def git(*words: str) -> str:
        done = subprocess.run(["git", *words], capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "HEAD"),
        "uncommitted_changes": bool(git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs")),
    }


if __name__ == "__main__":
    sys.exit(main())
