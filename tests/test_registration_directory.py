"""The public directory over random histories: it shows exactly the listings that stand in date by the clock.

Whatever happened (applications, evidence, checks, approvals, rejections, resubmissions, suspensions,
reinstatements, withdrawals, renewals, time passing, the chronograph running or not), the directory never
shows a suspended, lapsed, withdrawn or unapproved registration, and shows every listing that is in date.
Its views are folds of the log: rebuilt, they come out identical.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from api.app import create_app
from domain.base import Actor, Role
from domain.care.micro_enterprise import (
    IN_DIRECTORY,
    Corrections,
    EvidenceCheck,
    EvidenceItem,
    ListingApplication,
    registration_uuid,
)
from domain.care.registration import Registration
from domain.organisations.organisation import OrganisationDetails
from domain.rules import DomainError
from domain.values import Address, Contact
from marketplace.care.services import Registrations
from marketplace.clock import FixedClock
from marketplace.commands import CommandRequest
from marketplace.organisations.services import Organisations
from marketplace.scheduler import tick
from marketplace.service import Marketplace
from marketplace.settings import Settings
from tests.conftest import SECRET

ORGANISATIONS = ["GB-COH-10000001", "GB-COH-10000002", "GB-COH-10000003"]
OFFICER = CommandRequest(Actor("cathy", "GB-LAE-SHR", Role.COMMISSIONER))
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
COVER = Decimal("5000000")
APPLICATION = ListingApplication(
    organisation="",
    services=["personal-care"],
    districts=["SY7"],
    parishes=[],
    weekly_capacity_hours=40,
    hourly_rate=Decimal("22.00"),
    workers=2,
    cqc_regulated=False,
)


def as_provider(organisation: str) -> CommandRequest:
    return CommandRequest(Actor(f"staff-of-{organisation}", organisation, Role.PROVIDER))


@contextmanager
def fresh_market() -> Iterator[tuple[Marketplace, FixedClock]]:
    with tempfile.TemporaryDirectory() as var:
        clock = FixedClock(START)
        market = Marketplace(
            Settings(
                database_url=f"sqlite:///{Path(var) / 'm.db'}", jwt_secret=SECRET, var_dir=Path(var), tick_seconds=0
            ),
            clock,
        )
        try:
            for n, identifier in enumerate(ORGANISATIONS):
                details = OrganisationDetails(
                    identifier=identifier,
                    name=f"Carers {n}",
                    legal_form="company",
                    size="micro",
                    vcse=False,
                    address=Address("1 High Street", "Clun", "SY7 8JA"),
                    contact=Contact("Office", f"office{n}@example.org"),
                )
                market.service(Organisations).register(OFFICER, details)
            yield market, clock
        finally:
            market.close()


def _evidence(market: Marketplace, organisation: str, insurance_days: int) -> None:
    today = market.clock.now().date()
    items = [
        EvidenceItem("dbs-check", "Mo", today - timedelta(days=400)),
        EvidenceItem("dbs-check", "Sam", today - timedelta(days=30)),
        EvidenceItem("public-liability-insurance", "Mutual", today, today + timedelta(days=insurance_days), COVER),
        EvidenceItem("training-certificate", "Care Certificate", today, today + timedelta(days=700)),
        EvidenceItem("reference", "Dr Jones", today),
        EvidenceItem("reference", "Parish clerk", today),
    ]
    for item in items:
        market.service(Registrations).add_evidence(as_provider(organisation), registration_uuid(organisation), item)


def _check_pending(market: Marketplace, organisation: str, passed: bool) -> None:
    registration = market.service(Registrations).as_it_stood(registration_uuid(organisation))
    for item in registration.latest().values():
        if item.evidence_id not in registration.checks:
            reg_id = registration_uuid(organisation)
            result = EvidenceCheck(item.evidence_id, passed, "Seen the original")
            market.service(Registrations).record_check(OFFICER, reg_id, result)


def _renew(market: Marketplace, organisation: str, days: int) -> None:
    today = market.clock.now().date()
    renewal = EvidenceItem("public-liability-insurance", "Mutual", today, today + timedelta(days=days), COVER)
    market.service(Registrations).add_evidence(as_provider(organisation), registration_uuid(organisation), renewal)


def act(market: Marketplace, clock: FixedClock, step: tuple[Any, ...]) -> None:
    """One step of a history; a step a rule refuses simply does not happen (as over HTTP)."""
    what, *args = step
    if what == "advance":
        clock.advance(days=args[0])
        return
    if what == "tick":
        tick(market)
        return
    organisation = args[0]
    reg_id, mine = registration_uuid(organisation), as_provider(organisation)
    commands = market.service(Registrations)
    actions = {
        "apply": lambda: commands.apply_for_listing(mine, replace(APPLICATION, organisation=organisation)),
        "evidence": lambda: _evidence(market, organisation, *args[1:]),
        "check": lambda: _check_pending(market, organisation, *args[1:]),
        "renew": lambda: _renew(market, organisation, *args[1:]),
        "approve": lambda: commands.approve(OFFICER, reg_id, "All checks passed"),
        "reject": lambda: commands.reject(OFFICER, reg_id, "References not independent"),
        "resubmit": lambda: commands.resubmit(mine, reg_id, Corrections()),
        "suspend": lambda: commands.suspend(OFFICER, reg_id, "Safeguarding concern"),
        "reinstate": lambda: commands.reinstate(OFFICER, reg_id, "Concern closed"),
        "withdraw": lambda: commands.withdraw(mine, reg_id, "Retiring"),
        "availability": lambda: commands.update_availability(mine, reg_id, *args[1:]),
    }
    with suppress(DomainError):
        actions[what]()


def directory_ids(client: TestClient[Any]) -> set[str]:
    """Every page of the public directory."""
    found: list[str] = []
    cursor = None
    while True:
        response = client.get("/directory", params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        page = response.json()
        found += [item["id"] for item in page["items"]]
        assert all(item["standing"] in IN_DIRECTORY for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            assert len(found) == len(set(found))
            return set(found)


def standing_by_the_aggregates(market: Marketplace) -> dict[str, str]:
    """Each registration's standing now, from its events (not the views)."""
    standings = {}
    for organisation in ORGANISATIONS:
        reg_id = registration_uuid(organisation)
        if market.commands.exists(reg_id):
            registration = market.commands.load(Registration, reg_id)
            standings[str(reg_id)] = registration.standing(market.clock.now(), market.service(Registrations).policy)
    return standings


