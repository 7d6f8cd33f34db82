"""The two load generators of the HTTP benchmark, wrk and a python fallback, and what a load run counts.

Both count a response only when it has the expected status (201 for POST, 200 for GET), under the names
the wrk script prints (`lua/marketplace.lua`), so one function turns either tally into a `LoadResult`.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from bench.common import org_identifier

HOST = "127.0.0.1"  # the only address any load run here targets
LUA = Path(__file__).with_name("lua") / "marketplace.lua"


@dataclass
class LoadResult:
    name: str
    tool: str
    connections: int
    duration_s: float
    requests: int
    ok: int
    s4xx: int = 0
    s5xx: int = 0
    other_status: int = 0
    last_bad: int = 0
    socket_errors: int = 0
    lat_p50_ms: float = 0.0
    lat_p99_ms: float = 0.0

    @property
    def rate(self) -> float:
        return self.ok / self.duration_s if self.duration_s else 0.0

    @property
    def not_ok(self) -> int:
        return self.s4xx + self.s5xx + self.other_status


def counted(  # noqa: PLR0913, PLR0917 - a load run's whole outcome
    mode: str, tool: str, connections: int, duration_s: float, counts: dict[str, int], latency_ms: tuple[float, float]
) -> LoadResult:
    """Both load generators count under the wrk script's names (its BENCH_JSON line): one place reads them."""
    return LoadResult(
        name=mode,
        tool=tool,
        connections=connections,
        duration_s=duration_s,
        requests=counts["requests"],
        ok=counts["ok"],
        s4xx=counts["s4xx"],
        s5xx=counts["s5xx"],
        other_status=counts["other_status"],
        last_bad=counts["last_bad"],
        socket_errors=counts["socket_errors"],
        lat_p50_ms=latency_ms[0],
        lat_p99_ms=latency_ms[1],
    )


def wrk_available() -> str | None:
    return shutil.which("wrk")


class Load(NamedTuple):
    """One load run: which server, which requests (`mode`), for how long, over how many connections; `base`
    numbers the organisations a POST run registers, `registered` how many a GET run may ask for."""

    port: int
    mode: str
    seconds: float
    connections: int
    threads: int
    base: int
    token: str
    registered: int


def run_wrk(load: Load) -> LoadResult:
    port, mode, seconds, connections, threads, base, token, count = load
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        f"http://{HOST}:{port}",
        "--",
        mode,
        str(base),
        token,
        str(count),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    errors = data["err_connect"] + data["err_read"] + data["err_write"] + data["err_timeout"]
    latency_ms = (data["lat_p50_us"] / 1000, data["lat_p99_us"] / 1000)
    return counted(
        mode, f"wrk -t{threads}", connections, data["duration_us"] / 1e6, data | {"socket_errors": errors}, latency_ms
    )


def run_python(load: Load) -> LoadResult:
    """The fallback load generator (httpx, asyncio): far heavier on the CPU than wrk, so it under-reports."""
    import random

    port, mode, seconds, connections, _, base, token, count = load

    import httpx

    expected = 201 if mode == "post" else 200
    headers = {"Accept": "application/json"}
    if token != "-":
        headers["Authorization"] = f"Bearer {token}"
    tally: dict[str, int] = {"ok": 0, "s4xx": 0, "s5xx": 0, "other_status": 0, "socket_errors": 0, "last_bad": 0}
    latencies: list[float] = []

    async def worker(client: httpx.AsyncClient, index: int, deadline: float) -> None:
        serial = 0
        chooser = random.Random(index)
        while time.monotonic() < deadline:
            serial += 1
            started = time.perf_counter()
            try:
                if mode == "post":
                    n = base + index * 1_000_000 + serial
                    body: dict[str, Any] = {
                        "identifier": org_identifier(n),
                        "name": f"Bench Organisation {n}",
                        "legal_form": "company",
                        "size": "small",
                        "vcse": False,
                        "address": {"line1": "1 High Street", "town": "Ludlow", "postcode": "SY8 1BB"},
                        "contact": {"name": "Ann Example", "email": "ann@example.org"},
                    }
                    answer = await client.post("/organisations", json=body)
                elif mode == "get":
                    answer = await client.get(f"/organisations/{org_identifier(chooser.randint(1, count))}")
                else:
                    answer = await client.get("/organisations", params={"limit": 20})
            except httpx.HTTPError:
                tally["socket_errors"] += 1
                continue
            latencies.append(time.perf_counter() - started)
            status = answer.status_code
            key = (
                "ok"
                if status == expected
                else "s4xx"
                if 400 <= status < 500
                else "s5xx"
                if status >= 500
                else "other_status"
            )
            tally[key] += 1
            if key != "ok":
                tally["last_bad"] = status

    async def main() -> float:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(
            base_url=f"http://{HOST}:{port}", headers=headers, limits=limits, timeout=10
        ) as client:
            started = time.monotonic()
            deadline = started + seconds
            await asyncio.gather(*(worker(client, i, deadline) for i in range(connections)))
            return time.monotonic() - started

    elapsed = asyncio.run(main())
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0

    requests = tally["ok"] + tally["s4xx"] + tally["s5xx"] + tally["other_status"]
    return counted(
        mode, "python httpx (fallback)", connections, elapsed, tally | {"requests": requests}, (pct(0.5), pct(0.99))
    )
