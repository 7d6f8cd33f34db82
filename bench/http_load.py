"""Benchmark 2: HTTP throughput over loopback, with wrk against `marketplace serve`.

The server runs as a subprocess (uvicorn, one worker, SQLite file in a temp
MARKETPLACE_VAR_DIR) on 127.0.0.1 and a free port. Every load run is bounded in
time and connections, and targets 127.0.0.1 only. A request counts only when it
got the expected status (201 for POST, 200 for GET); everything else is reported.
The yardstick, the bare library's in-process rate, is measured in the same run,
before the server starts and after it stops.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, astuple, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import inprocess
from bench.common import OFFICER, SECRET, Table, fmt, market_settings, median, temp_dir
from bench.load_generators import HOST, Load, LoadResult, run_python, run_wrk, wrk_available
from marketplace.commands import CommandRequest
from marketplace.service import Marketplace
from marketplace.tokens import issue_token

PROJECT_ROOT = Path(__file__).resolve().parent.parent
POST_BASE = 10_000_000  # POSTed identifiers start here; preloaded ones are 1..preload


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def serve_command(port: int) -> list[str]:
    script = Path(sys.executable).with_name("marketplace")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "marketplace.cli"]
    return [*head, "serve", "--host", HOST, "--port", str(port), "--workers", "1", "--log-level", "warning"]


def server_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKETPLACE_")}
    # the server imports the same checkout as this benchmark, whatever the venv's editable install points at
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH", "")]))
    env.update(
        MARKETPLACE_VAR_DIR=str(var_dir),
        MARKETPLACE_JWT_SECRET=SECRET,
        MARKETPLACE_PROJECTION_MODE="inline",
        MARKETPLACE_WRITE_RATE="0",  # the load is one token writing flat out: measure the service, not the limit
    )
    return env


@contextmanager
def running_server(
    command: Sequence[str],
    var_dir: Path,
    port: int,
    startup_timeout: float = 60.0,
    extra_env: dict[str, str] | None = None,
) -> Iterator[int]:
    """Start the server, wait until /health answers, and always stop it (by its own pid) afterwards."""
    log_path = var_dir / f"server-{port}.log"
    with log_path.open("wb") as log:
        env = server_env(var_dir) | (extra_env or {})
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}/health", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not answer /health in {startup_timeout}s")
            time.sleep(0.1)
        yield process.pid
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown (runs on_shutdown)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def preload(var_dir: Path, count: int) -> None:
    """Register organisations GB-COH-00000001..count for the read benchmarks, before the server starts."""
    market = Marketplace(market_settings(var_dir))
    try:
        inprocess.register_samples(market, CommandRequest(OFFICER, correlation_id="bench-preload"), range(1, count + 1))
    finally:
        market.close()


def bearer_token() -> str:
    return issue_token(SECRET, OFFICER, timedelta(hours=2))


@dataclass
class HttpResult:
    bare: list[float] = field(default_factory=list)
    market_inprocess: float = 0.0
    loads: list[LoadResult] = field(default_factory=list)
    tool_note: str = ""

    @property
    def bare_median(self) -> float:
        return median(self.bare)

    def load(self, name: str) -> LoadResult | None:
        return next((x for x in self.loads if x.name == name), None)

    @property
    def post_ratio(self) -> float:
        post = self.load("post")
        return post.rate / self.bare_median if post and self.bare_median else 0.0

    def table(self) -> Table:
        table = Table(
            "2. HTTP throughput over loopback (marketplace serve: uvicorn, 1 worker, SQLite file)",
            [
                "load",
                "tool",
                "conns",
                "secs",
                "requests",
                "expected status",
                "non-expected",
                "socket errors",
                "rate (expected/s)",
                "p50 ms",
                "p99 ms",
                "vs bare in-process",
            ],
        )
        labels = {
            "post": "POST /organisations (201)",
            "list": "GET /organisations?limit=20 (200)",
            "get": "GET /organisations/{id} (200)",
        }
        for x in self.loads:
            bad = f"{x.not_ok} (last {x.last_bad})" if x.not_ok else "0"
            table.add(
                labels.get(x.name, x.name),
                x.tool,
                x.connections,
                f"{x.duration_s:.1f}",
                fmt(x.requests),
                fmt(x.ok),
                bad,
                x.socket_errors,
                fmt(x.rate),
                f"{x.lat_p50_ms:.1f}",
                f"{x.lat_p99_ms:.1f}",
                f"{x.rate / self.bare_median:.2f}x" if self.bare_median else "-",
            )
        bare = ", ".join(fmt(x) for x in self.bare)
        table.notes.append(
            f"bare library in-process, same run (before, after): {bare} commands/s; median {fmt(self.bare_median)}"
        )
        if self.market_inprocess:
            post = self.load("post")
            share = f"; HTTP POST is {post.rate / self.market_inprocess:.2f}x of it" if post else ""
            table.notes.append(
                f"Marketplace.register in-process, same run: {fmt(self.market_inprocess)} commands/s{share}"
            )
        if self.tool_note:
            table.notes.append(self.tool_note)
        return table

    def as_dict(self) -> dict[str, Any]:
        return {
            "bare": self.bare,
            "market_inprocess": self.market_inprocess,
            "loads": [asdict(x) for x in self.loads],
            "post_ratio": self.post_ratio,
        }


@dataclass(frozen=True)
class HttpOptions:
    """How the HTTP benchmark runs (`python -m bench http --help` says what each is)."""

    seconds: float = 10.0
    connections: int = 16
    threads: int = 1
    preload_count: int = 500
    bare_count: int = 1000
    tool: str = "auto"
    keep: bool = False
    server_command: Sequence[str] | None = None
    modes: Sequence[str] = ("post", "list", "get")


def run(options: HttpOptions) -> HttpResult:
    """Bare yardstick, then the server under POST, list and get load, then the yardstick again."""
    seconds, connections, threads, preload_count, bare_count, tool, keep, server_command, modes = astuple(options)
    use_wrk = tool == "wrk" or (tool == "auto" and wrk_available() is not None)
    if tool == "wrk" and not wrk_available():
        raise RuntimeError("wrk is not installed (apt-get install -y wrk)")
    result = HttpResult()
    if not use_wrk:
        result.tool_note = "wrk not found: the python httpx fallback load generator was used (it under-reports)"
    result.bare.append(inprocess.bare_reference(bare_count, keep=keep)[0])
    with temp_dir("http-inprocess", keep) as directory:
        result.market_inprocess = inprocess.market_rate(directory, bare_count)
    token = bearer_token()
    with temp_dir("http", keep) as var_dir:
        preload(var_dir, preload_count)
        port = free_port()
        command = list(server_command) if server_command else serve_command(port)
        command = [part.replace("{port}", str(port)) for part in command]
        with running_server(command, var_dir, port):

            def load(mode: str, secs: float, base: int) -> LoadResult:
                plan = Load(port, mode, secs, connections, threads, base, token, preload_count)
                return run_wrk(plan) if use_wrk else run_python(plan)

            load("post", 2, POST_BASE + 50_000_000)  # warm-up: imports, caches, thread pool
            load("list", 1, 0)
            base = POST_BASE
            for mode in modes:
                result.loads.append(load(mode, seconds, base))
                base += 10_000_000
    result.bare.append(inprocess.bare_reference(bare_count, keep=keep)[0])
    return result
