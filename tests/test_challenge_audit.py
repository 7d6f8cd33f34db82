"""The Community Right to Challenge's records are audited like every other: the audit feed and each record's
history name who acted; the hash chain covers their events, so a changed expression of interest is caught; and
`marketplace rebuild --all --check` rebuilds the service register and the expressions' register identically."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select, update

from domain.base import Role
from marketplace.audit import verify
from marketplace.capability import all_projections
from marketplace.cli import main
from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from tests.audit_support import events_table, run_verify
from tests.challenge_fixtures import CHARITY, PARISH, STAFF, Register, registered
from tests.conftest import bearer

AUDITOR = bearer(Role.AUDITOR)
KINDS = {"CouncilService", "ExpressionOfInterest"}


@pytest.fixture
def challenged(market: Marketplace, clock: FixedClock) -> Register:
    """A service with a window, an accepted, a rejected and a staff group's expression of interest."""
    register = registered(market, clock)
    register.window()
    register.accepted(PARISH)
    register.rejected(CHARITY, "inadequate-information", "body-not-suitable")
    register.submit(STAFF)
    return register


def test_the_audit_feed_names_who_made_each_challenge_event(challenged: Register, client: TestClient[Any]) -> None:
    feed = client.get("/audit/events?limit=1000", headers=AUDITOR).json()["events"]
    ours = [event for event in feed if event["aggregate_kind"] in KINDS]
    assert {event["aggregate_kind"] for event in ours} == KINDS
    assert all(event["actor"]["subject"] and event["actor"]["role"] for event in ours)
    assert {"ExpressionOfInterest.Rejected", "CouncilService.ChallengeAccepted"} <= {e["event_type"] for e in ours}


def test_each_record_of_the_new_kinds_has_its_history(challenged: Register, client: TestClient[Any]) -> None:
    service = client.get(f"/audit/council_service/{challenged.service_id}/history", headers=AUDITOR)
    assert service.status_code == 200
    assert [e["event_type"] for e in service.json()] == [
        "CouncilService.Registered",
        "CouncilService.WindowPublished",
        "CouncilService.ChallengeAccepted",
    ]


def test_a_changed_expression_of_interest_breaks_the_chain_at_its_position(
    challenged: Register, cli: None, capsys: pytest.CaptureFixture[str]
) -> None:
    market = challenged.market
    assert verify(market).ok
    events = events_table(market)
    with market.engine.begin() as connection:
        position, state = connection.execute(
            select(events.c.id, events.c.state).where(events.c.topic.like("%ExpressionOfInterest.Rejected"))
        ).one()
        tampered = bytes(state).replace(b"body-not-suitable", b"frivolous-or-vexatious")
        connection.execute(update(events).where(events.c.id == position).values(state=tampered))
    code, out = run_verify(capsys)
    assert code == 1 and out.startswith(f"broken at position {position}: ")


def test_a_rebuild_check_rebuilds_the_challenge_views_identically(
    challenged: Register, cli: None, capsys: pytest.CaptureFixture[str]
) -> None:
    names = {view.name for view in all_projections()}
    assert {"services", "expressions_of_interest"} <= names
    assert main(["rebuild", "--all", "--check"]) == 0
    out = capsys.readouterr().out
    assert "services" in out and "expressions_of_interest" in out
