"""What every benchmark shares: sample data, temp databases, tables, machine facts."""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from domain.base import Actor, Role
from domain.values import Address, Contact
from marketplace.settings import Settings

COUNCIL = "GB-LAE-SHR"
OFFICER = Actor("bench-commissioner", COUNCIL, Role.COMMISSIONER)
SECRET = "bench-secret-" + "b" * 40
FACTORY = "marketplace.persistence:MarketplaceFactory"

_TOWNS = (
    ("Ludlow", "SY8 1BB"),
    ("Shrewsbury", "SY3 8HQ"),
    ("Oswestry", "SY11 2SP"),
    ("Whitchurch", "SY13 1AA"),
    ("Church Stretton", "SY6 6BW"),
)
_SIZES = ("micro", "small", "medium", "large")
_FORMS = ("company", "charitable-trust", "community-interest-company", "company-limited-by-guarantee")


def org_identifier(n: int) -> str:
    """A unique, valid Companies House identifier (GB-COH- and eight digits)."""
    return f"GB-COH-{n:08d}"


def org_details(n: int) -> dict[str, Any]:
    """The registration details of sample organisation n (domain value objects)."""
    town, postcode = _TOWNS[n % len(_TOWNS)]
    return {
        "name": f"Bench Organisation {n}",
        "legal_form": _FORMS[n % len(_FORMS)],
        "size": _SIZES[n % len(_SIZES)],
        "vcse": n % 3 == 0,
        "address": Address(f"{n % 200 + 1} High Street", town, postcode),
        "contact": Contact("Ann Example", "ann@example.org", "01743 000000"),
    }


def plain_details(n: int) -> dict[str, Any]:
    """The same details as plain JSON values (for the bare library and the HTTP body)."""
    details = org_details(n)
    address: Address = details["address"]
    contact: Contact = details["contact"]
    details["address"] = {"line1": address.line1, "town": address.town, "postcode": address.postcode}
    details["contact"] = {"name": contact.name, "email": contact.email, "phone": contact.phone}
    return details


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def market_settings(directory: Path, name: str = "marketplace.db", mode: str = "inline") -> Settings:
    return Settings(
        database_url=sqlite_url(directory / name), jwt_secret=SECRET, projection_mode=mode, var_dir=directory
    )


@contextmanager
def temp_dir(prefix: str, keep: bool = False) -> Iterator[Path]:
    """A fresh directory for a benchmark's databases; removed afterwards unless kept."""
    if keep:
        path = Path(tempfile.mkdtemp(prefix=f"bench-{prefix}-"))
        print(f"_keeping {path}_", flush=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix=f"bench-{prefix}-") as name:
        yield Path(name)


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def fmt(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


@dataclass
class Table:
    """A markdown table, printed as it is."""

    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append([str(cell) for cell in cells])

    def markdown(self) -> str:
        lines = [f"### {self.title}", "", "| " + " | ".join(self.headers) + " |"]
        lines.append("| " + " | ".join("---" for _ in self.headers) + " |")
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        if self.notes:
            lines.append("")
            lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"

    def show(self) -> None:
        print(self.markdown(), flush=True)


def cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def machine_table() -> Table:
    table = Table("Machine", ["what", "value"])
    table.add("nproc", cpus())
    table.add("python", f"{platform.python_implementation()} {sys.version.split()[0]}")
    table.add("platform", platform.platform())
    table.add("sqlite", sqlite3.sqlite_version)
    for package in ("eventsourcing", "eventsourcing-sqlalchemy", "SQLAlchemy", "litestar", "msgspec", "uvicorn"):
        try:
            table.add(package, metadata.version(package))
        except metadata.PackageNotFoundError:
            table.add(package, "not installed")
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    table.add("load average (1, 5, 15 min) at start", ", ".join(f"{x:.2f}" for x in load))
    return table


def verdict(met: bool) -> str:
    return "met" if met else "**missed**"


@dataclass
class SideBySide:
    """Timings of the same operations on a small side and a large one, interleaved in one run: the large side's
    median over the small side's is each operation's ratio, and every ratio must be within `target`."""

    timings: dict[str, dict[str, list[float]]]  # operation: {"small": [...], "large": [...]} in seconds
    target: float

    def median(self, what: str, side: str) -> float:
        return statistics.median(self.timings[what][side])

    def ratio(self, what: str) -> float:
        return self.median(what, "large") / self.median(what, "small")

    @property
    def met(self) -> bool:
        return all(self.ratio(what) <= self.target for what in self.timings)

    def rows(self, table: Table, digits: int = 2) -> None:
        """One row per operation: both medians in ms, the ratio, the verdict."""
        for what in self.timings:
            small, large = self.median(what, "small") * 1000, self.median(what, "large") * 1000
            ratio = self.ratio(what)
            table.add(
                what, f"{small:.{digits}f}", f"{large:.{digits}f}", f"{ratio:.2f}x", verdict(ratio <= self.target)
            )

    def ratios(self) -> dict[str, float]:
        return {what: self.ratio(what) for what in self.timings}
