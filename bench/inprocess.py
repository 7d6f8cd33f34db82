"""Benchmark 1: in-process register-organisation throughput against the bare eventsourcing library.

Both sides write to a fresh SQLite file through our persistence factory (WAL,
synchronous=FULL), one command per transaction. The rounds alternate which side
goes first, and the ratio is taken per round, so a noisy neighbour hurts both sides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

from bench.common import (
    FACTORY,
    OFFICER,
    Stopwatch,
    Table,
    fmt,
    market_settings,
    median,
    org_details,
    org_identifier,
    plain_details,
    sqlite_url,
    temp_dir,
)
from domain.organisations.organisation import OrganisationDetails
from marketplace.commands import CommandRequest
from marketplace.organisations.services import Organisations
from marketplace.service import Marketplace


class BareOrganisation(Aggregate):
    """The same registration, as a plain library aggregate: no rules, no views, no checks."""

    def __init__(  # noqa: PLR0913, PLR0917 - the library's own style: an aggregate's fields are its arguments
        self,
        identifier: str,
        name: str,
        legal_form: str,
        size: str,
        vcse: bool,
        address: dict[str, Any],
        contact: dict[str, Any],
    ) -> None:
        self.identifier = identifier
        self.name = name
        self.legal_form = legal_form
        self.size = size
        self.vcse = vcse
        self.address = address
        self.contact = contact


def bare_application(path: Path) -> Application[Any]:
    return Application(env={"PERSISTENCE_MODULE": FACTORY, "SQLALCHEMY_URL": sqlite_url(path), "CREATE_TABLE": "y"})


def bare_rate(directory: Path, count: int, warmup: int = 50) -> float:
    """Commands/s of the bare library: create an Aggregate and save it, once per command."""
    app = bare_application(directory / "bare.db")
    try:
        for n in range(warmup):
            app.save(BareOrganisation(org_identifier(90_000_000 + n), **plain_details(n)))
        clock = Stopwatch()
        for n in range(count):
            app.save(BareOrganisation(org_identifier(n), **plain_details(n)))
        return count / clock.elapsed
    finally:
        app.close()


def register_samples(market: Marketplace, request: CommandRequest, numbers: range, offset: int = 0) -> None:
    """Register sample organisation n as identifier `offset + n`, one command per transaction, as the API would."""
    register = market.service(Organisations).register
    for n in numbers:
        register(request, OrganisationDetails(org_identifier(offset + n), **org_details(n)))


def market_rate(directory: Path, count: int, warmup: int = 50) -> float:
    """Commands/s of `market.service(Organisations).register` (checks, event, inline view, one transaction)."""
    market = Marketplace(market_settings(directory))
    request = CommandRequest(OFFICER, correlation_id="bench")
    try:
        register_samples(market, request, range(warmup), offset=90_000_000)
        clock = Stopwatch()
        register_samples(market, request, range(count))
        return count / clock.elapsed
    finally:
        market.close()


@dataclass
class InProcessResult:
    count: int
    bare: list[float] = field(default_factory=list)
    market: list[float] = field(default_factory=list)

    @property
    def ratios(self) -> list[float]:
        return [m / b for m, b in zip(self.market, self.bare, strict=True)]

    @property
    def bare_median(self) -> float:
        return median(self.bare)

    @property
    def market_median(self) -> float:
        return median(self.market)

    @property
    def ratio_median(self) -> float:
        return median(self.ratios)

    def table(
        self, title: str = "1. In-process register-organisation throughput (SQLite file, WAL, synchronous=FULL)"
    ) -> Table:
        table = Table(title, ["round", "bare library (commands/s)", "Marketplace.register (commands/s)", "ratio"])
        for index, (bare, market, ratio) in enumerate(zip(self.bare, self.market, self.ratios, strict=True), 1):
            table.add(index, fmt(bare), fmt(market), f"{ratio:.2f}x")
        table.add(
            "**median**",
            f"**{fmt(self.bare_median)}**",
            f"**{fmt(self.market_median)}**",
            f"**{self.ratio_median:.2f}x**",
        )
        table.notes.append(
            f"{self.count} commands per side per round, each on a fresh database file; 50 untimed warm-up commands"
        )
        return table

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "bare": self.bare, "market": self.market, "ratio_median": self.ratio_median}


def run(count: int = 1000, rounds: int = 3, keep: bool = False) -> InProcessResult:
    result = InProcessResult(count)
    with temp_dir("inprocess", keep) as root:
        for index in range(rounds):
            directory = root / f"round{index}"
            directory.mkdir()
            if index % 2 == 0:
                result.bare.append(bare_rate(directory, count))
                result.market.append(market_rate(directory, count))
            else:
                result.market.append(market_rate(directory, count))
                result.bare.append(bare_rate(directory, count))
    return result


def bare_reference(count: int, rounds: int = 1, keep: bool = False) -> list[float]:
    """Only the bare library's rate: the yardstick other benchmarks compare against."""
    rates = []
    with temp_dir("bare", keep) as root:
        for index in range(rounds):
            directory = root / f"round{index}"
            directory.mkdir()
            rates.append(bare_rate(directory, count))
    return rates
