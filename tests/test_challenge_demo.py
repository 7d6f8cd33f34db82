"""The demo's Community Right to Challenge (marketplace/challenge/demo.py): services in the register (one excluded),
a published window, expressions of interest at every stage and outcome, a procurement started by a tender naming
its service; loaded once however often it runs, and rebuilt to the same views."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from marketplace.challenge.deadlines import flag_overdue
from marketplace.challenge.demo import COUNTRYSIDE, LIBRARIES, REABLEMENT, STAFF_GROUP, load_challenge_demo
from marketplace.clock import FixedClock
from marketplace.demo import load_organisations
from marketplace.service import Marketplace
from projections.challenge.expressions import expressions_of_interest
from projections.challenge.services import challenge_windows, services
from tests.conftest import event_count
from tests.test_ocds import RELEASE_PACKAGE, errors


@pytest.fixture
def demo_market(market: Marketplace) -> Marketplace:
    load_organisations(market)
    assert load_challenge_demo(market) == 14  # five services, eight expressions of interest, one tender
    return market


def rows(market: Marketplace, table: Any) -> list[dict[str, Any]]:
    with market.views() as session:
        return [dict(row) for row in session.execute(select(table)).mappings()]


def test_the_demo_has_an_expression_of_interest_at_every_stage_and_outcome(demo_market: Marketplace) -> None:
    made = rows(demo_market, expressions_of_interest)
    assert Counter(row["status"] for row in made) == {
        "submitted": 1,
        "acknowledged": 1,
        "modification-proposed": 1,
        "accepted": 3,
        "rejected": 1,
        "withdrawn": 1,
    }
    assert Counter(row["outcome"] for row in made) == {
        "": 4,
        "accepted": 2,
        "accepted-with-modification": 1,
        "rejected": 1,
    }
    rejected = next(row for row in made if row["status"] == "rejected")
    assert rejected["grounds"] == ["inadequate-information", "body-not-suitable"]
    assert "Ground 2" in rejected["reasons"] and "Ground 3" in rejected["reasons"]
    staff = [row for row in made if row["body_kind"] == "staff-group"]
    assert [(row["body"], row["legal_form"]) for row in staff] == [(STAFF_GROUP, "")]
    accepted = [row for row in made if row["status"] == "accepted"]
    assert sorted(bool(row["tender_id"]) for row in accepted) == [False, False, True], "one procured, two due"
    assert all(row["next_deadline"] is not None for row in accepted if not row["tender_id"])
    assert "parish-council" in {row["legal_form"] for row in made}


def test_the_demo_registers_an_excluded_service_and_publishes_a_window(demo_market: Marketplace) -> None:
    by_name = {row["name"]: row for row in rows(demo_market, services)}
    assert len(by_name) == 5
    excluded = by_name[REABLEMENT]
    assert (
        excluded["excluded"] and "Schedule 2" in excluded["exclusion_ground"] and "NHS" in excluded["exclusion_ground"]
    )
    assert [name for name, row in by_name.items() if row["excluded"]] == [REABLEMENT]
    windows = rows(demo_market, challenge_windows)
    assert [window["service_id"] for window in windows] == [by_name[LIBRARIES]["id"]]
    assert len(by_name[COUNTRYSIDE]["tenders"]) == 1 and by_name[COUNTRYSIDE]["awaiting"] == []


def test_the_demo_loads_once_however_often_it_runs(demo_market: Marketplace) -> None:
    events = event_count(demo_market)
    assert load_organisations(demo_market) == 0
    assert load_challenge_demo(demo_market) == 0
    assert event_count(demo_market) == events


def test_the_demos_views_rebuild_identically(demo_market: Marketplace) -> None:
    incremental = demo_market.projector.checksums()
    assert demo_market.projector.rebuild() == incremental


def test_the_demos_tender_publishes_a_valid_planning_release_naming_the_challenge(
    demo_market: Marketplace, client: TestClient[Any]
) -> None:
    package = client.get("/ocds/releases").json()
    assert errors(RELEASE_PACKAGE, package) == []
    (release,) = package["releases"]
    assert release["tag"] == ["tender", "planning"]
    assert COUNTRYSIDE in release["planning"]["rationale"]
    assert "from Much Wenlock Town Council, accepted on 2026-03-02" in release["planning"]["rationale"]


def test_the_clock_flags_the_demos_decisions_and_procurements_once_their_days_pass(
    demo_market: Marketplace, clock: FixedClock
) -> None:
    assert flag_overdue(demo_market) == 0, "the demo runs on today's clock: nothing is due yet"
    clock.advance(days=200)
    assert flag_overdue(demo_market) == 5  # three decisions, two procurements
    made = rows(demo_market, expressions_of_interest)
    assert sum(row["decision_overdue"] for row in made) == 3 and sum(row["procurement_overdue"] for row in made) == 2