ORG = st.sampled_from(ORGANISATIONS)
STEP = st.one_of(
    st.tuples(st.just("apply"), ORG),
    st.tuples(st.just("evidence"), ORG, st.integers(1, 120)),
    st.tuples(st.just("check"), ORG, st.booleans()),
    st.tuples(st.just("renew"), ORG, st.integers(1, 400)),
    st.tuples(st.sampled_from(["approve", "reject", "resubmit", "suspend", "reinstate", "withdraw"]), ORG),
    st.tuples(st.just("availability"), ORG, st.integers(0, 40)),
    st.tuples(st.just("advance"), st.integers(1, 60)),
    st.tuples(st.just("tick")),
)
# A history that reaches listings often: each organisation applies, sends evidence and is checked first.
PROLOGUE = [
    step
    for org in ORGANISATIONS
    for step in (("apply", org), ("evidence", org, 45), ("check", org, True), ("approve", org))
]


@pytest.mark.slow  # an exhaustive matrix: run by .ci/run with the slow suites
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.lists(STEP, min_size=1, max_size=30))
def test_the_directory_shows_exactly_the_listings_in_date_whatever_happened(steps: list[tuple[Any, ...]]) -> None:
    with fresh_market() as (market, clock), TestClient(create_app(market)) as client:
        for step in PROLOGUE:
            act(market, clock, step)
        assert len(directory_ids(client)) == len(ORGANISATIONS)
        for step in steps:
            act(market, clock, step)
            standings = standing_by_the_aggregates(market)
            shown = directory_ids(client)
            assert shown == {reg_id for reg_id, standing in standings.items() if standing in IN_DIRECTORY}, (
                step,
                standings,
            )
            hidden = ("suspended", "lapsed", "withdrawn", "applied", "rejected")
            assert not any(standings[reg_id] in hidden for reg_id in shown)
        incremental = market.projector.checksums(["registrations"])
        assert market.projector.rebuild(["registrations"]) == incremental
