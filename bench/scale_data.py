"""The data of `bench/scale.py`, one marketplace database built through the real commands in a process of its own,
and its HTTP load (wrk at 16 connections against `marketplace serve` on that database).

`build` registers `organisations` organisations (`bench.common.org_details`, with legal forms and postcode districts
spread wider and apart from the sizes), verifies one in ten and deactivates one in forty, publishes a tender and
has `bids` distinct active organisations bid on it, and takes `registrations` micro organisations through a care
listing: application, six pieces of evidence, their checks, approval (most), some left awaiting checks, some
suspended, some listed on insurance that expires within the renewal window. Every command goes through
`market.service(...)`, submitted from `threads` threads at once so that group commit writes them in batches (it is
what builds fastest: see `python -m bench scale` for the rates).
"""

from __future__ import annotations

import re
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bench.bids import offer, publish_tender
from bench.common import COUNCIL, OFFICER, market_settings, org_details, org_identifier
from bench.http_load import bearer_token, free_port, running_server, serve_command
from bench.load_generators import HOST
from domain.base import Actor, Role
from domain.care.micro_enterprise import CareService, EvidenceCheck, EvidenceItem, ListingApplication
from domain.care.micro_enterprise import registration_uuid as registration_of
from domain.organisations.organisation import OrganisationDetails
from domain.values import Address
from marketplace.care.services import Registrations
from marketplace.clock import FixedClock
from marketplace.commands import CommandRequest
from marketplace.organisations.services import Organisations
from marketplace.service import Marketplace
from marketplace.tendering.services import Bids

OFFICER_REQUEST = CommandRequest(OFFICER, correlation_id="bench-scale")
DISTRICTS = tuple(f"SY{n}" for n in range(1, 26)) + tuple(f"TF{n}" for n in range(1, 14))
_FORMS = ("company", "charitable-trust", "community-interest-company", "company-limited-by-guarantee", "partnership",
          "charitable-incorporated-organisation", "community-benefit-society", "sole-trader")  # fmt: skip
PARISHES = ("Clun", "Bishop's Castle", "Much Wenlock", "Cleobury Mortimer", "Ellesmere", "Wem", "Market Drayton",
            "Broseley", "Craven Arms", "Pontesbury", "Highley", "Baschurch")  # fmt: skip
COMMON_SERVICES = (CareService.PERSONAL_CARE, CareService.COMPANIONSHIP, CareService.DOMESTIC_HELP)
CARE_DISTRICTS = ("SY7", "SY9", "SY5")
COVER = Decimal("5000000")
VERIFY_EVERY, DEACTIVATE_EVERY = 10, 40


def started_at() -> datetime:
    """The build's clock: yesterday at 09:00 UTC, so a server on the system clock finds the tender open and the
    evidence in date (its chronograph then has nothing to record while it is measured)."""
    yesterday = datetime.now(UTC) - timedelta(days=1)
    return yesterday.replace(hour=9, minute=0, second=0, microsecond=0)


