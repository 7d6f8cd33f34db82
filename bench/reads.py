"""The read path against the framework's limit: GET /organisations?limit=20 and GET /organisations/{id} from
`marketplace serve` against the same from a bare Litestar app (`bench/bare_reads.py`) on the same SQLite file,
same uvicorn settings, one worker each, interleaved load runs with wrk at 1 and at 16 connections.

Target: each at least 0.5x the bare app's rate, and no worse at 16 connections than at 1 (the marketplace's own
rate at 16 over its rate at 1).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import Table, fmt, temp_dir, verdict
from bench.http_load import bearer_token, free_port, preload, running_server, serve_command
from bench.load_generators import HOST, Load, LoadResult, run_wrk, wrk_available

TARGET_RATIO = 0.5


def bare_command(port: int) -> list[str]:
    return [sys.executable, "-m", "uvicorn", "bench.bare_reads:app", "--host", HOST, "--port", str(port),
            "--workers", "1", "--log-level", "warning", "--no-access-log"]  # fmt: skip


@dataclass
class Result:
    preloaded: int
    runs: dict[tuple[str, int, str], list[LoadResult]] = field(default_factory=dict)  # (mode, conns, side)
    memory_mib: dict[str, float] = field(default_factory=dict)  # the marketplace server's, after the loads

    def rate(self, mode: str, connections: int, side: str) -> float:
        rates = sorted(run.rate for run in self.runs[(mode, connections, side)])
        return rates[len(rates) // 2]

    def ratio(self, mode: str, connections: int) -> float:
        return self.rate(mode, connections, "marketplace") / self.rate(mode, connections, "bare")

    def table(self) -> Table:
        table = Table(
            f"Reads against a bare Litestar app ({fmt(self.preloaded)} organisations, wrk, median req/s)",
            ["request", "connections", "marketplace", "p99 ms", "bare", "ratio", "verdict"],
        )
        for mode, connections, side in self.runs:
            if side != "marketplace":
                continue
            p99 = sorted(run.lat_p99_ms for run in self.runs[(mode, connections, side)])[-1]
            table.add(
                {"list": "GET /organisations?limit=20", "get": "GET /organisations/{id}"}[mode],
                connections,
                fmt(self.rate(mode, connections, "marketplace")),
                f"{p99:.1f}",
                fmt(self.rate(mode, connections, "bare")),
                f"{self.ratio(mode, connections):.2f}x",
                verdict(self.ratio(mode, connections) >= TARGET_RATIO),
            )
        if self.memory_mib:
            table.notes.append(
                f"the marketplace server's memory after the loads: {self.memory_mib['rss']:.0f} MiB resident, "
                f"{self.memory_mib['peak']:.0f} MiB at its peak"
            )
        for mode in ("list", "get"):
            scaling = self.rate(mode, 16, "marketplace") / self.rate(mode, 1, "marketplace")
            table.notes.append(f"{mode}: the marketplace at 16 connections is {scaling:.2f}x its rate at 1")
        return table

    def as_dict(self) -> dict[str, object]:
        return {
            "preloaded": self.preloaded,
            "rates": {f"{m} {c} {s}": self.rate(m, c, s) for m, c, s in self.runs},
            "ratios": {f"{m} {c}": self.ratio(m, c) for m, c, s in self.runs if s == "bare"},
            "memory_mib": self.memory_mib,
        }


def memory_of(pid: int) -> dict[str, float]:
    """A process's resident memory now and at its peak (Linux), in MiB."""
    found = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {"rss": int(found["VmRSS"].split()[0]) / 1024, "peak": int(found["VmHWM"].split()[0]) / 1024}


def run(preloaded: int = 1000, seconds: float = 5.0, rounds: int = 2, keep: bool = False) -> Result:
    if not wrk_available():
        raise RuntimeError("wrk is not installed (apt-get install -y wrk)")
    result = Result(preloaded)
    token = bearer_token()
    with temp_dir("reads", keep) as var_dir:
        preload(var_dir, preloaded)
        ours, bare = free_port(), free_port()
        bare_env = {"BENCH_DATABASE": str(Path(var_dir) / "marketplace.db")}
        with (
            running_server(serve_command(ours), var_dir, ours) as pid,
            running_server(bare_command(bare), var_dir, bare, extra_env=bare_env),
        ):
            for port in (ours, bare):  # warm-up: imports, caches, thread pools
                run_wrk(Load(port, "list", 1, 4, 1, 0, token, preloaded))
            for _ in range(rounds):
                for connections in (1, 16):
                    for mode in ("list", "get"):
                        for side, port in (("marketplace", ours), ("bare", bare)):
                            load = Load(port, mode, seconds, connections, 1, 0, token, preloaded)
                            result.runs.setdefault((mode, connections, side), []).append(run_wrk(load))
            result.memory_mib = memory_of(pid)
    return result
