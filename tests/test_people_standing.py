"""Where a signed-in person stands in the people registers, and whether they may act on it: someone who left may
not, whatever their token says; with development tokens on, someone not registered acts in their token's role;
with them off, only registered, active people act, and whoever starts an organisation's people."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from domain.base import Actor, Role
from domain.people.terms import Leaving
from marketplace.people.access import (
    LEFT_MESSAGE,
    NEWCOMER_MESSAGE,
    UNREGISTERED_MESSAGE,
    Memberships,
    Standing,
    may_act,
    memberships,
    standing,
)
from marketplace.service import Marketplace
from tests.conftest import COUNCIL
from tests.people_fixtures import (
    ADMIN,
    BID_WRITER,
    CHARITY,
    CIC,
    NEIGHBOUR,
    OWNER,
    STRANGER,
    charity_with_people,
    officers,
    people,
    person_details,
    register_officer,
    request,
)

GONE = Leaving("Left the organisation.")
REGISTERED, LEFT, UNREGISTERED, NEWCOMER = Standing


@pytest.fixture
def registers(market: Marketplace) -> Marketplace:
    """The council's officers cathy (here) and ed (left); the charity's pat (owner) and bea (left)."""
    register_officer(market, "cathy")
    register_officer(market, "ed")
    officers(market).leave(request(ADMIN), "ed", GONE)
    charity_with_people(market)
    people(market).leave(request(OWNER), CHARITY, "bea", GONE)
    return market


CASES = [
    ("an officer of the council", Actor("cathy", COUNCIL, Role.COMMISSIONER), REGISTERED),
    ("whatever role the token gives", Actor("cathy", COUNCIL, Role.PROVIDER), REGISTERED),
    ("an officer who left", Actor("ed", COUNCIL, Role.ADMIN), LEFT),
    ("an officer who left, signed in for anyone", Actor("ed", CHARITY, Role.PROVIDER), LEFT),
    ("an officer, for a council that keeps none", Actor("cathy", NEIGHBOUR, Role.COMMISSIONER), NEWCOMER),
    ("someone the council has not registered", Actor("zoe", COUNCIL, Role.COMMISSIONER), UNREGISTERED),
    ("one of the charity's people", Actor("pat", CHARITY, Role.PROVIDER), REGISTERED),
    ("one who left the charity", Actor("bea", CHARITY, Role.PROVIDER), LEFT),
    ("one who left the charity, for an organisation with none", Actor("bea", CIC, Role.PROVIDER), NEWCOMER),
    ("someone the charity has not added", Actor("zed", CHARITY, Role.PROVIDER), UNREGISTERED),
    ("the clock", Actor("chronograph", "", Role.SYSTEM), REGISTERED),
]


def test_where_each_signed_in_person_stands(registers: Marketplace) -> None:
    assert {who: standing(registers, actor) for who, actor, _ in CASES} == {who: found for who, _, found in CASES}


def test_standing_is_one_statement_of_index_lookups_on_a_session_or_wiring(registers: Marketplace) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(registers.engine, "before_cursor_execute", count)
    try:
        with registers.views() as session:
            assert standing(session, Actor("pat", CHARITY, Role.PROVIDER)) is REGISTERED
    finally:
        event.remove(registers.engine, "before_cursor_execute", count)
    assert len(statements) == 1

    class Wiring:
        def views_at_head(self) -> AbstractContextManager[Session]:
            return registers.views_at_head()

    assert standing(Wiring(), Actor("ed", COUNCIL, Role.ADMIN)) is LEFT


def test_leaving_ends_a_persons_standing_from_the_moment_it_is_recorded_and_rejoining_restores_it(
    registers: Marketplace,
) -> None:
    cathy = Actor("cathy", COUNCIL, Role.COMMISSIONER)
    officers(registers).leave(request(ADMIN), "cathy", GONE)
    assert standing(registers, cathy) is LEFT
    officers(registers).rejoin(request(ADMIN), "cathy", "Back from secondment.")
    assert standing(registers, cathy) is REGISTERED


MAY_ACT = [
    (REGISTERED, True, None, None),
    (REGISTERED, False, False, None),
    (LEFT, True, None, LEFT_MESSAGE),
    (LEFT, False, True, LEFT_MESSAGE),
    (UNREGISTERED, True, False, None),
    (UNREGISTERED, False, None, UNREGISTERED_MESSAGE),
    (UNREGISTERED, False, True, UNREGISTERED_MESSAGE),
    (NEWCOMER, True, False, None),
    (NEWCOMER, False, None, None),  # the sign-in path: they must get in to start their organisation's people
    (NEWCOMER, False, True, None),
    (NEWCOMER, False, False, NEWCOMER_MESSAGE),
]


@pytest.mark.parametrize(("standing_", "dev_tokens", "starting", "refusal"), MAY_ACT)
def test_who_may_act(standing_: Standing, dev_tokens: bool, starting: bool | None, refusal: str | None) -> None:
    assert may_act(standing_, dev_tokens, starting) == refusal


# Whose people a subject is: how a sign-in provider naming no organisation finds it (organisation_from: people)


def test_a_subjects_memberships_are_the_organisations_listing_them_active_and_those_they_left(
    registers: Marketplace,
) -> None:
    people(registers).add(request(ADMIN), CIC, person_details(STRANGER))  # sam, the CIC's owner
    people(registers).add(request(ADMIN), CIC, person_details(BID_WRITER, "bid-writer"))  # bea, who left the charity
    assert memberships(registers, "pat") == Memberships(active=(CHARITY,), left=())
    assert memberships(registers, "bea") == Memberships(active=(CIC,), left=(CHARITY,))
    assert memberships(registers, "cathy") == Memberships(active=(), left=())  # officers are not organisations' people
    people(registers).leave(request(ADMIN), CIC, "bea", GONE)
    assert memberships(registers, "bea") == Memberships(active=(), left=(CHARITY, CIC))


def test_memberships_are_one_read_of_the_subject_index_not_a_scan_of_everyones_people(registers: Marketplace) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(registers.engine, "before_cursor_execute", count)
    try:
        with registers.views() as session:
            memberships(session, "pat")
    finally:
        event.remove(registers.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    if registers.settings.is_sqlite:  # PostgreSQL plans by the table's size: a test's few rows say nothing
        with registers.engine.connect() as connection:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statements[0]}", ("pat",)).all()
        assert "USING INDEX organisation_people_by_subject" in " ".join(str(row[-1]) for row in plan)