def district_of(n: int) -> str:
    return DISTRICTS[(n * 7 + n // 5) % len(DISTRICTS)]


def details(n: int) -> OrganisationDetails:
    """Sample organisation n: its size from n % 4 and VCSE from n % 3 (`org_details`), its legal form and its
    postcode district spread apart from them."""
    base = org_details(n)
    address: Address = base["address"]
    base["legal_form"] = _FORMS[(n // 4) % len(_FORMS)]
    base["address"] = Address(address.line1, address.town, f"{district_of(n)} {n % 9}AB")
    return OrganisationDetails(org_identifier(n), **base)


def deactivated(n: int) -> bool:
    return n % DEACTIVATE_EVERY == 7


def provider(n: int) -> CommandRequest:
    org = org_identifier(n)
    return CommandRequest(Actor(f"staff-of-{org}", org, Role.PROVIDER), correlation_id=f"bench-scale-{n}")


@dataclass
class Built:
    """What one database holds, and how long each part took to build (seconds)."""

    path: Path
    organisations: int
    verified: int = 0
    deactivated: int = 0
    bids: int = 0
    registrations: dict[str, int] = field(default_factory=dict)  # by what was done to them
    tender_id: str = ""
    bidder: str = ""  # one organisation that bid
    bids_after: int = 0  # the log's position before the first bid
    service: str = ""  # a care service, a district and a parish the directory is asked for
    district: str = ""
    parish: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    commands: dict[str, int] = field(default_factory=dict)

    def rate(self, part: str) -> float:
        return self.commands[part] / self.seconds[part] if self.seconds[part] else 0.0

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())

    @property
    def total_commands(self) -> int:
        return sum(self.commands.values())


def in_threads(work: Callable[[int], int], numbers: Sequence[int], threads: int) -> tuple[float, int]:
    """Run work(n) for every n, the numbers dealt out to `threads` threads; (seconds, commands it reports)."""
    began = time.perf_counter()

    def part(share: Sequence[int]) -> int:
        return sum(work(n) for n in share)

    with ThreadPoolExecutor(max(1, threads)) as pool:
        done = sum(pool.map(part, [numbers[i::threads] for i in range(threads)]))
    return time.perf_counter() - began, done


def evidence(today: datetime, insurance_days: int) -> list[EvidenceItem]:
    day = today.date()
    return [
        EvidenceItem("dbs-check", "Mo Evans", day - timedelta(days=400)),
        EvidenceItem("dbs-check", "Sam Price", day - timedelta(days=30)),
        EvidenceItem("public-liability-insurance", "Mutual", day, day + timedelta(days=insurance_days), COVER, "PL-1"),
        EvidenceItem("training-certificate", "Care Certificate", day, day + timedelta(days=700)),
        EvidenceItem("reference", "Dr A Jones", day),
        EvidenceItem("reference", "Parish clerk", day),
    ]


def application(k: int, n: int) -> ListingApplication:
    """Registration k's terms: one of three common services, districts and parishes first (each in about a third
    of the registrations, so that the directory's filters fill a page on the small side too), then a second one."""
    services = list(CareService)
    return ListingApplication(
        organisation=org_identifier(n),
        services=[COMMON_SERVICES[(k // 3) % 3], services[(k * 3 + 1) % len(services)]],
        districts=[CARE_DISTRICTS[k % 3], DISTRICTS[(k * 5 + 2) % len(DISTRICTS)]][: 1 + k % 2],
        parishes=[PARISHES[(k // 9) % 3], PARISHES[3 + k % (len(PARISHES) - 3)]],
        weekly_capacity_hours=10 + k % 60,
        hourly_rate=Decimal(f"{18 + k % 9}.50"),
        workers=2,
        cqc_regulated=False,
    )


def what_happens(k: int) -> str:
    """One in ten awaits checks, one in twenty is suspended, one in twenty is listed on insurance about to expire;
    the rest are listed."""
    return {0: "awaiting checks", 5: "suspended", 7: "expiring"}.get(k % 20 if k % 10 else 0, "listed")


def register_care(market: Marketplace, k: int, n: int) -> str:
    """Registration k, of organisation n, as far as `what_happens(k)`; the commands it took are counted."""
    care, fate = market.service(Registrations), what_happens(k)
    care.apply_for_listing(provider(n), application(k, n))
    reg = registration_of(org_identifier(n))
    for item in evidence(market.clock.now(), 20 if fate == "expiring" else 365):
        care.add_evidence(provider(n), reg, item)
    if fate != "awaiting checks":
        for seq in range(1, 7):
            care.record_check(OFFICER_REQUEST, reg, EvidenceCheck(f"E{seq}", True, "Seen the original"))
        care.approve(OFFICER_REQUEST, reg, "All checks passed")
    if fate == "suspended":
        care.suspend(OFFICER_REQUEST, reg, "Safeguarding concern under review")
    return fate


def commands_of(fate: str) -> int:
    return 7 + {"awaiting checks": 0, "suspended": 8}.get(fate, 7)


def build(path: Path, organisations: int, bids: int, registrations: int, threads: int = 64) -> Built:
    """The database at `path` (a var dir's marketplace.db), built from nothing; see the module's docstring."""
    market = Marketplace(market_settings(path.parent, path.name), FixedClock(started_at()))
    built = Built(path, organisations)
    orgs = market.service(Organisations)
    try:
        council = org_details(0) | {"name": "Shropshire Council", "legal_form": "local-authority", "size": "large"}
        orgs.register(OFFICER_REQUEST, OrganisationDetails(COUNCIL, **(council | {"vcse": False})))
        numbers = range(1, organisations + 1)

        def register(n: int) -> int:
            orgs.register(OFFICER_REQUEST, details(n))
            return 1

        def verify(n: int) -> int:
            orgs.verify(OFFICER_REQUEST, org_identifier(n), "Companies House record and references checked")
            return 1

        def deactivate(n: int) -> int:
            orgs.deactivate(OFFICER_REQUEST, org_identifier(n), "Dissolved at Companies House")
            return 1

        to_verify = [n for n in numbers if n % VERIFY_EVERY == 3]
        to_deactivate = [n for n in numbers if deactivated(n)]
        for part, work, which in (
            ("register organisations", register, numbers),
            ("verify", verify, to_verify),
            ("deactivate", deactivate, to_deactivate),
        ):
            built.seconds[part], built.commands[part] = in_threads(work, which, threads)
        built.verified, built.deactivated = len(to_verify), len(to_deactivate)

        began = time.perf_counter()
        tender = publish_tender(market)
        built.tender_id, built.bids_after = str(tender), market.app.recorder.max_notification_id() or 0
        submit = market.service(Bids).submit
        bidders = [n for n in numbers if not deactivated(n)][:bids]

        def bid(n: int) -> int:
            submit(provider(n), tender, offer(n))
            return 1

        _, built.commands["tender and bids"] = in_threads(bid, bidders, threads)
        built.seconds["tender and bids"] = time.perf_counter() - began
        built.commands["tender and bids"] += 3
        built.bids, built.bidder = len(bidders), org_identifier(bidders[len(bidders) // 2])

        micro = range(4, organisations + 1, 4)  # org_details: n % 4 == 0 is micro (never one deactivated)
        wanted = min(registrations, len(micro))
        chosen = [micro[k * len(micro) // wanted] for k in range(wanted)]

        def care(k: int) -> int:
            return commands_of(register_care(market, k, chosen[k]))

        part = "care registrations"
        built.seconds[part], built.commands[part] = in_threads(care, range(len(chosen)), min(threads, 16))
        built.registrations = dict(sorted(Counter(what_happens(k) for k in range(len(chosen))).items()))
        built.service, built.district, built.parish = str(COMMON_SERVICES[0]), CARE_DISTRICTS[0], PARISHES[0]
    finally:
        market.close()
    return built


@dataclass
class HttpLoad:
    path: str
    connections: int
    seconds: float
    requests: int
    not_2xx: int
    socket_errors: int
    rate: float
    p50_ms: float
    p99_ms: float


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if found is None:
        raise ValueError(f"not a wrk time: {text!r}")
    return float(found.group(1)) * _UNITS[found.group(2)]


def wrk(port: int, path: str, token: str, seconds: float, connections: int) -> HttpLoad:
    """One wrk run of GET path (with its --latency distribution), on 127.0.0.1 only."""
    headers = ["-H", f"Authorization: Bearer {token}", "-H", "Accept: application/json"]
    timing = [f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s", "--latency"]
    command = ["wrk", "-t1", *timing, *headers, f"http://{HOST}:{port}{path}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    out = done.stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.MULTILINE))
    requests = re.search(r"(\d+) requests in ([\d.]+\w+)", out)
    if done.returncode != 0 or requests is None or len(latency) < 2:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{out}\n{done.stderr}")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    not_2xx = int(bad.group(1)) if bad else 0
    duration = _ms(requests.group(2)) / 1000
    return HttpLoad(
        path,
        connections,
        duration,
        int(requests.group(1)),
        not_2xx,
        sum(int(x) for x in errors.groups()) if errors else 0,
        (int(requests.group(1)) - not_2xx) / duration,
        _ms(latency["50"]),
        _ms(latency["99"]),
    )


def http_loads(var_dir: Path, paths: list[str], seconds: float, connections: int) -> list[HttpLoad]:
    """`marketplace serve` on the database in var_dir, a warm-up, then one wrk run of each path."""
    token, port = bearer_token(), free_port()
    with running_server(serve_command(port), var_dir, port):
        for path in paths:
            wrk(port, path, token, 1, connections)
        return [wrk(port, path, token, seconds, connections) for path in paths]
