"""A new aggregate is wired by its declaration alone: stored, audited, its history served, folded by its view,
its decisions in the decision log, its clock run by the tick.

The toy here (a kettle: filled with water, boiled with a reason) is written the way a new capability would be:
an aggregate with its events and a value object, a batch view, a service and one `Declaration`; nothing else in
the platform is edited. `Marketplace(..., declarations=...)` is given it beside the platform's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import pytest
from litestar.testing import TestClient
from sqlalchemy import Column, Integer, String, Table, select

from api.app import create_app
from domain.base import Actor, Context, MarketplaceAggregate, Role
from domain.rules import DomainError, Refusal
from marketplace.access import OFFICERS, Permit
from marketplace.capability import Deadline, Declaration, Wiring, declared
from marketplace.clock import FixedClock
from marketplace.commands import CommandRequest
from marketplace.outcome import Outcome
from marketplace.scheduler import tick
from marketplace.service import Marketplace
from marketplace.settings import Settings
from projections.aggregate_rows import first_row, own_row, taken, versioned
from projections.batch import BatchProjection, Folds
from projections.decisions import decision_log
from projections.engine import metadata
from tests.conftest import bearer

OFFICER = CommandRequest(Actor("olu", "GB-LAE-SHR", Role.ADMIN))
PROVIDER = CommandRequest(Actor("pat", "GB-CHC-1234567", Role.PROVIDER))


@dataclass(frozen=True)
class Water:
    """A value object the kettle's events hold: stored only if the declaration names it."""

    litres: int
    source: str


class Kettle(MarketplaceAggregate):
    water: Water
    boiled: bool = False

    class Filled(MarketplaceAggregate.Created):
        water: Water

    @classmethod
    def fill(cls, ctx: Context, water: Water) -> Kettle:
        return cls._create(cls.Filled, id=uuid4(), **ctx.stamp(), water=water)

    class Boiled(MarketplaceAggregate.Decision):
        def apply(self, kettle: Kettle) -> None:
            kettle.boiled = True

    def boil(self, ctx: Context, reason: str) -> None:
        self.decide(self.Boiled, ctx, reason)


kettles = Table(
    "toy_kettles",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("litres", Integer, nullable=False),
    Column("source", String(40), nullable=False),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("events_folded", Integer, nullable=False),
)


class KettleBoard(BatchProjection):
    name = "toy_kettles"
    tables = (kettles,)
    own_rows = kettles
    follows = (Kettle,)
    folds: Folds = {
        Kettle.Filled: first_row(
            kettles,
            lambda e: {
                "id": str(e.originator_id),
                **taken(e.water, "litres", "source"),
                "status": "cold",
                "events_folded": 0,
            },
            versioned,
        ),
        Kettle.Boiled: own_row(kettles, lambda row, e: {"status": "boiled"}, versioned),
    }


BOIL = Permit("boil a kettle", OFFICERS)


class Kettles:
    def __init__(self, wiring: Wiring) -> None:
        self.commands = wiring.commands

    def fill(self, request: CommandRequest, water: Water) -> Outcome:
        return self.commands.create(request, lambda ctx: Kettle.fill(ctx, water))

    def boil(self, request: CommandRequest, kettle_id: UUID, reason: str) -> Outcome:
        BOIL.check(request.actor)
        return self.commands.change(request, Kettle, kettle_id, lambda kettle, ctx: kettle.boil(ctx, reason))


TICKS: list[int] = []


def count_ticks(_: Marketplace) -> int:
    TICKS.append(1)
    return 0


KETTLE = Declaration(
    "kettle",
    Kettle,
    values=(Water,),
    views=(KettleBoard,),
    service=Kettles,
    deadlines=(Deadline("kettles checked", count_ticks),),
)


@pytest.fixture
def kettle_market(settings: Settings, clock: FixedClock) -> Iterator[Marketplace]:
    market = Marketplace(settings, clock, declarations=(*declared(), KETTLE))
    yield market
    market.close()


def boiled_kettle(market: Marketplace) -> UUID:
    kettle_id = UUID(market.service(Kettles).fill(OFFICER, Water(2, "the tap")).aggregate_id)
    market.service(Kettles).boil(OFFICER, kettle_id, "Tea for the evaluation panel")
    return kettle_id


def test_its_events_are_stored_and_read_back_with_their_value_objects(kettle_market: Marketplace) -> None:
    kettle_id = boiled_kettle(kettle_market)
    settings = kettle_market.settings
    kettle_market.close()
    again = Marketplace(settings, declarations=(*declared(), KETTLE))  # a fresh process reads it from the store
    try:
        kettle = again.commands.load(Kettle, kettle_id)
        assert kettle.water == Water(2, "the tap")
        assert kettle.boiled
    finally:
        again.close()


def test_its_view_folds_it(kettle_market: Marketplace) -> None:
    kettle_id = boiled_kettle(kettle_market)
    with kettle_market.views() as session:
        row = session.execute(select(kettles).where(kettles.c.id == str(kettle_id))).mappings().one()
    assert (row["litres"], row["source"], row["status"], row["version"], row["events_folded"]) == (
        2,
        "the tap",
        "boiled",
        2,
        2,
    )


def test_its_decisions_are_in_the_decision_log(kettle_market: Marketplace) -> None:
    kettle_id = boiled_kettle(kettle_market)
    with kettle_market.views() as session:
        row = session.execute(select(decision_log).where(decision_log.c.record_id == str(kettle_id))).mappings().one()
    assert (row["record_kind"], row["decision"], row["summary"]) == ("kettle", "kettle.boiled", "boiled")
    assert row["reason"] == "Tea for the evaluation panel"


def test_its_permit_holds_without_the_api(kettle_market: Marketplace) -> None:
    kettle_id = UUID(kettle_market.service(Kettles).fill(OFFICER, Water(1, "a jug")).aggregate_id)
    with pytest.raises(DomainError, match="boil a kettle") as refused:
        kettle_market.service(Kettles).boil(PROVIDER, kettle_id, "Mine")
    assert refused.value.kind is Refusal.FORBIDDEN


def test_the_clock_runs_its_deadlines(kettle_market: Marketplace) -> None:
    before = len(TICKS)
    assert tick(kettle_market)["kettles checked"] == 0
    assert len(TICKS) == before + 1


def test_the_audit_feed_and_its_history_route_serve_it(kettle_market: Marketplace) -> None:
    kettle_id = boiled_kettle(kettle_market)
    with TestClient(app=create_app(kettle_market)) as client:
        auditor = bearer(Role.AUDITOR)
        history = client.get(f"/audit/kettle/{kettle_id}/history", headers=auditor)
        assert history.status_code == 200, history.text
        events: list[dict[str, Any]] = history.json()
        assert [e["event_type"] for e in events] == ["Kettle.Filled", "Kettle.Boiled"]
        assert events[0]["data"]["water"] == {"litres": 2, "source": "the tap"}
        assert events[1]["reason"] == "Tea for the evaluation panel"
        feed = client.get("/audit/events", headers=auditor).json()["events"]
        assert {e["aggregate_kind"] for e in feed if e["aggregate_id"] == str(kettle_id)} == {"Kettle"}
        assert client.get(f"/audit/kettle/{uuid4()}/history", headers=auditor).status_code == 404


def test_without_its_declaration_nothing_knows_it(market: Marketplace) -> None:
    """The declaration is what wires it: the same platform without it has no kettle kind, view or service."""
    assert market.declaration("kettle") is None
    assert "toy_kettles" not in {p.name for p in market.projector.projections}
    with pytest.raises(LookupError):
        market.service(Kettles)
